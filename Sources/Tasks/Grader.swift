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
        let cls = v.key
        return Verdict(extracted: text, answerClass: cls.isEmpty ? Grader.noAnswer : cls, correct: ok, rule: rule,
                       reason: ok ? why : "\(why) (answer \(Grader.short(cls)), gold \(Grader.short(goldValue.key)))")
    }

    static func short(_ s: String) -> String { s.count <= 80 ? s : String(s.prefix(77)) + "..." }

    /// Equivalence class of a free-form answer (for votes and diversity).
    public static func answerClass(_ response: String) -> String {
<<<<<<< HEAD
        guard let (t, _) = extract(response) else { return noAnswer }
        return value(of: t).key
    }

    // MARK: extraction

    /// A gold answer is taken whole, unless it is boxed or in GSM8K's `#### x` form.
    static func goldText(_ g: String) -> String {
        if let b = lastBraced(g, commands: ["\\boxed", "\\fbox"]) { return b }
        if let r = g.range(of: "####", options: .backwards) {
            return String(g[r.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return g
    }

    static func extract(_ s: String) -> (text: String, rule: String)? {
        if let b = lastBraced(s, commands: ["\\boxed", "\\fbox"]) { return (b, "boxed") }
        if let r = s.range(of: "####", options: .backwards) {
            let t = s[r.upperBound...].split(separator: "\n").first.map(String.init) ?? ""
            if !t.trimmingCharacters(in: .whitespaces).isEmpty {
                return (t.trimmingCharacters(in: .whitespaces), "hash")
            }
        }
        for phrase in ["the answer is", "final answer is", "answer:", "answer is"] {
            if let r = s.range(of: phrase, options: [.backwards, .caseInsensitive]) {
                var t = String(s[r.upperBound...])
                if let nl = t.firstIndex(of: "\n") { t = String(t[..<nl]) }
                t = t.trimmingCharacters(in: CharacterSet(charactersIn: " :"))
                if let v = lastValue(t, first: true) { return (v, "answer_is") }
            }
        }
        if let v = lastValue(s, first: false) { return (v, "last_value") }
        return nil
    }

    /// Contents of the last `\cmd{...}` with balanced braces.
    static func lastBraced(_ s: String, commands: [String]) -> String? {
        let chars = Array(s)
        var best: (Int, String)? = nil
        for cmd in commands {
            var searchEnd = s.endIndex
            while let r = s.range(of: cmd + "{", options: .backwards, range: s.startIndex..<searchEnd) {
                let start = s.distance(from: s.startIndex, to: r.upperBound)
                var depth = 1, j = start
                while j < chars.count && depth > 0 {
                    if chars[j] == "{" { depth += 1 } else if chars[j] == "}" { depth -= 1 }
                    j += 1
                }
                if depth == 0 {
                    if best == nil || start > best!.0 { best = (start, String(chars[start..<(j - 1)])) }
                    break
                }
                searchEnd = r.lowerBound
            }
        }
        return best?.1
    }

    /// The last (or first) number, fraction or LaTeX fraction in `s`, with its sign.
    static func lastValue(_ s: String, first: Bool) -> String? {
        let pattern = #"-?\\[dt]?frac\s*\{[^{}]*\}\s*\{[^{}]*\}|-?\\[dt]?frac\s*\d\s*\d|"#
            + #"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?(?:\s*/\s*\d+)?|-?\.\d+"#
        guard let re = try? NSRegularExpression(pattern: pattern) else { return nil }
        let ns = s as NSString
        let ms = re.matches(in: s, range: NSRange(location: 0, length: ns.length))
        guard let m = first ? ms.first : ms.last else { return nil }
        return ns.substring(with: m.range)
    }

    // MARK: normalisation

    static func value(of raw: String) -> MathValue {
        MathParser.parse(normalize(raw))
    }

    static func normalize(_ raw: String) -> String {
        var s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        // Nested boxes and text wrappers.
        if let b = lastBraced(s, commands: ["\\boxed", "\\fbox"]) { s = b }
        for (a, b) in [("\\[", ""), ("\\]", ""), ("\\(", ""), ("\\)", ""), ("$", ""), ("**", ""), ("__", ""),
                       ("\\!", ""), ("\\,", ""), ("\\;", ""), ("\\ ", " "), ("\\left", ""), ("\\right", ""),
                       ("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"), ("\\cdot", "*"), ("\\times", "*"),
                       ("\\div", "/"), ("−", "-"), ("–", "-"), ("\\%", ""), ("%", ""), ("^\\circ", ""),
                       ("^{\\circ}", ""),
                       ("°", ""), ("\\pi", "pi"), ("π", "pi"), ("\\infty", "inf"), ("\\{", "{"), ("\\}", "}")] {
            s = s.replacingOccurrences(of: a, with: b)
        }
        s = unwrap(s, command: "\\text")
        s = unwrap(s, command: "\\textbf")
        s = unwrap(s, command: "\\mathrm")
        s = unwrap(s, command: "\\mbox")
        // \frac{a}{b} -> (a)/(b); \frac12 -> (1)/(2); \sqrt{x} -> sqrt(x); \sqrt2 -> sqrt(2)
        s = replaceRegex(s, #"\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}"#, "($1)/($2)")
        s = replaceRegex(s, #"\\frac\s*(\d)\s*(\d)"#, "($1)/($2)")
        s = replaceRegex(s, #"\\sqrt\s*\{([^{}]*)\}"#, "sqrt($1)")
        s = replaceRegex(s, #"\\sqrt\s*(\d+)"#, "sqrt($1)")
        // Thousands separators (1,234,567) but not tuples (1,2).
        s = replaceRegex(s, #"(?<=\d),(?=\d{3}(?!\d))"#, "")
        // "x = 5" -> "5"
        s = replaceRegex(s, #"^[a-zA-Z]\s*=\s*"#, "")
        // Units or words after a number: "18 dollars", "5 cm", "12 apples."
        s = replaceRegex(s, #"^(-?[\d./()sqrtpi+*^ -]*\d\)?)\s*[a-zA-Z][a-zA-Z ]*\.?$"#, "$1")
        while let last = s.last, " .。,;:!".contains(last) { s.removeLast() }
        s = s.trimmingCharacters(in: .whitespaces)
        // Braces group like parentheses, except around a whole set.
        let isSet = s.hasPrefix("{") && s.hasSuffix("}") && MathParser.topLevelComma(s)
        if !isSet { s = s.replacingOccurrences(of: "{", with: "(").replacingOccurrences(of: "}", with: ")") }
        return s
    }

    static func unwrap(_ s: String, command: String) -> String {
        var s = s
        while let r = s.range(of: command + "{") {
            let chars = Array(s[r.upperBound...])
            var depth = 1, j = 0
            while j < chars.count && depth > 0 {
                if chars[j] == "{" { depth += 1 } else if chars[j] == "}" { depth -= 1 }
                j += 1
            }
            guard depth == 0 else { break }
            let inner = String(chars[..<(j - 1)])
            s = String(s[..<r.lowerBound]) + inner + String(chars[j...])
        }
        return s
    }

    static func replaceRegex(_ s: String, _ pattern: String, _ template: String) -> String {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return s }
        return re.stringByReplacingMatches(in: s, range: NSRange(location: 0, length: (s as NSString).length),
                                           withTemplate: template)
=======
        guard let (t, _) = Extractor.extract(response) else { return noAnswer }
        let k = AnswerParser.parse(t).key
        return k.isEmpty ? noAnswer : k
>>>>>>> grader
    }
}
