import Foundation

/// Turns an extracted answer string into a `MathValue`. Every step is a bounded number of
/// linear passes over a string of at most `maxLength` characters; longer answers are text.
enum AnswerParser {
    static let maxLength = 4000
    static let maxDepth = 8

    static func parse(_ raw: String) -> MathValue {
        guard raw.utf8.count <= maxLength * 4, raw.count <= maxLength else {
            return .text(textKey(String(raw.prefix(maxLength))))
        }
        return value(clean(raw), depth: 0)
    }

    // MARK: cleaning

    static let replacements: [(String, String)] = [
        ("\\displaystyle", ""), ("\\textstyle", ""), ("\\left", ""), ("\\right", ""), ("\\!", ""), ("\\,", ""),
        ("\\;", " "), ("\\:", " "), ("\\quad", " "), ("\\qquad", " "), ("\\ ", " "),
        ("\\$", ""), ("$", ""), ("\\(", ""), ("\\)", ""),
        ("\\[", ""), ("\\]", ""), ("**", ""), ("^{\\circ}", ""), ("^\\circ", ""), ("\\circ", ""), ("°", ""),
        ("\\degree", ""), ("\\%", ""), ("%", ""), ("{,}", ","), ("\\dfrac", "\\frac"), ("\\tfrac", "\\frac"),
        ("−", "-"), ("\\lbrace", "\\{"), ("\\rbrace", "\\}"), ("\\lvert", "|"), ("\\rvert", "|"), ("\\vert", "|"),
        ("\\leqslant", "\\le"), ("\\geqslant", "\\ge"), ("\\leq", "\\le"), ("\\geq", "\\ge"),
        ("\\lt", "<"), ("\\gt", ">"), ("≤", "\\le"), ("≥", "\\ge"), ("\n", " "),
        ("\\mathbb{R}", "(-\\infty,\\infty)"),
    ]

    static func clean(_ raw: String) -> String {
        var s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        // A box around the whole answer (\boxed{\boxed{4}}).
        while let inner = Extractor.wholeBox(s) { s = inner.trimmingCharacters(in: .whitespaces) }
        // Matrix row breaks (\\) must survive the "\ " (space) replacement.
        s = s.replacingOccurrences(of: "\\\\", with: "\u{1}")
        for (a, b) in replacements where s.contains(a) { s = s.replacingOccurrences(of: a, with: b) }
        s = s.replacingOccurrences(of: "\u{1}", with: "\\\\")
        s = textCommands(s)
        s = s.replacingOccurrences(of: " or ", with: ", ").replacingOccurrences(of: " and ", with: ", ")
        // "x \in [5, 14)": the set is the answer.
        if let r = s.range(of: "\\in ") ?? s.range(of: "\\in[") ?? s.range(of: "\\in("), s[..<r.lowerBound].count <= 3 {
            s = String(s[r.lowerBound...].dropFirst(3))
        }
        s = stripTrailingWords(s)
        while let l = s.last, ".;:,".contains(l) { s.removeLast() }
        return s.trimmingCharacters(in: .whitespaces)
    }

    static let textCmds = ["\\text", "\\textbf", "\\textit", "\\mathrm", "\\mbox", "\\mathbf", "\\textrm",
                           "\\operatorname"]

