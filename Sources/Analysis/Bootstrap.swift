import Seeds

/// Percentile bootstrap over problems (METHODS.md: 1000 resamples, 95%, seeded).
public struct Interval: Sendable, Equatable, Codable {
    public var value: Double
    public var low: Double
    public var high: Double
}

public enum Bootstrap {
    /// Mean of per-problem values with a percentile CI.
    public static func mean(_ xs: [Double], resamples: Int = 1000, level: Double = 0.95, seed: UInt64 = 0) -> Interval {
        guard !xs.isEmpty else { return Interval(value: .nan, low: .nan, high: .nan) }
        let m = xs.reduce(0, +) / Double(xs.count)
        var rng = SplitMix64(seed: seed)
        var stats = [Double]()
        stats.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var s = 0.0
            for _ in 0..<xs.count { s += xs[Int(rng.next() % UInt64(xs.count))] }
            stats.append(s / Double(xs.count))
        }
        stats.sort()
        let a = (1 - level) / 2
        return Interval(value: m, low: percentile(stats, a), high: percentile(stats, 1 - a))
    }

    /// The `p` quantile of sorted values (nearest rank on (count - 1) p).
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count - 1)).rounded())))]
    }

    /// Paired comparison of two configurations on the same problems: mean difference b - a
    /// with a CI from resampling problems.
    public static func pairedDifference(_ a: [Double], _ b: [Double], resamples: Int = 1000, level: Double = 0.95,
                                        seed: UInt64 = 0) -> Interval {
        precondition(a.count == b.count, "paired comparison needs the same problems")
        return mean(zip(a, b).map { $1 - $0 }, resamples: resamples, level: level, seed: seed)
    }
}

/// A band around a curve: `low[j]` and `high[j]` at the curve's j-th point.
public struct CurveBand: Sendable, Equatable, Codable {
    public var low: [Double]
    public var high: [Double]
    /// pointwise: each point's own percentile interval; simultaneous: covers the whole curve at
    /// once at the stated level (sup-t band).
    public var kind: String
}

extension Bootstrap {
    /// Bands around the mean of per-unit curves (`rows[u][j]`, every row the same length),
    /// resampling units (problems) with replacement: the pointwise percentile band, and the
    /// simultaneous sup-t band m_j +/- c * sd_j, where c is the `level` quantile over resamples
    /// of max_j |m*_j - m_j| / sd_j (points with sd_j = 0 are exact and excluded from the max).
    /// Both are clipped to [0, 1]: every curve banded here is a proportion.
    public static func curveBands(_ rows: [[Double]], resamples: Int = 1000, level: Double = 0.95,
                                  seed: UInt64 = 0) -> (pointwise: CurveBand, simultaneous: CurveBand)? {
        guard let width = rows.first?.count, width > 0, rows.allSatisfy({ $0.count == width }) else { return nil }
        let n = rows.count, r = max(resamples, 2)
        let mean = (0..<width).map { j in rows.reduce(0) { $0 + $1[j] } / Double(n) }
        var rng = SplitMix64(seed: seed)
        var draws = [[Double]](repeating: [Double](repeating: 0, count: width), count: r)
        for b in 0..<r {
            for _ in 0..<n {
                let row = rows[Int(rng.next() % UInt64(n))]
                for j in 0..<width { draws[b][j] += row[j] }
            }
            for j in 0..<width { draws[b][j] /= Double(n) }
        }
        let a = (1 - level) / 2
        var pLow = [Double](), pHigh = [Double]()
        for j in 0..<width {
            let col = draws.map { $0[j] }.sorted()
            pLow.append(percentile(col, a)); pHigh.append(percentile(col, 1 - a))
        }
        return (CurveBand(low: pLow, high: pHigh, kind: "pointwise"), supBand(estimate: mean, draws: draws, level: level))
    }

    /// The simultaneous sup-t band around `estimate` from bootstrap `draws` of the whole curve:
    /// estimate_j +/- c * sd_j, c the `level` quantile of max_j |draw_j - estimate_j| / sd_j
    /// (points with sd_j = 0 excluded from the max); clipped to [0, 1].
    public static func supBand(estimate: [Double], draws: [[Double]], level: Double = 0.95) -> CurveBand {
        let width = estimate.count, r = draws.count
        guard r > 1 else { return CurveBand(low: estimate, high: estimate, kind: "simultaneous") }
        let sd = (0..<width).map { j -> Double in
            let m = draws.reduce(0) { $0 + $1[j] } / Double(r)
            return (draws.reduce(0) { $0 + ($1[j] - m) * ($1[j] - m) } / Double(r - 1)).squareRoot()
        }
        let sup = draws.map { d in
            (0..<width).reduce(0.0) { acc, j in sd[j] > 1e-12 ? max(acc, abs(d[j] - estimate[j]) / sd[j]) : acc }
        }.sorted()
        let c = percentile(sup, level)
        func clip(_ v: Double) -> Double { min(1, max(0, v)) }
        return CurveBand(low: (0..<width).map { clip(estimate[$0] - c * sd[$0]) },
                         high: (0..<width).map { clip(estimate[$0] + c * sd[$0]) }, kind: "simultaneous")
    }
}
