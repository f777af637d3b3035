import Foundation
import Testing
import Inference
import Sampling
import Tokenizers

/// Logits and greedy continuations against llama.cpp (scripts/make_llama_fixtures.py:
/// llama-cpp-python 0.3.36, flash attention off, batched prompt evaluation, F16 KV cache).
///
/// Tolerances. llama.cpp quantises activations to 8 bits in its quantised matrix products,
/// keeps K/V in F16, and uses different kernels for batched and one-token evaluation; the
/// fixture script measures that its own top-10 log-probs move by up to 0.37 between batched
/// and token-by-token evaluation of the same prompts. Rollbook computes in Float32 and
/// differs from llama.cpp's batched logits by at most 0.30 on these prompts. We require
///  - identical top-1;
///  - the same top-5 set, except a swap at the rank-5 boundary between tokens whose
///    llama.cpp log-probs are within the tolerance of each other (a near-tie);
///  - |Δ logprob| ≤ 0.5 on llama.cpp's top-10 tokens (above llama.cpp's own 0.37 spread);
///  - greedy continuations identical until a step where llama.cpp's own top-2 margin is
///    below 0.75 (a near-tie either implementation may break either way): a margin is the
///    difference of two log-probs, each of which moves by up to 0.37 between llama.cpp's own
///    evaluation modes, so its own margins move by up to twice that. (Generation decodes
///    with 8-bit activations, numerics v2; on chat_hi it parts from llama.cpp at a margin of
///    0.63.)
@Suite struct LlamaGoldenTests {
    static let logprobTolerance: Double = 0.5
    static let marginTolerance: Double = 0.75

    struct Top: Decodable { var id: Int; var logit: Double; var logprob: Double }
    struct LogitCase: Decodable { var name: String; var chat: Bool; var user: String?; var text: String; var ids: [Int]; var top: [Top] }
    struct LogitFile: Decodable { var prompts: [LogitCase] }
    struct GreedyCase: Decodable { var name: String; var ids: [Int]; var continuation: [Int]; var margins: [Double] }
    struct GreedyFile: Decodable { var prompts: [GreedyCase] }

    static let logitCases: [LogitCase] = {
        (try? JSONDecoder().decode(LogitFile.self, from: Data(contentsOf: Fixture.url("logits_goldens.json"))))?.prompts ?? []
    }()
    static let greedyCases: [GreedyCase] = {
        (try? JSONDecoder().decode(GreedyFile.self, from: Data(contentsOf: Fixture.url("greedy_goldens.json"))))?.prompts ?? []
    }()

    @Test func fixturesPresent() {
        #expect(Self.logitCases.count >= 6 && Self.logitCases.contains { $0.chat } && Self.logitCases.contains { !$0.chat })
        #expect(Self.greedyCases.count == Self.logitCases.count)
    }

    @Test(arguments: 0..<8)
    func nextTokenLogprobs(_ i: Int) throws {
        guard i < Self.logitCases.count else { return }
        let c = Self.logitCases[i]
        let m = TestModels.smollm
        if c.chat, let user = c.user {
            #expect(try #require(m.chatTemplate).render(user: user) == c.text, "chat template text")
        }
        let ids = m.tokenizer.encode(c.text, parseSpecial: true)
        #expect(ids == c.ids, "prompt tokens")
        let tr = Transformer(model: m, contextLength: ids.count + 1)
        let logits = Array(try tr.forward(c.ids, cache: tr.makeCache()))
        let lse = logits.withUnsafeBufferPointer { Sampler.stats($0).lse }
        let order = logits.indices.sorted { logits[$0] > logits[$1] }
        #expect(order[0] == c.top[0].id, "\(c.name): top-1")
        let ours = Set(order.prefix(5)), theirs = Set(c.top.prefix(5).map(\.id))
        let fifth = c.top[4].logprob
        for id in ours.symmetricDifference(theirs) {
            let lp = try #require(c.top.first { $0.id == id }?.logprob, "\(c.name): token \(id) outside llama.cpp's top-10")
            #expect(abs(lp - fifth) <= Self.logprobTolerance, "\(c.name): top-5 differs by token \(id), not a near-tie")
        }
        let worst = c.top.map { abs(Double(logits[$0.id] - lse) - $0.logprob) }.max()!
        #expect(worst <= Self.logprobTolerance, "\(c.name): max |Δ logprob| \(worst)")
        print("golden \(c.name): max |Δ logprob| over llama.cpp top-10 = \(String(format: "%.4f", worst))")
    }

    @Test(arguments: 0..<8)
    func greedyContinuation(_ i: Int) throws {
        guard i < Self.greedyCases.count else { return }
        let c = Self.greedyCases[i]
        let g = Generator(model: TestModels.smollm, contextLength: c.ids.count + 70)
        var o = GenerationOptions()
        o.maxTokens = c.continuation.count
        o.stopAtEndOfGeneration = false
        let out = try g.generate(promptIDs: c.ids, options: o)
        if let k = zip(out.ids, c.continuation).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            #expect(c.margins[k] < Self.marginTolerance,
                    "\(c.name): diverged at step \(k) where llama.cpp's top-2 margin is \(c.margins[k])")
            print("golden \(c.name): diverged at step \(k), llama.cpp margin \(c.margins[k])")
        } else {
            #expect(out.ids == c.continuation)
            print("golden \(c.name): 64 greedy tokens identical")
        }
    }
}
