import Foundation
import Yams

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
    public var maxTokens: Int = 96
    public var stop: [String] = ["\n\nQuestion:"]
    public var temperatures: [Double] = [0.7]
    public var layers: [Int] = [0]
    public var n: Int = 8
    public var topK: Int = 0
    public var topP: Double = 1
    public var minP: Double = 0
    public var kMax: Int = 4
    public var tau: Double = 2.0
    public var eps: Double = 1e-3
    public var divergence: String = "kl"
    public var kvPolicy: String = "keep-first"
    public var strategy: String = "parallel"
    /// Capture the last prompt token's hidden state per layer (T2 predictor input).
    public var features: Bool = true
    /// Sequences decoded together.
    public var batch: Int = 32
    /// Where rollouts come from: the local CPU engine, or a remote OpenAI-compatible server.
    public var engine = EngineSpec()
    /// Prefix-branching depth (strategy: depth): per problem, cell (T > 0) and trial, sample
    /// `b0` prefixes of `prefixTokens` tokens, keep the one `signal` prefers, and continue
    /// `n - b0` children from it, so a trial spends the same n rollouts as breadth.
    public var depth = DepthSpec()

    public init(name: String) { self.name = name }

    public var isDepth: Bool { strategy == "depth" }
    /// Self-refinement (strategy: refine): each breadth rollout is followed by `rounds`
    /// rounds, round r continuing the conversation with the instruction appended.
    public var refine = RefineSpec()
    public var isRefine: Bool { strategy == "refine" }

    /// Total rollouts the plan asks for per problem (T = 0 cells hold one: greedy is deterministic;
    /// depth adds trials x signals x (n - b0) children per sampled cell).
    public var rolloutsPerProblem: Int {
        let sampled = temperatures.filter { $0 > 0 }.count * layers.count
        let depthChildren = isDepth ? sampled * depth.trials * depth.signals.count * (n - depth.b0) : 0
        let base = temperatures.reduce(0) { $0 + ($1 == 0 ? 1 : n) } * layers.count
        return base + depthChildren + (isRefine ? base * refine.rounds : 0)
    }

    /// Canonical text of the plan (what the run records for provenance).
    public var canonical: String {
        """
        name: \(name)
        model: \(model)
        tasks: \(tasks)
        template: \(template)
        chat: \(chat)
        seed: \(seed)
        max_tokens: \(maxTokens)
        stop: \(stop.map { "\"\($0.replacingOccurrences(of: "\n", with: "\\n"))\"" })
        grid: {temperatures: \(temperatures), layers: \(layers), n: \(n)}
        sampler: {top_k: \(topK), top_p: \(topP), min_p: \(minP)}
        eglr: {kmax: \(kMax), tau: \(tau), eps: \(eps), divergence: \(divergence), kv_policy: \(kvPolicy)}
        strategy: \(strategy)
        features: \(features)
        """ + (isRefine ? "\nrefine: {rounds: \(refine.rounds), instruction: \"\(refine.instruction.replacingOccurrences(of: "\n", with: "\\n"))\"}" : "")
          + (isDepth ? "\ndepth: {b0: \(depth.b0), prefix_tokens: \(depth.prefixTokens), signals: \(depth.signals), trials: \(depth.trials)}" : "")
          + (engine.isRemote ? "\nengine: {kind: openai, url: \(engine.url), model: \(engine.model ?? model), api: \(engine.api)}" : "")
    }
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
    /// Base URL including /v1, e.g. http://127.0.0.1:8000/v1.
    public var url = ""
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
    /// Environment variable holding a bearer token, if the server wants one.
    public var apiKeyEnv = "OPENAI_API_KEY"
    public var isRemote: Bool { kind == "openai" }
    public init() {}
}

public struct PlanError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ d: String) { description = d }
}

