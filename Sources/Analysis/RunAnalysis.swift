import Foundation

/// Every analysis of a run, composed. Each analysis lives in its own file and reads the
/// shared `AnalysisContext` (outcomes indexed once, and the options); the budget analyses
/// also read the `MainCell`. A new analysis joins with one file, a call here and its field
/// in `RunReport`.
public enum RunAnalysis {
    /// The k at which maj@k is reported: every k for n <= 64, else 1..16, powers of two, and n.
    public static func majorityGrid(_ n: Int) -> [Int] {
        if n <= 64 { return Array(1...max(n, 1)) }
        var ks = Array(1...16)
        var v = 32
        while v < n { ks.append(v); v *= 2 }
        ks.append(n)
        return ks
    }

    /// Every analysis over a run's outcomes. `features[problem]` = per-layer hidden states
    /// for the T2 predictor (optional). `iterations` = per cell, EGLR iteration histogram.
    public static func analyze(_ outcomes: [Outcome], features: [String: [[Float]]] = [:],
                               iterationHistograms: [Cell: [Int]] = [:],
                               options o: AnalysisOptions = AnalysisOptions()) -> RunReport {
        let ctx = AnalysisContext(index: OutcomeIndex(outcomes), options: o)
        let cells = CellsAnalysis.analyze(ctx, iterationHistograms: iterationHistograms)
        let pools = PoolsAnalysis.analyze(ctx)
        let main = MainCell(ctx, cells: cells.reports)
        let audit = main.map { BudgetAuditAnalysis.analyze(ctx, $0, features: features) }
        let selection = main.map { SelectionAnalysis.analyze(ctx, $0) }
        let diversity = main.flatMap { m in
            selection.map { DiversityAnalysis.analyze(ctx, m, audit: audit, selection: $0) }
        }
        let predictor = main.flatMap { PredictorAnalysis.analyze(ctx, $0, features: features) }
        var report = RunReport(problems: ctx.index.problems.count, rollouts: outcomes.count, options: o,
                         cells: cells.reports, pools: pools, audit: audit, selection: selection,
                         trainingSignal: TrainingSignalAnalysis.analyze(ctx, pools: pools), diversity: diversity,
                         budgetPredictor: predictor, perProblemAccuracy: cells.perProblemByLabel)
        report.compute = ComputeTotals(outcomes)
        return report
    }

    /// Single-rollout accuracy over every outcome of a run: each problem's share of correct
    /// rollouts, averaged over problems, with a bootstrap CI over problems.
    public static func accuracy(_ outcomes: [Outcome], options o: AnalysisOptions = AnalysisOptions()) -> Interval {
        var right = [String: Int](), all = [String: Int]()
        for x in outcomes {
            all[x.problem, default: 0] += 1
            if x.correct { right[x.problem, default: 0] += 1 }
        }
        let shares = all.keys.sorted().map { Double(right[$0] ?? 0) / Double(all[$0]!) }
        return Bootstrap.mean(shares, resamples: o.resamples, level: o.level, seed: o.seed &+ 1600)
    }

    /// Class sizes (sorted by first appearance) and the index of the correct class (the
    /// last correct rollout's). Kept for callers; the module uses `OutcomeIndex.classCounts`.
    public static func classCounts(_ g: [Outcome]) -> (counts: [Int], correct: Int?) {
        let t = OutcomeIndex.classCounts(g)
        return (t.counts, t.correct)
    }
}
