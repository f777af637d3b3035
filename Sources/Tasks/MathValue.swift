import Foundation

/// One end of an interval.
public struct IntervalPiece: Sendable, Equatable {
    public var low: Expr, high: Expr
    public var lowClosed: Bool, highClosed: Bool
}

/// A parsed answer, by kind. Parsing never fails: what is not maths is `.text`.
public indirect enum MathValue: Sendable, Equatable {
    case expr(Expr)
    /// Bracketed comma list: an ordered tuple or point, or (with two items) possibly an interval.
    case bracket(open: Character, [MathValue], close: Character)
    /// `\{a, b\}`, or a bare comma list of solutions: compared order-free.
    case set([MathValue])
    case list([MathValue])
    case union([IntervalPiece])
    case equation(Expr, Expr)
    case matrix([[MathValue]])
    case choice(Character)
    case based(digits: String, base: Int)
    case text(String)

    /// Canonical key of the equivalence class (integers as plain decimal text).
    public var key: String {
        switch self {
        case .expr(let e): return MathValue.exprKey(e)
        case .bracket(let o, let xs, let c): return String(o) + xs.map(\.key).joined(separator: ",") + String(c)
        case .set(let xs), .list(let xs): return "{" + xs.map(\.key).sorted().joined(separator: ",") + "}"
        case .union(let ps):
            return ps.map {
                ($0.lowClosed ? "[" : "(") + MathValue.exprKey($0.low) + "," + MathValue.exprKey($0.high)
                    + ($0.highClosed ? "]" : ")")
            }
            .joined(separator: "U")
        case .equation(let l, let r):
            if l.isSymbolOnly != nil { return MathValue.exprKey(r) }
            return MathValue.exprKey(l) + "=" + MathValue.exprKey(r)
        case .matrix(let rows):
            return "[" + rows.map { "[" + $0.map(\.key).joined(separator: ",") + "]" }.joined(separator: ",") + "]"
        case .choice(let c): return String(c)
        case .based(let d, let b): return "\(d)_\(b)"
        case .text(let s): return s
        }
    }

    /// Exact value as text; else the numeric value; else values at two fixed points.
    static func exprKey(_ e: Expr) -> String {
        if let r = e.exact { return r.description }
        if e.containsInfinity {
            if case .neg = e { return "-inf" }
            return e == .infinity ? "inf" : e.text
        }
        var vs = Set<String>(); e.variables(into: &vs)
        let pts = vs.isEmpty ? [[:]] : Expr.points(for: vs.sorted(), count: 2)
        let vals = pts.map { e.eval($0) }
        guard vals.allSatisfy(\.isFinite) else { return e.text }
        func f(_ x: Double) -> String { abs(x) < 1e-12 ? "0" : String(format: "%.10g", x) }
        let body = vals.map {
            abs($0.im) < 1e-12 * max(1, abs($0.re)) ? f($0.re) : "\(f($0.re))\($0.im < 0 ? "" : "+")\(f($0.im))i"
        }
        .joined(separator: ";")
        return vs.isEmpty ? "≈" + body : "f(\(vs.sorted().joined(separator: ",")))≈" + body
    }
}

/// Equivalence of answers, with a readable reason.
enum Equivalence {
    static let symbolicTolerance = 1e-8
    static let maxItems = 64

