import Foundation
import Testing
import Inference
import Sampling
import Seeds

/// The architecture table (issue 14) on micro random-weight models written with the `gguf`
/// package by scripts/make_arch_fixtures.py, against llama.cpp b11312 (llama-cpp-python
/// 0.3.36): qwen3 (per-head Q/K RMSNorm, NeoX rope, no biases), llama with Llama-3.1
/// `rope_freqs` factors, llama with linear rope scaling, olmo2 (post-attention and post-FFN
/// norms instead of pre-norms, Q/K RMSNorm over the projected width, untied head), phi3 (fused
/// QKV and gate-up tensors; its sliding window read and not applied, as llama.cpp b11312
/// does), gemma2 and gemma3 (embedding scale, GeGLU, pre- and post-norms, sliding-window layers
/// with their own RoPE, soft-caps, Q/K norms, heads wider than width / heads), OLMo 3 (olmo2
/// with sliding-window layers), YaRN (a llama file; OLMo 3 with it on its global layers). Every
/// one of the 263 next-token
/// log-probs within 0.05 (the micro models' existing tolerance: llama.cpp rounds activations
/// to 8 bits for its Q8_0 dot products). Then the batched engine, EGLR and forks on each, and
/// files asking for what Rollbook does not implement refused at load, naming it.
@Suite struct ArchitectureTableTests {
    struct Case: Decodable { var model: String; var text: String; var ids: [Int]; var logprobs: [Double] }
    struct File: Decodable { var cases: [Case] }
    static let cases: [Case] = {
        (try? JSONDecoder().decode(File.self, from: Data(contentsOf: Fixture.url("micro_arch_goldens.json"))))?
            .cases ?? []
    }()
    static let models = ["micro_qwen3.gguf", "micro_llama3_rope.gguf", "micro_llama_linear_rope.gguf",
                         "micro_olmo2.gguf", "micro_phi3.gguf", "micro_gemma2.gguf", "micro_gemma3.gguf",
                         "micro_olmo3.gguf", "micro_llama_yarn.gguf", "micro_olmo3_yarn.gguf"]

    @Test func present() { #expect(Self.cases.count == 30) }

    @Test(arguments: 0..<30)
    func fullDistributionMatchesLlamaCpp(_ i: Int) throws {
        guard i < Self.cases.count else { return }
        let c = Self.cases[i]
        let m = try Model(path: TestModels.fixture(c.model))
        #expect(m.tokenizer.encode(c.text, parseSpecial: true) == c.ids)
        let worst = try TestModels.maxLogprobError(m, ids: c.ids, logprobs: c.logprobs)
        #expect(worst <= 0.05, "\(c.model) \(c.text.debugDescription): max |Δ logprob| \(worst)")
        print("arch golden \(c.model) (\(c.ids.count) tokens): max |Δ logprob| \(worst)")
    }

    /// The scaling each llama file asks for is read (linear: positions x 1/4; Llama 3.1: the
    /// factors tensor), and one case per model is long enough (> 40 positions) for it to matter.
    @Test func ropeScalingIsRead() throws {
        let a = try Model(path: TestModels.fixture("micro_llama3_rope.gguf"))
        let b = try Model(path: TestModels.fixture("micro_llama_linear_rope.gguf"))
        #expect(a.config.ropeFreqScale == 1 && b.config.ropeFreqScale == 0.25)
        #expect(Self.cases.filter { $0.ids.count > 40 }.count == 10)
    }

    /// YaRN: the factor and the fitted context are read; OLMo 3's windowed layers rotate
    /// without it (two tables), a llama file's every layer with it (one); cos and sin carry
    /// 1 + 0.1 ln 4.
    @Test func yarnIsRead() throws {
        let l = try Model(path: TestModels.fixture("micro_llama_yarn.gguf"))
        #expect(l.config.ropeFreqScale == 0.25 && l.config.yarnOriginalContext == 32)
        #expect(l.ropeTables.count == 1 && abs(l.ropeTables[0].magnitude - (1 + 0.1 * logf(4))) < 1e-6)
        let o = try Model(path: TestModels.fixture("micro_olmo3_yarn.gguf"))
        #expect(o.ropeTables.count == 2 && o.ropeTableOfLayer == [1, 0] && o.ropeTables[1].magnitude == 1)
    }

    /// Gemma 2 / 3 and OLMo 3 read their windows, soft-caps, scales and per-layer RoPE as
    /// llama.cpp does, and every model has a case longer than its window of 8 (so the window binds).
    @Test func windowsAndGemmaHyperparametersAreRead() throws {
        let g2 = try Model(path: TestModels.fixture("micro_gemma2.gguf")).config
        #expect(g2.slidingWindow == 8 && g2.windowedLayers == [true, false])
        #expect(g2.attnSoftCap == 3 && g2.finalSoftCap == 5 && g2.embeddingScale == 8 && g2.gelu)
        #expect(g2.ropeFreqBaseSWA == 500 && g2.attentionScale == 0.25)
        let g3m = try Model(path: TestModels.fixture("micro_gemma3.gguf"))
        let g3 = g3m.config
        #expect(g3.headDim == 32 && g3.windowedLayers == [true, false] && g3.attnSoftCap == 0 && g3.finalSoftCap == 0)
        #expect(g3.ropeFreqScale == 0.5 && g3.ropeFreqScaleSWA == 1 && g3.ropeFreqBaseSWA == 100)
        #expect(g3m.ropeTables.count == 2 && g3m.ropeTableOfLayer == [1, 0])
        let o3 = try Model(path: TestModels.fixture("micro_olmo3.gguf")).config
        #expect(o3.slidingWindow == 8 && o3.windowedLayers == [true, false] && o3.ropeFreqBaseSWA == o3.ropeFreqBase)
        // OLMo 2 (no window key) stays unwindowed.
        #expect(try Model(path: TestModels.fixture("micro_olmo2.gguf")).config.slidingWindow == 0)
        // FLOPs count a windowed layer's attention over at most W positions: 10 positions read,
        // window 8 on layer 0 of 2: 36 + 2 x 8 = 52 positions there, 55 on layer 1.
        let shape = ComputeShape(g2)
        var full = shape; full.slidingWindow = 0
        let perPosition = 4 * Double(shape.headCount * shape.headDim)
        #expect(full.rolloutFLOPs(promptTokens: 11, iterations: [], eglrLayers: 0)
                - shape.rolloutFLOPs(promptTokens: 11, iterations: [], eglrLayers: 0) == perPosition * 3)
        for name in ["micro_gemma2.gguf", "micro_gemma3.gguf", "micro_olmo3.gguf"] {
            #expect(Self.cases.contains { $0.model == name && $0.ids.count > 40 })
        }
    }