    /// `\text{...}` groups: "or"/"and" separate solutions; unit words after a number are dropped;
    /// otherwise the content stays. One left-to-right pass.
    static func textCommands(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        let c = Array(s)
        let hasDigitOutside = hasDigitsOutsideText(c)
        var out = "", i = 0
        outer: while i < c.count {
            if c[i] == "\\" {
                for cmd in textCmds {
                    let w = Array(cmd)
                    guard i + w.count < c.count, Array(c[i..<(i + w.count)]) == w, c[i + w.count] == "{" else {
                        continue
                    }
                    var d = 0, j = i + w.count
                    while j < c.count {
                        if c[j] == "{" { d += 1 } else if c[j] == "}" { d -= 1; if d == 0 { break } }; j += 1
                    }
                    guard j < c.count else { break }
                    let content = String(c[(i + w.count + 1)..<j])
                    let t = content.trimmingCharacters(in: .whitespaces).lowercased()
                    if t == "or" || t == "and" || t == "," { out += ", " }
                    else if ExprParser.functions.contains(t) { out += "\\operatorname{\(t)}" }
                    else if cmd == "\\operatorname"
                        || cmd == "\\mathrm" && t.count <= 3 && !t.contains(" ") && !hasUnitLook(t) {
                        out += String(c[i...j])   // \mathrm{e}, \operatorname{lcm}: kept for the expression parser
                    } else if hasDigitOutside && !t.isEmpty
                        && t.allSatisfy({
                            $0.isLetter || $0 == " " || $0 == "." || $0 == "/" || $0 == "^" || $0.isNumber
                        })
                        && t.contains(where: \.isLetter) && t.count > 1 {
                        out += " "            // a unit: "5\text{ cm}", "5\text{cm}^2"
                        var k = j + 1
                        if k + 1 < c.count, c[k] == "^" {
                            if c[k + 1].isNumber {
                                k += 2
                            } else if c[k + 1] == "{", k + 3 < c.count, c[k + 2].isNumber, c[k + 3] == "}" {
                                k += 4
                            }
                        }
                        i = k
                        continue outer
                    } else { out += content }
                    i = j + 1
                    continue outer
                }
            }
            out.append(c[i]); i += 1
        }
        return out
    }

    static func hasUnitLook(_ t: String) -> Bool { ["cm", "m", "km", "kg", "g", "s", "mm", "ml", "l"].contains(t) }

    static func hasDigitsOutsideText(_ c: [Character]) -> Bool {
        var d = 0, inText = false, textDepth = 0
        for k in c.indices {
            if c[k] == "{" { d += 1 } else if c[k] == "}" { d -= 1; if inText && d < textDepth { inText = false } }
            if c[k] == "\\" && k + 5 < c.count
                && (String(c[(k + 1)...(k + 4)]) == "text" || String(c[(k + 1)...(k + 4)]) == "math"
                    || String(c[(k + 1)...(k + 4)]) == "mbox") {
                if !inText { inText = true; textDepth = d + 1 }
            }
            if !inText && c[k].isNumber { return true }
        }
        return false
    }

    static let mathWords: Set<String> = ["pi", "sqrt", "inf", "infty", "sin", "cos", "tan", "log", "ln", "exp", "or",
                                         "and", "i", "e"]

    /// "18 dollars", "5 cm^2", "12 apples": drop trailing plain words after something numeric.
    static func stripTrailingWords(_ s: String) -> String {
        var parts = s.split(separator: " ", omittingEmptySubsequences: true)
        while parts.count > 1, let last = parts.last {
            let w = last.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:!?"))
            let letters = w.prefix { $0.isLetter && $0.isASCII }
            let rest = w.dropFirst(letters.count)
            guard letters.count >= 2, !mathWords.contains(String(letters).lowercased()),
                  rest.isEmpty || rest.allSatisfy({ "^{}0123456789".contains($0) }) else { break }
            let before = parts.dropLast().joined(separator: " ")
            guard before.contains(where: { $0.isNumber }) else { break }
            parts.removeLast()
        }
        return parts.joined(separator: " ")
    }

    static func textKey(_ s: String) -> String {
        var t = s.lowercased()
        for cmd in textCmds { t = t.replacingOccurrences(of: cmd, with: "") }
        return String(t.filter { !" {}\\\t\n".contains($0) })
    }

    // MARK: kinds

