import ArgumentParser
import Foundation
import Inference
import Sampling

/// EGLR options, shared by generate and bench.
struct EGLROptions: ParsableArguments {
    @Option(name: .long, help: "EGLR layer span L (0 = plain decoding).") var layers = 0
    @Option(name: .long, help: "EGLR maximum recursion iterations K_max.") var kmax = 4
    @Option(name: .long, help: "EGLR entropy gate tau, nats.") var tau: Float = 2.0
    @Option(name: .long, help: "EGLR gate as a percentile (0-100) of the model's plain-decoding token entropies (overrides --tau).") var tauPercentile: Float?
    @Option(name: .long, help: "EGLR convergence threshold eps.") var eps: Float = 1e-3
    @Option(name: .long, help: "EGLR divergence: kl, js or argmax.") var divergence = "kl"
    @Option(name: .long, help: "EGLR KV policy: keep-first or overwrite.") var kvPolicy = "keep-first"

    func validate() throws {
        guard layers >= 0 else { throw ValidationError("--layers must be >= 0") }
        guard kmax >= 1 else { throw ValidationError("--kmax must be >= 1") }
        guard eps >= 0 else { throw ValidationError("--eps must be >= 0") }
        if let p = tauPercentile, !(0...100).contains(p) { throw ValidationError("--tau-percentile must be in 0...100") }
        guard EGLRConfig.Divergence(rawValue: divergence) != nil else { throw ValidationError("--divergence must be kl, js or argmax") }
        guard EGLRConfig.KVPolicy(rawValue: kvPolicy) != nil else { throw ValidationError("--kv-policy must be keep-first or overwrite") }
    }

    var config: EGLRConfig {
        EGLRConfig(layers: layers, kMax: kmax, tau: tau, divergence: EGLRConfig.Divergence(rawValue: divergence)!,
                   eps: eps, kvPolicy: EGLRConfig.KVPolicy(rawValue: kvPolicy)!, tauPercentile: tauPercentile)
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate continuations of a prompt (one or many rollouts).")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var promptOptions: PromptOptions
    @OptionGroup var eglrOptions: EGLROptions
    @Option(name: .long, help: "Sampling temperature; 0 is greedy.") var temperature: Float = 0
    @Option(name: .long, help: "Top-k (0 = off).") var topK = 0
    @Option(name: .long, help: "Top-p (1 = off).") var topP: Float = 1
    @Option(name: .long, help: "Min-p (0 = off).") var minP: Float = 0
    @Option(name: .long, help: "Random seed; sample i uses a seed derived from (seed, i).") var seed: UInt64 = 0
    @Option(name: .long, help: "Maximum new tokens.") var maxTokens = 128
    @Option(name: .long, help: "Number of rollouts, decoded as one batch.") var n = 1
    @Option(name: .long, help: "Sequences decoded together.") var batch = 32
    @Option(name: .long, help: "Stop string (repeatable).") var stop: [String] = []
    @Flag(name: .long, help: "Emit one JSON object per rollout (one per line) with per-token records.") var json = false

    func validate() throws {
        guard temperature >= 0 else { throw ValidationError("--temperature must be >= 0") }
        guard maxTokens > 0 else { throw ValidationError("--max-tokens must be > 0") }
        guard topP > 0 && topP <= 1 else { throw ValidationError("--top-p must be in (0, 1]") }
        guard minP >= 0 && minP < 1 else { throw ValidationError("--min-p must be in [0, 1)") }
        guard n >= 1 else { throw ValidationError("--n must be >= 1") }
        guard batch >= 1 && batch <= 256 else { throw ValidationError("--batch must be in 1...256") }
    }

    /// Seed of sample i: the given seed itself for a single rollout, else derived.
    static func sampleSeed(_ seed: UInt64, _ i: Int, of n: Int) -> UInt64 { n == 1 ? seed : SplitMix64.derive([seed, UInt64(i)]) }

    func run() throws {
        let model = try Model(path: try ModelCatalog.resolve(modelOptions.model))
        let ids = try promptIDs(model, promptOptions)
        let engine = RolloutEngine(model: model, maxBatch: min(batch, n), maxContext: ids.count + maxTokens + 1)
        let sampler = SamplerConfig(temperature: temperature, topK: topK, topP: topP, minP: minP)
        let specs = (0..<n).map { i in
            RolloutSpec(prompt: 0, sampler: sampler, eglr: eglrOptions.config, seed: Self.sampleSeed(seed, i, of: n),
                        maxTokens: maxTokens, stopStrings: stop, tag: i)
        }
        let out = FileHandle.standardOutput
        let clock = ContinuousClock()
        let t0 = clock.now
        var results = [RolloutResult]()
        let stream = !json && n == 1
        try engine.run(prompts: [ids], specs: specs, onText: stream ? { _, piece in out.write(Data(piece.utf8)) } : nil) { r in
            if json {
                struct Tok: Encodable { var id: Int; var logprob: Float; var entropy: Float; var gated: Bool; var iterations: Int; var divergence: Float }
                struct Out: Encodable {
                    var sample: Int; var ids: [Int]; var text: String; var finish_reason: String; var tokens: [Tok]
                    var prompt_ids: [Int]; var seed: UInt64; var temperature: Float; var layers: Int; var tau: Float
                    var gated_tokens: Int; var extra_layer_applications: Int
                }
                try writeJSON(Out(sample: r.tag, ids: r.ids, text: r.text, finish_reason: r.finishReason.rawValue,
                                  tokens: r.steps.map { Tok(id: $0.id, logprob: $0.logprob, entropy: $0.entropy, gated: $0.gated, iterations: $0.iterations, divergence: $0.divergence) },
                                  prompt_ids: ids, seed: r.spec.seed, temperature: temperature, layers: r.spec.eglr.layers, tau: r.spec.eglr.tau,
                                  gated_tokens: r.gatedTokens, extra_layer_applications: r.extraLayerApplications))
            } else if !stream {
                results.append(r)
            }
        }
        let secs = { (d: Duration) in Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }(t0.duration(to: clock.now))
        if !json {
            for r in results.sorted(by: { $0.tag < $1.tag }) { print("--- sample \(r.tag) [\(r.finishReason.rawValue)]\n\(r.text)") }
            if stream { out.write(Data("\n".utf8)) }
            let s = engine.stats
            FileHandle.standardError.write(Data(String(format: "[%d prompt tokens, %d rollouts, %d tokens in %.2fs = %.1f tokens/s; gated %d]\n",
                ids.count, n, s.tokens, secs, Double(s.tokens) / max(secs, 1e-9), s.gatedTokens).utf8))
        }
    }
}