    /// The batched engine (prefill chunk, then decode steps in a batch of 3), EGLR at L = 1, latent
    /// features and a fork all run on each architecture; greedy decoding agrees with the single-sequence pass,
    /// and a rollout's bits do not depend on its batch.
    @Test(arguments: models)
    func engineEGLRAndForksRun(_ name: String) throws {
        let m = try Model(path: TestModels.fixture(name))
        let prompt = m.tokenizer.encode("Hello the micro model, 12 + 30 =", parseSpecial: true)
        let greedy = try TestModels.greedy(m, prompt: prompt, count: 8)
        func specs(_ count: Int) -> [RolloutSpec] {
            (0..<count).map { i in
                RolloutSpec(prompt: 0, sampler: SamplerConfig(temperature: i == 0 ? 0 : 0.8),
                            eglr: EGLRConfig(layers: i == 2 ? 1 : 0, tau: 0),
                            seed: SplitMix64.derive([7, UInt64(i)]), maxTokens: 8, stopAtEndOfGeneration: false,
                            tag: i)
            }
        }
        var features = [Int: [Float]]()
        func run(batch: Int, _ s: [RolloutSpec]) throws -> [Int: RolloutResult] {
            let engine = RolloutEngine(model: m, maxBatch: batch, maxContext: 128)
            var out = [Int: RolloutResult]()
            try engine.run(prompts: [prompt], specs: s, captureFeatures: true,
                           onFeatures: { features[batch] = $1 }) { out[$0.tag] = $0 }
            return out
        }
        let together = try run(batch: 3, specs(3)), alone = try run(batch: 1, specs(3))
        // Latent features (the hidden state after every layer at the last prompt token): one
        // per layer, finite, the same whatever the batch.
        let c = m.config
        #expect(features[3]?.count == c.blockCount * c.embeddingLength && features[3] == features[1],
                "\(name): latent features")
        #expect(features[3]?.allSatisfy(\.isFinite) == true)
        #expect(together[0]?.ids == greedy, "\(name): greedy through the batched engine")
        for i in 0..<3 { #expect(together[i]?.ids == alone[i]?.ids, "\(name): rollout \(i) batch-invariant") }
        #expect((together[2]?.extraLayerApplications ?? 0) > 0, "\(name): EGLR re-applied layers (tau 0 gates all)")
        // A branch after 4 sampled tokens continues greedily exactly as a recompute of that prefix.
        let engine = RolloutEngine(model: m, maxBatch: 2, maxContext: 128)
        let parent = try #require(together[1])
        let br = try engine.branch(prompt: prompt, generated: parent.ids, at: 4)
        var child: RolloutResult?
        try engine.run(prompts: [prompt], specs: [RolloutSpec(prompt: 0, maxTokens: 4, stopAtEndOfGeneration: false,
                                                              branch: br, tag: 9)]) { child = $0 }
        let cont = try TestModels.greedy(m, prompt: prompt + parent.ids.prefix(4), count: 4)
        #expect(child.map { Array($0.ids.suffix(4)) } == cont, "\(name): the branch continues like a recompute")
    }

    /// What an architecture defines and Rollbook does not implement is a load error naming it.
    @Test(arguments: [
        ("refuse_sliding_window.gguf", "llama.attention.sliding_window", "sliding-window attention"),
        ("refuse_moe_tensor.gguf", "blk.0.ffn_gate_exps.weight", "does not use"),
        ("refuse_longrope.gguf", "llama.rope.scaling.type", "RoPE scaling 'longrope'"),
        ("refuse_phi3_longrope.gguf", "rope_factors_long.weight", "does not use"),
    ])
    func unimplementedFeaturesAreRefused(_ file: String, _ name: String, _ what: String) {
        #expect { try Model(path: TestModels.fixture(file)) } throws: { e in
            let s = "\(e)"
            return s.contains(file) && s.contains("'\(name)'") && s.contains(what) && s.contains("does not implement")
        }
    }
}
