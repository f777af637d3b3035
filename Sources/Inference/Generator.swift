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
public struct TokenRecord: Sendable, Equatable {
    public var id: Int
    public var logprob: Float
    public var entropy: Float
    public var gated: Bool = false
    public var iterations: Int = 0
}

public enum FinishReason: String, Sendable { case stop, length, eos }

public struct Generation: Sendable {
    public var promptIDs: [Int]
    public var ids: [Int]
    public var tokens: [TokenRecord]
    public var text: String
    public var finishReason: FinishReason
    public var prefillSeconds: Double
    public var decodeSeconds: Double
}

/// Single-sequence generation: prefill the prompt, then sample token by token.
public final class Generator {
    public let transformer: Transformer
    public var model: Model { transformer.model }

    public init(model: Model, contextLength: Int = 4096) {
        transformer = Transformer(model: model, contextLength: contextLength)
    }

    public func generate(promptIDs: [Int], options: GenerationOptions,
                         onText: ((String) -> Void)? = nil) throws -> Generation {
        let tok = model.tokenizer
        let cache = transformer.makeCache(capacity: min(transformer.contextLength, promptIDs.count + options.maxTokens + 1))
        var sampler = Sampler(config: options.sampler, seed: options.seed)
        let clock = ContinuousClock()
        var t0 = clock.now
        var logits = try transformer.forward(promptIDs, cache: cache)
        let prefill = t0.duration(to: clock.now)
        t0 = clock.now
        var ids = [Int](), records = [TokenRecord]()
        var stream = StreamingDecoder(tokenizer: tok)
        var text = ""
        var reason = FinishReason.length
        while ids.count < options.maxTokens {
            let choice = sampler.sample(logits)
            ids.append(choice.id)
            records.append(TokenRecord(id: choice.id, logprob: choice.logprob, entropy: choice.entropy))
            if options.stopAtEndOfGeneration && tok.endOfGeneration.contains(choice.id) { reason = .eos; break }
            let piece = stream.push(choice.id)
            text += piece
            if !piece.isEmpty { onText?(piece) }
            if let s = options.stopStrings.first(where: { text.contains($0) }) {
                text = String(text[..<text.range(of: s)!.lowerBound]); reason = .stop; break
            }
            if ids.count == options.maxTokens { break }
            logits = try transformer.forward([choice.id], cache: cache)
        }
        let rest = stream.flush()
        if reason != .stop { text += rest; if !rest.isEmpty { onText?(rest) } }
        let decode = t0.duration(to: clock.now)
        func secs(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        return Generation(promptIDs: promptIDs, ids: ids, tokens: records, text: text, finishReason: reason,
                          prefillSeconds: secs(prefill), decodeSeconds: secs(decode))
    }
}
