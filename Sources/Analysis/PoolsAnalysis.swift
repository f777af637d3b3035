/// Rollout pools per problem: T-only (L = 0, every T), L-only (T = 0, every L) and joint
/// (everything): oracle accuracy, pass@k against pool size, and which problems each solves.
enum PoolsAnalysis {
    static func tOnly(_ c: Cell) -> Bool { c.layers == 0 }
    static func lOnly(_ c: Cell) -> Bool { c.temperature == 0 }
    static func joint(_ c: Cell) -> Bool { true }
    /// Each pool's name and the cells it takes, in report order.
    static let definitions: [(name: String, include: @Sendable (Cell) -> Bool)] = [
        ("t_only", tOnly), ("l_only", lOnly), ("joint", joint),
    ]

    static func analyze(_ ctx: AnalysisContext) -> PoolsReport {
        let pools = definitions.map { pool(ctx, $0.name, $0.include) }
        let (tOnly, lOnly, joint) = (pools[0], pools[1], pools[2])
        var overlap: Overlap? = nil
        if let t = tOnly, let l = lOnly {
            let a = Set(t.solved), b = Set(l.solved)
            let union = a.union(b).count
            overlap = Overlap(both: a.intersection(b).count, tOnlyExclusive: a.subtracting(b).count,
                              lOnlyExclusive: b.subtracting(a).count, neither: ctx.index.problems.count - union,
                              jaccard: union == 0 ? 0 : Double(a.intersection(b).count) / Double(union))
        }
        return PoolsReport(
            pools: [tOnly, lOnly, joint].compactMap { $0 },
            jointMinusTOnlyPP: tOnly.flatMap { t in joint.map { 100 * ($0.oracle.value - t.oracle.value) } },
            jointMinusLOnlyPP: lOnly.flatMap { l in joint.map { 100 * ($0.oracle.value - l.oracle.value) } },
            overlap: overlap)
    }

    /// The pool of the cells that pass `include`; nil when there are none.
    static func pool(_ ctx: AnalysisContext, _ name: String, _ include: (Cell) -> Bool) -> PoolSummary? {
        let problems = ctx.index.problems
        let chosen = ctx.index.cells.filter(include)
        guard !chosen.isEmpty else { return nil }
        var oracle = [Double](), solved = [String](), sizes = [(n: Int, c: Int)]()
        for p in problems {
            let g = ctx.index.pooled(p, over: chosen)
            let c = g.filter(\Outcome.correct).count
            oracle.append(c > 0 ? 1 : 0)
            if c > 0 { solved.append(p) }
            sizes.append((g.count, c))
        }
        // Summed in problem order.
        let size = sizes.map(\.n).min() ?? 0
        let curve = size == 0 ? [] : (1...size).map { k in
            sizes.reduce(0) { $0 + Estimators.passAtK(n: $1.n, c: $1.c, k: k) } / Double(problems.count)
        }
        return PoolSummary(name: name, rolloutsPerProblem: size, oracle: ctx.ci(oracle, 100 + UInt64(name.count)),
                           curve: curve, solved: solved)
    }
}
