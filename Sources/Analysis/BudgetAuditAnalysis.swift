import Seeds

/// The budget audit of the main cell: the dataset budget N_D against each problem's
/// sample-optimal N*_x, the rollouts and tokens a per-problem budget would save.
public enum BudgetAuditAnalysis {
    static func analyze(_ ctx: AnalysisContext, _ main: MainCell, features: [String: [[Float]]] = [:])
        -> AuditReport {
        let rep = main.overscaling, grid = main.grid, ps = main.problems
        let nD = rep.datasetBudget
        let jD = grid.firstIndex(of: nD)!
        var rows = [AuditRow]()
        var atD = [Double](), atOwn = [Double]()
        for (i, p) in ps.enumerated() {
            let g: [Outcome] = main.outcomes(p)
            let tokenSum: Int = g.reduce(0) { $0 + $1.tokens }
            let meanTokens = Double(tokenSum) / Double(g.count)
            let need: Int = rep.sampleOptimal[i]
            let own: Double = rep.curves[i][grid.firstIndex(of: need)!]
            atD.append(rep.curves[i][jD]); atOwn.append(own)
            rows.append(AuditRow(problem: p, spent: nD, needed: need, wastedRollouts: max(0, nD - need),
                                 wastedTokens: Double(max(0, nD - need)) * meanTokens, meanTokens: meanTokens,
                                 accuracyAtDatasetBudget: rep.curves[i][jD], accuracyAtOwnBudget: own,
                                 type: rep.sampleTypes[i].rawValue))
        }
        // Most wasteful first; the total is summed in this order.
        rows.sort { ($0.wastedTokens, $1.problem) > ($1.wastedTokens, $0.problem) }
        var types = [String: Int]()
        for t in rep.sampleTypes { types[t.rawValue, default: 0] += 1 }
        let oracleRollouts: Int = rep.sampleOptimal.reduce(0, +)
        let wasted: Double = rows.reduce(0.0) { $0 + $1.wastedTokens }
        var report = AuditReport(cell: main.cell, datasetBudget: nD,
                           meanSampleOptimal: Double(oracleRollouts) / Double(max(ps.count, 1)),
                           overscalingIndex: rep.overscalingIndex, redundancy: rep.redundancy, curse: rep.curse,
                           grid: grid, datasetCurve: rep.datasetCurve, sampleTypes: types,
                           accuracyAtDatasetBudget: ctx.ci(atD, 200), accuracyAtOracleBudgets: ctx.ci(atOwn, 201),
                           rolloutsAtDatasetBudget: nD * ps.count, rolloutsAtOracleBudgets: oracleRollouts,
                           tokensWasted: wasted,
                           savedFraction: 1 - Double(oracleRollouts) / Double(max(nD * ps.count, 1)),
                           rows: rows, sampleOptimal: Dictionary(uniqueKeysWithValues: zip(ps, rep.sampleOptimal)),
                           curves: Dictionary(uniqueKeysWithValues: zip(ps, rep.curves)))
        report.datasetBand = Bootstrap.curveBands(rep.curves, resamples: ctx.options.resamples,
                                                  level: ctx.options.level, seed: ctx.options.seed &+ 202)?.simultaneous
        report.problemBands = problemBands(ctx, main, rows: rows, curves: report.curves)
        report.poolMin = main.samples
        report.poolMax = main.largestPool
        report.heldOut = HeldOutAnalysis.analyze(ctx, main, features: features)
        report.aggregators = AggregatorAnalysis.analyze(ctx, main)
        return report
    }

    /// The rows in the order per-problem bands are given: most wasteful first among problems
    /// whose curve varies with N, then the always-right and always-wrong ones.
    public static func bandOrder(_ rows: [AuditRow]) -> [AuditRow] {
        let constant: Set<String> = [SampleType.alwaysRight.rawValue, SampleType.alwaysWrong.rawValue]
        return rows.filter { !constant.contains($0.type) } + rows.filter { constant.contains($0.type) }
    }

    /// Per-problem simultaneous bands for the first `count` rows in `bandOrder` (bootstrap over the problem's
    /// rollouts, at most 400 resamples: each resample recomputes maj@N on the whole grid).
    static func problemBands(_ ctx: AnalysisContext, _ main: MainCell, rows: [AuditRow], curves: [String: [Double]],
                             count: Int = 8) -> [String: CurveBand] {
        let o = ctx.options, grid = main.grid
        var out = [String: CurveBand]()
        for (i, row) in bandOrder(rows).prefix(count).enumerated() {
            guard let estimate = curves[row.problem] else { continue }
            let g: [Outcome] = main.outcomes(row.problem)
            var rng = SplitMix64(seed: SplitMix64.derive([o.seed, 0x4241_4E44, UInt64(i)]))
            let draws = (0..<min(max(o.resamples, 2), 400)).map { b -> [Double] in
                let pick = (0..<g.count).map { _ in g[Int(rng.next() % UInt64(g.count))] }
                let t = OutcomeIndex.classCounts(pick)
                return grid.filter { $0 <= pick.count }.map {
                    Estimators.majAtK(counts: t.counts, correct: t.correct, k: $0, seed: o.seed &+ UInt64(b)).value
                }
            }
            guard draws.allSatisfy({ $0.count == estimate.count }) else { continue }
            out[row.problem] = Bootstrap.supBand(estimate: estimate, draws: draws, level: o.level)
        }
        return out
    }
}
