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
        func q(_ p: Double) -> Double {
            stats[min(stats.count - 1, max(0, Int((p * Double(stats.count - 1)).rounded())))]
        }
        return Interval(value: m, low: q(a), high: q(1 - a))
    }

    /// Paired comparison of two configurations on the same problems: mean difference b - a
    /// with a CI from resampling problems.
    public static func pairedDifference(_ a: [Double], _ b: [Double], resamples: Int = 1000, level: Double = 0.95,
                                        seed: UInt64 = 0) -> Interval {
        precondition(a.count == b.count, "paired comparison needs the same problems")
        return mean(zip(a, b).map { $1 - $0 }, resamples: resamples, level: level, seed: seed)
    }
}
