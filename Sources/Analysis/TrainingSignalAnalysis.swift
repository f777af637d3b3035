/// Group-relative training signal of the T-only and joint pools at an equal group size k
/// (the smaller of the two pools' rollouts per problem): the fraction of problems whose
/// k-groups mix right and wrong, and the mean within-group reward variance.
enum TrainingSignalAnalysis {
    static func analyze(_ ctx: AnalysisContext, pools: PoolsReport) -> [SignalReport] {
        let sizes = pools.pools.filter { $0.name == "t_only" || $0.name == "joint" }.map(\.rolloutsPerProblem)
        let k = sizes.min() ?? 0
        guard k >= 2 else { return [] }
        let problems = ctx.index.problems
        var signals = [SignalReport]()
        for (name, include) in [("t_only", PoolsAnalysis.tOnly), ("joint", PoolsAnalysis.joint)] {
            let chosen = ctx.index.cells.filter(include)
            var mixed = 0.0, variance = 0.0
            for p in problems {
                let g = ctx.index.pooled(p, over: chosen)
                let n = g.count, c = g.filter(\Outcome.correct).count
                guard n >= k else { continue }
                mixed += 1 - hyper(n: n, good: c, k: k) - hyper(n: n, good: n - c, k: k)
                let pc = Double(c) / Double(n)
                variance += pc * (1 - pc) * Double(k - 1) / Double(k) * Double(n) / Double(max(n - 1, 1))
            }
            signals.append(SignalReport(pool: name, groupSize: k, mixedFraction: mixed / Double(problems.count),
                                        meanVariance: variance / Double(problems.count)))
        }
        return signals
    }

    /// Probability that k draws without replacement from n, `good` of them marked, are all marked.
    static func hyper(n: Int, good: Int, k: Int) -> Double {
        if good < k { return 0 }
        var p = 1.0
        for i in 0..<k { p *= Double(good - i) / Double(n - i) }
        return p
    }
}