    static func value(_ s: String, depth: Int) -> MathValue {
        let t = s.trimmingCharacters(in: .whitespaces)
        guard depth < maxDepth, !t.isEmpty else { return .text(textKey(t)) }
        if let c = choice(t) { return .choice(c) }
        if let m = matrix(t, depth: depth) { return m }
        if let b = based(t) { return b }
        if let n = thousands(t) { return n }
        if t.contains("\\pm"), !hasTopLevel(t, ","), let r = t.range(of: "\\pm") {
            let plus = t.replacingCharacters(in: r, with: "+"), minus = t.replacingCharacters(in: r, with: "-")
            if !plus.contains("\\pm") { return .list([value(plus, depth: depth + 1), value(minus, depth: depth + 1)]) }
        }
        if let u = union(t, depth: depth) { return u }
        if let ineq = inequality(t) { return ineq }
        // Set braces \{ ... \}.
        if t.hasPrefix("\\{") && t.hasSuffix("\\}") {
            let inner = String(t.dropFirst(2).dropLast(2))
            return .set(splitTop(inner, ",").map { value($0, depth: depth + 1) })
        }
        // A named point: "P(1, 2)".
        if let f = t.first, f.isUppercase, f.isASCII, t.dropFirst().first == "(",
           let (o, inner, c) = wrapped(String(t.dropFirst())), hasTopLevel(inner, ",") {
            return .bracket(open: o, splitTop(inner, ",").map { value($0, depth: depth + 1) }, close: c)
        }
        if let (o, inner, c) = wrapped(t), hasTopLevel(inner, ",") {
            return .bracket(open: o, splitTop(inner, ",").map { value($0, depth: depth + 1) }, close: c)
        }
        if hasTopLevel(t, ",") {
            return .list(splitTop(t, ",").map { value($0, depth: depth + 1) })
        }
        if hasTopLevel(t, "=") {
            let parts = splitTop(t, "=")
            if parts.count >= 2, let l = expr(parts[0]), let r = expr(parts[parts.count - 1]) {
                var lv = Set<String>(); l.variables(into: &lv)
                // "3 + 4 = 7": the value is the last part.
                if lv.isEmpty && parts.count >= 2 { return .expr(r) }
                return .equation(l, r)
            }
        }
        if let e = expr(t) { return .expr(e) }
        return .text(textKey(t))
    }

    static func expr(_ s: String) -> Expr? {
        let toks = Lexer.tokens(s)
        return ExprParser.parse(toks)
    }

    static func choice(_ t: String) -> Character? {
        var u = Substring(t)
        if u.hasPrefix("("), u.hasSuffix(")") { u = u.dropFirst().dropLast() }
        else if u.hasSuffix(")") { u = u.dropLast() }
        guard u.count == 1, let c = u.first, "ABCDE".contains(c) else { return nil }
        return c
    }

