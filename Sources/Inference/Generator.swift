import Foundation
import Sampling
import Tokenizers

public struct GenerationOptions: Sendable {
    public var maxTokens: Int = 128
    public var sampler = SamplerConfig()
    public var seed: UInt64 = 0
    /// Stop at end-of-generation tokens (EOS, <|im_end|>, ...).
    public var stopAtEndOfGeneration = true
    public var stopStrings: [String] = []
    public init() {}
}

/// Per generated token statistics (DESIGN.md `generate --json` shape).
public struct GeneratedToken: Sendable, Equatable {
    public var id: Int
    public var logprob: Float
    public var entropy: Float
    public var gated: Bool = false
    public var iterations: Int = 0
}

public enum FinishReason: String, Sendable { case stop, length, eos }

public struct GeneratorOutput: Sendable {
    public var promptIDs: [Int]
    public var ids: [Int]
    public var tokens: [GeneratedToken]
    public var text: String
    public var finishReason: FinishReason
    public var prefillSeconds: Double
    public var decodeSeconds: Double
}

/// Single-sequence generation: one rollout through the `RolloutEngine`, so a rollout is
/// the same whether generated here or in a batch.
public final class Generator {
    public let engine: RolloutEngine
    public var model: Model { engine.model }

    public init(model: Model, contextLength: Int = 4096) {
        engine = RolloutEngine(model: model, maxBatch: 1, maxContext: contextLength)
    }

    public func generate(promptIDs: [Int], options: GenerationOptions, eglr: EGLRConfig = EGLRConfig(),
                         onText: ((String) -> Void)? = nil) throws -> GeneratorOutput {
        let spec = RolloutSpec(prompt: 0, sampler: options.sampler, eglr: eglr, seed: options.seed,
                               maxTokens: options.maxTokens, stopStrings: options.stopStrings,
                               stopAtEndOfGeneration: options.stopAtEndOfGeneration)
        let clock = ContinuousClock()
        let t0 = clock.now
        var result: RolloutResult?
        try engine.run(prompts: [promptIDs], specs: [spec], onText: { _, piece in onText?(piece) }) { result = $0 }
        let d = t0.duration(to: clock.now)
        let r = result!
        return GeneratorOutput(promptIDs: promptIDs, ids: r.ids,
                          tokens: r.steps.map {
                              GeneratedToken(id: $0.id, logprob: $0.logprob, entropy: $0.entropy, gated: $0.gated,
                                             iterations: $0.iterations)
                          },
                          text: r.text, finishReason: r.finishReason, prefillSeconds: 0,
                          decodeSeconds: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    }
}
