/// Per cell: accuracy, pass@k, maj@k, pass^k and the EGLR statistics; then each EGLR cell
/// against plain decoding (L = 0) at the same temperature, paired by problem.
enum CellsAnalysis {
    struct Result {
        var reports: [CellReport]
        /// cell -> problem -> accuracy.
        var perProblem: [Cell: [String: Double]]
        /// The report's shape: keyed by the cell's label "L=.. T=..".
        var perProblemByLabel: [String: [String: Double]] {
            Dictionary(uniqueKeysWithValues: perProblem.map {
                (CellsAnalysis.label(layers: $0.key.layers, temperature: $0.key.temperature), $0.value)
            })
        }
    }

    static func analyze(_ ctx: AnalysisContext, iterationHistograms: [Cell: [Int]]) -> Result {
        var reports = [CellReport]()
        var perProblem = [Cell: [String: Double]]()
        for (i, cell) in ctx.index.cells.enumerated() {
            guard let r = report(ctx, cell, salt: UInt64(i), histogram: iterationHistograms[cell],
                                 perProblem: &perProblem) else { continue }
            reports.append(r)
        }
        comparePlain(ctx, &reports, perProblem: perProblem)
        return Result(reports: reports, perProblem: perProblem)
    }

    static func label(layers: Int, temperature: Double) -> String { "L=\(layers) T=\(temperature)" }

    /// One cell's report (nil when no problem has a rollout in it); records per-problem accuracy.
    static func report(_ ctx: AnalysisContext, _ cell: Cell, salt: UInt64, histogram: [Int]?,
                       perProblem: inout [Cell: [String: Double]]) -> CellReport? {
        let o = ctx.options
        let groups = ctx.index.groups(cell)
        let n = ctx.index.problems.map { groups[$0]?.count ?? 0 }.filter { $0 > 0 }.min() ?? 0
        guard n > 0 else { return nil }
        var acc = [Double](), pass = [Double](repeating: 0, count: n), hat = pass
        let majK = RunAnalysis.majorityGrid(n)
        var maj = [Double](repeating: 0, count: majK.count)
        var method = "exact"
        var passRows = [[Double]](), majRows = [[Double]]()
        var tokens = 0, gated = 0, extra = 0, rollouts = 0
        for p in ctx.index.problems {
            guard let g = groups[p] else { continue }
            let c = g.filter(\Outcome.correct).count
            acc.append(Double(c) / Double(g.count))
            perProblem[cell, default: [:]][p] = Double(c) / Double(g.count)
            let classes = OutcomeIndex.classCounts(g)
            let pc = Estimators.passCurve(n: g.count, c: c), hc = Estimators.passHatCurve(n: g.count, c: c)
            for k in 1...n { pass[k - 1] += pc[k - 1]; hat[k - 1] += hc[k - 1] }
            passRows.append(Array(pc.prefix(n)))
            var majRow = [Double]()
            for (i, k) in majK.enumerated() {
                let m = Estimators.majAtK(counts: classes.counts, correct: classes.correct, k: k,
                                          seed: o.seed &+ UInt64(k))
                maj[i] += m.value; majRow.append(m.value)
                if m.method == .monteCarlo { method = "monte_carlo" }
            }
            majRows.append(majRow)
            for x in g {
                tokens += x.tokens; gated += x.gatedTokens; extra += x.extraLayerApplications; rollouts += 1
            }
        }
        let np = Double(acc.count)
        var report = CellReport(
            layers: cell.layers, temperature: cell.temperature, samples: n, accuracy: ctx.ci(acc, salt),
            passAtK: pass.map { $0 / np }, majAtK: maj.map { $0 / np }, majK: majK, passHatK: hat.map { $0 / np },
            majMethod: method,
            meanTokens: Double(tokens) / Double(max(rollouts, 1)),
            gateRate: Double(gated) / Double(max(tokens, 1)), extraPerToken: Double(extra) / Double(max(tokens, 1)),
            costOverhead: o.blockCount > 0 ? Double(extra) / Double(max(tokens * o.blockCount, 1)) : nil,
            iterationHistogram: histogram)
        report.compute = ComputeTotals(ctx.index.problems.flatMap { groups[$0] ?? [] })
        report.passBand = Bootstrap.curveBands(passRows, resamples: o.resamples, level: o.level,
                                               seed: o.seed &+ 700 &+ salt)?.pointwise
        report.majBand = Bootstrap.curveBands(majRows, resamples: o.resamples, level: o.level,
                                              seed: o.seed &+ 800 &+ salt)?.pointwise
        return report
    }

    /// EGLR cells against plain decoding at the same temperature: paired per-problem difference.
    static func comparePlain(_ ctx: AnalysisContext, _ reports: inout [CellReport],
                             perProblem: [Cell: [String: Double]]) {
        let o = ctx.options
        for i in reports.indices where reports[i].layers > 0 {
            let c = reports[i]
            let base = Cell(layers: 0, temperature: c.temperature)
            guard let mine = perProblem[Cell(layers: c.layers, temperature: c.temperature)],
                  let plain = perProblem[base] else { continue }
            let shared = mine.keys.filter { plain[$0] != nil }.sorted()
            guard !shared.isEmpty else { continue }
            reports[i].vsPlain = Bootstrap.pairedDifference(shared.map { plain[$0]! }, shared.map { mine[$0]! },
                                                            resamples: o.resamples, level: o.level,
                                                            seed: o.seed &+ 900 &+ UInt64(i))
        }
    }
}
