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
            for (k, v) in values(r.report) { out[qualified(k, run: r.name)] = v }
        }
        if runs.count == 1 { out.merge(values(runs[0].report)) { a, _ in a } }
        return out
    }

    /// The table `name` over `runs`: the `runs` table, one run's table as it is, or several
    /// runs' tables joined (nil when no run has data for it).
    public static func make(_ name: String, runs: [ReportInput.Run]) -> TableOutput? {
        if name == "runs" { return runsTable(runs) }
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
