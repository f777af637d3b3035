import Foundation
import Inference
import Store

/// One rollout asked of an engine: a prompt (an index into the prompt texts given with the
/// request), the cell's axes, the rollout's seed and its token budget. Every other decoding
/// parameter is the engine's (the plan's `DecodingParams`).
public struct GenerationRequest: Sendable {
    public var prompt: Int
    public var temperature: Double
    public var layers: Int
    public var seed: UInt64
    public var maxTokens: Int
    /// The caller's index for this request (results come back in completion order).
    public var tag: Int

    public init(prompt: Int, temperature: Double, layers: Int, seed: UInt64, maxTokens: Int, tag: Int) {
        self.prompt = prompt; self.temperature = temperature; self.layers = layers
        self.seed = seed; self.maxTokens = maxTokens; self.tag = tag
    }
}

/// A finished rollout in the store's shapes, whatever engine produced it.
public struct Generation: Sendable {
    public var text: String
    public var finishReason: String
    /// Per-token records (empty when a server returns no log-probs).
    public var records: [TokenRecord]
    /// Generated tokens (a server's usage count when it gives one).
    public var tokenCount: Int
    public var promptTokens: Int?
    public var meanEntropy: Double
    public var meanLogprob: Double
    public var selfCertainty: Double
    public var gatedTokens: Int
    public var extraLayerApplications: Int
    /// Wall seconds: the rollout's share of the engine's time (local), or its request's
    /// latency (remote, where requests overlap).
    public var seconds: Double
    /// FLOPs (`ComputeShape.rolloutFLOPs`), nil when the model's shape is unknown.
    public var flops: Double? = nil
}

extension Generation {
    /// A local rollout's record from its steps (a depth child's are its prefix's followed by
    /// its own). Means accumulate in Float, as the engine's statistics do.
    static func local(steps: [TokenStep], text: String, finish: FinishReason, layers: Int,
                      promptTokens: Int, seconds: Double, shape: ComputeShape) -> Generation {
        let n = max(1, steps.count)
        let records = steps.map {
            TokenRecord(id: Int32($0.id), logprob: $0.logprob, entropy: $0.entropy,
                        iterations: UInt8(min(255, $0.iterations)), gated: $0.gated)
        }
        return Generation(
            text: text, finishReason: finish.rawValue, records: records, tokenCount: steps.count,
            promptTokens: promptTokens,
            meanEntropy: Double(steps.reduce(0) { $0 + $1.entropy }) / Double(n),
            meanLogprob: Double(steps.reduce(0) { $0 + $1.logprob }) / Double(n),
            selfCertainty: Double(steps.reduce(0) { $0 + $1.selfCertainty }) / Double(n),
            gatedTokens: steps.filter(\.gated).count,
            extraLayerApplications: steps.reduce(0) { $0 + $1.iterations } * layers,
            seconds: seconds,
            flops: Generation.flops(shape, promptTokens: promptTokens, records: records, layers: layers))
    }
}

extension Generation {
    /// A local rollout's FLOPs from what the store keeps (prompt tokens, per-token records'
    /// iteration counts, EGLR layers): fresh rollouts and back-filled cached ones use this one
    /// function, so they store the same number.
    static func flops(_ shape: ComputeShape, promptTokens: Int, records: [TokenRecord], layers: Int) -> Double {
        shape.rolloutFLOPs(promptTokens: promptTokens, iterations: records.map { Int($0.iterations) },
                           eglrLayers: layers)
    }
}

/// Where rollouts come from: the local CPU engine or a remote OpenAI-compatible server.
/// Strategies are written over this protocol; what only the local engine can do (forking
/// K/V for depth, capturing hidden states) is `LocalEngine`'s own API.
public protocol Engine: AnyObject {
    /// The store's `source` value for rollouts of this engine ("local", "openai").
    var source: String { get }
    /// Generates every request over `prompts`, calling `onResult` on the calling thread as
    /// each finishes. A failure throws after the results already finished were delivered.
    func generate(_ requests: [GenerationRequest], prompts: [String],
                  onResult: (GenerationRequest, Generation) throws -> Void) throws
}
