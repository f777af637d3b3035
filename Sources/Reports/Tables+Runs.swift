import Analysis
import Foundation

/// Tables over several runs, and text values qualified by run (`{{m_d@base}}`).
extension Tables {
    /// `value@run`: a run's value in a text cell (value names never contain "@").
    public static func qualified(_ value: String, run: String) -> String { "\(value)@\(run)" }

    /// The value name and the run of a placeholder (run nil when unqualified).
    public static func unqualified(_ placeholder: String) -> (value: String, run: String?) {
        guard let at = placeholder.firstIndex(of: "@") else { return (placeholder, nil) }
        return (String(placeholder[..<at]), String(placeholder[placeholder.index(after: at)...]))
    }

    /// Every run's values qualified by its name; a single run's values also unqualified.
    public static func values(_ runs: [ReportInput.Run]) -> [String: String] {
        var out = [String: String]()
        for r in runs {
            for (k, v) in values(r.report).merging(seedValues(r), uniquingKeysWith: { a, _ in a }) {
                out[qualified(k, run: r.name)] = v
            }
        }
        if runs.count == 1 {
            out.merge(values(runs[0].report).merging(seedValues(runs[0]), uniquingKeysWith: { a, _ in a })) { a, _ in a }
        }
        return out
    }

    /// The table `name` over `runs`: the `runs` table, one run's table as it is, or several
    /// runs' tables joined (nil when no run has data for it).
    public static func make(_ name: String, runs: [ReportInput.Run]) -> TableOutput? {
        if name == "runs" { return runsTable(runs) }
        if name == "seeds" { return seedsTable(runs) }
        if runs.count == 1 { return make(name, report: runs[0].report) }
        let tables = runs.compactMap { r in make(name, report: r.report).map { (run: r.name, table: $0) } }
        guard let first = tables.first?.table else { return nil }
        return first.headers == ["quantity", "value"] ? sideBySide(tables) : stacked(tables)
    }

    /// The title several runs' tables share: the same text, or the part before a run-specific
    /// parenthesis ("Budget audit (L=0, T=1)" -> "Budget audit").
    static func sharedTitle(_ titles: [String]) -> String {
        guard let first = titles.first else { return "" }
        if titles.allSatisfy({ $0 == first }) { return first }
        return first.range(of: " (").map { String(first[..<$0.lowerBound]) } ?? first
    }

    /// Quantity-value tables: a column per run, rows matched by quantity in first-seen order.
    static func sideBySide(_ tables: [(run: String, table: TableOutput)]) -> TableOutput {
        var order = [String](), cells = [String: [String: String]]()
        for (run, t) in tables {
            for row in t.rows where row.count == 2 {
                if cells[row[0]] == nil { order.append(row[0]) }
                cells[row[0], default: [:]][run] = row[1]
            }
        }
        let rows = order.map { q in [q] + tables.map { cells[q]?[$0.run] ?? "" } }
        return TableOutput(title: sharedTitle(tables.map(\.table.title)), headers: ["quantity"] + tables.map(\.run),
                           rows: rows)
    }

    /// Other tables: a run column first, then each run's rows in turn.
    static func stacked(_ tables: [(run: String, table: TableOutput)]) -> TableOutput {
        var out = TableOutput(title: sharedTitle(tables.map(\.table.title)), headers: ["run"] + tables[0].table.headers,
                              rows: tables.flatMap { t in t.table.rows.map { [t.run] + $0 } })
        out.rowProblems = tables.flatMap { t in t.table.rows.indices.map { t.table.rowProblems.indices.contains($0)
                                                                             ? t.table.rowProblems[$0] : nil } }
        out.rowRuns = tables.flatMap { t in t.table.rows.map { _ in t.run } }
        return out
    }

    /// One row per run: what it sampled and how well it did.
    static func runsTable(_ runs: [ReportInput.Run]) -> TableOutput {
        TableOutput(title: "Runs",
                    headers: ["run", "model", "model sha256", "tasks", "prompt, grid", "rollouts", "tokens",
                              "accuracy (95% CI)"],
                    rows: runs.map { r in
                        let f = r.facts
                        let key = f.modelKey.hasPrefix("sha256:") ? String(f.modelKey.dropFirst(7)) : f.modelKey
                        return [r.name, f.model, key, f.tasks, f.grid, String(f.rollouts), String(f.tokens),
                                ci(f.accuracy)]
                    })
    }
}

/// Seeds: the headline numbers of every seed's run (`seeds: [0, 1, 2]`), their spread over
/// seeds next to the first seed's bootstrap interval over problems.
extension Tables {
    enum Kind { case percent, points, number, integer }

