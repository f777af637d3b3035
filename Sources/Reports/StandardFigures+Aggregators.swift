import Analysis
import Charts
import Foundation

extension StandardFigures {
    static let aggregatorLabels = [
        "majority": "majority vote", "best_of_n_self_certainty": "best-of-N (self-certainty)",
        "best_of_n_logprob": "best-of-N (mean log-prob)", "best_of_n_score": "best-of-N (score)",
        "weighted_majority_self_certainty": "weighted majority (self-certainty)", "oracle": "oracle (pass@N)",
    ]

    static let shortLabels = [
        "majority": "majority", "best_of_n_self_certainty": "best-of-N: self-cert.",
        "best_of_n_logprob": "best-of-N: log-prob", "best_of_n_score": "best-of-N: score",
        "weighted_majority_self_certainty": "weighted majority", "oracle": "oracle (pass@N)",
    ]

    /// A_D(N) under each aggregator of the audit's cell, each marked at its N_D.
    static func aggregators(_ q: Request, _ r: RunReport) -> FigureOutput? {
        guard let a = r.audit, !a.aggregators.isEmpty, let s = q.scale(cell: a.cell) else { return nil }
        let ax = Axes(title: "A_D(N) per aggregator, dots at N_D (L=\(a.cell.layers), T=\(a.cell.temperature))",
                      xLabel: q.xLabel("N (rollouts)"), yLabel: "accuracy")
        ax.xScale = .log2; ax.percentY = true; ax.yLimits = (0, 1.02)
        let xs = a.grid.map { Double($0) * s }
        var csv = "aggregator,N,accuracy\(q.csvColumn)\n"
        for (i, g) in a.aggregators.enumerated() {
            // Short labels: N_D, M_D and the intervals are in the `aggregators` table.
            let label = shortLabels[g.name] ?? g.name
            ax.add(.line(xs: xs, ys: g.datasetCurve, label: label, color: i, dashed: g.name == "oracle",
                         markers: false))
            if let j = a.grid.firstIndex(of: g.datasetBudget) {
                ax.add(.scatter(xs: [xs[j]], ys: [g.datasetCurve[j]], label: nil, color: i))
            }
            for (n, v) in zip(a.grid, g.datasetCurve) { csv += "\(g.name),\(n),\(num(v))\(q.csvValue(Double(n) * s))\n" }
        }
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }
}
