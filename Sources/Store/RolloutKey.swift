import Foundation

/// What a stored rollout is within its strategy: a breadth sample, a child of a
/// prefix-branching depth trial, or a self-refinement round. Stored as real columns
/// (schema v2) and written into the key's parameter text by `RolloutKey` alone.
public enum RolloutRole: Sendable, Equatable, Hashable {
    case breadth
    /// A depth child: the trial's `b0` prefixes of `prefixTokens` tokens, the signal that
    /// kept one, the trial and the child's index within it.
    case depthChild(b0: Int, prefixTokens: Int, signal: String, trial: Int, child: Int)
    /// Refinement round >= 1; `instruction` is the hash of the appended instruction.
    case refine(round: Int, instruction: String)

    /// The strategy column's value.
    public var strategy: String {
        switch self {
        case .breadth: return "breadth"
        case .depthChild: return "depth"
        case .refine: return "refine"
        }
    }

    /// The text appended to the cell's parameters in the canonical key (empty for breadth).
    public var keySuffix: String {
        switch self {
        case .breadth: return ""
        case let .depthChild(b0, pl, signal, trial, child):
            return ";S=depth;b0=\(b0);pl=\(pl);sig=\(signal);trial=\(trial);c=\(child)"
        case let .refine(round, instruction):
            return ";S=refine;round=\(round);ins=\(instruction)"
        }
    }

    /// Reads the role back from a v1 parameter text (the schema migration's only use).
    public static func parse(params: String) -> RolloutRole {
        var f = [String: String]()
        for part in params.split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { f[String(kv[0])] = String(kv[1]) }
        }
        func int(_ k: String) -> Int { Int(f[k] ?? "") ?? 0 }
        switch f["S"] {
        case "depth":
            return .depthChild(b0: int("b0"), prefixTokens: int("pl"), signal: f["sig"] ?? "?",
                               trial: int("trial"), child: int("c"))
        case "refine": return .refine(round: int("round"), instruction: f["ins"] ?? "")
        default: return .breadth
        }
    }
}

/// A rollout's content address: the only writer of the canonical key text. It covers the
/// model's identity, the prompt's hash, the problem id, every decoding parameter of the
/// cell (`params`), the role within the strategy, the seed and the sample index.
public struct RolloutKey: Sendable, Hashable {
    public var model: String
    public var promptHash: String
    public var problem: String
    /// The cell's decoding parameters ("T=..;L=..;tk=..;..."), without the role.
    public var cellParams: String
    public var role: RolloutRole
    public var seed: UInt64
    public var index: Int

    public init(model: String, promptHash: String, problem: String, cellParams: String, role: RolloutRole,
                seed: UInt64, index: Int) {
        self.model = model; self.promptHash = promptHash; self.problem = problem
        self.cellParams = cellParams; self.role = role; self.seed = seed; self.index = index
    }

    /// Every decoding parameter and the role, as stored in the `params` column.
    public var params: String { cellParams + role.keySuffix }

    /// The canonical text (version 1 of the key format; changing it invalidates every store).
    public var canonical: String {
        "rollbook/1;model=\(model);prompt=\(promptHash);problem=\(problem);\(params);seed=\(seed);i=\(index)"
    }

    /// The key: Hash128 of the canonical text.
    public var hex: String { Hash128.hex(canonical) }
}
