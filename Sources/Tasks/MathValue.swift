import Foundation

/// A parsed answer: an exact rational, an irrational number, a tuple/interval/set of
/// values, or text that did not parse (compared as normalised text).
public indirect enum MathValue: Hashable, Sendable {
    case rational(Rational)
    case real(Double)
    case tuple([MathValue], open: Character, close: Character)
    case set([MathValue])
    case text(String)

    /// Canonical key of the equivalence class ("No answer" is handled by the grader).
    public var key: String {
        switch self {
        case .rational(let r): return r.description
        case .real(let d): return String(format: "%.9g", d)
        case .tuple(let xs, let o, let c): return String(o) + xs.map(\.key).joined(separator: ",") + String(c)
        case .set(let xs): return "{" + xs.map(\.key).sorted().joined(separator: ",") + "}"
        case .text(let s): return s
        }
    }

    var double: Double? {
        switch self {
        case .rational(let r): return r.double
        case .real(let d): return d
        default: return nil
        }
    }

    /// Equivalence: exact for rationals, relative 1e-9 when an irrational is involved,
    /// element-wise for tuples and intervals, order-free for sets.
    public func equivalent(to o: MathValue) -> Bool {
        switch (self, o) {
        case (.rational(let a), .rational(let b)): return a == b
        case (.tuple(let a, let ao, let ac), .tuple(let b, let bo, let bc)):
            return a.count == b.count && ao == bo && ac == bc && zip(a, b).allSatisfy { $0.equivalent(to: $1) }
        case (.set(let a), .set(let b)):
            return a.count == b.count && a.allSatisfy { x in b.contains { x.equivalent(to: $0) } }
        case (.text(let a), .text(let b)): return a == b
        default:
            if let x = double, let y = o.double { return abs(x - y) <= 1e-9 * max(1, abs(x), abs(y)) }
            return false
        }
    }
}

