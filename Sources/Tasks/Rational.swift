/// Exact rational numbers (Int-backed; operations that overflow return nil, and callers fall
/// back to floating point).
public struct Rational: Hashable, Sendable, CustomStringConvertible {
    public let num: Int
    public let den: Int

    public init?(_ n: Int, _ d: Int) {
        guard d != 0 else { return nil }
        var n = n, d = d
        if d < 0 {
            guard n != Int.min, d != Int.min else { return nil }
            n = -n; d = -d
        }
        let g = Rational.gcd(n.magnitude, d.magnitude)
        num = n / Int(g); den = d / Int(g)
    }

    static func gcd(_ a: UInt, _ b: UInt) -> UInt { b == 0 ? max(a, 1) : gcd(b, a % b) }

    public var double: Double { Double(num) / Double(den) }
    public var description: String { den == 1 ? "\(num)" : "\(num)/\(den)" }

    /// Parses "12", "-3.25", "1e3" (exactly, when the decimal fits).
    public init?(decimal s: String) {
        var t = Substring(s)
        var sign = 1
        if t.first == "-" { sign = -1; t = t.dropFirst() } else if t.first == "+" { t = t.dropFirst() }
        var exp = 0
        if let e = t.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let v = Int(t[t.index(after: e)...]), abs(v) < 19 else { return nil }
            exp = v; t = t[..<e]
        }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !t.isEmpty, t != "." else { return nil }
        let ip = parts[0], fp = parts.count == 2 ? parts[1] : ""
        guard (ip + fp).allSatisfy(\.isASCII), (ip + fp).allSatisfy(\.isNumber), ip.count + fp.count <= 18 else {
            return nil
        }
        guard var n = Int(ip.isEmpty && fp.isEmpty ? "0" : String(ip + fp).isEmpty ? "0" : String(ip + fp)) else {
            return nil
        }
        var d = 1
        for _ in 0..<fp.count { d *= 10 }
        if exp > 0 {
            for _ in 0..<exp { let (m, o) = n.multipliedReportingOverflow(by: 10); if o { return nil }; n = m }
        }
        if exp < 0 {
            for _ in 0..<(-exp) { let (m, o) = d.multipliedReportingOverflow(by: 10); if o { return nil }; d = m }
        }
        self.init(sign * n, d)
    }

    public static func + (a: Rational, b: Rational) -> Rational? {
        let (x, o1) = a.num.multipliedReportingOverflow(by: b.den),
            (y, o2) = b.num.multipliedReportingOverflow(by: a.den)
        let (d, o3) = a.den.multipliedReportingOverflow(by: b.den)
        guard !o1, !o2, !o3 else { return nil }
        let (s, o4) = x.addingReportingOverflow(y)
        return o4 ? nil : Rational(s, d)
    }
    public static prefix func - (a: Rational) -> Rational { Rational(-a.num, a.den)! }
    public static func * (a: Rational, b: Rational) -> Rational? {
        let (n, o1) = a.num.multipliedReportingOverflow(by: b.num),
            (d, o2) = a.den.multipliedReportingOverflow(by: b.den)
        return o1 || o2 ? nil : Rational(n, d)
    }
    public var reciprocal: Rational? { Rational(den, num) }
}