    static func based(_ t: String) -> MathValue? {
        guard let us = t.firstIndex(of: "_") else { return nil }
        let digits = t[..<us], rest = t[t.index(after: us)...].trimmingCharacters(in: CharacterSet(charactersIn: "{} "))
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isUppercase) }),
              let b = Int(rest), b >= 2, b <= 36 else { return nil }
        let d = String(digits.drop { $0 == "0" })
        guard Int(d, radix: b) != nil || d.isEmpty || d.count > 18 else { return nil }
        return .based(digits: d.isEmpty ? "0" : d, base: b)
    }

    static func thousands(_ t: String) -> MathValue? {
        var u = Substring(t)
        if u.first == "-" { u = u.dropFirst() }
        let groups = u.split(separator: ",", omittingEmptySubsequences: false)
        guard groups.count >= 2, let f = groups.first, (1...3).contains(f.count), f.allSatisfy(\.isNumber) else {
            return nil
        }
        for (k, g) in groups.enumerated().dropFirst() {
            let intPart = k == groups.count - 1 ? g.split(separator: ".", maxSplits: 1).first ?? "" : g
            guard intPart.count == 3, intPart.allSatisfy(\.isNumber) else { return nil }
            if k == groups.count - 1, g.contains(".") {
                guard g.split(separator: ".").count == 2, g.split(separator: ".")[1].allSatisfy(\.isNumber) else {
                    return nil
                }
            }
        }
        return expr(t.replacingOccurrences(of: ",", with: "")).map { .expr($0) }
    }

    static func matrix(_ t: String, depth: Int) -> MathValue? {
        guard t.hasPrefix("\\begin{"), let close = t.firstIndex(of: "}") else { return nil }
        let env = t[t.index(t.startIndex, offsetBy: 7)..<close]
        guard env.hasSuffix("matrix"), t.hasSuffix("\\end{\(env)}") else { return nil }
        let body = t[t.index(after: close)..<t.index(t.endIndex, offsetBy: -("\\end{\(env)}".count))]
        let rows = body.components(separatedBy: "\\\\")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !rows.isEmpty, rows.count <= 64 else { return nil }
        return .matrix(rows.map { $0.components(separatedBy: "&").prefix(64).map { value($0, depth: depth + 1) } })
    }

    static func union(_ t: String, depth: Int) -> MathValue? {
        let sep = t.contains("\\cup") ? "\\cup" : (t.contains(" U ") ? " U " : nil)
        guard let sep else { return nil }
        var pieces = [IntervalPiece]()
        for part in t.components(separatedBy: sep).prefix(64) {
            guard let iv = Equivalence.interval(value(part, depth: depth + 1)) else { return nil }
            pieces += iv
        }
        return .union(pieces)
    }

    /// "x \le 3", "-2 < x \le 3", "x > 2, x < -1" as interval unions over one variable.
    static func inequality(_ t: String) -> MathValue? {
        guard t.contains("<") || t.contains(">") || t.contains("\\le") || t.contains("\\ge") else { return nil }
        var pieces = [IntervalPiece]()
        for alt in splitTop(t, ",").prefix(16) {
            // Tokens split at relation symbols.
            var s = alt
            for (a, b) in [
                ("\\le", " ≤ "), ("\\ge", " ≥ "), ("<=", " ≤ "), (">=", " ≥ "), ("<", " < "), (">", " > "),
            ] {
                s = s.replacingOccurrences(of: a, with: b)
            }
            var terms = [String](), rels = [String](), cur = ""
            for ch in s {
                if "≤≥<>".contains(ch) {
                    terms.append(cur); rels.append(String(ch)); cur = ""
                } else {
                    cur.append(ch)
                }
            }
            terms.append(cur)
            let es = terms.map { expr($0) }
            guard es.allSatisfy({ $0 != nil }), rels.count == 1 || rels.count == 2 else { return nil }
            let e = es.map { $0! }
            let varIndex = e.firstIndex { $0.isSymbolOnly != nil }
            guard let vi = varIndex else { return nil }
            var lo = Expr.neg(.infinity), hi = Expr.infinity, loC = false, hiC = false
            for (k, rel) in rels.enumerated() {
                // term k REL term k+1
                let lessish = rel == "<" || rel == "≤", closed = rel == "≤" || rel == "≥"
                if k + 1 == vi { // bound REL x
                    if lessish { lo = e[k]; loC = closed } else { hi = e[k]; hiC = closed }
                } else if k == vi { // x REL bound
                    if lessish { hi = e[k + 1]; hiC = closed } else { lo = e[k + 1]; loC = closed }
                } else { return nil }
            }
            pieces.append(IntervalPiece(low: lo, high: hi, lowClosed: loC, highClosed: hiC))
        }
        return pieces.isEmpty ? nil : .union(pieces)
    }

    // MARK: brackets

    static func isOpen(_ c: Character) -> Bool { c == "(" || c == "[" || c == "{" }
    static func isClose(_ c: Character) -> Bool { c == ")" || c == "]" || c == "}" }

    /// Whether `sep` occurs outside all brackets (treating `\{`/`\}` as brackets).
    static func hasTopLevel(_ t: String, _ sep: Character) -> Bool {
        var d = 0
        for c in t {
            if isOpen(c) { d += 1 } else if isClose(c) { d -= 1 } else if c == sep && d == 0 { return true }
        }
        return false
    }

    static func splitTop(_ t: String, _ sep: Character) -> [String] {
        var out = [String](), cur = "", d = 0
        for c in t {
            if isOpen(c) { d += 1 } else if isClose(c) { d -= 1 }
            if c == sep && d == 0 { out.append(cur); cur = "" } else { cur.append(c) }
            if out.count >= 256 { break }
        }
        out.append(cur)
        return out.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The content of an outer bracket pair spanning the whole string, as in `(1, 2)` or `[5, 14)`.
    static func wrapped(_ t: String) -> (Character, String, Character)? {
        guard let f = t.first, let l = t.last, t.count >= 2, f == "(" || f == "[", l == ")" || l == "]" else {
            return nil
        }
        var d = 0
        for (k, c) in t.enumerated() {
            if isOpen(c) { d += 1 } else if isClose(c) { d -= 1; if d == 0 && k != t.count - 1 { return nil } }
        }
        return d == 0 ? (f, String(t.dropFirst().dropLast()), l) : nil
    }
}
