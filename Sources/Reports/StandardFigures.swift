import Analysis
import Charts
import Foundation

/// A figure plus the CSV of the numbers it draws.
public struct FigureOutput {
    public var figure: Figure
    public var csv: String
    public var title: String
}

/// The standard figures, one call each from analysis results.
public enum StandardFigures {
    static func cellName(_ l: Int, _ t: Double) -> String { "L=\(l), T=\(Ticks.label(t, percent: false))" }
    static func num(_ v: Double) -> String { String(format: "%.6g", v) }

    /// What a cell asks of a figure builder: the figure's name, style, width and x axis, and
    /// the compute profile of the run drawn (for `x: tokens|flops`).
    struct Request {
        let name: String
        let style: Style
        let width: FigureWidth
        let x: XAxis
        var compute: ComputeProfile? = nil
        func figure(_ axes: [Axes]) -> Figure { Figure(style: style, widthIn: width.inches(style), axes: axes) }
        func with(_ compute: ComputeProfile?) -> Request {
            Request(name: name, style: style, width: width, x: x, compute: compute)
        }
    }

    /// Every name a notebook may use, in the order listed in errors, with its builder.
    static let registry: [(name: String, make: (Request, RunReport) -> FigureOutput?)] = [
        ("coverage", coverage),
        ("majority", coverage),
        ("oracle-pools", oraclePools),
        ("heatmap", heatmap),
        ("overlap", overlap),
        ("budget-curves", budgetCurves),
        ("problem-curves", problemCurves),
        ("held-out", heldOut),
        ("aggregators", aggregators),
        ("nstar-histogram", nstarHistogram),
        ("sample-types", sampleTypes),
        ("waste", waste),
        ("predicted-budgets", predictedBudgets),
        ("keff", keff),
        ("uncertainty", uncertainty),
        ("gate-histogram", gateHistogram),
        ("iteration-histogram", iterationHistogram),
        ("selection", selection),
        ("breadth-depth", breadthDepth),
    ]

    /// The names, for notebook validation.
    public static var names: [String] { registry.map(\.name) + ["paired-scatter"] }

    /// The figures whose x axis may count compute (`x: tokens|flops`).
    public static let curveNames = ["coverage", "majority", "oracle-pools", "budget-curves", "aggregators",
                                    "breadth-depth"]

    /// The number of runs a figure compares, when it needs a fixed number (nil: any).
    public static func requiredRuns(_ name: String) -> Int? { name == "paired-scatter" ? 2 : nil }

    /// The figure `name` of a run's report, or nil when the run has no data for it (or, with
    /// `x: tokens|flops`, when `compute` lacks what the x axis counts).
    public static func make(_ name: String, report r: RunReport, style: Style, width: FigureWidth = .column,
                            x: XAxis = .rollouts, compute: ComputeProfile? = nil) -> FigureOutput? {
        registry.first { $0.name == name }?.make(Request(name: name, style: style, width: width, x: x,
                                                         compute: compute), r)
    }

