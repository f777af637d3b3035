/// One problem of a task: what the model is asked and the gold answer it is graded against.
public struct Problem: Sendable, Equatable, Codable {
    public var id: String
    public var question: String
    public var gold: String
    /// Difficulty tier for generated suites (nil for loaded sets).
    public var tier: Int?

    public init(id: String, question: String, gold: String, tier: Int? = nil) {
        self.id = id; self.question = question; self.gold = gold; self.tier = tier
    }
}

public enum TaskError: Error, CustomStringConvertible, Equatable {
    case cannotRead(path: String)
    case badLine(path: String, line: Int, reason: String)
    case missingField(path: String, line: Int, field: String)
    case duplicateID(path: String, line: Int, id: String)
    case empty(path: String)
    case badSpec(String)
    case unknownTemplate(String)

    public var description: String {
        switch self {
        case .cannotRead(let p): return "\(p): cannot read the file"
        case .badLine(let p, let l, let r): return "\(p):\(l): \(r)"
        case .missingField(let p, let l, let f): return "\(p):\(l): missing field '\(f)'"
        case .duplicateID(let p, let l, let id): return "\(p):\(l): problem id '\(id)' appears twice"
        case .empty(let p): return "\(p): no problems in the file"
        case .badSpec(let s): return s
        case .unknownTemplate(let t): return "unknown prompt template '\(t)'"
        }
    }
}
