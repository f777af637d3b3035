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
    public static let math = FieldMapping(question: ["problem", "question"], gold: ["answer", "solution"],
                                          id: "unique_id", goldFormat: .math)

    public static func preset(_ name: String) -> FieldMapping? {
        switch name { case "gsm8k": return .gsm8k; case "math": return .math; default: return nil }
    }
}

/// Reads JSONL problem sets. Every error names the file and line. Lines end in LF or CRLF;
/// a UTF-8 byte-order mark at the start is ignored; blank lines are skipped.
public enum TaskLoader {
    public static func load(path: String, mapping: FieldMapping) throws -> [Problem] {
        guard let data = FileManager.default.contents(atPath: path) else { throw TaskError.cannotRead(path: path) }
        return try parse(data, path: path, mapping: mapping)
    }

    /// The lines of a JSONL file as byte ranges, without their LF or CRLF terminator (and
    /// without a leading UTF-8 BOM).
    static func lines(_ bytes: [UInt8]) -> [Range<Int>] {
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var out = [Range<Int>]()
        func add(_ end: Int) {
            var e = end
            if e > start && bytes[e - 1] == 0x0D { e -= 1 }
            out.append(start..<e)
        }
        for i in start..<bytes.count where bytes[i] == 0x0A {
            add(i)
            start = i + 1
        }
        if start < bytes.count { add(bytes.count) }
        return out
    }

    /// Parses JSONL bytes (as read from `path`, which names the errors).
    public static func parse(_ data: Data, path: String, mapping: FieldMapping) throws -> [Problem] {
        let bytes = [UInt8](data)
        var out = [Problem]()
        var seen = Set<String>()
        for (i, range) in lines(bytes).enumerated() {
            let line = i + 1
            func bad(_ reason: String) -> TaskError { .badLine(path: path, line: line, reason: reason) }
            let slice = bytes[range]
            guard let raw = String(bytes: slice, encoding: .utf8) else { throw bad("not valid UTF-8") }
            if raw.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let obj = try? JSONSerialization.jsonObject(with: Data(slice), options: [.fragmentsAllowed]) else {
                throw bad("not valid JSON (each line must be one JSON object)")
            }
            guard let o = obj as? [String: Any] else {
                throw bad("not a JSON object (found \(describe(obj)))")
            }
            /// The first of `names` present: its text (numbers as written), or an error if it is
            /// neither a string nor a number, or is empty.
            func text(_ names: [String]) throws -> String? {
                for n in names {
                    guard let v = o[n] else { continue }
                    if let s = v as? String {
                        guard !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                            throw bad("field '\(n)' is empty")
                        }
                        return s
                    }
                    if let x = v as? NSNumber { return x.stringValue }
                    throw bad("field '\(n)' should be a string (found \(describe(v)))")
                }
                return nil
            }
            guard let q = try text(mapping.question) else {
                throw TaskError.missingField(path: path, line: line,
                                             field: mapping.question.joined(separator: "' or '"))
            }
            guard let g = try text(mapping.gold) else {
                throw TaskError.missingField(path: path, line: line, field: mapping.gold.joined(separator: "' or '"))
            }
            let gold: String
            switch mapping.goldFormat {
            case .plain: gold = g
            case .gsm8k:
                guard let r = g.range(of: "####", options: .backwards) else {
                    throw bad("the answer has no '#### <number>' line")
                }
                gold = String(g[r.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
                guard !gold.isEmpty else { throw bad("the answer's '####' line is empty") }
            case .math:
                if let a = try text(["answer"]) { gold = a }
                else if let b = Extractor.lastBoxed(g) { gold = b }
                else { throw bad("no 'answer' field and no \\boxed{} in the solution") }
            }
            let id = try mapping.id.flatMap { try text([$0]) } ?? "\(line)"
            guard seen.insert(id).inserted else { throw TaskError.duplicateID(path: path, line: line, id: id) }
            out.append(Problem(id: id, question: q, gold: gold))
        }
        guard !out.isEmpty else { throw TaskError.empty(path: path) }
        return out
    }

    /// What a JSON value is, for messages.
    static func describe(_ v: Any) -> String {
        switch v {
        case is NSNull: return "null"
        case is String: return "a string"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        case is NSNumber: return "a number"
        default: return "a JSON value"
        }
    }
}