/// Parses normalised answer text into a MathValue: numbers, fractions, + - * / ^, sqrt,
/// pi, parentheses; a comma list in (), [] or {} is a tuple, interval or set.
enum MathParser {
    static func parse(_ s: String) -> MathValue {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return .text("") }
        if let f = t.first, let l = t.last, t.count >= 2, "([{".contains(f), ")]}".contains(l), topLevelComma(t) {
            let inner = String(t.dropFirst().dropLast())
            let items = splitTopLevel(inner).map { parse($0) }
            if f == "{" && l == "}" { return .set(items) }
            return .tuple(items, open: f, close: l)
        }
        if topLevelComma(" " + t + " ") && !t.hasPrefix("(") {
            return .tuple(splitTopLevel(t).map { parse($0) }, open: "(", close: ")")
        }
        var p = Expr(Array(t))
        if let v = p.parseSum(), p.atEnd { return v }
        return .text(t.lowercased())
    }

    /// Whether a comma appears outside nested brackets (inside the outermost pair).
    static func topLevelComma(_ t: String) -> Bool {
        var depth = 0
        for (i, c) in t.enumerated() {
            if "([{".contains(c) { depth += 1 } else if ")]}".contains(c) { depth -= 1 }
            if c == "," && depth == (i == 0 ? 0 : 1) { return true }
        }
        return false
    }

    static func splitTopLevel(_ t: String) -> [String] {
        var out = [String](), cur = "", depth = 0
        for c in t {
            if "([{".contains(c) { depth += 1 } else if ")]}".contains(c) { depth -= 1 }
            if c == "," && depth == 0 { out.append(cur); cur = "" } else { cur.append(c) }
        }
        out.append(cur)
        return out.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Recursive-descent evaluator over characters.
    struct Expr {
        let c: [Character]
        var i = 0
        init(_ c: [Character]) { self.c = c }
        var atEnd: Bool { mutating get { skip(); return i >= c.count } }
        mutating func skip() { while i < c.count && c[i] == " " { i += 1 } }
        mutating func eat(_ ch: Character) -> Bool {
            skip(); if i < c.count && c[i] == ch { i += 1; return true }; return false
        }

        mutating func parseSum() -> MathValue? {
            guard var v = parseProduct() else { return nil }
            while true {
                if eat("+") {
                    guard let r = parseProduct(), let s = combine(v, r, { $0 + $1 }, +) else { return nil }; v = s
                } else if eat("-") {
                    guard let r = parseProduct(), let s = combine(v, negate(r), { $0 + $1 }, +) else {
                        return nil
                    }
                    v = s
                } else { return v }
            }
        }
        mutating func parseProduct() -> MathValue? {
            guard var v = parseUnary() else { return nil }
            while true {
                if eat("*") {
                    guard let r = parseUnary(), let s = combine(v, r, { $0 * $1 }, *) else { return nil }; v = s
                } else if eat("/") {
                    guard let r = parseUnary() else { return nil }
                    if case .rational(let q) = r, q.num == 0 { return nil }
                    guard let s = combine(v, r, { a, b in b.reciprocal.flatMap { a * $0 } }, /) else { return nil }
                    v = s
                } else if peekImplicit() {   // 2pi, 3sqrt(2), 2(3)
                    guard let r = parseUnary(), let s = combine(v, r, { $0 * $1 }, *) else { return nil }; v = s
                } else { return v }
            }
        }
        mutating func peekImplicit() -> Bool {
            skip()
            guard i < c.count else { return false }
            return c[i] == "(" || c[i] == "p" || c[i] == "s"
        }
        mutating func parseUnary() -> MathValue? {
            if eat("-") { return parseUnary().map(negate) }
            if eat("+") { return parseUnary() }
            guard let b = parseAtom() else { return nil }
            if eat("^") {
                guard let e = parseUnary() else { return nil }
                if case .rational(let base) = b, case .rational(let ex) = e, ex.den == 1, abs(ex.num) <= 64 {
                    var r = Rational(1, 1)!
                    for _ in 0..<abs(ex.num) { guard let m = r * base else { return pow(b, e) }; r = m }
                    return ex.num >= 0 ? .rational(r) : r.reciprocal.map { .rational($0) }
                }
                return pow(b, e)
            }
            return b
        }
        func pow(_ b: MathValue, _ e: MathValue) -> MathValue? {
            guard let x = b.double, let y = e.double else { return nil }
            let r = Foundation.pow(x, y)
            return r.isFinite ? .real(r) : nil
        }
        mutating func parseAtom() -> MathValue? {
            skip()
            guard i < c.count else { return nil }
            if c[i] == "(" {
                i += 1
                let v = parseSum()
                return eat(")") ? v : nil
            }
            if word("sqrt") {
                guard eat("("), let v = parseSum(), eat(")"), let d = v.double, d >= 0 else { return nil }
                let r = d.squareRoot()
                if case .rational(let q) = v, let n = Int(exactly: Double(q.num).squareRoot().rounded()),
                   let m = Int(exactly: Double(q.den).squareRoot().rounded()),
                   n * n == q.num, m * m == q.den, let e = Rational(n, m) { return .rational(e) }
                return .real(r)
            }
            if word("pi") { return .real(Double.pi) }
            var s = ""
            while i < c.count, c[i].isNumber || c[i] == "." { s.append(c[i]); i += 1 }
            if !s.isEmpty, let r = Rational(decimal: s) { return .rational(r) }
            if !s.isEmpty, let d = Double(s) { return .real(d) }
            return nil
        }
        mutating func word(_ w: String) -> Bool {
            skip()
            let a = Array(w)
            guard i + a.count <= c.count, Array(c[i..<(i + a.count)]) == a else { return false }
            i += a.count
            return true
        }
        func negate(_ v: MathValue) -> MathValue {
            switch v {
            case .rational(let r): return .rational(-r)
            case .real(let d): return .real(-d)
            default: return v
            }
        }
        func combine(_ a: MathValue, _ b: MathValue, _ exact: (Rational, Rational) -> Rational?,
                     _ real: (Double, Double) -> Double) -> MathValue? {
            if case .rational(let x) = a, case .rational(let y) = b, let r = exact(x, y) { return .rational(r) }
            guard let x = a.double, let y = b.double else { return nil }
            let r = real(x, y)
            return r.isFinite ? .real(r) : nil
        }
    }
}
