import Foundation
import Inference
import Sampling

/// A run plan: what to sample and how. Written as YAML (`rollbook run PLAN.yaml`) or as a
/// notebook's `sample` cell (same keys; model and tasks may come from the front matter).
/// Every field is validated before any work; errors name the file, line and field.
public struct Plan: Sendable, Equatable {
    public var name: String
    public var model: String = "smollm2-135m-instruct"
    public var tasks: String = "builtin:arithmetic?count=20&seed=7"
    public var template: String = "few-shot"
    /// Wrap the rendered template as a user message in the model's chat template.
    public var chat: Bool = false
    public var seed: UInt64 = 0
    /// `seeds: [0, 1, 2]`: the grid runs once per seed. This plan is the first seed's run; the
    /// others are `replicas` (runs NAME.seedS in the store), analysed alike so every headline
    /// number gets its spread over seeds. Empty: one seed, `seed`.
    public var seeds: [UInt64] = []
    /// The grid's axes: every (layers, temperature) pair is a cell of `n` samples (T = 0: one).
    public var temperatures: [Double] = [0.7]
    public var layers: [Int] = [0]
    public var n: Int = 8
    /// Sampler and EGLR settings shared by every cell, max_tokens and stop strings.
    public var decoding: DecodingParams = Plan.defaultDecoding
    /// How the rollouts of a cell are spent: independent samples, prefix branching, refinement.
    public var strategy: Strategy = .breadth
    /// Capture the last prompt token's hidden state per layer (T2 predictor input).
    public var features: Bool = true
    /// Sequences decoded together.
    public var batch: Int = 64
    /// Where rollouts come from: the local CPU engine, or a remote OpenAI-compatible server.
    public var engine = EngineSpec()
    /// The local engine's arithmetic (`numerics: 1` or `2`, default the current version).
    /// Part of every local rollout's key from version 2 on; version 1 keys are the keys of
    /// stores made before numerics were versioned, so pinning 1 reuses and extends them.
    public var numerics: Numerics = .current

    /// Where fields were written ("file:line"), for errors found when the plan is resolved
    /// (a missing model or template, a bad task spec).
    public var locations: [String: String] = [:]

    public init(name: String) { self.name = name }

    /// "file:line: " of a field, or the empty string.
    public func location(_ field: String) -> String { locations[field].map { "\($0): " } ?? "" }

    public static var defaultDecoding: DecodingParams {
        var d = DecodingParams()
        d.stop = ["\n\nQuestion:"]
        return d
    }

    public var maxTokens: Int { decoding.maxTokens }
    public var stop: [String] { decoding.stop }

    /// Total rollouts the plan asks for per problem (T = 0 cells hold one: greedy is deterministic;
    /// depth adds trials x signals x (n - b0) children per sampled cell).
    public var rolloutsPerProblem: Int {
        let sampled = temperatures.filter { $0 > 0 }.count * layers.count
        let base = temperatures.reduce(0) { $0 + ($1 == 0 ? 1 : n) } * layers.count
        switch strategy {
        case .breadth: return base
        case .depth(let d): return base + sampled * d.trials * d.signals.count * (n - d.b0)
        case .refine(let r): return base + base * r.rounds
        }
    }

    /// The run name of seed `s`'s replica.
    public static func replicaName(_ name: String, seed: UInt64) -> String { "\(name).seed\(seed)" }

    /// The other seeds' plans (each a run of its own, the same in every field but name and seed).
    public var replicas: [Plan] {
        seeds.dropFirst().map { s in
            var p = self
            p.name = Plan.replicaName(name, seed: s); p.seed = s; p.seeds = []
            return p
        }
    }

    /// Canonical text of the plan (what the run records for provenance). `seeds` is not part
    /// of it: the first seed's run is the same run as a plan with `seed:` alone.
    public var canonical: String {
        let d = decoding
        var text = """
            name: \(name)
            model: \(model)
            tasks: \(tasks)
            template: \(template)
            chat: \(chat)
            seed: \(seed)
            max_tokens: \(d.maxTokens)
            stop: \(d.stop.map { "\"\($0.replacingOccurrences(of: "\n", with: "\\n"))\"" })
            grid: {temperatures: \(temperatures), layers: \(layers), n: \(n)}
            sampler: {top_k: \(d.topK), top_p: \(d.topP), min_p: \(d.minP)}
            eglr: {kmax: \(d.kMax), tau: \(d.tau), eps: \(d.eps), divergence: \(d.divergence.rawValue), \
            kv_policy: \(d.kvPolicy.rawValue)}
            strategy: \(strategy.name)
            features: \(features)
            """
        switch strategy {
        case .breadth: break
        case .refine(let r):
            let instruction = r.instruction.replacingOccurrences(of: "\n", with: "\\n")
            text += "\nrefine: {rounds: \(r.rounds), instruction: \"\(instruction)\"}"
        case .depth(let p):
            text += "\ndepth: {b0: \(p.b0), prefix_tokens: \(p.prefixTokens), signals: \(p.signals), "
                + "trials: \(p.trials)}"
        }
        if !engine.isRemote && numerics != .v1 { text += "\nnumerics: \(numerics.rawValue)" }
        if engine.isRemote {
            let url = engine.isPool ? "pool" : engine.url
            var extra = engine.fullLogprobs ? ", top_logprobs: all, vocab_size: \(engine.vocabSize ?? 0)" : ""
            if let f = engine.features { extra += ", features: \(f)" }
            text += "\nengine: {kind: openai, url: \(url), model: \(engine.model ?? model), api: \(engine.api)\(extra)}"
        }
        return text
    }
}

