import BigInt
import Foundation

/// Exact rational numbers over arbitrary-precision integers, always reduced, denominator > 0.
/// Operations whose result would exceed `Rational.maxBits` return nil so that no answer can make
/// the grader do unbounded arithmetic; callers then fall back to numeric evaluation.
public struct Rational: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let num: BigInt
    public let den: BigInt

    /// Largest numerator or denominator kept exactly (bits); 10^-400 needs 1,329.
    public static let maxBits = 16_384

    public init?(_ n: BigInt, _ d: BigInt) {
        guard d != 0 else { return nil }
        var n = n, d = d
        if d < 0 { n = -n; d = -d }
        let g = n.greatestCommonDivisor(with: d)
        if g > 1 { n /= g; d /= g }
        guard n.magnitude.bitWidth <= Rational.maxBits, d.magnitude.bitWidth <= Rational.maxBits else { return nil }
        num = n; den = d
    }

    public init(_ n: Int) { num = BigInt(n); den = 1 }

    public static let zero = Rational(0), one = Rational(1)

    public var isInteger: Bool { den == 1 }
    public var isZero: Bool { num == 0 }

    public var description: String { den == 1 ? num.description : "\(num)/\(den)" }

    /// Nearest double (no overflow for huge numerators or denominators over similar scales).
    public var double: Double {
        let bn = num.magnitude.bitWidth, bd = den.magnitude.bitWidth
        if bn <= 1000 && bd <= 1000 { return Double(num) / Double(den) }
        let sn = max(0, bn - 64), sd = max(0, bd - 64)
        let q = Double(num >> sn) / Double(den >> sd)
        return scalbn(q, sn - sd)
    }

    /// Parses "12", "-3.25", "1e3", "1.5E-4", ".5" exactly. Digits only (ASCII).
    public init?(decimal s: String) {
        var t = Substring(s)
        var negative = false
        if t.first == "-" { negative = true; t = t.dropFirst() } else if t.first == "+" { t = t.dropFirst() }
        var exp = 0
        if let e = t.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let v = Int(t[t.index(after: e)...]), abs(v) <= 5000 else { return nil }
            exp = v; t = t[..<e]
        }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !t.isEmpty, t != "." else { return nil }
        let ip = parts[0], fp = parts.count == 2 ? parts[1] : ""
        let digits = ip + fp
        guard digits.count <= 5000, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard let n = BigInt(digits.isEmpty ? "0" : String(digits), radix: 10) else { return nil }
        let scale = exp - fp.count
        let ten = BigInt(10)
        let r = scale >= 0 ? Rational(n * ten.power(scale), 1) : Rational(n, ten.power(-scale))
        guard let r else { return nil }
        self = negative ? -r : r
    }

    public static func + (a: Rational, b: Rational) -> Rational? {
        Rational(a.num * b.den + b.num * a.den, a.den * b.den)
    }
    public static func - (a: Rational, b: Rational) -> Rational? {
        Rational(a.num * b.den - b.num * a.den, a.den * b.den)
    }
    public static prefix func - (a: Rational) -> Rational { Rational(-a.num, a.den)! }
    public static func * (a: Rational, b: Rational) -> Rational? { Rational(a.num * b.num, a.den * b.den) }
    public static func / (a: Rational, b: Rational) -> Rational? {
        b.isZero ? nil : Rational(a.num * b.den, a.den * b.num)
    }
    public var reciprocal: Rational? { Rational(den, num) }

    public static func < (a: Rational, b: Rational) -> Bool { a.num * b.den < b.num * a.den }

    /// Integer power, nil when the result would be too large.
    public func power(_ e: Int) -> Rational? {
        if e == 0 { return isZero ? nil : .one }
        let bits = max(num.magnitude.bitWidth, den.magnitude.bitWidth)
        guard abs(e) <= 100_000, bits * abs(e) <= Rational.maxBits + 64 else {
            if num.magnitude == 1 && den == 1 { return num == 1 || e % 2 == 0 ? .one : Rational(-1) }
            return nil
        }
        let r = Rational(num.power(abs(e)), den.power(abs(e)))
        return e >= 0 ? r : r?.reciprocal
    }

    /// Exact square root when both parts are perfect squares.
    public var exactSquareRoot: Rational? {
        guard num >= 0 else { return nil }
        let a = num.magnitude.squareRoot(), b = den.magnitude.squareRoot()
        guard a * a == num.magnitude, b * b == den.magnitude else { return nil }
        return Rational(BigInt(a), BigInt(b))
    }

    /// Integer value when it fits in Int.
    public var intValue: Int? { den == 1 ? Int(exactly: num) : nil }
}
