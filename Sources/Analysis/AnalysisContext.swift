import Foundation

public struct AnalysisOptions: Sendable, Codable {
    public var resamples = 1000
    public var level = 0.95
    public var seed: UInt64 = 0
    public var epsN = 0.0
    public var typeTolerance = 1e-9
    public var keffThreshold = 2.0
    public var bordaP = 0.5
    /// Decoder layers of the model (for EGLR cost overhead); 0 = unknown.
    public var blockCount = 0
    public var folds = 5
    public var ridgeLambda = 1.0
    /// Approach clustering the outcomes were labelled with (reported, not applied here).
    public var clustering = "answer_class"
    /// k of the first-k-token clustering and of the early-token entropy.
    public var prefixTokens = 8
    /// K of the held-out budget audit (nil: 2, the two swapped halves).
    public var heldOutFolds: Int? = nil
    public init() {}
}

/// What every analysis of a run reads: the outcomes, indexed once, and the options.
struct AnalysisContext {
    let index: OutcomeIndex
    let options: AnalysisOptions

    /// Percentile-bootstrap CI of a per-problem mean; each reported interval has its own salt.
    func ci(_ xs: [Double], _ salt: UInt64) -> Interval {
        Bootstrap.mean(xs, resamples: options.resamples, level: options.level, seed: options.seed &+ salt)
    }
}

/// The main cell of the budget analyses (audit, selection, diversity, T2 predictor): most
/// samples, preferring L = 0, then the highest T; with its per-problem overscaling curves.
struct MainCell {
    let cell: Cell
    /// problem -> outcomes of the cell, in input order.
    let groups: [String: [Outcome]]
    /// The problems present in the cell, sorted.
    let problems: [String]
    /// Samples per problem: the smallest pool. The grid runs up to it; each problem's
    /// A_x(N) is maj@N over its whole pool (METHODS.md section 2), never a truncated one.
    let samples: Int
    /// The largest pool.
    let largestPool: Int
    let grid: [Int]
    let overscaling: OverscalingReport

    /// nil when no cell has T > 0.
    init?(_ ctx: AnalysisContext, cells reports: [CellReport]) {
        func rank(_ c: Cell) -> (Int, Int, Double) {
            let n = reports.first { $0.layers == c.layers && $0.temperature == c.temperature }?.samples ?? 0
            return (n, c.layers == 0 ? 1 : 0, c.temperature)
        }
        guard let main = ctx.index.cells.filter({ $0.temperature > 0 }).max(by: { rank($0) < rank($1) }),
              let groups = ctx.index.byCell[main] else { return nil }
        let o = ctx.options
        let ps = ctx.index.problems.filter { groups[$0] != nil }
        let n = ps.map { groups[$0]!.count }.min() ?? 1
        let grid = Overscaling.grid(upTo: n)
        let pools = ps.map { p -> (counts: [Int], correct: Int?) in
            let t = OutcomeIndex.classCounts(groups[p]!)
            return (t.counts, t.correct)
        }
        self.cell = main; self.groups = groups; self.problems = ps; self.samples = n; self.grid = grid
        largestPool = ps.map { groups[$0]!.count }.max() ?? n
        self.overscaling = Overscaling.report(pools: pools, grid: grid, epsN: o.epsN, tolerance: o.typeTolerance,
                                              seed: o.seed)
    }

    /// The outcomes of one of `problems`.
    func outcomes(_ problem: String) -> [Outcome] { groups[problem]! }
}