/// How a cell's rollouts are spent (METHODS.md section 3).
public enum Strategy: Sendable, Equatable {
    /// Independent samples (`strategy: parallel`).
    case breadth
    /// Prefix-branching depth: per problem, cell (T > 0) and trial, sample `b0` prefixes of
    /// `prefixTokens` tokens, keep the one a signal prefers, and continue `n - b0` children
    /// from it, so a trial spends the same n rollouts as breadth.
    case depth(DepthSpec)
    /// Self-refinement: each breadth rollout is followed by `rounds` rounds, round r
    /// continuing the conversation with the instruction appended.
    case refine(RefineSpec)

    /// The plan's spelling.
    public var name: String {
        switch self {
        case .breadth: return "parallel"
        case .depth: return "depth"
        case .refine: return "refine"
        }
    }
    public static let names = ["parallel", "depth", "refine"]

    public var depth: DepthSpec? { if case .depth(let d) = self { return d } else { return nil } }
    public var refine: RefineSpec? { if case .refine(let r) = self { return r } else { return nil } }
}

/// Prefix-branching depth parameters (METHODS.md section 3).
public struct DepthSpec: Sendable, Equatable {
    public var b0 = 4
    public var prefixTokens = 16
    /// ent: lowest mean prefix entropy; sc: highest mean self-certainty.
    public var signals = ["ent", "sc"]
    /// Independent repetitions per problem and cell (depth accuracy is their mean).
    public var trials = 4
    public static let knownSignals = ["ent", "sc"]
    public init() {}
}

/// Self-refinement parameters (METHODS.md section 3, depth by iterative refinement).
public struct RefineSpec: Sendable, Equatable {
    public var rounds = 2
    /// Appended after the previous round's response; the model answers again after it.
    public var instruction = "\n\nCheck the answer above step by step and correct it if it is wrong.\nAnswer:"
    public init() {}
}

/// The engine a plan's rollouts come from.
public struct EngineSpec: Sendable, Equatable {
    /// "local" (the CPU engine) or "openai" (an OpenAI-compatible server: vLLM, SGLang, llama.cpp).
    public var kind = "local"
    /// Base URLs including /v1, e.g. http://127.0.0.1:8000/v1: one server, or a pool of
    /// servers serving the same model, over which requests are spread.
    public var urls = [String]()
    /// The URLs were given as a list. A pool's rollouts are keyed by API and model name, not
    /// by address, so the same keys come back whichever servers (and however many) serve
    /// them; one URL given as text keys its rollouts by that address, as it always has.
    public var isPool = false
    /// The first (or only) server's URL.
    public var url: String { urls.first ?? "" }
    /// Model name sent to the server (default: the plan's model).
    public var model: String?
    /// "completions" (/v1/completions, the plan's prompt text as is) or "chat" (/v1/chat/completions).
    public var api = "completions"
    /// Requests in flight at once.
    public var concurrency = 4
    /// Retries per request on 429, 5xx and dropped connections (exponential backoff).
    public var retries = 4
    /// Seconds per request.
    public var timeout = 300.0
    /// Alternatives per token asked for (entropy and self-certainty are estimated from them).
    public var topLogprobs = 5
    /// `top_logprobs: all`: ask for every token's full distribution (`vocab_size` alternatives:
    /// vLLM with `--max-logprobs` raised), for exact entropy and self-certainty.
    public var fullLogprobs = false
    /// The model's vocabulary size (required with `top_logprobs: all`).
    public var vocabSize: Int?
    /// `features: embeddings`: the T2 features of a prompt are its last token's hidden state
    /// from the server's `/embeddings` endpoint (llama.cpp's server with embeddings on).
    public var features: String?
    /// How many alternatives each request asks for.
    public var requestedLogprobs: Int { fullLogprobs ? (vocabSize ?? topLogprobs) : topLogprobs }
    /// Environment variable holding a bearer token, if the server wants one.
    public var apiKeyEnv = "OPENAI_API_KEY"
    public var isRemote: Bool { kind == "openai" }
    public init() {}

    /// The model part of a remote rollout's key: the server (or "pool"), API and model name.
    public func modelKey(model: String) -> String { "openai:\(isPool ? "pool" : url)|\(api)|\(model)" }
}

public struct PlanError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ d: String) { description = d }
}

