import Analysis
import Charts
import Foundation

/// The figures that exist only to compare runs: every run's dataset budget curve on one axes,
/// and two runs' per-problem accuracies against each other.
extension StandardFigures {
    /// A_D(N) of every run, each marked at its N_D and labelled with N_D and M_D.
    static func budgetOverlay(_ runs: [NamedReport], _ q: Request) -> FigureOutput? {
        let ax = Axes(title: "A_D(N) per run", xLabel: q.xLabel("N (rollouts, majority vote)"), yLabel: "accuracy")
        ax.xScale = .log2; ax.percentY = true; ax.yLimits = (0, 1.02)
        var csv = "run,N,accuracy\(q.csvColumn)\n", color = 0
        for (name, r, compute) in runs {
            guard let a = r.audit else { continue }
            guard let s = q.with(compute).scale(cell: a.cell) else { return nil }
            let xs = a.grid.map { Double($0) * s }
            let label = String(format: "%@: N_D = %d, M_D = %.2f", name, a.datasetBudget, a.overscalingIndex)
            ax.add(.line(xs: xs, ys: a.datasetCurve, label: label, color: color))
            if let j = a.grid.firstIndex(of: a.datasetBudget) {
                ax.add(.scatter(xs: [xs[j]], ys: [a.datasetCurve[j]], label: nil, color: color))
            }
            for (n, v) in zip(a.grid, a.datasetCurve) {
                csv += "\(CSV.field(name)),\(n),\(num(v))\(q.csvValue(Double(n) * s))\n"
            }
            color += 1
        }
        guard !ax.artists.isEmpty else { return nil }
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: "Dataset budget curves A_D(N) and N_D per run")
    }

    /// The cell a run's per-problem accuracy is read from: the budget analyses' main cell, or
    /// (a greedy-only run) the cell with the most samples.
    static func mainCell(_ r: RunReport) -> Cell? {
        r.audit?.cell ?? r.cells.max { $0.samples < $1.samples }.map { Cell(layers: $0.layers,
                                                                             temperature: $0.temperature) }
    }

    /// Per-problem accuracy of run b against run a (problems matched by id), the diagonal
    /// drawn, and the paired difference b - a with its 95% CI in the title.
    static func pairedScatter(_ a: NamedReport, _ b: NamedReport, _ q: Request) -> FigureOutput? {
        guard let ca = mainCell(a.report), let cb = mainCell(b.report),
              let pa = a.report.perProblemAccuracy[ca.label], let pb = b.report.perProblemAccuracy[cb.label]
        else { return nil }
        let shared = pa.keys.filter { pb[$0] != nil }.sorted()
        guard !shared.isEmpty else { return nil }
        let xa = shared.map { pa[$0]! }, yb = shared.map { pb[$0]! }
        let o = a.report.options
        let d = Bootstrap.pairedDifference(xa, yb, resamples: o.resamples, level: o.level, seed: o.seed &+ 1700)
        let ax = Axes(title: "Per-problem accuracy, paired",
                      xLabel: "\(a.name) (\(cellName(ca.layers, ca.temperature)))",
                      yLabel: "\(b.name) (\(cellName(cb.layers, cb.temperature)))")
        ax.percentX = true; ax.percentY = true
        ax.xLimits = (-0.06, 1.06); ax.yLimits = (-0.06, 1.06)
        ax.add(.line(xs: [0, 1], ys: [0, 1], label: "y = x", color: 7, dashed: true, markers: false))
        let better = zip(xa, yb).filter { $1 > $0 }.count, worse = zip(xa, yb).filter { $1 < $0 }.count
        // Deterministic jitter so problems with equal accuracies stay visible.
        let jx = shared.indices.map { 0.022 * (Double(($0 * 37) % 11) / 5 - 1) }
        let jy = shared.indices.map { 0.022 * (Double(($0 * 53 + 5) % 11) / 5 - 1) }
        ax.add(.scatter(xs: zip(xa, jx).map(+), ys: zip(yb, jy).map(+),
                        label: "\(b.name) better: \(better), \(a.name) better: \(worse), "
                            + "equal: \(shared.count - better - worse)", color: 0))
        var csv = "problem,\(CSV.field(a.name)),\(CSV.field(b.name))\n"
        for (p, (x, y)) in zip(shared, zip(xa, yb)) { csv += "\(CSV.field(p)),\(num(x)),\(num(y))\n" }
        let title = String(format: "%@ vs %@ per problem (%d problems): %@ - %@ = %+.1f pp [%+.1f, %+.1f]",
                           b.name, a.name, shared.count, b.name, a.name, 100 * d.value, 100 * d.low, 100 * d.high)
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: title)
    }
}
