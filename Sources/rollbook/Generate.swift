import ArgumentParser
import Foundation
import Inference
import Sampling

extension EGLRConfig.Divergence: ExpressibleByArgument {}
extension EGLRConfig.KVPolicy: ExpressibleByArgument {}

/// EGLR options, shared by generate and bench; they fill `DecodingParams`, which validates.
struct EGLROptions: ParsableArguments {
    @Option(name: .long, help: "EGLR layer span L (0 = plain decoding).") var layers = 0
    @Option(name: .long, help: "EGLR maximum recursion iterations K_max.") var kmax = 4
    @Option(name: .long, help: "EGLR entropy gate tau, nats.") var tau: Float = 2.0
    @Option(name: .long, help: ArgumentHelp("EGLR gate as a percentile (0-100) of the model's plain-decoding "
                                            + "token entropies (overrides --tau)."))
    var tauPercentile: Float?
    @Option(name: .long, help: "EGLR convergence threshold eps.") var eps: Float = 1e-3
    @Option(name: .long, help: "EGLR divergence: kl, js or argmax.") var divergence: EGLRConfig.Divergence = .kl
    @Option(name: .long, help: "EGLR KV policy: keep-first or overwrite.")
    var kvPolicy: EGLRConfig.KVPolicy = .keepFirst

    /// Writes the EGLR fields of `d`.
    func fill(_ d: inout DecodingParams) {
        d.kMax = kmax; d.tau = Double(tau); d.tauPercentile = tauPercentile.map(Double.init); d.eps = Double(eps)
        d.divergence = divergence; d.kvPolicy = kvPolicy
    }

    func validate() throws {
        var d = DecodingParams()
        fill(&d)
        try DecodingOptions.check(d, layers: layers)
    }

    var config: EGLRConfig {
        var d = DecodingParams()
        fill(&d)
        return d.eglr(layers: layers)
    }
}

/// The sampler options of `generate`, filling the same bundle.
struct DecodingOptions: ParsableArguments {
    @Option(name: .long, help: "Sampling temperature; 0 is greedy.") var temperature: Float = 0
    @Option(name: .long, help: "Top-k (0 = off).") var topK = 0
    @Option(name: .long, help: "Top-p in (0, 1] (1 = off).") var topP: Float = 1
    @Option(name: .long, help: "Min-p in [0, 1) (0 = off).") var minP: Float = 0
    @Option(name: .long, help: "Maximum new tokens.") var maxTokens = 128
    @Option(name: .long, help: "Stop string (repeatable).") var stop: [String] = []

    func fill(_ d: inout DecodingParams) {
        d.topK = topK; d.topP = Double(topP); d.minP = Double(minP); d.maxTokens = maxTokens; d.stop = stop
    }

