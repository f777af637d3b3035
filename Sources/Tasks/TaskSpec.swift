import Foundation

/// Task specifications as notebooks and plans write them:
/// - `builtin:arithmetic?count=40&seed=7&tiers=1-5`
/// - `gsm8k:PATH`, `math:PATH`
/// - `jsonl:PATH?question=FIELD&gold=FIELD&id=FIELD`
public enum TaskSpec {
    public static func load(_ spec: String, relativeTo base: String? = nil) throws -> [Problem] {
        guard let colon = spec.firstIndex(of: ":") else {
            throw TaskError.badSpec("task '\(spec)': expected builtin:arithmetic?..., gsm8k:PATH, math:PATH "
                                    + "or jsonl:PATH?question=...&gold=...")
        }
        let kind = String(spec[..<colon])
        var rest = String(spec[spec.index(after: colon)...])
        var params = [String: String]()
        if let q = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else {
                    throw TaskError.badSpec("task '\(spec)': parameter '\(pair)' is not key=value")
                }
                params[kv[0]] = kv[1]
            }
            rest = String(rest[..<q])
        }
        func path(_ p: String) -> String {
            if p.hasPrefix("/") || base == nil { return p }
            return URL(fileURLWithPath: base!).appendingPathComponent(p).path
        }
        switch kind {
        case "builtin":
            guard rest == "arithmetic" else {
                throw TaskError.badSpec("task '\(spec)': unknown built-in suite '\(rest)' (have: arithmetic)")
            }
            guard let count = Int(params["count"] ?? "40"), count > 0, count <= 100_000 else {
                throw TaskError.badSpec("task '\(spec)': count must be 1...100000")
            }
            guard let seed = UInt64(params["seed"] ?? "0") else {
                throw TaskError.badSpec("task '\(spec)': seed must be a non-negative integer")
            }
            var tiers = BuiltinSuite.tiers
            if let t = params["tiers"] {
                let b = t.split(separator: "-").compactMap { Int($0) }
                guard b.count == 2 || b.count == 1, let lo = b.first, let hi = b.last, lo <= hi,
                      BuiltinSuite.tiers.contains(lo), BuiltinSuite.tiers.contains(hi) else {
                    throw TaskError.badSpec("task '\(spec)': tiers must look like 1-5 (tiers 1 to 5)")
                }
                tiers = lo...hi
            }
            return BuiltinSuite.arithmetic(count: count, seed: seed, tiers: tiers)
        case "gsm8k": return try TaskLoader.load(path: path(rest), mapping: .gsm8k)
        case "math": return try TaskLoader.load(path: path(rest), mapping: .math)
        case "jsonl":
            guard let q = params["question"], let g = params["gold"] else {
                throw TaskError.badSpec("task '\(spec)': jsonl needs ?question=FIELD&gold=FIELD")
            }
            return try TaskLoader.load(path: path(rest),
                                       mapping: FieldMapping(question: [q], gold: [g], id: params["id"]))
        default:
            throw TaskError.badSpec("task '\(spec)': unknown kind '\(kind)' (have: builtin, gsm8k, math, jsonl)")
        }
    }
}
