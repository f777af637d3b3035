import Foundation
import Testing
import Inference
import Sampling

@Suite struct ForwardTests {
    /// Prefill as one matrix-matrix chunk equals feeding the tokens one at a time
    /// (different kernels: dequantise+sgemm vs fused matvec). Tolerance 2e-3 on logits.
    @Test func batchedPrefillEqualsTokenByToken() throws {
        let m = TestModels.smollm
        let ids = m.tokenizer.encode("The quick brown fox jumps over the lazy dog, and 12 + 30 = 42.")
        let tr = Transformer(model: m, contextLength: 128, int8: false)
        let a = Array(try tr.forward(ids, cache: tr.makeCache()))
        let cache = tr.makeCache()
        var b = [Float]()
        for id in ids { b = Array(try tr.forward([id], cache: cache)) }
        let diff = zip(a, b).map { abs($0 - $1) }.max()!
        #expect(diff < 2e-3, "max |logit diff| \(diff)")
        #expect(Sampler.argmax(a.withUnsafeBufferPointer { $0 }) == Sampler.argmax(b.withUnsafeBufferPointer { $0 }))
    }

    /// Token by token with 8-bit activations (the integer kernels, as llama.cpp decodes) against
    /// the Float kernels: the same next token at every step of a 24-token greedy run, and the
    /// log-probs of the tokens either ranks in its top 5 within 1.0 of each other (measured:
    /// 0.53 at worst on this prompt; against llama.cpp, whose activations are 8-bit too, the
    /// integer path stays within the goldens' 0.5 over its top 10, see LlamaGoldenTests).
    @Test func int8DecodingTracksFloatDecoding() throws {
        let m = TestModels.smollm
        let ids = m.tokenizer.encode("Question: Ana has 3 boxes of 4 pencils. How many pencils? Answer:")
        let f = Transformer(model: m, contextLength: 128, int8: false), q = Transformer(model: m, contextLength: 128)
        let cf = f.makeCache(), cq = q.makeCache()
        var lf = Array(try f.forward(ids, cache: cf)), lq = Array(try q.forward(ids, cache: cq))
        func logprobs(_ l: [Float]) -> [Double] {
            let lse = l.withUnsafeBufferPointer { Sampler.stats($0).lse }
            return l.map { Double($0 - lse) }
        }
        var worst = 0.0
        for _ in 0..<24 {
            let tf = lf.withUnsafeBufferPointer { Sampler.argmax($0) }, tq = lq.withUnsafeBufferPointer { Sampler.argmax($0) }
            #expect(tf == tq)
            let pf = logprobs(lf), pq = logprobs(lq)
            let top = Set(pf.indices.sorted { pf[$0] > pf[$1] }.prefix(5) + pq.indices.sorted { pq[$0] > pq[$1] }.prefix(5))
            worst = max(worst, top.map { abs(pf[$0] - pq[$0]) }.max()!)
            lf = Array(try f.forward([tf], cache: cf)); lq = Array(try q.forward([tf], cache: cq))
        }
        print("int8 vs Float decoding: largest |log-prob difference| over top-5 tokens \(worst)")
        #expect(worst < 1.0, "largest |log-prob difference| \(worst)")
    }

    /// Chunked prefill (chunks smaller than the prompt) equals a single chunk.
    @Test func chunkedPrefillEqualsSingleChunk() throws {
        let m = TestModels.smollm
        let ids = m.tokenizer.encode(String(repeating: "Counting sheep: one, two, three. ", count: 6))
        let whole = Transformer(model: m, maxTokens: 512, contextLength: 256)
        let small = Transformer(model: m, maxTokens: 7, contextLength: 256)
        let a = Array(try whole.forward(ids, cache: whole.makeCache()))
        let b = Array(try small.forward(ids, cache: small.makeCache()))
        #expect(zip(a, b).map { abs($0 - $1) }.max()! < 2e-3)
    }

    @Test func greedyGenerationIsDeterministic() throws {
        let g = Generator(model: TestModels.smollm, contextLength: 256)
        var o = GenerationOptions(); o.maxTokens = 24; o.sampler = SamplerConfig(temperature: 0.8); o.seed = 42
        let ids = TestModels.smollm.tokenizer.encode("Once upon a time")
        let a = try g.generate(promptIDs: ids, options: o)
        let b = try g.generate(promptIDs: ids, options: o)
        #expect(a.ids == b.ids && a.tokens == b.tokens)
        o.seed = 43
        let c = try g.generate(promptIDs: ids, options: o)
        #expect(c.ids != a.ids)
    }
}
