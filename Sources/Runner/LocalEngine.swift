import Foundation
import Inference
import Sampling

/// The CPU engine: batched decoding with shared prompt prefixes, EGLR, forks and hidden-state
/// features, under one run's decoding parameters.
public final class LocalEngine: Engine {
    public let model: Model
    public let decoding: DecodingParams
    public let batch: Int
    /// Parse special tokens in prompts (chat-templated prompts).
    public let parseSpecial: Bool
    public let numerics: Numerics
    public var source: String { "local" }

    public init(model: Model, decoding: DecodingParams, batch: Int, parseSpecial: Bool, numerics: Numerics = .current) {
        self.model = model; self.decoding = decoding; self.batch = batch; self.parseSpecial = parseSpecial
        self.numerics = numerics
    }

    /// The engine's spec for one request.
    func spec(_ r: GenerationRequest, prompt: Int, tag: Int) -> RolloutSpec {
        RolloutSpec(prompt: prompt, sampler: decoding.sampler(temperature: r.temperature),
                    eglr: decoding.eglr(layers: r.layers), seed: r.seed, maxTokens: r.maxTokens,
                    stopStrings: decoding.stop, tag: tag)
    }

    /// A decoding session over a fixed prompt list: one rollout engine whose results can be
    /// forked and continued (prefix-branching depth), tokenizing only the prompts used.
    public final class Session {
        public let engine: RolloutEngine
        /// Tokenized prompts of `used`, in that order; spec prompt i is used[i].
        public let tokens: [[Int]]
        public let used: [Int]
        let local: [Int: Int]

        init(_ owner: LocalEngine, prompts: [String], used: [Int], maxTokens: Int) {
            self.used = used
            local = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($1, $0) })
            tokens = used.map { owner.model.tokenizer.encode(prompts[$0], parseSpecial: owner.parseSpecial) }
            engine = RolloutEngine(model: owner.model, maxBatch: owner.batch,
                                   maxContext: (tokens.map(\.count).max() ?? 0) + maxTokens + 1, numerics: owner.numerics)
        }

        /// The session's index of prompt `i` of the list it was made over.
        public func index(_ i: Int) -> Int { local[i]! }
    }

    /// Fails, naming the first offender, when a prompt and the token budget do not fit in the
    /// model's context (checked before any work).
    public func checkContext(prompts: [String], used: [Int], names: (Int) -> String) throws {
        let limit = model.config.contextLength
        for i in used {
            let n = model.tokenizer.encode(prompts[i], parseSpecial: parseSpecial).count
            if n + decoding.maxTokens + 1 > limit {
                throw PlanError("\(names(i)): the prompt is \(n) tokens and max_tokens \(decoding.maxTokens); together "
                                + "they exceed the model's context length (\(limit) tokens)")
            }
        }
    }

    public func session(prompts: [String], used: [Int]) -> Session {
        Session(self, prompts: prompts, used: used, maxTokens: decoding.maxTokens)
    }

    public func generate(_ requests: [GenerationRequest], prompts: [String],
                         onResult: (GenerationRequest, Generation) throws -> Void) throws {
        try generate(requests, prompts: prompts, features: [], onFeatures: { _, _ in }, onResult: onResult)
    }

    /// Also captures the last prompt token's hidden state after every layer for the prompts
    /// in `features` (a prompt with no request gets a one-token throwaway rollout).
    public func generate(_ requests: [GenerationRequest], prompts: [String], features: Set<Int>,
                         onFeatures: (Int, [Float]) throws -> Void,
                         onResult: (GenerationRequest, Generation) throws -> Void) throws {
        let used = Array(Set(requests.map(\.prompt)).union(features)).sorted()
        let s = session(prompts: prompts, used: used)
        var specs = requests.enumerated().map { i, r in spec(r, prompt: s.index(r.prompt), tag: i) }
        let withRequests = Set(requests.map(\.prompt))
        for p in features.sorted() where !withRequests.contains(p) {
            specs.append(RolloutSpec(prompt: s.index(p), maxTokens: 1, tag: -1 - p))
        }
        let shape = ComputeShape(model.config)
        var featureError: Error? = nil
        try withoutActuallyEscaping(onFeatures) { onFeatures in
          try s.engine.run(prompts: s.tokens, specs: specs, captureFeatures: !features.isEmpty,
                           onFeatures: { local, values in
            let p = used[local]
            guard features.contains(p), featureError == nil else { return }
            do { try onFeatures(p, values) } catch { featureError = error }
          }) { r in
            guard r.tag >= 0 else { return }
            let req = requests[r.tag]
            let g = Generation.local(steps: r.steps, text: r.text, finish: r.finishReason, layers: req.layers,
                                     promptTokens: s.tokens[s.index(req.prompt)].count,
                                     seconds: r.seconds, shape: shape)
            try onResult(req, g)
          }
        }
        if let featureError { throw featureError }
    }
}
