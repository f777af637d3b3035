import Foundation
import Seeds

/// A parsed mathematical expression. Sums and products are n-ary so that the tree depth is the
/// nesting depth of the source (bounded by `ExprParser.maxDepth`), never its length.
public indirect enum Expr: Sendable, Equatable {
    case num(Rational)
    case sym(String)        // a variable such as x, y_1, \alpha
    case pi, e, i, infinity
    case add([Expr])
    case mul([Expr])
    case neg(Expr)
    case div(Expr, Expr)
    case pow(Expr, Expr)
    case fn(String, [Expr]) // sqrt, root, sin, ..., factorial, binom, gcd, or an unknown f

    var isSymbolOnly: String? { if case .sym(let s) = self { return s }; return nil }

    /// Variables occurring in the expression (sorted, for seeded evaluation).
    func variables(into set: inout Set<String>) {
        switch self {
        case .sym(let s): set.insert(s)
        case .add(let xs), .mul(let xs), .fn(_, let xs): for x in xs { x.variables(into: &set) }
        case .neg(let x): x.variables(into: &set)
        case .div(let a, let b), .pow(let a, let b): a.variables(into: &set); b.variables(into: &set)
        default: break
        }
    }

    var containsInfinity: Bool {
        switch self {
        case .infinity: return true
        case .add(let xs), .mul(let xs), .fn(_, let xs): return xs.contains { $0.containsInfinity }
        case .neg(let x): return x.containsInfinity
        case .div(let a, let b), .pow(let a, let b): return a.containsInfinity || b.containsInfinity
        default: return false
        }
    }

    // MARK: exact evaluation

    /// The exact rational value when the expression is variable-free and rational
    /// (integer powers, perfect-square roots, factorials, gcd/lcm, binomials); nil otherwise.
    var exact: Rational? {
        switch self {
        case .num(let r): return r
        case .sym, .pi, .e, .i, .infinity: return nil
        case .add(let xs):
            var s = Rational.zero
            for x in xs { guard let v = x.exact, let t = s + v else { return nil }; s = t }
            return s
        case .mul(let xs):
            var p = Rational.one
            for x in xs { guard let v = x.exact, let t = p * v else { return nil }; p = t }
            return p
        case .neg(let x): return x.exact.map { -$0 }
        case .div(let a, let b):
            guard let x = a.exact, let y = b.exact else { return nil }
            return x / y
        case .pow(let a, let b):
            guard let x = a.exact, let y = b.exact else { return nil }
            if y.isInteger, let n = y.intValue { return x.power(n) }
            if y.den == 2, let n = y.num.magnitude <= 64 ? Int(y.num) : nil, let r = x.exactSquareRoot {
                return r.power(n)
            }
            return nil
        case .fn(let name, let args):
            let vs = args.compactMap(\.exact)
            guard vs.count == args.count else { return nil }
            switch (name, vs.count) {
            case ("sqrt", 1): return vs[0].exactSquareRoot
            case ("abs", 1): return vs[0] < .zero ? -vs[0] : vs[0]
            case ("factorial", 1):
                guard let n = vs[0].intValue, n >= 0, n <= 400 else { return nil }
                var p = Rational.one
                for k in stride(from: 2, through: max(n, 1), by: 1) {
                    guard let t = p * Rational(k) else { return nil }; p = t
                }
                return p
            case ("binom", 2):
                guard let n = vs[0].intValue, let k = vs[1].intValue, n >= 0, n <= 2000, k >= 0 else { return nil }
                if k > n { return .zero }
                var p = Rational.one
                for j in 0..<min(k, n - k) {
                    guard let t = p * Rational(n - j), let u = t / Rational(j + 1) else { return nil }; p = u
                }
                return p
            case ("gcd", _), ("lcm", _):
                guard !vs.isEmpty, vs.allSatisfy(\.isInteger) else { return nil }
                var g = vs[0].num.magnitude
                for v in vs.dropFirst() {
                    let m = v.num.magnitude
                    if name == "gcd" { g = g.greatestCommonDivisor(with: m) }
                    else { let d = g.greatestCommonDivisor(with: m); g = d == 0 ? 0 : g / d * m }
                }
                return Rational(.init(g), 1)
            case ("max", _), ("min", _):
                guard var best = vs.first else { return nil }
                for v in vs.dropFirst() where name == "max" ? best < v : v < best { best = v }
                return best
            default: return nil
            }
        }
    }

    // MARK: numeric evaluation

    /// Complex value with the variables bound by `env`.
    func eval(_ env: [String: Complex]) -> Complex {
        switch self {
        case .num(let r): return Complex(r.double)
        case .sym(let s): return env[s] ?? Complex(.nan)
        case .pi: return Complex(.pi)
        case .e: return Complex(M_E)
        case .i: return Complex(0, 1)
        case .infinity: return Complex(.infinity)
        case .add(let xs): return xs.reduce(Complex(0)) { $0 + $1.eval(env) }
        case .mul(let xs): return xs.reduce(Complex(1)) { $0 * $1.eval(env) }
        case .neg(let x): return Complex(0) - x.eval(env)
        case .div(let a, let b): return a.eval(env) / b.eval(env)
        case .pow(let a, let b):
            let x = a.eval(env)
            if let n = b.exact, n.isInteger, let k = n.intValue, abs(k) <= 1024 { return x.power(k) }
            return x.pow(b.eval(env))
        case .fn(let name, let args):
            let v = args.map { $0.eval(env) }
            return Complex.apply(name, v)
        }
    }

    /// Canonical-ish text for display and class keys of symbolic answers.
    var text: String {
        switch self {
        case .num(let r): return r.description
        case .sym(let s): return s
        case .pi: return "pi"
        case .e: return "e"
        case .i: return "i"
        case .infinity: return "inf"
        case .add(let xs): return "(" + xs.map(\.text).joined(separator: "+") + ")"
        case .mul(let xs): return xs.map(\.text).joined(separator: "*")
        case .neg(let x): return "-" + x.text
        case .div(let a, let b): return "(\(a.text))/(\(b.text))"
        case .pow(let a, let b): return "(\(a.text))^(\(b.text))"
        case .fn(let n, let xs): return n + "(" + xs.map(\.text).joined(separator: ",") + ")"
        }
    }
}