extension Plan {
    public static func load(path: String) throws -> Plan {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw PlanError("\(path): cannot read the plan file")
        }
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try parse(yaml: text, source: path, defaultName: stem)
    }

    /// Parses YAML text. `lineOffset` shifts reported lines (a notebook cell's position).
    public static func parse(yaml: String, source: String, defaultName: String, lineOffset: Int = 0,
                             base: Plan? = nil) throws -> Plan {
        let node: Node?
        do { node = try Yams.compose(yaml: yaml) } catch let e as YamlError {
            throw PlanError("\(source): invalid YAML: \(yamlMessage(e, lineOffset: lineOffset))")
        }
        return try parse(node: node, source: source, defaultName: defaultName, lineOffset: lineOffset, base: base)
    }

    /// Parses an already composed YAML mapping (a notebook's `sample:` value).
    public static func parse(node: Node?, source: String, defaultName: String, lineOffset: Int = 0,
                             base: Plan? = nil) throws -> Plan {
        var plan = base ?? Plan(name: defaultName)
        if base != nil { plan.name = defaultName }
        guard let root = node else { return plan }
        let r = Reader(source: source, lineOffset: lineOffset)
        let top = try r.mapping(root, "plan")
        for (key, value) in top {
            switch key {
            case "name": plan.name = try r.string(value, key)
            case "model": plan.model = try r.string(value, key)
            case "tasks": plan.tasks = try r.string(value, key)
            case "template": plan.template = try r.string(value, key)
            case "chat": plan.chat = try r.bool(value, key)
            case "seed": plan.seed = UInt64(try r.int(value, key, min: 0))
            case "max_tokens": plan.maxTokens = try r.int(value, key, min: 1, max: 8192)
            case "stop": plan.stop = try r.strings(value, key)
            case "features": plan.features = try r.bool(value, key)
            case "batch": plan.batch = try r.int(value, key, min: 1, max: 256)
            case "strategy":
                plan.strategy = try r.oneOf(value, key, ["parallel", "depth", "refine"])
            case "refine":
                for (k, v) in try r.mapping(value, key) {
                    switch k {
                    case "rounds": plan.refine.rounds = try r.int(v, "refine.rounds", min: 1, max: 16)
                    case "instruction": plan.refine.instruction = try r.string(v, "refine.instruction")
                    default: throw r.error(v, "unknown field refine.\(k) (expected rounds, instruction)")
                    }
                }
            case "depth":
                for (k, v) in try r.mapping(value, key) {
                    switch k {
                    case "b0": plan.depth.b0 = try r.int(v, "depth.b0", min: 1, max: 64)
                    case "prefix_tokens": plan.depth.prefixTokens = try r.int(v, "depth.prefix_tokens", min: 1, max: 4096)
                    case "trials": plan.depth.trials = try r.int(v, "depth.trials", min: 1, max: 1000)
                    case "signals":
                        let sig = try r.strings(v, "depth.signals")
                        for x in sig where !DepthSpec.knownSignals.contains(x) {
                            throw r.error(v, "depth.signals: unknown signal \"\(x)\" (expected \(DepthSpec.knownSignals.joined(separator: ", ")))")
                        }
                        if sig.isEmpty || Set(sig).count != sig.count { throw r.error(v, "depth.signals: give each signal once") }
                        plan.depth.signals = sig
                    default: throw r.error(v, "unknown field depth.\(k) (expected b0, prefix_tokens, signals, trials)")
                    }
                }
            case "engine":
                for (k, v) in try r.mapping(value, key) {
                    switch k {
                    case "kind": plan.engine.kind = try r.oneOf(v, "engine.kind", ["local", "openai"])
                    case "url":
                        let u = try r.string(v, "engine.url")
                        guard let url = URL(string: u), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                            throw r.error(v, "engine.url: \"\(u)\" is not an http(s) URL (e.g. http://127.0.0.1:8000/v1)")
                        }
                        plan.engine.url = u.hasSuffix("/") ? String(u.dropLast()) : u
                    case "model": plan.engine.model = try r.string(v, "engine.model")
                    case "api": plan.engine.api = try r.oneOf(v, "engine.api", ["completions", "chat"])
                    case "concurrency": plan.engine.concurrency = try r.int(v, "engine.concurrency", min: 1, max: 256)
                    case "retries": plan.engine.retries = try r.int(v, "engine.retries", min: 0, max: 20)
                    case "timeout": plan.engine.timeout = try r.number(v, "engine.timeout", min: 1, max: 3600)
                    case "top_logprobs": plan.engine.topLogprobs = try r.int(v, "engine.top_logprobs", min: 0, max: 20)
                    case "api_key_env": plan.engine.apiKeyEnv = try r.string(v, "engine.api_key_env")
                    default: throw r.error(v, "unknown field engine.\(k) (expected kind, url, model, api, concurrency, retries, timeout, top_logprobs, api_key_env)")
                    }
                }
                if plan.engine.isRemote && plan.engine.url.isEmpty { throw r.error(value, "engine.url is required for kind openai") }
            case "grid", "temperatures", "layers", "n":
                // `grid:` nests the axes; a notebook cell may give them at top level.
                let axes: [(String, Node)] = key == "grid" ? try r.mapping(value, key) : [(key, value)]
                let prefix = key == "grid" ? "grid." : ""
                for (k, v) in axes {
                    switch k {
                    case "temperatures": plan.temperatures = try r.numbers(v, prefix + k, min: 0, max: 5)
                    case "layers": plan.layers = try r.ints(v, prefix + k, min: 0, max: 64)
                    case "n": plan.n = try r.int(v, prefix + k, min: 1, max: 100_000)
                    default: throw r.error(v, "unknown field \(prefix + k) (expected temperatures, layers, n)")
                    }
                }
            case "sampler":
                for (k, v) in try r.mapping(value, key) {
                    switch k {
                    case "top_k": plan.topK = try r.int(v, "sampler.top_k", min: 0)
                    case "top_p": plan.topP = try r.number(v, "sampler.top_p", min: 0, max: 1)
                    case "min_p": plan.minP = try r.number(v, "sampler.min_p", min: 0, max: 1)
                    default: throw r.error(v, "unknown field sampler.\(k) (expected top_k, top_p, min_p)")
                    }
                }
            case "eglr":
                for (k, v) in try r.mapping(value, key) {
                    switch k {
                    case "kmax": plan.kMax = try r.int(v, "eglr.kmax", min: 1, max: 64)
                    case "tau": plan.tau = try r.number(v, "eglr.tau", min: 0, max: 100)
                    case "eps": plan.eps = try r.number(v, "eglr.eps", min: 0, max: 10)
                    case "divergence": plan.divergence = try r.oneOf(v, "eglr.divergence", ["kl", "js", "argmax"])
                    case "kv_policy": plan.kvPolicy = try r.oneOf(v, "eglr.kv_policy", ["keep-first", "overwrite"])
                    default: throw r.error(v, "unknown field eglr.\(k) (expected kmax, tau, eps, divergence, kv_policy)")
                    }
                }
            default:
                throw r.error(value, "unknown field \(key)")
            }
        }
        if plan.temperatures.isEmpty { throw PlanError("\(source): grid.temperatures is empty") }
        if plan.layers.isEmpty { throw PlanError("\(source): grid.layers is empty") }
        if Set(plan.temperatures).count != plan.temperatures.count { throw PlanError("\(source): grid.temperatures has duplicates") }
        if Set(plan.layers).count != plan.layers.count { throw PlanError("\(source): grid.layers has duplicates") }
        if plan.engine.isRemote {
            if plan.layers != [0] { throw PlanError("\(source): grid.layers must be [0] with a remote engine (EGLR re-applies layers inside the local CPU engine)") }
            if plan.chat { throw PlanError("\(source): chat: true applies the local chat template; with a remote engine use engine.api: chat") }
        }
        if plan.isRefine && plan.engine.isRemote { throw PlanError("\(source): strategy: refine runs on the local engine") }
        if plan.isDepth {
            if plan.engine.isRemote { throw PlanError("\(source): strategy: depth forks K/V caches and needs the local engine") }
            if plan.n <= plan.depth.b0 { throw PlanError("\(source): strategy: depth needs grid.n > depth.b0 (n = \(plan.n) rollouts per trial, b0 = \(plan.depth.b0) of them prefixes)") }
            if plan.depth.prefixTokens >= plan.maxTokens { throw PlanError("\(source): depth.prefix_tokens must be below max_tokens") }
            if !plan.temperatures.contains(where: { $0 > 0 }) { throw PlanError("\(source): strategy: depth needs a temperature above 0") }
        }
        if plan.name.isEmpty || plan.name.contains("/") { throw PlanError("\(source): name must be non-empty and contain no '/'") }
        return plan
    }

    public static func yamlMessage(_ e: YamlError, lineOffset: Int) -> String {
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _):
            return "line \(mark.line + lineOffset), column \(mark.column): \(problem)\(context.map { " \($0.text)" } ?? "")"
        default:
            return "\(e)"
        }
    }

    /// Typed access to YAML nodes with errors that name source, line and field.
    struct Reader {
        let source: String
        let lineOffset: Int

        func error(_ node: Node, _ message: String) -> PlanError {
            if let m = node.mark { return PlanError("\(source):\(m.line + lineOffset): \(message)") }
            return PlanError("\(source): \(message)")
        }
        func describe(_ node: Node) -> String {
            switch node {
            case .scalar(let s): return "\"\(s.string)\""
            case .mapping: return "a mapping"
            case .sequence: return "a list"
            case .alias: return "an alias"
            }
        }
        func mapping(_ node: Node, _ field: String) throws -> [(String, Node)] {
            guard let m = node.mapping else { throw error(node, "\(field): expected a mapping, found \(describe(node))") }
            var out = [(String, Node)]()
            var seen = Set<String>()
            for (k, v) in m {
                guard let ks = k.string else { throw error(k, "\(field): keys must be strings") }
                if !seen.insert(ks).inserted { throw error(k, "\(field): duplicate field \(ks)") }
                out.append((ks, v))
            }
            return out
        }
        func string(_ node: Node, _ field: String) throws -> String {
            guard case .scalar(let s) = node else { throw error(node, "\(field): expected text, found \(describe(node))") }
            return s.string
        }
        func bool(_ node: Node, _ field: String) throws -> Bool {
            guard let b = node.bool else { throw error(node, "\(field): expected true or false, found \(describe(node))") }
            return b
        }
        func int(_ node: Node, _ field: String, min lo: Int? = nil, max hi: Int? = nil) throws -> Int {
            guard let v = node.int else { throw error(node, "\(field): expected an integer, found \(describe(node))") }
            if let lo, v < lo { throw error(node, "\(field): \(v) is below the minimum \(lo)") }
            if let hi, v > hi { throw error(node, "\(field): \(v) is above the maximum \(hi)") }
            return v
        }
        func number(_ node: Node, _ field: String, min lo: Double? = nil, max hi: Double? = nil) throws -> Double {
            guard let v = node.float ?? node.int.map(Double.init), v.isFinite else {
                throw error(node, "\(field): expected a number, found \(describe(node))")
            }
            if let lo, v < lo { throw error(node, "\(field): \(v) is below the minimum \(lo)") }
            if let hi, v > hi { throw error(node, "\(field): \(v) is above the maximum \(hi)") }
            return v
        }
        func list(_ node: Node, _ field: String) throws -> [Node] {
            if case .scalar = node { return [node] }
            guard let s = node.sequence else { throw error(node, "\(field): expected a list, found \(describe(node))") }
            return Array(s)
        }
        func numbers(_ node: Node, _ field: String, min lo: Double, max hi: Double) throws -> [Double] {
            try list(node, field).enumerated().map { try number($1, "\(field)[\($0)]", min: lo, max: hi) }
        }
        func ints(_ node: Node, _ field: String, min lo: Int, max hi: Int) throws -> [Int] {
            try list(node, field).enumerated().map { try int($1, "\(field)[\($0)]", min: lo, max: hi) }
        }
        func strings(_ node: Node, _ field: String) throws -> [String] {
            try list(node, field).enumerated().map { try string($1, "\(field)[\($0)]") }
        }
        func oneOf(_ node: Node, _ field: String, _ allowed: [String]) throws -> String {
            let s = try string(node, field)
            guard allowed.contains(s) else {
                throw error(node, "\(field): \"\(s)\" is not one of \(allowed.joined(separator: ", "))")
            }
            return s
        }
    }
}