    static func compare(gold: MathValue, response r: MathValue) -> (Bool, String) {
        switch (gold, r) {
        case (.text(let a), .text(let b)):
            return a == b ? (true, "same text") : (false, "text differs")
        case (.choice(let a), .choice(let b)):
            return a == b ? (true, "same choice \(a)") : (false, "choice \(b) is not \(a)")
        case (.choice(let a), _):
            var letter: String? = nil
            if case .text(let b) = r { letter = b } else if case .expr(.sym(let b)) = r { letter = b }
            if let b = letter, b.uppercased() == String(a) { return (true, "same choice \(a)") }
            return (false, "the gold is choice \(a)")
        case (.based(let d1, let b1), .based(let d2, let b2)):
            if b1 != b2 { return (false, "base \(b2) is not base \(b1)") }
            return d1 == d2 ? (true, "same digits in base \(b1)") : (false, "digits differ in base \(b1)")
        case (.based(let d, let b), .expr(let e)):
            // The base was implied: the same digit string counts.
            if let v = e.exact, v.isInteger, v.num.description == d {
                return (true, "same digits \(d) (base \(b) implied)")
            }
            return (false, "not the digits \(d) in base \(b)")
        case (.expr(let a), .expr(let b)): return exprs(a, b)
        case (.equation(let l1, let r1), .equation(let l2, let r2)): return equations((l1, r1), (l2, r2))
        case (.expr, .equation(let l, let rr)) where l.isSymbolOnly != nil:
            let (ok, why) = compare(gold: gold, response: .expr(rr))
            return (ok, "right-hand side of \(l.text) = ...: " + why)
        case (.equation(let l, let rg), .expr) where l.isSymbolOnly != nil:
            let (ok, why) = compare(gold: .expr(rg), response: r)
            return (ok, "against the gold's right-hand side: " + why)
        case (.set(let a), .set(let b)), (.set(let a), .list(let b)),
             (.list(let a), .list(let b)), (.list(let a), .set(let b)):
            return unordered(a, b)
        case (.bracket(let o1, let a, let c1), .bracket(let o2, let b, let c2)):
            if a.count == 2 && b.count == 2, let ia = interval(gold), let ib = interval(r) { return unions(ia, ib) }
            guard o1 == o2 && c1 == c2 else { return (false, "brackets \(o2)\(c2) are not \(o1)\(c1)") }
            return ordered(a, b)
        case (.bracket(_, let a, _), .list(let b)):
            return ordered(a, b)
        case (.bracket, .matrix(let m)), (.list, .matrix(let m)):
            if case .bracket(_, let a, _) = gold, m.count == 1 || m.allSatisfy({ $0.count == 1 }) {
                return ordered(a, m.flatMap { $0 })
            }
            if case .list(let a) = gold, m.count == 1 || m.allSatisfy({ $0.count == 1 }) {
                return ordered(a, m.flatMap { $0 })
            }
            return (false, "matrix shape differs")
        case (.matrix(let m), .bracket(_, let b, _)):
            if m.count == 1 || m.allSatisfy({ $0.count == 1 }) { return ordered(m.flatMap { $0 }, b) }
            return (false, "the gold is a matrix")
        case (.matrix(let a), .matrix(let b)):
            guard a.count == b.count, zip(a, b).allSatisfy({ $0.count == $1.count }) else {
                return (false, "matrix shape differs")
            }
            return ordered(a.flatMap { $0 }, b.flatMap { $0 })
        case (.text(let a), _):
            // A text gold compares with the response's text form ("\text{Evelyn}" vs "Evelyn").
            return a == r.key ? (true, "same text") : (false, "text differs")
        default:
            if let ia = interval(gold), let ib = interval(r) { return unions(ia, ib) }
            if case .set(let a) = gold, a.count == 1 { return compare(gold: a[0], response: r) }
            if case .list(let b) = r, b.count > 1 {
                return (false, "\(b.count) answers given, one expected")
            }
            return (false, "a \(kind(r)) is not a \(kind(gold))")
        }
    }

    static func kind(_ v: MathValue) -> String {
        switch v {
        case .expr: return "number or expression"
        case .bracket: return "tuple or interval"
        case .set: return "set"
        case .list: return "list"
        case .union: return "interval union"
        case .equation: return "equation"
        case .matrix: return "matrix"
        case .choice: return "choice"
        case .based: return "number in a base"
        case .text: return "text"
        }
    }

    static func ordered(_ a: [MathValue], _ b: [MathValue]) -> (Bool, String) {
        guard a.count == b.count else { return (false, "\(b.count) entries, expected \(a.count)") }
        for (k, (x, y)) in zip(a, b).enumerated() {
            let (ok, why) = compare(gold: x, response: y)
            if !ok { return (false, "entry \(k + 1): \(why)") }
        }
        return (true, "all \(a.count) entries equivalent in order")
    }

    static func unordered(_ a: [MathValue], _ b: [MathValue]) -> (Bool, String) {
        guard a.count == b.count else { return (false, "\(b.count) elements, expected \(a.count)") }
        guard a.count <= maxItems else {
            return (a.map(\.key).sorted() == b.map(\.key).sorted(), "compared by class keys (long list)")
        }
        var used = Array(repeating: false, count: b.count)
        for x in a {
            guard let j = b.indices.first(where: { !used[$0] && compare(gold: x, response: b[$0]).0 }) else {
                return (false, "no match for \(x.key)")
            }
            used[j] = true
        }
        return (true, "all \(a.count) elements matched, order-free")
    }

