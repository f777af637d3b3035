import Foundation
import Testing
import Inference
import Sampling

/// The batched rollout engine: batch invariance, determinism, EGLR gating.
@Suite(.serialized) struct RolloutEngineTests {
    static let prompts: [[Int]] = {
        let tok = TestModels.smollm.tokenizer
        return ["Q: What is 7 + 5?\nA:", "Once upon a time", "def add(a, b):"].map { tok.encode($0) }
    }()

    static func run(batch: Int, specs: [RolloutSpec], prompts: [[Int]] = prompts) throws -> [Int: RolloutResult] {
        let engine = RolloutEngine(model: TestModels.smollm, maxBatch: batch, maxContext: 256)
        var out = [Int: RolloutResult]()
        try engine.run(prompts: prompts, specs: specs) { out[$0.tag] = $0 }
        return out
    }

    static func specs(temperature: Float, layers: Int = 0, count: Int = 6, tokens: Int = 16) -> [RolloutSpec] {
        (0..<count).map { i in
            RolloutSpec(prompt: i % prompts.count, sampler: SamplerConfig(temperature: temperature, topP: 0.95),
                        eglr: EGLRConfig(layers: layers), seed: RolloutSeed.derive(run: 1, problem: "p\(i % 3)", temperature: temperature, layers: layers, sample: i),
                        maxTokens: tokens, stopAtEndOfGeneration: false, tag: i)
        }
    }

    /// A rollout is bit-identical alone, in a batch of 6, and in a batch of 3 with other
    /// company (continuous batching refills slots in a different order).
    @Test func batchInvariance() throws {
        let specs = Self.specs(temperature: 0.9)
        let together = try Self.run(batch: 6, specs: specs)
        let pairs = try Self.run(batch: 3, specs: specs.reversed())
        for s in specs {
            let alone = try Self.run(batch: 1, specs: [s])[s.tag]!
            #expect(alone.ids == together[s.tag]!.ids, "sample \(s.tag): alone vs batch of 6")
            #expect(alone.steps == together[s.tag]!.steps, "sample \(s.tag): per-token records")
            #expect(alone.ids == pairs[s.tag]!.ids, "sample \(s.tag): alone vs batch of 3")
        }
    }

