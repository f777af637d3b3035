/// The budget audit of the main cell: the dataset budget N_D against each problem's
/// sample-optimal N*_x, the rollouts and tokens a per-problem budget would save.
enum BudgetAuditAnalysis {
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
        report.poolMin = main.samples
        report.poolMax = main.largestPool
        report.heldOut = HeldOutAnalysis.analyze(ctx, main, features: features)
        report.aggregators = AggregatorAnalysis.analyze(ctx, main)
        return report
    }
}
