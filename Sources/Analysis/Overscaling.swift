/// The overscaling curse and per-sample budgets (METHODS.md section 2).
public struct OverscalingReport: Sendable, Codable {
    public var grid: [Int]
    /// A_x(N) per problem, on the grid.
    public var curves: [[Double]]
    /// Mean A(N) over problems.
    public var datasetCurve: [Double]
    public var sampleOptimal: [Int]          // N*_x
    public var datasetBudget: Int            // N_D
    public var overscalingIndex: Double      // M_D
    public var redundancy: Double            // 1 - M_D
    public var curse: Bool                   // N_D > mean N*_x
    public var sampleTypes: [SampleType]
}

public enum SampleType: String, Sendable, Codable, CaseIterable {
    case alwaysRight = "always_right", alwaysWrong = "always_wrong", increasing, decreasing,
         nonMonotone = "non_monotone"
}

public enum Overscaling {
    /// Powers of two up to nMax.
    public static func grid(upTo nMax: Int) -> [Int] {
        var g = [Int](); var v = 1
        while v <= nMax { g.append(v); v *= 2 }
        return g
    }

    /// Smallest index whose value is within eps of the maximum.
    public static func minArgmax(_ xs: [Double], eps: Double = 0) -> Int {
        let m = xs.max() ?? 0
        return xs.firstIndex { $0 >= m - eps - 1e-12 } ?? 0
    }

    public static func classify(_ a: [Double], tolerance: Double = 1e-9) -> SampleType {
        if a.allSatisfy({ $0 >= 1 - tolerance }) { return .alwaysRight }
        if a.allSatisfy({ $0 <= tolerance }) { return .alwaysWrong }
        let steps = zip(a, a.dropFirst()).map { $1 - $0 }
        if steps.allSatisfy({ $0 >= -tolerance }) { return .increasing }
        if steps.allSatisfy({ $0 <= tolerance }) { return .decreasing }
        return .nonMonotone
    }

    /// From per-problem class counts and correct class: A_x(N) = maj@N on the grid.
    public static func report(pools: [(counts: [Int], correct: Int?)], grid: [Int], epsN: Double = 0,
                              tolerance: Double = 1e-9, seed: UInt64 = 0) -> OverscalingReport {
        let curves = pools.enumerated().map { (i, p) in
            grid.map { Estimators.majAtK(counts: p.counts, correct: p.correct, k: $0, seed: seed &+ UInt64(i)).value }
        }
        let datasetCurve = grid.indices.map { j in curves.reduce(0) { $0 + $1[j] } / Double(max(curves.count, 1)) }
        let nStar = curves.map { grid[minArgmax($0, eps: epsN)] }
        let nD = grid[minArgmax(datasetCurve)]
        let meanStar = Double(nStar.reduce(0, +)) / Double(max(nStar.count, 1))
        let md = meanStar / Double(nD)
        return OverscalingReport(grid: grid, curves: curves, datasetCurve: datasetCurve, sampleOptimal: nStar,
                                 datasetBudget: nD, overscalingIndex: md, redundancy: 1 - md,
                                 curse: Double(nD) > meanStar,
                                 sampleTypes: curves.map { classify($0, tolerance: tolerance) })
    }
}