    /// The numbers a seed-to-seed spread is reported for: name, label, value (and its interval
    /// over problems, where there is one).
    static let headline: [(name: String, label: String, kind: Kind, get: (RunReport) -> (Double, Interval?)?)] = [
        ("mean_accuracy", "single-rollout accuracy", .percent, { r in r.selection.map { ($0.meanAccuracy.value, $0.meanAccuracy) } }),
        ("majority", "majority vote (full pool)", .percent, { r in r.selection.map { ($0.majority.value, $0.majority) } }),
        ("oracle_t_only", "oracle (T-only pool)", .percent, { r in pool(r, "t_only") }),
        ("oracle_l_only", "oracle (L-only pool)", .percent, { r in pool(r, "l_only") }),
        ("oracle_joint", "oracle (joint L x T pool)", .percent, { r in pool(r, "joint") }),
        ("n_d", "dataset budget N_D", .integer, { r in r.audit.map { (Double($0.datasetBudget), nil) } }),
        ("mean_n_star", "mean N*_x", .number, { r in r.audit.map { ($0.meanSampleOptimal, nil) } }),
        ("m_d", "M_D (in-sample)", .number, { r in r.audit.map { ($0.overscalingIndex, nil) } }),
        ("saved", "saved by per-sample budgets (in-sample)", .percent, { r in r.audit.map { ($0.savedFraction, nil) } }),
        ("m_d_held_out", "M_D (held out)", .number, { r in r.audit?.heldOut.map { ($0.overscalingIndex, nil) } }),
        ("gain_held_out_pp", "gain of per-sample budgets (held out)", .points,
         { r in r.audit?.heldOut.map { ($0.gain.value, $0.gain) } }),
        ("median_keff", "median K_eff", .number, { r in r.diversity.map { ($0.medianEffectiveApproaches, nil) } }),
        ("t2_accuracy", "accuracy at T2 predicted budgets", .percent,
         { r in r.budgetPredictor.map { ($0.accuracyAtPredicted, nil) } }),
    ]

    static func pool(_ r: RunReport, _ name: String) -> (Double, Interval?)? {
        r.pools.pools.first { $0.name == name }.map { ($0.oracle.value, $0.oracle) }
    }

    static func format(_ v: Double, _ kind: Kind) -> String {
        switch kind {
        case .percent: return pct(v)
        case .points: return String(format: "%+.1f pp", abs(100 * v) < 0.05 ? 0 : 100 * v)
        case .number: return String(format: "%.2f", v)
        case .integer: return String(format: v == v.rounded() ? "%.0f" : "%.1f", v)
        }
    }

    static func interval(_ i: Interval, _ kind: Kind) -> String {
        kind == .points ? ppInterval(i) : ci(i)
    }

    /// "mean ± sd over K seeds [min, max]" of one headline number (nil when a seed lacks it).
    static func spread(_ reports: [RunReport], _ h: (name: String, label: String, kind: Kind,
                                                     get: (RunReport) -> (Double, Interval?)?)) -> String? {
        let xs = reports.compactMap { h.get($0)?.0 }
        guard xs.count == reports.count, xs.count > 1 else { return nil }
        let m = xs.reduce(0, +) / Double(xs.count)
        let sd = (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot()
        let sdText: String
        switch h.kind {
        case .percent, .points: sdText = String(format: "%.1f pp", 100 * sd)
        default: sdText = String(format: "%.2f", sd)
        }
        return "\(format(m, h.kind)) ± \(sdText) over \(xs.count) seeds "
            + "[\(format(xs.min()!, h.kind)), \(format(xs.max()!, h.kind))]"
    }

    /// Text values of a run with seeds: `{{NAME_seeds}}` per headline number, `{{seeds}}`.
    static func seedValues(_ r: ReportInput.Run) -> [String: String] {
        guard r.seeds.count > 1 else { return [:] }
        var v = ["seeds": r.seeds.map { String($0.seed) }.joined(separator: ", ")]
        for h in headline { if let s = spread(r.seeds.map(\.report), h) { v["\(h.name)_seeds"] = s } }
        return v
    }

    /// The `seeds` table: per headline number, the first seed's value with its 95% interval
    /// over problems, each seed's value, and the spread over seeds.
    static func seedsTable(_ runs: [ReportInput.Run]) -> TableOutput? {
        let withSeeds = runs.filter { $0.seeds.count > 1 }
        guard !withSeeds.isEmpty else { return nil }
        let multi = withSeeds.count > 1
        let maxSeeds = withSeeds.map(\.seeds.count).max()!
        var headers = ["quantity", "seed \(withSeeds[0].seeds[0].seed) (95% CI over problems)"]
        headers += multi ? (1..<maxSeeds).map { "seed #\($0 + 1)" } : withSeeds[0].seeds.dropFirst().map { "seed \($0.seed)" }
        headers.append("mean ± sd over seeds [min, max]")
        if multi { headers.insert("run", at: 0) }
        var rows = [[String]]()
        for r in withSeeds {
            for h in headline {
                let vals = r.seeds.map { h.get($0.report) }
                guard let first = vals[0] else { continue }
                var row = [h.label, first.1.map { interval($0, h.kind) } ?? format(first.0, h.kind)]
                row += vals.dropFirst().map { $0.map { format($0.0, h.kind) } ?? "" }
                row += Array(repeating: "", count: maxSeeds - r.seeds.count)
                row.append(spread(r.seeds.map(\.report), h) ?? "")
                rows.append(multi ? [r.name] + row : row)
            }
        }
        return TableOutput(title: "Headline numbers over seeds", headers: headers, rows: rows)
    }
}