    /// `DecodingParams.validate()`'s verdict as a usage error naming the option.
    static func check(_ d: DecodingParams, temperature: Double = 0, layers: Int = 0) throws {
        do {
            try d.validate()
            try DecodingParams.validate(temperature: temperature, layers: layers)
        } catch let v as DecodingParams.Violation {
            let option = v.field.split(separator: ".").last.map { "--" + $0.replacingOccurrences(of: "_", with: "-") }
                ?? v.field
            throw ValidationError("\(option): \(v.message)")
        }
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate continuations of a prompt (one or many rollouts).")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var promptOptions: PromptOptions
    @OptionGroup var eglrOptions: EGLROptions
    @OptionGroup var decodingOptions: DecodingOptions
    @Option(name: .long, help: "Random seed; sample i uses a seed derived from (seed, i).") var seed: UInt64 = 0
    @Option(name: .long, help: "Number of rollouts, decoded as one batch.") var n = 1
    @Option(name: .long, help: "Sequences decoded together.") var batch = 64
    @Flag(name: .long, help: "Emit one JSON object per rollout (one per line) with per-token records.") var json = false

    var decoding: DecodingParams {
        var d = DecodingParams()
        decodingOptions.fill(&d)
        eglrOptions.fill(&d)
        return d
    }

    func validate() throws {
        try DecodingOptions.check(decoding, temperature: Double(decodingOptions.temperature),
                                  layers: eglrOptions.layers)
        guard n >= 1 else { throw ValidationError("--n must be >= 1") }
        guard batch >= 1 && batch <= 256 else { throw ValidationError("--batch must be in 1...256") }
    }

    /// Seed of sample i: the given seed itself for a single rollout, else derived.
    static func sampleSeed(_ seed: UInt64, _ i: Int, of n: Int) -> UInt64 {
        n == 1 ? seed : SplitMix64.derive([seed, UInt64(i)])
    }

    func run() throws {
        let model = try Model(path: try ModelCatalog.resolve(modelOptions.model))
        // EGLR re-applies the top --layers blocks; more than the model has is a mistake, not a clamp.
        guard eglrOptions.layers <= model.config.blockCount else {
            throw InputError("--layers \(eglrOptions.layers) exceeds the model's \(model.config.blockCount) layers "
                             + "(\(model.path))")
        }
        let ids = try promptIDs(model, promptOptions)
        let d = decoding, maxTokens = d.maxTokens, temperature = decodingOptions.temperature
        let engine = RolloutEngine(model: model, maxBatch: min(batch, n), maxContext: ids.count + maxTokens + 1)
        let specs = (0..<n).map { i in
            RolloutSpec(prompt: 0, sampler: d.sampler(temperature: Double(temperature)),
                        eglr: d.eglr(layers: eglrOptions.layers),
                        seed: Self.sampleSeed(seed, i, of: n), maxTokens: maxTokens, stopStrings: d.stop, tag: i)
        }
        let out = FileHandle.standardOutput
        let clock = ContinuousClock()
        let t0 = clock.now
        var results = [RolloutResult]()
        let stream = !json && n == 1
        try engine.run(prompts: [ids], specs: specs,
                       onText: stream ? { _, piece in out.write(Data(piece.utf8)) } : nil) { r in
            if json {
                struct Tok: Encodable {
                    var id: Int; var logprob: Float; var entropy: Float; var gated: Bool; var iterations: Int
                    var divergence: Float
                }
                struct Out: Encodable {
                    var sample: Int; var ids: [Int]; var text: String; var finish_reason: String; var tokens: [Tok]
                    var prompt_ids: [Int]; var seed: UInt64; var temperature: Float; var layers: Int; var tau: Float
                    var gated_tokens: Int; var extra_layer_applications: Int
                }
                try writeJSON(Out(sample: r.tag, ids: r.ids, text: r.text, finish_reason: r.finishReason.rawValue,
                                  tokens: r.steps.map {
                                      Tok(id: $0.id, logprob: $0.logprob, entropy: $0.entropy, gated: $0.gated,
                                          iterations: $0.iterations, divergence: $0.divergence)
                                  },
                                  prompt_ids: ids, seed: r.spec.seed, temperature: temperature,
                                  layers: r.spec.eglr.layers, tau: r.spec.eglr.tau,
                                  gated_tokens: r.gatedTokens, extra_layer_applications: r.extraLayerApplications))
            } else if !stream {
                results.append(r)
            }
        }
        let secs = { (d: Duration) in
            Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }(t0.duration(to: clock.now))
        if !json {
            for r in results.sorted(by: { $0.tag < $1.tag }) {
                print("--- sample \(r.tag) [\(r.finishReason.rawValue)]\n\(r.text)")
            }
            if stream { out.write(Data("\n".utf8)) }
            let s = engine.stats
            FileHandle.standardError.write(Data(String(format: "[%d prompt tokens, %d rollouts, %d tokens in %.2fs = "
                                                           + "%.1f tokens/s; gated %d]\n",
                ids.count, n, s.tokens, secs, Double(s.tokens) / max(secs, 1e-9), s.gatedTokens).utf8))
        }
    }
}
