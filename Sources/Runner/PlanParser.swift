import Foundation
import Sampling
import Inference
import Yams

extension Plan {
    public static func load(path: String) throws -> Plan {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw PlanError("\(path): cannot read the plan file")
        }
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let yaml = text.replacingOccurrences(of: "\r\n", with: "\n")
        if yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw PlanError("\(path): the plan is empty (a plan needs at least name:; see README \"Plans\")")
        }
        return try parse(yaml: yaml, source: path, defaultName: stem, requireName: true)
    }

    /// Parses YAML text. `lineOffset` shifts reported lines (a notebook cell's position).
    public static func parse(yaml: String, source: String, defaultName: String, lineOffset: Int = 0,
                             base: Plan? = nil, requireName: Bool = false) throws -> Plan {
        let node: Node?
        do { node = try Yams.compose(yaml: yaml) } catch let e as YamlError {
            throw PlanError("\(source): invalid YAML: \(yamlMessage(e, lineOffset: lineOffset))")
        }
        return try parse(node: node, source: source, defaultName: defaultName, lineOffset: lineOffset, base: base,
                         requireName: requireName)
    }

    /// Parses an already composed YAML mapping (a notebook's `sample:` value).
    /// `requireName`: a plan file must name its run (a notebook's run is named by its file).
    public static func parse(node: Node?, source: String, defaultName: String, lineOffset: Int = 0,
                             base: Plan? = nil, requireName: Bool = false) throws -> Plan {
        var plan = base ?? Plan(name: defaultName)
        if base != nil { plan.name = defaultName }
        guard let root = node else {
            if requireName { throw PlanError("\(source): the plan is empty (it needs at least name:)") }
            return plan
        }
        let r = Reader(source: source, lineOffset: lineOffset)
        var p = PlanFields(plan: plan)
        for (key, value) in try r.mapping(root, "plan") { try p.read(key, value, r) }
        if requireName && p.nodes["name"] == nil {
            throw PlanError("\(source): name is required (the run's name in the store), e.g. name: \(defaultName)")
        }
        return try p.finish(r, source: source, root: root)
    }
}

/// A plan being read: the fields as they arrive, where each was written (for errors), and
/// the strategy's specs, which may come before or after `strategy:`.
struct PlanFields {
    var plan: Plan
    var strategyName: String
    var depth: DepthSpec
    var refine: RefineSpec
    var nodes = [String: Node]()

    init(plan: Plan) {
        self.plan = plan
        strategyName = plan.strategy.name
        depth = plan.strategy.depth ?? DepthSpec()
        refine = plan.strategy.refine ?? RefineSpec()
    }

    mutating func read(_ key: String, _ value: Node, _ r: Plan.Reader) throws {
        nodes[key] = value
        if let m = value.mark { plan.locations[key] = "\(r.source):\(m.line + r.lineOffset)" }
        switch key {
        case "name": plan.name = try r.string(value, key)
        case "model": plan.model = try r.string(value, key)
        case "tasks": plan.tasks = try r.string(value, key)
        case "template": plan.template = try r.string(value, key)
        case "chat": plan.chat = try r.bool(value, key)
        case "seed": plan.seed = UInt64(try r.int(value, key, min: 0))
        case "seeds":
            let s = try r.ints(value, key, min: 0, max: Int(Int32.max))
            guard !s.isEmpty, Set(s).count == s.count, s.count <= 32 else {
                throw r.error(value, "seeds: a list of up to 32 distinct non-negative integers, e.g. seeds: [0, 1, 2]")
            }
            plan.seeds = s.map(UInt64.init); plan.seed = plan.seeds[0]
        case "max_tokens": plan.decoding.maxTokens = try r.int(value, key)
        case "stop": plan.decoding.stop = try r.strings(value, key)
        case "features": plan.features = try r.bool(value, key)
        case "numerics":
            let v = try r.int(value, key, min: 1, max: Numerics.allCases.map(\.rawValue).max()!)
            plan.numerics = Numerics(rawValue: v)!
        case "batch": plan.batch = try r.int(value, key, min: 1, max: 256)
        case "strategy": strategyName = try r.oneOf(value, key, Strategy.names)
        case "refine": try readRefine(value, r)
        case "depth": try readDepth(value, r)
        case "engine": try readEngine(value, r)
        case "grid", "temperatures", "layers", "n": try readGrid(key, value, r)
        case "sampler": try readSampler(value, r)
        case "eglr": try readEGLR(value, r)
        default: throw r.error(value, "unknown field \(key)")
        }
    }

