import Foundation
import Reports
import Runner

/// Checks that span cells, once the whole notebook is read: every run has one name, every
/// figure and table draws runs the notebook reads, every text value names one run.
extension NotebookParser {
    mutating func finish() throws {
        guard !runs.isEmpty else {
            throw PlanError("\(path): the notebook has no sample cell (```rollbook\\nsample: {...}\\n```) "
                            + "and no runs: cell")
        }
        try checkRunNames()
        for b in blocks {
            switch b {
            case .figure(let v), .table(let v): try checkViewRuns(v)
            case let .text(t, line): try checkText(t, line: line)
            default: break
            }
        }
    }

    var runList: String { runs.map(\.name).joined(separator: ", ") }

    /// With two runs or more each sample cell names its run, and no name is used twice.
    func checkRunNames() throws {
        if runs.count > 1 {
            for (i, r) in runs.enumerated() where r.plan != nil && !named.contains(i) {
                throw PlanError("\(path):\(r.line): this notebook reads \(runs.count) runs, so each sample cell "
                                + "needs name: (its run's name in the store)")
            }
        }
        var first = [String: Int]()
        for r in runs {
            if let line = first[r.name] {
                throw PlanError("\(path):\(r.line): run name \"\(r.name)\" is used twice (first at line \(line))")
            }
            first[r.name] = r.line
        }
    }

    /// `runs:` of a figure or table names runs of this notebook, each once, as many as it needs.
    func checkViewRuns(_ v: Notebook.View) throws {
        let known = Set(runs.map(\.name))
        for (i, r) in (v.runs ?? []).enumerated() {
            guard known.contains(r) else {
                throw PlanError("\(path):\(v.line): unknown run \"\(r)\" in runs: (this notebook's runs: \(runList))")
            }
            if v.runs![..<i].contains(r) { throw PlanError("\(path):\(v.line): runs: names \"\(r)\" twice") }
        }
        guard let need = StandardFigures.requiredRuns(v.name) else { return }
        let count = v.runs?.count ?? runs.count
        if count != need && (v.runs != nil || runs.count > 1) {
            throw PlanError("\(path):\(v.line): \(v.name) compares \(need) runs: name them, e.g. runs: ["
                            + runs.prefix(need).map(\.name).joined(separator: ", ") + "]")
        }
    }

    /// Each `{{value}}` is known; `{{value@run}}` names a run of the notebook; an unqualified
    /// value is ambiguous in a notebook of several runs.
    func checkText(_ t: String, line: Int) throws {
        for n in Tables.placeholders(t) ?? [] {
            let (value, run) = Tables.unqualified(n)
            guard Tables.valueNames.contains(value) else {
                throw PlanError("\(path):\(line): unknown {{\(n)}} in a text cell (known: "
                                + Tables.valueNames.joined(separator: ", ") + ")")
            }
            if let run, !runs.contains(where: { $0.name == run }) {
                throw PlanError("\(path):\(line): {{\(n)}} names run \"\(run)\", which this notebook does not read "
                                + "(runs: \(runList))")
            }
            if run == nil && runs.count > 1 {
                throw PlanError("\(path):\(line): {{\(n)}} is ambiguous: this notebook reads \(runs.count) runs "
                                + "(\(runList)); write {{\(Tables.qualified(value, run: runs[0].name))}}")
            }
        }
    }
}