    static func coverage(_ q: Request, _ r: RunReport) -> FigureOutput? {
        let pass = q.name == "coverage"
        let ax = Axes(title: pass ? "Coverage (pass@k)" : "Majority vote (maj@k)",
                      xLabel: q.xLabel("k (rollouts)"), yLabel: pass ? "pass@k" : "maj@k")
        ax.xScale = .log2; ax.percentY = true
        var csv = "layers,temperature,k,value,low,high\(q.csvColumn)\n"
        // Shaded: the pointwise 95% bootstrap band over problems, drawn under every line.
        var lines = [Artist]()
        for (i, c) in r.cells.enumerated() where c.samples > 1 || r.cells.count == 1 {
            guard let s = q.scale(cell: Cell(layers: c.layers, temperature: c.temperature)) else { return nil }
            let ys = q.name == "coverage" ? c.passAtK : c.majAtK
            let ks = q.name == "coverage" ? (1...ys.count).map(Double.init) : c.majK.map(Double.init)
            let band = (pass ? c.passBand : c.majBand).flatMap { $0.low.count == ys.count ? $0 : nil }
            if let band, ks.count > 1 { ax.add(.band(xs: ks.map { $0 * s }, low: band.low, high: band.high, color: i)) }
            lines.append(.line(xs: ks.map { $0 * s }, ys: ys, label: cellName(c.layers, c.temperature), color: i,
                               dashed: c.layers > 0))
            for (j, (k, v)) in zip(ks, ys).enumerated() {
                let lh = band.map { "\(num($0.low[j])),\(num($0.high[j]))" } ?? ","
                csv += "\(c.layers),\(c.temperature),\(Int(k)),\(num(v)),\(lh)\(q.csvValue(k * s))\n"
            }
        }
        for l in lines { ax.add(l) }
        guard !ax.artists.isEmpty else { return nil }
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    static func oraclePools(_ q: Request, _ r: RunReport) -> FigureOutput? {
        let ax = Axes(title: "Oracle vs pool size", xLabel: q.xLabel("rollouts per problem"),
                      yLabel: "oracle accuracy")
        ax.xScale = .log2; ax.percentY = true
        var csv = "pool,k,oracle\(q.csvColumn)\n"
        for (i, p) in r.pools.pools.enumerated() where !p.curve.isEmpty {
            guard let s = q.scale(pool: p.name) else { return nil }
            let ks = (1...p.curve.count).map(Double.init)
            let label = ["t_only": "T-only (L=0)", "l_only": "L-only (T=0)", "joint": "joint L x T"][p.name] ?? p.name
            // Markers on every pool or none, so the pools are drawn alike.
            let markers = r.pools.pools.allSatisfy { $0.curve.count < 20 }
            ax.add(.line(xs: ks.map { $0 * s }, ys: p.curve, label: label, color: i, markers: markers))
            for (k, v) in zip(ks, p.curve) { csv += "\(p.name),\(Int(k)),\(num(v))\(q.csvValue(k * s))\n" }
        }
        guard !ax.artists.isEmpty else { return nil }
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    static func heatmap(_ q: Request, _ r: RunReport) -> FigureOutput? {
        let ls = Array(Set(r.cells.map(\.layers))).sorted(), ts = Array(Set(r.cells.map(\.temperature))).sorted()
        let ax = Axes(title: "Accuracy over L x T", xLabel: "temperature T", yLabel: "layers L")
        ax.categories = ts.map { Ticks.label($0, percent: false) }; ax.percentY = true
        var csv = "layers,temperature,accuracy,low,high\n"
        let values: [[Double?]] = ls.map { l in
            ts.map { t in r.cells.first { $0.layers == l && $0.temperature == t }?.accuracy.value }
        }
        for c in r.cells {
            csv += "\(c.layers),\(c.temperature),"
                + "\(num(c.accuracy.value)),\(num(c.accuracy.low)),\(num(c.accuracy.high))\n"
        }
        ax.add(.heatmap(values: values, rows: ls.map { "L=\($0)" }, cellLabels: true, colorbar: "accuracy", range: nil))
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    static func overlap(_ q: Request, _ r: RunReport) -> FigureOutput? {
        guard let o = r.pools.overlap else { return nil }
        let ax = Axes(title: "Solved sets: T-only vs L-only")
        ax.add(.venn(a: "T-only", b: "L-only", onlyA: o.tOnlyExclusive, onlyB: o.lOnlyExclusive, both: o.both,
                     neither: o.neither))
        let csv = "set,problems\nt_only_exclusive,\(o.tOnlyExclusive)\nl_only_exclusive,\(o.lOnlyExclusive)\n"
            + "both,\(o.both)\nneither,\(o.neither)\njaccard,\(num(o.jaccard))\n"
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    static func budgetCurves(_ q: Request, _ r: RunReport) -> FigureOutput? {
        guard let a = r.audit, let s = q.scale(cell: a.cell) else { return nil }
        let ax = Axes(title: "A_x(N) and A_D(N)", xLabel: q.xLabel("N (rollouts, majority vote)"), yLabel: "accuracy")
        ax.xScale = .log2; ax.percentY = true; ax.yLimits = (0, 1.02)
        let xs = a.grid.map { Double($0) * s }
        var csv = "problem,N,accuracy\n"
        let shown = a.curves.keys.sorted().filter { p in
            let c = a.curves[p]!; return c.contains { $0 > 0 } && c.contains { $0 < 1 }
        }.prefix(10)
        for p in shown { ax.add(.line(xs: xs, ys: a.curves[p]!, label: nil, color: 4, markers: false)) }
        for p in a.curves.keys.sorted() { for (n, v) in zip(a.grid, a.curves[p]!) { csv += "\(p),\(n),\(num(v))\n" } }
        if let b = a.datasetBand, b.low.count == xs.count {
            ax.add(.band(xs: xs, low: b.low, high: b.high, color: 0))
            for (j, n) in a.grid.enumerated() {
                csv += "dataset_band_low,\(n),\(num(b.low[j]))\ndataset_band_high,\(n),\(num(b.high[j]))\n"
            }
        }
        ax.add(.line(xs: xs, ys: a.datasetCurve, label: "A_D(N), dataset (simultaneous 95% band)", color: 0))
        ax.add(.line(xs: [xs[0]], ys: [a.datasetCurve[0]], label: "A_x(N), mixed problems", color: 4, markers: false))
        for (n, v) in zip(a.grid, a.datasetCurve) { csv += "dataset,\(n),\(num(v))\n" }
        ax.add(.vline(x: Double(a.datasetBudget) * s, label: "N_D = \(a.datasetBudget)"))
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    /// The audit's verdict in-sample and held out: accuracy at N_D and at per-sample N*_x, each
    /// with its 95% interval over problems (held out: decided on one part of each problem's
    /// rollouts, scored on another).
    static func heldOut(_ q: Request, _ r: RunReport) -> FigureOutput? {
        guard let a = r.audit, let h = a.heldOut else { return nil }
        let ax = Axes(title: "Per-sample budgets, in-sample and held out", yLabel: "majority-vote accuracy")
        ax.categories = ["in-sample", h.folds == 2 ? "held out (halves)" : "held out (\(h.folds) folds)"]
        ax.percentY = true
        let atD = [a.accuracyAtDatasetBudget, h.accuracyAtDatasetBudget]
        let atOwn = [a.accuracyAtOracleBudgets, h.accuracyAtOwnBudgets]
        ax.add(.bars(series: [("at N_D", atD.map(\.value)), ("at per-sample N*_x", atOwn.map(\.value))], stacked: false))
        // Error bars at the grouped bars' centres (two series in a group 0.8 wide).
        ax.add(.errorBars(xs: [-0.2, 0.8], ys: atD.map(\.value), low: atD.map(\.low), high: atD.map(\.high), color: 7))
        ax.add(.errorBars(xs: [0.2, 1.2], ys: atOwn.map(\.value), low: atOwn.map(\.low), high: atOwn.map(\.high),
                          color: 7))
        var csv = "audit,budget,accuracy,low,high\n"
        for (i, name) in ["in_sample", "held_out"].enumerated() {
            csv += "\(name),n_d,\(num(atD[i].value)),\(num(atD[i].low)),\(num(atD[i].high))\n"
            csv += "\(name),per_sample,\(num(atOwn[i].value)),\(num(atOwn[i].low)),\(num(atOwn[i].high))\n"
        }
        csv += "held_out,gain,\(num(h.gain.value)),\(num(h.gain.low)),\(num(h.gain.high))\n"
        csv += "in_sample_same_parts,gain,\(num(h.inSampleGain.value)),\(num(h.inSampleGain.low)),"
            + "\(num(h.inSampleGain.high))\n"
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    /// Small multiples: the most wasteful problems' A_x(N), each with its simultaneous 95% band
    /// (the problem's rollouts resampled), its N*_x and the dataset's N_D.
    static func problemCurves(_ q: Request, _ r: RunReport) -> FigureOutput? {
        guard let a = r.audit, let bands = a.problemBands, !bands.isEmpty else { return nil }
        let shown = BudgetAuditAnalysis.bandOrder(a.rows).map(\.problem).filter { bands[$0] != nil && a.curves[$0] != nil }
        guard !shown.isEmpty else { return nil }
        let xs = a.grid.map(Double.init)
        var csv = "problem,N,accuracy,band_low,band_high\n"
        var axes = [Axes]()
        for p in shown {
            let ys = a.curves[p]!, b = bands[p]!
            let ax = Axes(title: p, xLabel: "N", yLabel: axes.count % 4 == 0 ? "A_x(N)" : nil)
            ax.xScale = .log2; ax.percentY = true; ax.yLimits = (0, 1.02); ax.legend = false
            ax.add(.band(xs: xs, low: b.low, high: b.high, color: 0))
            ax.add(.line(xs: xs, ys: ys, label: "A_x(N)", color: 0))
            if let need = a.sampleOptimal[p] { ax.add(.vline(x: Double(need), label: "N*")) }
            axes.append(ax)
            for (j, n) in a.grid.enumerated() {
                csv += "\(p),\(n),\(num(ys[j])),\(num(b.low[j])),\(num(b.high[j]))\n"
            }
        }
        let cols = min(4, axes.count), rows = (axes.count + cols - 1) / cols
        let f = Figure(style: q.style, widthIn: (q.width == .column ? FigureWidth.full : q.width).inches(q.style),
                       heightScale: 0.85 * Double(rows), axes: axes)
        f.columns = cols
        f.shareAxes()
        return FigureOutput(figure: f, csv: csv,
                            title: "Per-problem budget curves A_x(N) with simultaneous 95% bands")
    }

    static func nstarHistogram(_ q: Request, _ r: RunReport) -> FigureOutput? {
        guard let a = r.audit else { return nil }
        let ax = Axes(title: "Sample-optimal budgets N*_x (in-sample)", xLabel: "N*_x", yLabel: "problems")
        ax.categories = a.grid.map(String.init)
        let counts = a.grid.map { g in Double(a.sampleOptimal.values.filter { $0 == g }.count) }
        ax.add(.bars(series: [("", counts)], stacked: false))
        if let j = a.grid.firstIndex(of: a.datasetBudget) { ax.add(.vline(x: Double(j), label: "N_D")) }
        var csv = "n_star,problems\n"
        for (g, c) in zip(a.grid, counts) { csv += "\(g),\(Int(c))\n" }
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    static func sampleTypes(_ q: Request, _ r: RunReport) -> FigureOutput? {
        guard let a = r.audit else { return nil }
        let types = SampleType.allCases.map(\.rawValue)
        let ax = Axes(title: "Sample types", yLabel: "problems")
        // Short labels so all five fit a single column.
        let short = ["always_right": "always ✓", "always_wrong": "always ✗", "increasing": "rising",
                     "decreasing": "falling", "non_monotone": "mixed"]
        ax.categories = types.map { short[$0] ?? $0.replacingOccurrences(of: "_", with: " ") }
        let counts = types.map { Double(a.sampleTypes[$0] ?? 0) }
        ax.add(.bars(series: [("", counts)], stacked: false))
        var csv = "type,problems\n"
        for (t, c) in zip(types, counts) { csv += "\(t),\(Int(c))\n" }
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    static func waste(_ q: Request, _ r: RunReport) -> FigureOutput? {
        guard let a = r.audit else { return nil }
        let top = Array(a.rows.prefix(12))
        let ax = Axes(title: "Budget audit (in-sample): tokens wasted at N_D = \(a.datasetBudget)",
                      xLabel: "problem (ranked by waste)", yLabel: "tokens")
        ax.categories = top.map { String($0.problem.split(separator: "-").last ?? Substring($0.problem)) }
        ax.add(.bars(series: [("needed (N*_x)", top.map { $0.meanTokens * Double($0.needed) }),
                              ("wasted (N_D - N*_x)", top.map(\.wastedTokens))], stacked: true))
        var csv = "problem,spent,needed,wasted_rollouts,wasted_tokens,type\n"
        for w in a.rows {
            csv += "\(w.problem),\(w.spent),\(w.needed),\(w.wastedRollouts),\(num(w.wastedTokens)),\(w.type)\n"
        }
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    static func predictedBudgets(_ q: Request, _ r: RunReport) -> FigureOutput? {
        guard let a = r.audit, let t = r.budgetPredictor else { return nil }
        let ax = Axes(title: "T2 predicted vs oracle budgets", xLabel: "oracle N*_x", yLabel: "predicted N^")
        ax.xScale = .log2; ax.yScale = .log2
        let lim = (0.8, Double(a.grid.last ?? 1) * 1.25)
        ax.xLimits = lim; ax.yLimits = lim
        let ps = a.sampleOptimal.keys.sorted()
        let truth = ps.map { Double(a.sampleOptimal[$0]!) }
        // Jitter on a log scale so identical pairs stay visible.
        let jitter = ps.indices.map { 1 + 0.08 * (Double(($0 * 37) % 11) / 10 - 0.5) }
        ax.add(.line(xs: [1, Double(a.grid.last ?? 1)], ys: [1, Double(a.grid.last ?? 1)], label: "y = x", color: 7,
                     dashed: true, markers: false))
        ax.add(.scatter(xs: zip(truth, jitter).map { $0 * $1 },
                        ys: zip(t.predicted.map(Double.init), jitter.reversed()).map { $0 * $1 },
                        label: "problems", color: 0))
        var csv = "problem,oracle,predicted\n"
        for (i, p) in ps.enumerated() where i < t.predicted.count {
            csv += "\(p),\(a.sampleOptimal[p]!),\(t.predicted[i])\n"
        }
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    static func keff(_ q: Request, _ r: RunReport) -> FigureOutput? {
        guard let d = r.diversity else { return nil }
        let ax = Axes(title: "Effective approaches K_eff", xLabel: "K_eff = exp H(pi)", yLabel: "problems")
        let hi = max(2, ceil(d.effectiveApproaches.max() ?? 1))
        let edges = stride(from: 1.0, through: hi + 0.5, by: 0.5).map { $0 }
        var counts = [Double](repeating: 0, count: edges.count - 1)
        for v in d.effectiveApproaches { counts[min(counts.count - 1, max(0, Int((v - 1) / 0.5)))] += 1 }
        ax.add(.histogram(edges: edges, counts: counts, label: nil, color: 0))
        ax.add(.vline(x: d.threshold, label: "threshold"))
        var csv = "bin_low,bin_high,problems\n"
        for (i, c) in counts.enumerated() { csv += "\(edges[i]),\(edges[i + 1]),\(Int(c))\n" }
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    static func uncertainty(_ q: Request, _ r: RunReport) -> FigureOutput? {
        guard let d = r.diversity else { return nil }
        let ax = Axes(title: "Uncertainty decomposition", yLabel: "mean per problem")
        ax.categories = ["Var(C)", "H(C) nats"]
        ax.add(.bars(series: [("across approaches", [d.varianceForm.across, d.entropyForm.across]),
                              ("within approaches", [d.varianceForm.within, d.entropyForm.within])], stacked: true))
        let csv = "form,total,across,within\n"
            + "variance,\(num(d.varianceForm.total)),\(num(d.varianceForm.across)),\(num(d.varianceForm.within))\n"
            + "entropy,\(num(d.entropyForm.total)),\(num(d.entropyForm.across)),\(num(d.entropyForm.within))\n"
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    static func gateHistogram(_ q: Request, _ r: RunReport) -> FigureOutput? {
        let eglr = r.cells.filter { $0.layers > 0 }
        guard !eglr.isEmpty else { return nil }
        let ax = Axes(title: "EGLR gate rate and cost", yLabel: "per generated token")
        ax.categories = eglr.map { cellName($0.layers, $0.temperature) }
        ax.add(.bars(series: [("gate rate", eglr.map(\.gateRate)),
                              ("extra layers / token / 10", eglr.map { $0.extraPerToken / 10 })], stacked: false))
        var csv = "layers,temperature,gate_rate,extra_layers_per_token,cost_overhead\n"
        for c in eglr {
            csv += "\(c.layers),\(c.temperature),"
                + "\(num(c.gateRate)),\(num(c.extraPerToken)),\(num(c.costOverhead ?? .nan))\n"
        }
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    static func iterationHistogram(_ q: Request, _ r: RunReport) -> FigureOutput? {
        let eglr = r.cells.filter { $0.layers > 0 && $0.iterationHistogram != nil }
        guard !eglr.isEmpty else { return nil }
        let k = eglr.map { $0.iterationHistogram!.count }.max()!
        let ax = Axes(title: "EGLR iterations per gated token", xLabel: "iterations", yLabel: "share of gated tokens")
        ax.categories = (0..<k).map(String.init); ax.percentY = true
        var csv = "layers,temperature,iterations,tokens\n"
        ax.add(.bars(series: eglr.map { c in
            let h = c.iterationHistogram! + [Int](repeating: 0, count: k - c.iterationHistogram!.count)
            let total = Double(max(h.reduce(0, +), 1))
            for (i, v) in h.enumerated() { csv += "\(c.layers),\(c.temperature),\(i),\(v)\n" }
            return (cellName(c.layers, c.temperature), h.map { Double($0) / total })
        }, stacked: false))
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    static func selection(_ q: Request, _ r: RunReport) -> FigureOutput? {
        guard let s = r.selection else { return nil }
        let names = ["mean", "maj", "BoN-SC", "BoN-LP", "Borda", "oracle"]
        let vals = [s.meanAccuracy, s.majority, s.bestOfNSelfCertainty, s.bestOfNLogprob, s.bordaSelfCertainty,
                    s.oracle]
        let ax = Axes(title: "Selection rules at full pool (\(cellName(s.cell.layers, s.cell.temperature)))",
                      yLabel: "accuracy")
        ax.categories = names; ax.percentY = true
        ax.add(.bars(series: [("", vals.map(\.value))], stacked: false))
        ax.add(.errorBars(xs: names.indices.map(Double.init), ys: vals.map(\.value), low: vals.map(\.low),
                          high: vals.map(\.high), color: 7))
        var csv = "rule,value,low,high\n"
        for (n, v) in zip(names, vals) { csv += "\(n),\(num(v.value)),\(num(v.low)),\(num(v.high))\n" }
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }

    static func breadthDepth(_ q: Request, _ r: RunReport) -> FigureOutput? {
        // Measured depth (strategy: depth) against the breadth curves of the same cell;
        // without depth runs, the breadth curves alone.
        let depthRows = r.depth ?? []
        let cell = depthRows.first.map { d in
            r.cells.first { $0.layers == d.layers && $0.temperature == d.temperature }
        } ?? nil
        guard let c = cell ?? r.cells.filter({ $0.layers == 0 && $0.samples > 1 }).max(by: { $0.samples < $1.samples }),
              let s = q.scale(cell: Cell(layers: c.layers, temperature: c.temperature)),
              q.x != .flops || depthRows.isEmpty   // depth children record no FLOPs
        else { return nil }
        let ax = Axes(title: depthRows.isEmpty ? "Breadth at budget B (no depth run in this notebook)"
                                               : "Breadth vs depth (L=\(c.layers), T=\(c.temperature))",
                      xLabel: q.xLabel("budget B (rollouts)"), yLabel: "accuracy")
        ax.xScale = .log2; ax.percentY = true
        let rows = depthRows.filter { $0.layers == c.layers && $0.temperature == c.temperature }
        // At equal compute a depth trial sits at the tokens it spent, not at its budget B.
        func depthX(_ d: DepthComparison) -> Double { q.x == .tokens ? d.depthTokens : Double(d.budget) }
        // Room right of the last budget so the depth points at B are not on the frame.
        let lo = q.x == .rollouts ? 1 : min(s, rows.map(depthX).min() ?? s) / 1.2
        ax.xLimits = (lo, max(Double(c.samples) * s, rows.map(depthX).max() ?? 1) * 1.5)
        let ks = (1...c.samples).map(Double.init)
        ax.add(.line(xs: ks.map { $0 * s }, ys: c.passAtK, label: "breadth pass@B", color: 0))
        ax.add(.line(xs: c.majK.map { Double($0) * s }, ys: c.majAtK, label: "breadth maj@B", color: 1))
        var csv = "series,B,value,low,high\(q.csvColumn)\n"
        for (i, v) in c.passAtK.enumerated() { csv += "breadth pass,\(i + 1),\(num(v)),,\(q.csvValue(ks[i] * s))\n" }
        for (k, v) in zip(c.majK, c.majAtK) { csv += "breadth maj,\(k),\(num(v)),,\(q.csvValue(Double(k) * s))\n" }
        for (j, d) in rows.enumerated() {
            // Each signal a little right of its x so the points and intervals do not overlap.
            let x = [depthX(d) * (1.06 + 0.08 * Double(j))]
            ax.add(.scatter(xs: x, ys: [d.depthPass.value], label: "depth (\(d.signal)) pass", color: 2 + 2 * j))
            ax.add(.errorBars(xs: x, ys: [d.depthPass.value], low: [d.depthPass.low], high: [d.depthPass.high],
                              color: 2 + 2 * j))
            ax.add(.scatter(xs: x, ys: [d.depthMajority.value], label: "depth (\(d.signal)) maj", color: 3 + 2 * j))
            csv += "depth \(d.signal) pass,\(d.budget),"
                + "\(num(d.depthPass.value)),\(num(d.depthPass.low)),\(num(d.depthPass.high))\(q.csvValue(depthX(d)))\n"
            csv += "depth \(d.signal) maj,\(d.budget),\(num(d.depthMajority.value)),"
                + "\(num(d.depthMajority.low)),\(num(d.depthMajority.high))\(q.csvValue(depthX(d)))\n"
        }
        return FigureOutput(figure: q.figure([ax]), csv: csv, title: ax.title!)
    }
}