    @Test func sameSeedsSameRolloutsDifferentSeedsDiffer() throws {
        let a = try Self.run(batch: 4, specs: Self.specs(temperature: 1.0))
        let b = try Self.run(batch: 4, specs: Self.specs(temperature: 1.0))
        for (k, r) in a { #expect(r.ids == b[k]!.ids) }
        var other = Self.specs(temperature: 1.0)
        for i in other.indices { other[i].seed &+= 1 }
        let c = try Self.run(batch: 4, specs: other)
        #expect(a.keys.contains { a[$0]!.ids != c[$0]!.ids })
    }

    /// L = 0 is plain decoding: identical to a run with no EGLR configured at all, and with
    /// a gate that can never fire.
    @Test func layerSpanZeroIsPlainDecoding() throws {
        let plain = try Self.run(batch: 3, specs: Self.specs(temperature: 0))
        var zero = Self.specs(temperature: 0)
        for i in zero.indices { zero[i].eglr = EGLRConfig(layers: 0, tau: 0) }
        let z = try Self.run(batch: 3, specs: zero)
        var never = Self.specs(temperature: 0)
        for i in never.indices { never[i].eglr = EGLRConfig(layers: 4, tau: 1e9) }
        let n = try Self.run(batch: 3, specs: never)
        for (k, r) in plain {
            #expect(r.ids == z[k]!.ids && r.ids == n[k]!.ids)
            #expect(z[k]!.gatedTokens == 0 && n[k]!.gatedTokens == 0 && n[k]!.extraLayerApplications == 0)
        }
    }

    /// tau = 0 gates every token; iterations never exceed K_max; the extra layer count is
    /// iterations x L; argmax divergence converges after one unchanged iteration at most K.
    @Test func gateAndIterationBounds() throws {
        var specs = Self.specs(temperature: 0, count: 3, tokens: 8)
        for i in specs.indices { specs[i].eglr = EGLRConfig(layers: 2, kMax: 3, tau: 0, divergence: .argmax) }
        let r = try Self.run(batch: 3, specs: specs)
        for (_, x) in r {
            #expect(x.steps.allSatisfy { $0.gated && $0.iterations >= 1 && $0.iterations <= 3 })
            #expect(x.extraLayerApplications == x.steps.reduce(0) { $0 + $1.iterations } * 2)
            // argmax: stopping before K_max means the last iteration left the argmax unchanged.
            #expect(x.steps.allSatisfy { $0.iterations == 3 || $0.divergence == 0 })
        }
        // EGLR is deterministic too, and batch-invariant.
        let alone = try Self.run(batch: 1, specs: [specs[1]])
        #expect(alone[specs[1].tag]!.ids == r[specs[1].tag]!.ids)
    }

    /// Greedy decoding through the engine agrees with the single-sequence forward pass
    /// (prefill + token-by-token logits) within float tolerance.
    @Test func engineLogitsMatchTransformer() throws {
        let m = TestModels.smollm
        let ids = Self.prompts[0]
        let greedy = try TestModels.greedy(m, prompt: ids, count: 10)
        let r = try Self.run(batch: 2, specs: [RolloutSpec(prompt: 0, maxTokens: 10, stopAtEndOfGeneration: false)])
        #expect(r[0]!.ids == greedy)
    }

    /// Children continuing from a branch equal sequences generated from the full prefix.
    @Test func branchEqualsRecompute() throws {
        let engine = RolloutEngine(model: TestModels.smollm, maxBatch: 4, maxContext: 256)
        let prompt = Self.prompts[1]
        var parent: RolloutResult!
        try engine.run(prompts: [prompt], specs: [RolloutSpec(prompt: 0, maxTokens: 12, stopAtEndOfGeneration: false)]) { parent = $0 }
        let br = try engine.branch(prompt: prompt, generated: parent.ids, at: 6)
        var children = [RolloutResult]()
        try engine.run(prompts: [prompt], specs: (0..<3).map { RolloutSpec(prompt: 0, maxTokens: 6, stopAtEndOfGeneration: false, branch: br, tag: $0) }) { children.append($0) }
        for c in children { #expect(c.ids == parent.ids, "greedy child continues as the parent did") }
    }

    /// Forking copies the parent's K/V: greedy children reproduce the parent bit for bit,
    /// sampled children (own seeds) diverge from each other.
    @Test func forkedChildrenContinueExactly() throws {
        let engine = RolloutEngine(model: TestModels.smollm, maxBatch: 4, maxContext: 256)
        let prompt = Self.prompts[0]
        var parent: RolloutResult!
        var spec = RolloutSpec(prompt: 0, maxTokens: 14, stopAtEndOfGeneration: false)
        spec.keepKV = true
        try engine.run(prompts: [prompt], specs: [spec]) { parent = $0 }
        for at in [0, 1, 7] {
            let br = try engine.fork(parent, at: at)
            var kids = [Int: RolloutResult]()
            let specs = (0..<3).map { RolloutSpec(prompt: 0, maxTokens: 14 - at, stopAtEndOfGeneration: false, branch: br, tag: $0) }
            try engine.run(prompts: [prompt], specs: specs) { kids[$0.tag] = $0 }
            for (_, k) in kids {
                #expect(k.ids == parent.ids, "fork at \(at)")
                #expect(Array(k.steps) == Array(parent.steps[at...]), "fork at \(at): per-token records")
            }
        }
        let br = try engine.fork(parent, at: 5)
        var sampled = [RolloutResult]()
        try engine.run(prompts: [prompt], specs: (0..<3).map { RolloutSpec(prompt: 0, sampler: SamplerConfig(temperature: 1.2), seed: UInt64(100 + $0), maxTokens: 10, stopAtEndOfGeneration: false, branch: br, tag: $0) }) { sampled.append($0) }
        #expect(sampled.allSatisfy { Array($0.ids.prefix(5)) == Array(parent.ids.prefix(5)) })
        #expect(Set(sampled.map(\.ids)).count > 1)
    }

    /// The percentile rule resolves tau from plain decoding once per run; a 100th
    /// percentile gates (almost) nothing, the 0th nearly everything.
    @Test func tauPercentileRule() throws {
        var specs = Self.specs(temperature: 0, count: 3, tokens: 12)
        for i in specs.indices { specs[i].eglr = EGLRConfig(layers: 2, tauPercentile: 50) }
        let r = try Self.run(batch: 3, specs: specs)
        let taus = Set(r.values.map(\.spec.eglr.tau))
        #expect(taus.count == 1 && taus.first! != EGLRConfig().tau && r.values.allSatisfy { $0.spec.eglr.tauPercentile == nil })
        #expect(RolloutEngine.percentile([3, 1, 2, 4], 50) == 2 && RolloutEngine.percentile([3, 1, 2, 4], 100) == 4)
        for i in specs.indices { specs[i].eglr = EGLRConfig(layers: 2, tauPercentile: 100) }
        let none = try Self.run(batch: 3, specs: specs)
        #expect(none.values.reduce(0) { $0 + $1.gatedTokens } < 3 * 12)
    }

    @Test func featuresCoverEveryLayer() throws {
        let engine = RolloutEngine(model: TestModels.smollm, maxBatch: 4, maxContext: 256)
        var feats = [Int: [Float]]()
        try engine.run(prompts: Self.prompts, specs: Self.specs(temperature: 0.5, count: 6, tokens: 2), captureFeatures: true,
                       onFeatures: { feats[$0] = $1 }) { _ in }
        let c = TestModels.smollm.config
        #expect(feats.count == 3)
        for (_, f) in feats { #expect(f.count == c.blockCount * c.embeddingLength && f.allSatisfy { $0.isFinite }) }
        #expect(feats[0]! != feats[1]!)
    }
}