    static func interval(_ v: MathValue) -> [IntervalPiece]? {
        switch v {
        case .union(let ps): return ps
        case .bracket(let o, let xs, let c) where xs.count == 2 && "([".contains(o) && ")]".contains(c):
            guard case .expr(let lo) = xs[0], case .expr(let hi) = xs[1] else { return nil }
            return [IntervalPiece(low: lo, high: hi, lowClosed: o == "[", highClosed: c == "]")]
        default: return nil
        }
    }

    static func unions(_ a: [IntervalPiece], _ b: [IntervalPiece]) -> (Bool, String) {
        guard a.count == b.count else { return (false, "\(b.count) intervals, expected \(a.count)") }
        func order(_ ps: [IntervalPiece]) -> [IntervalPiece] {
            ps.sorted { x, y in endValue(x.low) < endValue(y.low) }
        }
        for (x, y) in zip(order(a), order(b)) {
            guard x.lowClosed == y.lowClosed, x.highClosed == y.highClosed else {
                return (false, "open/closed ends differ")
            }
            guard endpoints(x.low, y.low), endpoints(x.high, y.high) else { return (false, "interval ends differ") }
        }
        return (true, "same interval\(a.count > 1 ? "s" : "") and ends")
    }

    static func endValue(_ e: Expr) -> Double {
        if e == .infinity { return .infinity }
        if e == .neg(.infinity) { return -.infinity }
        return e.eval([:]).re
    }

    static func endpoints(_ a: Expr, _ b: Expr) -> Bool {
        if a.containsInfinity || b.containsInfinity { return endValue(a) == endValue(b) }
        return exprs(a, b).0
    }

    static func exprs(_ a: Expr, _ b: Expr) -> (Bool, String) {
        if let x = a.exact, let y = b.exact {
            return x == y ? (true, "equal as exact rationals (\(x))") : (false, "\(y) is not \(x) (exact)")
        }
        if a.containsInfinity || b.containsInfinity {
            let same = endValue(a) == endValue(b) && a.containsInfinity && b.containsInfinity
            return same ? (true, "same infinity") : (false, "infinity differs")
        }
        var vs = Set<String>(); a.variables(into: &vs); b.variables(into: &vs)
        if vs.isEmpty {
            // Constants: numeric comparison, but never a tolerance on a big integer.
            let x = a.eval([:]), y = b.eval([:])
            guard x.isFinite, y.isFinite else { return (false, "not a finite number") }
            if let q = a.exact ?? b.exact, q.isInteger, q.num.magnitude.bitWidth > 40 {
                return (false, "an irrational expression is not the integer \(q)")
            }
            return Expr.close(x, y, tol: 1e-10)
                ? (true, "numerically equal (relative 1e-10)") : (false, "values differ numerically")
        }
        var compared = 0
        for env in Expr.points(for: vs.sorted()) {
            let x = a.eval(env), y = b.eval(env)
            if !x.isFinite && !y.isFinite { continue }
            guard x.isFinite, y.isFinite, Expr.close(x, y, tol: symbolicTolerance) else {
                return (false, "differ at a random point of \(vs.sorted().joined(separator: ", "))")
            }
            compared += 1
        }
        return compared >= 2 ? (true, "equal at \(compared) seeded random points") : (false, "could not evaluate")
    }

    static func equations(_ g: (Expr, Expr), _ r: (Expr, Expr)) -> (Bool, String) {
        if let v = g.0.isSymbolOnly, r.0.isSymbolOnly == v {
            let (ok, why) = exprs(g.1, r.1); return (ok, "same variable \(v): " + why)
        }
        // Same solution set for linear relations: lhs - rhs proportional (y = 2x + 1 vs 2x + 1 = y).
        let d1 = Expr.add([g.0, .neg(g.1)]), d2 = Expr.add([r.0, .neg(r.1)])
        var vs = Set<String>(); d1.variables(into: &vs); d2.variables(into: &vs)
        var ratio: Complex? = nil, n = 0
        for env in Expr.points(for: vs.sorted()) {
            let x = d1.eval(env), y = d2.eval(env)
            guard x.isFinite, y.isFinite else { continue }
            if x.magnitude < 1e-12 && y.magnitude < 1e-12 { continue }
            let q = x / y
            guard q.isFinite, q.magnitude > 1e-12 else { return (false, "equations differ") }
            if let p = ratio, !Expr.close(p, q, tol: symbolicTolerance) { return (false, "equations differ") }
            ratio = q; n += 1
        }
        return n >= 2
            ? (true, "equations are proportional (same relation)") : (false, "could not compare the equations")
    }
}
