import Foundation

/// The budget audit under each way of turning N rollouts into one answer (issue 18): A_x(N)
/// is the expected correctness of the aggregator's answer on N rollouts drawn without
/// replacement from problem x's pool, and N*_x, N_D, M_D follow as for majority vote.
public struct AggregatorAudit: Sendable, Codable, Equatable {
    /// majority, best_of_n_self_certainty, best_of_n_logprob, best_of_n_score,
    /// weighted_majority_self_certainty, oracle.
    public var name: String
    public var datasetCurve: [Double]
    public var datasetBudget: Int
    public var meanSampleOptimal: Double
    public var overscalingIndex: Double
    /// Accuracy at N_D and at each problem's own N*_x (in-sample), over problems.
    public var accuracyAtDatasetBudget: Interval
    public var accuracyAtOwnBudgets: Interval
    /// Accuracy with the whole pool (N = the grid's last point).
    public var accuracyAtLargestBudget: Interval
}

enum AggregatorAnalysis {
    /// Each aggregator with a score that varies within some problem's pool (a constant score
    /// is a random choice: it is left out rather than shown as a method).
    static func analyze(_ ctx: AnalysisContext, _ main: MainCell) -> [AggregatorAudit] {
        let o = ctx.options, grid = main.grid
        let pools = main.problems.map { main.outcomes($0) }
        func varies(_ f: (Outcome) -> Double?) -> Bool {
            pools.contains { g in Set(g.compactMap(f)).count > 1 } && pools.allSatisfy { g in g.allSatisfy { f($0) != nil } }
        }
        var curves = [(String, [[Double]])]()
        curves.append(("majority", main.overscaling.curves))
        let scores: [(String, (Outcome) -> Double?)] = [
            ("self_certainty", { $0.selfCertainty }), ("logprob", { $0.meanLogprob }), ("score", { $0.score }),
        ]
        for (name, f) in scores where varies(f) {
            curves.append(("best_of_n_\(name)", pools.map { g in
                let s = g.map { f($0)! }, c = g.map(\.correct)
                return grid.map { Estimators.bestOfNAtK(scores: s, correct: c, k: $0) }
            }))
        }
        if varies({ $0.selfCertainty }) {
            curves.append(("weighted_majority_self_certainty", pools.enumerated().map { i, g in
                grid.map { k in
                    Estimators.weightedMajorityAtK(weights: g.map { max(0, $0.selfCertainty) },
                                                   classes: g.map(\.answerClass), correct: g.map(\.correct), k: k,
                                                   seed: o.seed &+ UInt64(i))
                }
            }))
        }
        curves.append(("oracle", pools.map { g in
            let c = g.filter(\.correct).count
            return grid.map { Estimators.passAtK(n: g.count, c: c, k: $0) }
        }))
        return curves.enumerated().map { j, e in audit(ctx, name: e.0, curves: e.1, grid: grid, salt: 400 + UInt64(4 * j)) }
    }

    static func audit(_ ctx: AnalysisContext, name: String, curves: [[Double]], grid: [Int], salt: UInt64)
        -> AggregatorAudit {
        let np = max(curves.count, 1)
        let dataset = grid.indices.map { j in curves.reduce(0) { $0 + $1[j] } / Double(np) }
        let jD = Overscaling.minArgmax(dataset)
        let stars = curves.map { Overscaling.minArgmax($0, eps: ctx.options.epsN) }
        let mean = Double(stars.reduce(0) { $0 + grid[$1] }) / Double(np)
        return AggregatorAudit(
            name: name, datasetCurve: dataset, datasetBudget: grid[jD], meanSampleOptimal: mean,
            overscalingIndex: mean / Double(grid[jD]),
            accuracyAtDatasetBudget: ctx.ci(curves.map { $0[jD] }, salt),
            accuracyAtOwnBudgets: ctx.ci(zip(curves, stars).map { $0[$1] }, salt + 1),
            accuracyAtLargestBudget: ctx.ci(curves.map { $0[grid.count - 1] }, salt))   // paired with N_D's
    }
}
