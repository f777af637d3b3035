import Analysis
import Charts
import Foundation

/// Figures over several runs: curves overlaid, one series per run on one axes; the other
/// figures one panel per run on shared axes with one legend; and the paired per-problem
/// scatter of two runs. One run draws exactly its single-run figure.
extension StandardFigures {
    /// A run as figures take it: its name, analysis and compute profile (nil: not known).
    public typealias NamedReport = (name: String, report: RunReport, compute: ComputeProfile?)

    /// Whether a run's rollouts record what the x axis counts (always, for rollouts).
    static func hasCompute(_ c: ComputeProfile?, _ x: XAxis) -> Bool {
        switch x {
        case .rollouts: return true
        case .tokens: return c?.tokensKnown == true
        case .flops: return c?.flopsKnown == true
        }
    }

    /// The figures that overlay one series per run (budget-curves overlays its dataset curves).
    static let overlaid: Set<String> = ["coverage", "majority", "oracle-pools"]

    /// Titles of panel figures whose single-run title names one run's numbers.
    static let panelTitles = ["waste": "Budget audit (in-sample): tokens wasted at each run's N_D",
                              "selection": "Selection rules at full pool",
                              "breadth-depth": "Breadth vs depth at budget B"]

    /// The figure `name` over `runs`, or nil when no run has data for it.
    public static func make(_ name: String, runs: [NamedReport], style: Style, width: FigureWidth = .column,
                            x: XAxis = .rollouts) -> FigureOutput? {
        let q = Request(name: name, style: style, width: width, x: x)
        if name == "paired-scatter" { return runs.count == 2 ? pairedScatter(runs[0], runs[1], q) : nil }
        // At equal compute every run compared must record it: drawing only some would hide one.
        if runs.contains(where: { !hasCompute($0.compute, x) }) { return nil }
        if runs.count == 1 {
            return make(name, report: runs[0].report, style: style, width: width, x: x, compute: runs[0].compute)
        }
        if name == "budget-curves" { return budgetOverlay(runs, q) }
        guard let build = registry.first(where: { $0.name == name })?.make else { return nil }
        let single = Request(name: name, style: style, width: .column, x: x)
        let each = runs.compactMap { r in build(single.with(r.compute), r.report).map { (run: r, out: $0) } }
        guard !each.isEmpty else { return nil }
        if overlaid.contains(name) { return overlay(each, q) }
        // Side-by-side panels take the full width unless the cell sets one.
        return panels(each, Request(name: name, style: style, width: width == .column ? .full : width, x: x))
    }

    /// Every run's series on the first run's axes, labelled "run: series", colours renumbered
    /// so no two runs share one.
    static func overlay(_ each: [(run: NamedReport, out: FigureOutput)], _ q: Request) -> FigureOutput {
        let first = each[0].out.figure.axes[0]
        let ax = Axes(title: first.title, xLabel: first.xLabel, yLabel: first.yLabel)
        ax.xScale = first.xScale; ax.yScale = first.yScale; ax.percentY = first.percentY
        var next = 0
        for (run, out) in each {
            var colors = [Int: Int]()
            for a in out.figure.axes[0].artists {
                ax.add(relabeled(a, run: run.name) { c in
                    if let m = colors[c] { return m }
                    colors[c] = next; next += 1
                    return next - 1
                })
            }
        }
        return FigureOutput(figure: q.figure([ax]), csv: joinCSV(each.map { ($0.run.name, $0.out.csv) }),
                            title: each[0].out.title)
    }

    /// An artist of one run among others: its label prefixed with the run, its colour mapped.
    static func relabeled(_ a: Artist, run: String, color: (Int) -> Int) -> Artist {
        func l(_ s: String?) -> String? { s.map { "\(run): \($0)" } }
        switch a {
        case let .line(xs, ys, label, c, dashed, markers):
            return .line(xs: xs, ys: ys, label: l(label), color: color(c), dashed: dashed, markers: markers)
        case let .scatter(xs, ys, label, c): return .scatter(xs: xs, ys: ys, label: l(label), color: color(c))
        case let .step(xs, ys, label, c): return .step(xs: xs, ys: ys, label: l(label), color: color(c))
        case let .band(xs, lo, hi, c): return .band(xs: xs, low: lo, high: hi, color: color(c))
        case let .errorBars(xs, ys, lo, hi, c): return .errorBars(xs: xs, ys: ys, low: lo, high: hi, color: color(c))
        case let .histogram(e, n, label, c): return .histogram(edges: e, counts: n, label: l(label), color: color(c))
        default: return a
        }
    }

    /// One panel per run, side by side on shared axes (and one colour range for heatmaps), with
    /// one legend when every panel would draw the same.
    static func panels(_ each: [(run: NamedReport, out: FigureOutput)], _ q: Request) -> FigureOutput {
        let axes = each.map { e -> Axes in
            let ax = e.out.figure.axes[0]
            ax.title = panelTitle(q.name, run: e.run.name, title: ax.title ?? "", report: e.run.report)
            return ax
        }
        shareHeatmapRange(axes)
        let f = q.figure(axes)
        f.shareAxes()
        f.shareLegend()
        let title = panelTitles[q.name] ?? Tables.sharedTitle(each.map(\.out.title))
        return FigureOutput(figure: f, csv: joinCSV(each.map { ($0.run.name, $0.out.csv) }), title: title)
    }

    /// A panel's title: the run, what its single-run title says of it, and for the diversity
    /// figures its regime and recommendation.
    static func panelTitle(_ name: String, run: String, title: String, report r: RunReport) -> String {
        switch name {
        case "keff":
            guard let d = r.diversity else { return run }
            return "\(run): median \(String(format: "%.2f", d.medianEffectiveApproaches)) (\(d.regime))"
        case "uncertainty": return r.diversity.map { "\(run): \($0.recommendation)" } ?? run
        case "waste": return r.audit.map { "\(run): N_D = \($0.datasetBudget)" } ?? run
        case "breadth-depth":
            let lifts = (r.depth ?? []).compactMap { d in
                d.passLift.map { String(format: "%@ %+.0f%%", d.signal.uppercased(), 100 * $0) }
            }
            return lifts.isEmpty ? run : "\(run): pass lift " + lifts.joined(separator: ", ")
        default:
            return title.range(of: " (").map { run + title[$0.lowerBound...] } ?? run
        }
    }

    /// Heatmaps of several panels colour one range of values the same.
    static func shareHeatmapRange(_ axes: [Axes]) {
        var values = [Double]()
        for ax in axes {
            for case let .heatmap(v, _, _, _, _) in ax.artists { values += v.flatMap { $0 }.compactMap { $0 } }
        }
        guard let lo = values.min(), let hi = values.max() else { return }
        for ax in axes {
            ax.artists = ax.artists.map { a in
                guard case let .heatmap(v, rows, labels, cb, _) = a else { return a }
                return .heatmap(values: v, rows: rows, cellLabels: labels, colorbar: cb, range: (lo, hi))
            }
        }
    }

    /// Each run's CSV under one header, with the run in a first column.
    static func joinCSV(_ parts: [(run: String, csv: String)]) -> String {
        var out = ""
        for (i, p) in parts.enumerated() {
            let lines = p.csv.split(separator: "\n")
            guard let header = lines.first else { continue }
            if i == 0 { out += "run,\(header)\n" }
            for l in lines.dropFirst() { out += "\(CSV.field(p.run)),\(l)\n" }
        }
        return out
    }
}
