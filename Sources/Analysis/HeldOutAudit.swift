import Foundation
import Seeds

/// The budget audit decided on one half of each problem's rollouts and scored on the other
/// (then the halves swapped, the two scores averaged): N*_x and N_D chosen on the selection
/// half, their accuracy measured on the scoring half. The in-sample audit picks each N*_x on
/// the same rollouts it scores, so its gain over N_D is biased upwards; the held-out gain is
/// what a per-problem budget would deliver on fresh rollouts of the same problems.
public struct HeldOutAudit: Sendable, Codable, Equatable {
    /// Folds K (2: one half decides, the other scores, and swapped; K: each part decides and
    /// every other part scores).
    public var folds: Int
    /// Rollouts per problem in each part (the grid runs up to it).
    public var half: Int
    public var grid: [Int]
    /// N_D chosen on each part in turn.
    public var datasetBudgets: [Int]
    /// Mean over folds of mean_x N*_x, and of M_D = mean N*_x / N_D.
    public var meanSampleOptimal: Double
    public var overscalingIndex: Double
    /// Held out: accuracy (maj@N on the scoring half) at N_D and at each problem's N*_x, and
    /// their paired difference (per-sample budgets minus N_D), with 95% intervals over problems.
    public var accuracyAtDatasetBudget: Interval
    public var accuracyAtOwnBudgets: Interval
    public var gain: Interval
    /// The same halves scored in-sample (N*_x judged on the rollouts that chose it).
    public var inSampleGain: Interval
    /// 1 - sum N*_x / (|D| N_D), mean over folds.
    public var savedFraction: Double
    /// The T2 predictor scored the same way (when the run has features): trained on the
    /// selection half's N*_x (problem-level cross-validation, as in-sample), its predicted
    /// budgets scored on the other half's curves, swapped and averaged.
    public var predictor: HeldOutPredictor? = nil
}

public struct HeldOutPredictor: Sendable, Codable, Equatable {
    /// Accuracy at the predicted budgets, at N_D (both held out) and the cost ratio
    /// sum N^_x / (|D| N_D).
    public var accuracyAtPredicted: Double
    public var accuracyAtDatasetBudget: Double
    public var costRatio: Double
}

enum HeldOutAnalysis {
    /// nil when the main cell has fewer than one rollout per fold. With K folds (options
    /// `heldOutFolds`, default 2) each problem's rollouts are split, in a seeded random order,
    /// into K parts of n / K; every part in turn decides N*_x and N_D and every other part scores
    /// them, the K (K - 1) scores averaged. K = 2 is the two swapped halves.
    static func analyze(_ ctx: AnalysisContext, _ main: MainCell, features: [String: [[Float]]] = [:])
        -> HeldOutAudit? {
        let o = ctx.options
        let k = max(2, o.heldOutFolds ?? 2)
        let h = main.samples / k
        guard h >= 1, !main.problems.isEmpty else { return nil }
        let grid = Overscaling.grid(upTo: h)
        // Each problem's rollouts in a seeded random order, cut into K parts of h.
        let parts: [[[Outcome]]] = main.problems.enumerated().map { i, p in
            var g = main.outcomes(p)
            var rng = SplitMix64(seed: SplitMix64.derive([o.seed, 0x4845_4C44, UInt64(i)]))
            g.shuffle(using: &rng)
            return (0..<k).map { Array(g[($0 * h)..<(($0 + 1) * h)]) }
        }
        func curve(_ xs: [Outcome], _ i: Int) -> [Double] {
            let t = OutcomeIndex.classCounts(xs)
            return grid.map {
                Estimators.majAtK(counts: t.counts, correct: t.correct, k: $0, seed: o.seed &+ UInt64(i)).value
            }
        }
        // curves[f][i]: problem i's A_x(N) on part f.
        let curves = (0..<k).map { f in parts.enumerated().map { curve($1[f], $0) } }
        let np = main.problems.count
        let pairs = k * (k - 1), w = 1 / Double(pairs), wf = 1 / Double(k)
        var heldOwn = [Double](repeating: 0, count: np), heldD = heldOwn, inOwn = heldOwn, inD = heldOwn
        var budgets = [Int](), meanStar = 0.0, md = 0.0, saved = 0.0
        let feats = main.problems.compactMap { features[$0] }
        var predictions = [BudgetPrediction]()
        for s in 0..<k {
            let select = curves[s]
            let stars = select.map { Overscaling.minArgmax($0, eps: o.epsN) }
            let dataset = grid.indices.map { j in select.reduce(0) { $0 + $1[j] } / Double(np) }
            let jD = Overscaling.minArgmax(dataset)
            budgets.append(grid[jD])
            let mean = Double(stars.reduce(0) { $0 + grid[$1] }) / Double(np)
            meanStar += mean * wf; md += mean / Double(grid[jD]) * wf; saved += (1 - mean / Double(grid[jD])) * wf
            for t in 0..<k where t != s {
                let score = curves[t]
                if feats.count == np, let p = BudgetPredictor.evaluate(
                    features: feats, nStar: stars.map { grid[$0] }, curves: score, grid: grid,
                    datasetBudget: grid[jD], folds: o.folds, lambda: o.ridgeLambda) {
                    predictions.append(p)
                }
                for i in 0..<np {
                    heldOwn[i] += score[i][stars[i]] * w; heldD[i] += score[i][jD] * w
                    inOwn[i] += select[i][stars[i]] * w; inD[i] += select[i][jD] * w
                }
            }
        }
        var audit = HeldOutAudit(
            folds: k, half: h, grid: grid, datasetBudgets: budgets, meanSampleOptimal: meanStar,
            overscalingIndex: md, accuracyAtDatasetBudget: ctx.ci(heldD, 210), accuracyAtOwnBudgets: ctx.ci(heldOwn, 211),
            gain: ctx.ci(zip(heldOwn, heldD).map { $0 - $1 }, 212),
            inSampleGain: ctx.ci(zip(inOwn, inD).map { $0 - $1 }, 213), savedFraction: saved)
        if predictions.count == pairs {
            func mean(_ f: (BudgetPrediction) -> Double) -> Double { predictions.reduce(0) { $0 + f($1) } / Double(pairs) }
            audit.predictor = HeldOutPredictor(accuracyAtPredicted: mean(\.accuracyAtPredicted),
                                               accuracyAtDatasetBudget: mean(\.accuracyAtDatasetBudget),
                                               costRatio: mean(\.costRatio))
        }
        return audit
    }
}
