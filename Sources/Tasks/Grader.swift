import Foundation

/// The grader's decision on one response, with its audit trail.
public struct Verdict: Sendable, Equatable, Codable {
    /// Text the rule extracted (nil when nothing was found).
    public var extracted: String?
    /// Equivalence class key ("<no answer>" when nothing was found).
    public var answerClass: String
    public var correct: Bool
    /// The extraction rule that fired: boxed, hash, answer_is, last_value, or none.
    public var rule: String
    /// Why nothing was found, or why the answer did not match.
    public var reason: String?

    enum CodingKeys: String, CodingKey { case extracted, answerClass = "class", correct, rule, reason }

    /// `extracted` is always present (null when nothing was found).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(extracted, forKey: .extracted)
        try c.encode(answerClass, forKey: .answerClass)
        try c.encode(correct, forKey: .correct)
        try c.encode(rule, forKey: .rule)
        try c.encodeIfPresent(reason, forKey: .reason)
    }
}

/// Answer extraction, parsing and equivalence (METHODS.md section 0).
///
/// Extraction priority: the last `\boxed{}` / `\fbox{}` (nested braces), then GSM8K's `#### x`,
/// then the last "the (final) answer is x" / "answer: x", then the last whole expression in the
/// text. The answer is parsed by kind (numbers as exact big rationals, expressions, tuples,
/// sets and solution lists, intervals and inequalities, equations, matrices, bases, choices,
/// text; see `AnswerParser`) and compared by kind (`Equivalence`): exactly where the value is
/// rational, else at seeded random points with a relative tolerance.
public struct Grader: Sendable {
    public static let version = "rollbook-grader/2"
    public static let noAnswer = "<no answer>"

    public init() {}

    public func grade(response: String, gold: String) -> Verdict {
        let goldValue = AnswerParser.parse(Extractor.goldText(gold))
        guard let (text, rule) = Extractor.extract(response) else {
            return Verdict(extracted: nil, answerClass: Grader.noAnswer, correct: false, rule: "none",
                           reason: "no boxed answer, '####', 'the answer is', or expression in the response")
        }
        let v = AnswerParser.parse(text)
        let (ok, why) = Equivalence.compare(gold: goldValue, response: v)
        // Every correct answer is in the gold's class: two correct rollouts written differently
        // ("1.41421356237" and \sqrt{2}) are one vote, whichever came last.
        let cls = ok && !goldValue.key.isEmpty ? goldValue.key : v.key
        return Verdict(extracted: text, answerClass: cls.isEmpty ? Grader.noAnswer : cls, correct: ok, rule: rule,
                       reason: ok ? why : "\(why) (answer \(Grader.short(cls)), gold \(Grader.short(goldValue.key)))")
    }

    static func short(_ s: String) -> String { s.count <= 80 ? s : String(s.prefix(77)) + "..." }

    /// The answer class of a gold answer (every correct response's class).
    public static func goldClass(_ gold: String) -> String {
        let k = AnswerParser.parse(Extractor.goldText(gold)).key
        return k.isEmpty ? noAnswer : k
    }

    /// Equivalence class of a free-form answer (for votes and diversity).
    public static func answerClass(_ response: String) -> String {
        guard let (t, _) = Extractor.extract(response) else { return noAnswer }
        let k = AnswerParser.parse(t).key
        return k.isEmpty ? noAnswer : k
    }
}