/// Minimal complex arithmetic for seeded evaluation (principal branches).
public struct Complex: Sendable, Equatable {
    public var re: Double, im: Double
    public init(_ re: Double, _ im: Double = 0) { self.re = re; self.im = im }
    var isFinite: Bool { re.isFinite && im.isFinite }
    var magnitude: Double { (re * re + im * im).squareRoot() }
    static func + (a: Complex, b: Complex) -> Complex { Complex(a.re + b.re, a.im + b.im) }
    static func - (a: Complex, b: Complex) -> Complex { Complex(a.re - b.re, a.im - b.im) }
    static func * (a: Complex, b: Complex) -> Complex { Complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re) }
    static func / (a: Complex, b: Complex) -> Complex {
        let d = b.re * b.re + b.im * b.im
        if d == 0 { return Complex(.nan, .nan) }
        return Complex((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d)
    }
    func power(_ k: Int) -> Complex {
        var base = k < 0 ? Complex(1) / self : self, n = abs(k), r = Complex(1)
        while n > 0 { if n & 1 == 1 { r = r * base }; base = base * base; n >>= 1 }
        return r
    }
    var log: Complex { Complex(Foundation.log(magnitude), atan2(im, re)) }
    var exp: Complex { let m = Foundation.exp(re); return Complex(m * cos(im), m * sin(im)) }
    func pow(_ w: Complex) -> Complex {
        if re == 0 && im == 0 { return w.re > 0 ? Complex(0) : Complex(.nan, .nan) }
        return (w * log).exp
    }
    var sqrt: Complex { pow(Complex(0.5)) }

    static func apply(_ name: String, _ v: [Complex]) -> Complex {
        let nan = Complex(.nan, .nan)
        let iC = Complex(0, 1)
        func one(_ f: (Complex) -> Complex) -> Complex { v.count == 1 ? f(v[0]) : nan }
        switch name {
        case "sqrt": return one { $0.sqrt }
        case "root": return v.count == 2 ? v[1].pow(Complex(1) / v[0]) : nan
        case "exp": return one { $0.exp }
        case "ln": return one { $0.log }
        case "log": return v.count == 2 ? v[1].log / v[0].log : one { $0.log / Complex(Foundation.log(10)) }
        case "sin": return one { z in (z * iC).exp - (Complex(0) - z * iC).exp }.divided(by: Complex(0, 2))
        case "cos": return one { z in (z * iC).exp + (Complex(0) - z * iC).exp }.divided(by: Complex(2))
        case "tan": return apply("sin", v) / apply("cos", v)
        case "cot": return apply("cos", v) / apply("sin", v)
        case "sec": return Complex(1) / apply("cos", v)
        case "csc": return Complex(1) / apply("sin", v)
        case "abs": return one { Complex($0.magnitude) }
        case "arctan": return one { z in ((iC + z) / (iC - z)).log * Complex(0, -0.5) }
        case "arcsin": return one { z in (iC * z + (Complex(1) - z * z).sqrt).log * Complex(0, -1) }
        case "arccos": return one { z in Complex(.pi / 2) - apply("arcsin", [z]) }
        case "factorial":
            return one { z in
                guard z.im == 0, z.re >= 0, z.re <= 170, z.re == z.re.rounded() else {
                    return Complex(tgamma(z.re + 1))
                }
                return Complex(tgamma(z.re + 1))
            }
        default:
            // An unknown function (gcd of non-integers, f(x, y), P(1, 2)): a fixed pseudo-random
            // injective-looking combination of its arguments, the same on both sides.
            var h = Complex(Double(Expr.stableHash(name) % 1000) / 997.0 + 0.5)
            for (k, a) in v.enumerated() {
                h = h * Complex(1.7 + Double(k) * 0.31, 0.4) + a * a * Complex(0.23, Double(k + 1) * 0.11) + a
            }
            return h
        }
    }
    func divided(by d: Complex) -> Complex { self / d }
}

extension Expr {
    /// FNV-1a over UTF-8 (stable across processes, unlike Hasher).
    static func stableHash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in s.utf8 { h ^= UInt64(b); h = h &* 0x100000001b3 }
        return h
    }

    /// Seeded evaluation points: three real (positive, away from poles of common forms) and
    /// three complex. The same variables get the same values on both sides of a comparison.
    static func points(for vars: [String], count: Int = 6) -> [[String: Complex]] {
        (0..<count).map { k in
            var env = [String: Complex]()
            for v in vars {
                var g = SplitMix64(seed: stableHash(v) ^ (UInt64(k + 1) &* 0x9E3779B97F4A7C15))
                let a = 0.37 + 2.1 * Double(g.next() >> 11) / Double(1 << 53)
                let b = -1.3 + 2.6 * Double(g.next() >> 11) / Double(1 << 53)
                env[v] = k < 3 ? Complex(a) : Complex(a - 1.1, b)
            }
            return env
        }
    }

    static func close(_ a: Complex, _ b: Complex, tol: Double) -> Bool {
        let d = (a - b).magnitude
        return d <= tol * max(1, a.magnitude, b.magnitude)
    }
}
