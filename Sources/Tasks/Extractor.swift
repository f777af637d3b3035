import Foundation

/// Finds the final answer in a response. Every rule is one or two linear passes over the
/// UTF-8 bytes (brace matching is precomputed with a stack, never rescanned per occurrence).
enum Extractor {
    /// Longest extracted answer kept (bytes); longer spans are cut here.
    static let maxAnswerBytes = 16_000

    /// A gold answer is taken whole, unless it is boxed or in GSM8K's `#### x` form.
    static func goldText(_ g: String) -> String {
        let b = Array(g.utf8)
        if let (s, e) = lastBox(b) { return string(b, s, e) }
        if let h = hash(b) { return h }
        return g
    }

    /// Content of the last closed `\boxed{}` / `\fbox{}`, if any.
    static func lastBoxed(_ s: String) -> String? {
        let b = Array(s.utf8)
        return lastBox(b).map { string(b, $0.0, $0.1) }
    }

    static func extract(_ s: String) -> (text: String, rule: String)? {
        let b = Array(s.utf8)
        if let (st, en) = lastBox(b) {
            let t = string(b, st, en).trimmingCharacters(in: .whitespacesAndNewlines)
            if !t.isEmpty { return (t, "boxed") }
        }
        if let h = hash(b) { return (h, "hash") }
        if let t = answerIs(b) { return (t, "answer_is") }
        if let t = lastExpression(b, from: 0) { return (t, "last_value") }
        return nil
    }

    static func string(_ b: [UInt8], _ s: Int, _ e: Int) -> String {
        let end = min(e, s + maxAnswerBytes)
        return String(decoding: b[s..<max(s, end)], as: UTF8.self)
    }

    static let bs = UInt8(ascii: "\\"), lb = UInt8(ascii: "{"), rb = UInt8(ascii: "}")

    /// Closing brace index for every unescaped `{` (-1 when unclosed).
    static func braceMatches(_ b: [UInt8]) -> [Int32] {
        var m = [Int32](repeating: -1, count: b.count), stack = [Int32]()
        for k in b.indices {
            if k > 0 && b[k - 1] == bs { continue }
            if b[k] == lb {
                stack.append(Int32(k))
            } else if b[k] == rb, let o = stack.popLast() {
                m[Int(o)] = Int32(k)
            }
        }
        return m
    }

    static func matches(_ b: [UInt8], _ k: Int, _ word: String) -> Bool {
        let w = Array(word.utf8)
        guard k + w.count <= b.count else { return false }
        for j in w.indices where b[k + j] != w[j] { return false }
        return true
    }

    /// Content range of the `\boxed{...}` / `\fbox{...}` that closes last; `\boxed 5` too.
    static func lastBox(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 5 else { return nil }
        var m: [Int32]? = nil
        var best: (Int, Int)? = nil, bestClose = -1
        var k = 0
        while k < b.count {
            guard b[k] == bs else { k += 1; continue }
            var len = 0
            if matches(b, k, "\\boxed") { len = 6 } else if matches(b, k, "\\fbox") { len = 5 }
            guard len > 0 else { k += 1; continue }
            var j = k + len
            while j < b.count && b[j] == UInt8(ascii: " ") { j += 1 }
            if j < b.count && b[j] == lb {
                if m == nil { m = braceMatches(b) }
                let c = Int(m![j])
                if c > bestClose { bestClose = c; best = (j + 1, c) }
            } else if j > k + len {
                // "\boxed 5": up to the next space or $.
                var e = j
                while e < b.count && b[e] != UInt8(ascii: " ") && b[e] != UInt8(ascii: "$")
                    && b[e] != UInt8(ascii: "\n") {
                    e += 1
                }
                if e > j && e > bestClose { bestClose = e; best = (j, e) }
            }
            k = j
        }
        return best
    }