    mutating func readRefine(_ value: Node, _ r: Plan.Reader) throws {
        for (k, v) in try r.mapping(value, "refine") {
            switch k {
            case "rounds": refine.rounds = try r.int(v, "refine.rounds", min: 1, max: 16)
            case "instruction": refine.instruction = try r.string(v, "refine.instruction")
            default: throw r.error(v, "unknown field refine.\(k) (expected rounds, instruction)")
            }
        }
    }

    mutating func readDepth(_ value: Node, _ r: Plan.Reader) throws {
        for (k, v) in try r.mapping(value, "depth") {
            switch k {
            case "b0": depth.b0 = try r.int(v, "depth.b0", min: 1, max: 64)
            case "prefix_tokens": depth.prefixTokens = try r.int(v, "depth.prefix_tokens", min: 1, max: 4096)
            case "trials": depth.trials = try r.int(v, "depth.trials", min: 1, max: 1000)
            case "signals":
                let sig = try r.strings(v, "depth.signals")
                for x in sig where !DepthSpec.knownSignals.contains(x) {
                    let known = DepthSpec.knownSignals.joined(separator: ", ")
                    throw r.error(v, "depth.signals: unknown signal \"\(x)\" (expected \(known))")
                }
                if sig.isEmpty || Set(sig).count != sig.count {
                    throw r.error(v, "depth.signals: give each signal once")
                }
                depth.signals = sig
            default: throw r.error(v, "unknown field depth.\(k) (expected b0, prefix_tokens, signals, trials)")
            }
        }
    }

    mutating func readEngine(_ value: Node, _ r: Plan.Reader) throws {
        for (k, v) in try r.mapping(value, "engine") {
            switch k {
            case "kind": plan.engine.kind = try r.oneOf(v, "engine.kind", ["local", "openai"])
            case "url": try readURLs(v, r)
            case "model": plan.engine.model = try r.string(v, "engine.model")
            case "api": plan.engine.api = try r.oneOf(v, "engine.api", ["completions", "chat"])
            case "concurrency": plan.engine.concurrency = try r.int(v, "engine.concurrency", min: 1, max: 256)
            case "retries": plan.engine.retries = try r.int(v, "engine.retries", min: 0, max: 20)
            case "timeout": plan.engine.timeout = try r.number(v, "engine.timeout", min: 1, max: 3600)
            case "top_logprobs":
                if v.scalar?.string == "all" { plan.engine.fullLogprobs = true } else {
                    plan.engine.topLogprobs = try r.int(v, "engine.top_logprobs", min: 0, max: 20)
                }
            case "vocab_size": plan.engine.vocabSize = try r.int(v, "engine.vocab_size", min: 2, max: 1 << 22)
            case "features": plan.engine.features = try r.oneOf(v, "engine.features", ["embeddings"])
            case "api_key_env": plan.engine.apiKeyEnv = try r.string(v, "engine.api_key_env")
            default:
                throw r.error(v, "unknown field engine.\(k) (expected kind, url, model, api, concurrency, retries, "
                                 + "timeout, top_logprobs, vocab_size, features, api_key_env)")
            }
        }
        if plan.engine.fullLogprobs && plan.engine.vocabSize == nil {
            throw r.error(value, "engine.top_logprobs: all needs engine.vocab_size (the model's vocabulary size)")
        }
        if plan.engine.isRemote && plan.engine.url.isEmpty {
            throw r.error(value, "engine.url is required for kind openai")
        }
    }

