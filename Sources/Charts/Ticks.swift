import Foundation

/// Tick choices: 1-2-5 steps on linear axes, powers of two on log2 axes.
public enum Ticks {
    public static func values(_ lo: Double, _ hi: Double, scale: Scale, count: Int) -> [Double] {
        if scale == .log2 {
            let a = Int(floor(log2(max(lo, 1e-12)))), b = Int(ceil(log2(max(hi, 1e-12))))
            let every = max(1, (b - a + 1) / max(count, 1))
            return stride(from: a, through: b, by: every).map { pow(2, Double($0)) }
                .filter { $0 >= lo * 0.999 && $0 <= hi * 1.001 }
        }
        guard hi > lo else { return [lo] }
        let raw = (hi - lo) / Double(max(count, 1))
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        // Multiples of the step, rounded to 12 significant digits (0.6, not 0.6000000000000001).
        var k = ceil(lo / step - 1e-9), out = [Double]()
        while k * step <= hi + step * 1e-9 {
            let v = k * step
            out.append(abs(v) < step * 1e-9 ? 0 : Double(String(format: "%.12g", v)) ?? v)
            k += 1
        }
        return out
    }

    public static func fraction(_ v: Double, _ r: (Double, Double), _ scale: Scale) -> Double {
        if scale == .log2 { return (log2(max(v, 1e-12)) - log2(r.0)) / max(log2(r.1) - log2(r.0), 1e-12) }
        return (v - r.0) / max(r.1 - r.0, 1e-12)
    }

    public static func label(_ v: Double, percent: Bool, digits: Int? = nil) -> String {
        let x = percent ? v * 100 : v
        if let digits { return String(format: "%.\(digits)f", x) + (percent ? "" : "") }
        if abs(x - x.rounded()) < 1e-9 * max(1, abs(x)) && abs(x) < 1e7 {
            return String(Int(x.rounded())) + (percent ? "%" : "")
        }
        var s = String(format: "%.3f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s + (percent ? "%" : "")
    }
}