    /// The whole string is one box: its content.
    static func wholeBox(_ s: String) -> String? {
        guard s.hasPrefix("\\boxed") || s.hasPrefix("\\fbox") else { return nil }
        let b = Array(s.utf8)
        guard let (st, en) = lastBox(b), en == b.count - 1 || (en == b.count && b.last != rb) else { return nil }
        let prefixLen = s.hasPrefix("\\boxed") ? 6 : 5
        guard b[prefixLen..<st].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == lb }) else { return nil }
        return string(b, st, en)
    }

    /// Text after the last `####`, to the end of its line.
    static func hash(_ b: [UInt8]) -> String? {
        var k = b.count - 4
        while k >= 0 {
            if b[k] == UInt8(ascii: "#") && b[k + 1] == UInt8(ascii: "#")
                && b[k + 2] == UInt8(ascii: "#") && b[k + 3] == UInt8(ascii: "#") {
                var e = k + 4
                while e < b.count && b[e] != UInt8(ascii: "\n") { e += 1 }
                let t = string(b, k + 4, e).trimmingCharacters(in: CharacterSet(charactersIn: " #\t\r"))
                return t.isEmpty ? nil : t
            }
            k -= 1
        }
        return nil
    }

    static let phrases = ["final answer is", "the answer is", "answer is", "final answer:", "answer:"]

    /// After the last "the (final) answer is" / "answer:": the rest of the sentence.
    static func answerIs(_ b: [UInt8]) -> String? {
        let ps = phrases.map { Array($0.utf8) }
        var k = b.count - 1
        while k >= 0 {
            let c0 = b[k] >= 65 && b[k] <= 90 ? b[k] + 32 : b[k]
            if c0 != 102 && c0 != 116 && c0 != 97 { k -= 1; continue }   // f, t, a start every phrase
            for p in ps where k + p.count <= b.count {
                var ok = true
                for j in p.indices {
                    let c = b[k + j]; if (c >= 65 && c <= 90 ? c + 32 : c) != p[j] { ok = false; break }
                }
                guard ok else { continue }
                var s = k + p.count
                while s < b.count
                    && (b[s] == UInt8(ascii: " ") || b[s] == UInt8(ascii: ":") || b[s] == UInt8(ascii: "\n")) {
                    s += 1
                }
                var e = s
                while e < b.count && b[e] != UInt8(ascii: "\n") {
                    // A sentence ends at ". " (not a decimal point).
                    if b[e] == UInt8(ascii: ".")
                        && (e + 1 == b.count || b[e + 1] == UInt8(ascii: " ") || b[e + 1] == UInt8(ascii: "\n")) {
                        break
                    }
                    e += 1
                }
                var t = string(b, s, e).trimmingCharacters(in: .whitespaces)
                // "the answer is that 5 apples" / "answer is therefore $x=3$": drop leading words.
                for w in ["therefore ", "thus ", "that ", "so ", "then "] where t.lowercased().hasPrefix(w) {
                    t = String(t.dropFirst(w.count))
                }
                if t.hasPrefix("$"), let close = t.dropFirst().firstIndex(of: "$") {
                    t = String(t[t.index(after: t.startIndex)..<close])
                }
                if !t.isEmpty && t.contains(where: { !$0.isWhitespace }) { return t }
            }
            k -= 1
        }
        return nil
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }
    static let mathBytes = Set(" .,+-*/^()[]{}_=\\|!<>".utf8)

    /// The maximal run of maths around the last digit: digits, operators, brackets, LaTeX
    /// commands, Unicode minus, and single letters (variables); ends at plain words.
    static func lastExpression(_ b: [UInt8], from: Int) -> String? {
        var p = b.count - 1
        while p >= 0 && !isDigit(b[p]) { p -= 1 }
        guard p >= 0 else { return nil }
        func accepts(_ k: Int, leftward: Bool) -> Int {
            // Returns how many bytes starting (or ending) at k belong to the run, 0 if none.
            let c = b[k]
            if isDigit(c) || mathBytes.contains(c) { return 1 }
            if c == 0xE2 && !leftward && k + 2 < b.count && b[k + 1] == 0x88 && b[k + 2] == 0x92 { return 3 }
            if c == 0x92 && leftward && k >= 2 && b[k - 1] == 0x88 && b[k - 2] == 0xE2 { return 3 }
            if isLetter(c) {
                // The whole letter run: part of a \command, or a single letter.
                var s = k, e = k
                while s > 0 && isLetter(b[s - 1]) { s -= 1 }
                while e + 1 < b.count && isLetter(b[e + 1]) { e += 1 }
                let len = e - s + 1
                let command = s > 0 && b[s - 1] == bs
                let word = String(decoding: b[s...e], as: UTF8.self)
                let mathy = command
                    || (len == 1 && !(["a", "A", "I"].contains(word) && s > 0 && b[s - 1] == UInt8(ascii: " ")))
                    || ["sqrt", "pi"].contains(word)
                    || (["or", "and"].contains(word) && s > 0 && b[s - 1] == UInt8(ascii: " ")
                        && s > 1 && b[s - 2] == lb)
                guard mathy else { return 0 }
                return leftward ? k - s + 1 : e - k + 1
            }
            return 0
        }
        var e = p + 1
        while e < b.count { let n = accepts(e, leftward: false); if n == 0 { break }; e += n }
        var s = p
        while s > 0 { let n = accepts(s - 1, leftward: true); if n == 0 { break }; s -= n }
        s = max(s, 0)
        var t = string(b, s, e)
        t = t.trimmingCharacters(in: CharacterSet(charactersIn: " .,=:;"))
        // Drop a leading "x =" only when the left side is not maths ("so = 5").
        return balance(t)
    }

    /// Removes unmatched brackets (one pass with a stack).
    static func balance(_ t: String) -> String? {
        let c = Array(t)
        var keep = Array(repeating: true, count: c.count), stack = [Int]()
        for (k, ch) in c.enumerated() {
            if ch == "(" || ch == "[" || ch == "{" { stack.append(k) }
            else if ch == ")" || ch == "]" || ch == "}" { if stack.popLast() == nil { keep[k] = false } }
        }
        // Unclosed openers: an interval like "[1, 3)" is balanced by count, so only drop extras.
        for k in stack { keep[k] = false }
        let out = String(c.indices.filter { keep[$0] }.map { c[$0] })
            .trimmingCharacters(in: CharacterSet(charactersIn: " .,=:;"))
        return out.contains(where: \.isNumber) ? out : nil
    }
}
