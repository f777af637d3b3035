import Analysis
import Seeds
import Testing

/// Curve bands: the simultaneous (sup-t) band holds at least `level` of the bootstrap curves
/// entirely inside it and contains the pointwise band's interior at every point; per-problem
/// bands in the budget audit contain each problem's curve.
@Suite struct BandTests {
    /// Per-problem curves of a made-up dataset: 60 problems, 6 grid points, values in [0, 1].
    static func rows() -> [[Double]] {
        var rng = SplitMix64(seed: 42)
        return (0..<60).map { _ in
            let base: Double = Double(rng.next() % 1000) / 1000
            return (0..<6).map { (j: Int) -> Double in
                let noise: Double = Double(rng.next() % 100) / 1000 - 0.05
                let v: Double = base + Double(j) * 0.05 + noise
                return min(1, max(0, v))
            }
        }
    }

    @Test func simultaneousBandCoversWholeCurvesAndContainsPointwise() throws {
        let rows = Self.rows()
        let (pointwise, simultaneous) = try #require(Bootstrap.curveBands(rows, resamples: 2000, level: 0.95, seed: 3))
        #expect(simultaneous.kind == "simultaneous" && pointwise.kind == "pointwise")
        let mean = (0..<6).map { j in rows.reduce(0) { $0 + $1[j] } / Double(rows.count) }
        for j in 0..<6 {
            #expect(simultaneous.low[j] <= mean[j] && mean[j] <= simultaneous.high[j])
            // Wider than pointwise (allow the percentile band's asymmetry a small margin).
            #expect(simultaneous.high[j] - simultaneous.low[j] >= (pointwise.high[j] - pointwise.low[j]) * 0.95)
        }
        // Fresh bootstrap curves (another seed): at least ~95% lie entirely inside the band.
        var rng = SplitMix64(seed: 99)
        var inside = 0
        let trials = 1000
        for _ in 0..<trials {
            var m = [Double](repeating: 0, count: 6)
            for _ in 0..<rows.count {
                let r = rows[Int(rng.next() % UInt64(rows.count))]
                for j in 0..<6 { m[j] += r[j] / Double(rows.count) }
            }
            if (0..<6).allSatisfy({ simultaneous.low[$0] - 1e-12 <= m[$0] && m[$0] <= simultaneous.high[$0] + 1e-12 }) {
                inside += 1
            }
        }
        #expect(Double(inside) / Double(trials) >= 0.93, "\(inside) of \(trials) whole curves inside")
    }

    @Test func auditBandsContainEachProblemsCurve() throws {
        let outcomes = HeldOutAuditTests.outcomes(problems: 12, n: 16)
        var o = AnalysisOptions()
        o.resamples = 200
        let a = try #require(RunAnalysis.analyze(outcomes, options: o).audit)
        let bands = try #require(a.problemBands)
        #expect(!bands.isEmpty && bands.count <= 8)
        for (p, b) in bands {
            let c = try #require(a.curves[p])
            #expect(b.low.count == c.count && b.kind == "simultaneous")
            for j in c.indices { #expect(b.low[j] <= c[j] + 1e-12 && c[j] <= b.high[j] + 1e-12, "\(p) at \(a.grid[j])") }
        }
        let d = try #require(a.datasetBand)
        for j in a.grid.indices { #expect(d.low[j] <= a.datasetCurve[j] && a.datasetCurve[j] <= d.high[j]) }
    }
}