    /// `url: http://host:8000/v1` (one server) or `url: [u1, u2]` (a pool of servers).
    mutating func readURLs(_ v: Node, _ r: Plan.Reader) throws {
        plan.engine.isPool = v.sequence != nil
        plan.engine.urls = try r.strings(v, "engine.url").enumerated().map { i, u in
            let field = plan.engine.isPool ? "engine.url[\(i)]" : "engine.url"
            guard let url = URL(string: u), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw r.error(v, "\(field): \"\(u)\" is not an http(s) URL (e.g. http://127.0.0.1:8000/v1)")
            }
            return u.hasSuffix("/") ? String(u.dropLast()) : u
        }
        if Set(plan.engine.urls).count != plan.engine.urls.count {
            throw r.error(v, "engine.url: a server is listed twice")
        }
    }

    /// `grid:` nests the axes; a notebook cell may give them at top level.
    mutating func readGrid(_ key: String, _ value: Node, _ r: Plan.Reader) throws {
        let axes: [(String, Node)] = key == "grid" ? try r.mapping(value, key) : [(key, value)]
        let prefix = key == "grid" ? "grid." : ""
        for (k, v) in axes {
            let t = DecodingParams.temperatureRange, l = DecodingParams.layersRange
            switch k {
            case "temperatures": plan.temperatures = try r.numbers(v, prefix + k, min: t.lowerBound, max: t.upperBound)
            case "layers": plan.layers = try r.ints(v, prefix + k, min: l.lowerBound, max: l.upperBound)
            case "n": plan.n = try r.int(v, prefix + k, min: 1, max: 100_000)
            default: throw r.error(v, "unknown field \(prefix + k) (expected temperatures, layers, n)")
            }
        }
    }

    mutating func readSampler(_ value: Node, _ r: Plan.Reader) throws {
        for (k, v) in try r.mapping(value, "sampler") {
            nodes["sampler.\(k)"] = v
            switch k {
            case "top_k": plan.decoding.topK = try r.int(v, "sampler.top_k")
            case "top_p": plan.decoding.topP = try r.number(v, "sampler.top_p")
            case "min_p": plan.decoding.minP = try r.number(v, "sampler.min_p")
            default: throw r.error(v, "unknown field sampler.\(k) (expected top_k, top_p, min_p)")
            }
        }
    }

    mutating func readEGLR(_ value: Node, _ r: Plan.Reader) throws {
        for (k, v) in try r.mapping(value, "eglr") {
            nodes["eglr.\(k)"] = v
            switch k {
            case "kmax": plan.decoding.kMax = try r.int(v, "eglr.kmax")
            case "tau": plan.decoding.tau = try r.number(v, "eglr.tau")
            case "eps": plan.decoding.eps = try r.number(v, "eglr.eps")
            case "divergence":
                plan.decoding.divergence = try r.enumValue(v, "eglr.divergence", EGLRConfig.Divergence.self)
            case "kv_policy":
                plan.decoding.kvPolicy = try r.enumValue(v, "eglr.kv_policy", EGLRConfig.KVPolicy.self)
            default: throw r.error(v, "unknown field eglr.\(k) (expected kmax, tau, eps, divergence, kv_policy)")
            }
        }
    }

    /// The strategy from its name and spec, then the checks that span several fields.
    func finish(_ r: Plan.Reader, source: String, root: Node) throws -> Plan {
        var plan = self.plan
        if let s = nodes["seed"], nodes["seeds"] != nil {
            throw r.error(s, "seed and seeds are both set (seeds: [0, 1, 2] runs the grid once per seed)")
        }
        do { try plan.decoding.validate() } catch let v as DecodingParams.Violation {
            throw r.error(nodes[v.field] ?? root, v.description)
        }
        switch strategyName {
        case "depth": plan.strategy = .depth(depth)
        case "refine": plan.strategy = .refine(refine)
        default:
            plan.strategy = .breadth
            for k in ["depth", "refine"] where nodes[k] != nil {
                throw r.error(nodes[k]!, "\(k): is set but strategy is \(strategyName) (set strategy: \(k))")
            }
        }
        try Self.checkAxes(plan, source: source)
        try Self.checkStrategy(plan, source: source)
        if plan.name.isEmpty || plan.name.contains("/") {
            throw PlanError("\(source): name must be non-empty and contain no '/'")
        }
        return plan
    }

    static func checkAxes(_ plan: Plan, source: String) throws {
        if plan.temperatures.isEmpty { throw PlanError("\(source): grid.temperatures is empty") }
        if plan.layers.isEmpty { throw PlanError("\(source): grid.layers is empty") }
        if Set(plan.temperatures).count != plan.temperatures.count {
            throw PlanError("\(source): grid.temperatures has duplicates")
        }
        if Set(plan.layers).count != plan.layers.count { throw PlanError("\(source): grid.layers has duplicates") }
        if plan.engine.isRemote {
            if plan.layers != [0] {
                throw PlanError("\(source): grid.layers must be [0] with a remote engine "
                                + "(EGLR re-applies layers inside the local CPU engine)")
            }
            if plan.chat {
                throw PlanError("\(source): chat: true applies the local chat template; "
                                + "with a remote engine use engine.api: chat")
            }
        }
    }

    static func checkStrategy(_ plan: Plan, source: String) throws {
        switch plan.strategy {
        case .breadth: return
        case .refine:
            if plan.engine.isRemote { throw PlanError("\(source): strategy: refine runs on the local engine") }
        case .depth(let d):
            if plan.engine.isRemote {
                throw PlanError("\(source): strategy: depth forks K/V caches and needs the local engine")
            }
            if plan.n <= d.b0 {
                throw PlanError("\(source): strategy: depth needs grid.n > depth.b0 "
                                + "(n = \(plan.n) rollouts per trial, b0 = \(d.b0) of them prefixes)")
            }
            if d.prefixTokens >= plan.maxTokens {
                throw PlanError("\(source): depth.prefix_tokens must be below max_tokens")
            }
            if !plan.temperatures.contains(where: { $0 > 0 }) {
                throw PlanError("\(source): strategy: depth needs a temperature above 0")
            }
        }
    }
}

