import Foundation

/// Which JSONL fields hold the question, the gold answer and the id, and how to read the gold.
public struct FieldMapping: Sendable, Equatable {
    public enum GoldFormat: String, Sendable { case plain, gsm8k, math }
    /// Candidate field names for the question, first present wins.
    public var question: [String]
    public var gold: [String]
    public var id: String?
    public var goldFormat: GoldFormat

    public init(question: [String], gold: [String], id: String? = nil, goldFormat: GoldFormat = .plain) {
        self.question = question; self.gold = gold; self.id = id; self.goldFormat = goldFormat
    }

    /// GSM8K: `question`, gold after `####` in `answer`.
    public static let gsm8k = FieldMapping(question: ["question"], gold: ["answer"], goldFormat: .gsm8k)
    /// MATH-style: `problem` or `question`; gold from an `answer` field, else the last
    /// `\boxed{}` of `solution`.
    public static let math = FieldMapping(question: ["problem", "question"], gold: ["answer", "solution"], id: "unique_id", goldFormat: .math)

    public static func preset(_ name: String) -> FieldMapping? {
        switch name { case "gsm8k": return .gsm8k; case "math": return .math; default: return nil }
    }
}

/// Reads JSONL problem sets. Every error names the file and line.
public enum TaskLoader {
    public static func load(path: String, mapping: FieldMapping) throws -> [Problem] {
        guard let data = FileManager.default.contents(atPath: path) else { throw TaskError.cannotRead(path: path) }
        var out = [Problem]()
        var seen = Set<String>()
        for (i, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = i + 1
            if raw.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let obj = try? JSONSerialization.jsonObject(with: Data(raw.utf8)), let o = obj as? [String: Any] else {
                throw TaskError.badLine(path: path, line: line, reason: "not a JSON object")
            }
            func text(_ names: [String]) -> String? {
                for n in names {
                    if let s = o[n] as? String { return s }
                    if let x = o[n] as? NSNumber { return x.stringValue }
                }
                return nil
            }
            guard let q = text(mapping.question) else { throw TaskError.missingField(path: path, line: line, field: mapping.question.joined(separator: "' or '")) }
            guard let g = text(mapping.gold) else { throw TaskError.missingField(path: path, line: line, field: mapping.gold.joined(separator: "' or '")) }
            let gold: String
            switch mapping.goldFormat {
            case .plain: gold = g
            case .gsm8k:
                guard let r = g.range(of: "####", options: .backwards) else {
                    throw TaskError.badLine(path: path, line: line, reason: "the answer has no '#### <number>' line")
                }
                gold = String(g[r.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
            case .math:
                if let a = o["answer"] as? String { gold = a }
                else if let b = Extractor.lastBoxed(g) { gold = b }
                else { throw TaskError.badLine(path: path, line: line, reason: "no 'answer' field and no \\boxed{} in the solution") }
            }
            let id = mapping.id.flatMap { text([$0]) } ?? "\(line)"
            guard seen.insert(id).inserted else { throw TaskError.duplicateID(path: path, line: line, id: id) }
            out.append(Problem(id: id, question: q, gold: gold))
        }
        guard !out.isEmpty else { throw TaskError.empty(path: path) }
        return out
    }
}