extension Plan {
    public static func yamlMessage(_ e: YamlError, lineOffset: Int) -> String {
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let where_ = context.map { " \($0.text)" } ?? ""
            return "line \(mark.line + lineOffset), column \(mark.column): \(problem)\(where_)"
        case let .duplicatedKeysInMapping(duplicates, context):
            let fields = duplicates.sorted().joined(separator: ", ")
            return "line \(context.mark.line + lineOffset): duplicate field \(fields)"
        case let .reader(problem, offset, _, _):
            return "\(problem)" + (offset.map { " at byte \($0)" } ?? "")
        case .dataCouldNotBeDecoded: return "the text is not valid UTF-8"
        default:
            return "\(e)".split(separator: "\n").first.map(String.init) ?? "invalid YAML"
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
            guard let m = node.mapping else {
                throw error(node, "\(field): expected a mapping, found \(describe(node))")
            }
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
            guard case .scalar(let s) = node else {
                throw error(node, "\(field): expected text, found \(describe(node))")
            }
            return s.string
        }
        func bool(_ node: Node, _ field: String) throws -> Bool {
            guard let b = node.bool else {
                throw error(node, "\(field): expected true or false, found \(describe(node))")
            }
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
        func enumValue<E: RawRepresentable & CaseIterable>(_ node: Node, _ field: String, _: E.Type) throws -> E
        where E.RawValue == String {
            let s = try oneOf(node, field, E.allCases.map(\.rawValue))
            return E(rawValue: s)!
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
