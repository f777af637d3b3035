import Analysis
import Charts
import Foundation
import Ink
import Mustache

/// Writes a report from analysed data: reports/<name>/ with index.html (self-contained),
/// report.pdf, and figures/ (SVG, PDF, PNG and CSV per figure, CSV per table).
public enum ReportWriter {
    public struct Written: Sendable {
        public var figures: Int
        public var tables: Int
    }

    /// `{{name}}` replaced by its value, unescaped (for the PDF); unknown names become "".
    static func plainSubstitute(_ template: String, _ values: [String: String]) -> String {
        var out = "", rest = Substring(template)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                out += rest[open.lowerBound...]; return out
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            out += values[name] ?? ""
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    public static func write(_ input: ReportInput, to out: String) throws -> Written {
        try checkTextCells(input)
        let figDir = out + "/figures"
        try FileManager.default.createDirectory(atPath: figDir, withIntermediateDirectories: true)
        // Files of an earlier render whose cells are gone would otherwise linger.
        for f in (try? FileManager.default.contentsOfDirectory(atPath: figDir)) ?? []
            where f.hasPrefix("fig") || f.hasPrefix("tab") {
            try? FileManager.default.removeItem(atPath: "\(figDir)/\(f)")
        }
        let pdf = try Document(path: out + "/report.pdf")
        pdf.heading(input.title, size: 20)
        pdf.paragraph(subtitle(input, problems: true), size: 9, color: .grey)
        var cells = CellWriter(input: input, figDir: figDir, pdf: pdf)
        for (i, b) in input.blocks.enumerated() {
            try cells.write(b, beforeFigure: i + 1 < input.blocks.count && input.blocks[i + 1].isFigure)
        }
        try writeHTML(input, blocks: cells.html, to: out + "/index.html")
        writeProvenance(input, pdf: pdf)
        try pdf.finish()
        return Written(figures: cells.figures, tables: cells.tables)
    }

    /// The line under the title: model, tasks and rollouts (per run when there are several).
    static func subtitle(_ input: ReportInput, problems: Bool) -> String {
        func one(_ r: ReportInput.Run) -> String {
            "\(r.provenance.model) · \(r.provenance.tasks) · \(r.report.rollouts) rollouts"
                + (problems ? " over \(r.report.problems) problems" : "")
        }
        guard input.isMultiRun else { return one(input.runs[0]) }
        return "\(input.runs.count) runs: " + input.runs.map { "\($0.name) (\(one($0)))" }.joined(separator: "; ")
    }

    /// Every `{{name}}` of every text cell has a value in its run, before any file is written.
    static func checkTextCells(_ input: ReportInput) throws {
        let values = Tables.values(input.runs)
        for case let .text(template, line) in input.blocks {
            guard let names = Tables.placeholders(template) else {
                throw ReportError("\(input.source):\(line): text cell has a {{ that is never closed with }}")
            }
            for n in names where values[n] == nil {
                let (value, run) = Tables.unqualified(n)
                if Tables.valueNames.contains(value) {
                    let which = run.map { "run \($0)" } ?? "this run"
                    throw ReportError("\(input.source):\(line): {{\(n)}} has no value in \(which) "
                                      + "(the run has no data for it; see the notebook's sample cell)")
                }
                throw ReportError("\(input.source):\(line): unknown {{\(n)}} (known: "
                                  + Tables.valueNames.joined(separator: ", ") + ")")
            }
        }
    }

    /// Markdown prose as plain text for the PDF (emphasis and link markup removed).
    static func plain(_ md: String) -> String {
        var s = md.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "`", with: "")
        s = s.replacingOccurrences(of: "\n", with: " ")
        while let open = s.range(of: "]("), let close = s[open.upperBound...].firstIndex(of: ")") {
            s.removeSubrange(open.lowerBound..<s.index(after: close))
        }
        return s.replacingOccurrences(of: "[", with: "")
    }

    /// The HTML id of a problem's drill-down section: `p-RUN-PROBLEM`, every character that is
    /// not an ASCII letter or digit spelled `_XX` (its UTF-8 bytes in hex), so ids are unique,
    /// valid and need no escaping.
    public static func anchor(run: String, problem: String) -> String {
        func slug(_ s: String) -> String {
            var o = ""
            for b in s.utf8 {
                let c = Character(UnicodeScalar(b))
                if b < 128 && (c.isLetter || c.isNumber) { o.append(c) } else { o += String(format: "_%02X", b) }
            }
            return o
        }
        return "p-\(slug(run))-\(slug(problem))"
    }

    /// In an inline SVG, every text that is exactly a problem's id (a panel title, a label)
    /// becomes a link to the problem's section (the first run drawn that has the problem).
    static func linkProblems(_ svg: String, runs: [ReportInput.Run]) -> String {
        // Keyed by the id as the SVG spells it.
        var anchors = [String: String]()
        for r in runs {
            for p in r.problems where anchors[SVGRenderer.escape(p.id)] == nil {
                anchors[SVGRenderer.escape(p.id)] = anchor(run: r.name, problem: p.id)
            }
        }
        guard !anchors.isEmpty else { return svg }
        var out = [Substring]()
        for line in svg.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("<text"), line.hasSuffix("</text>"), let gt = line.firstIndex(of: ">") else {
                out.append(line); continue
            }
            let content = String(line[line.index(after: gt)..<line.index(line.endIndex, offsetBy: -7)])
            if let a = anchors[content] { out.append("<a href=\"#\(a)\">\(line)</a>") } else { out.append(line) }
        }
        return out.joined(separator: "\n")
    }

    /// Drill-down: every rollout per problem (model text escaped by the template), with the
    /// problem's budget-audit verdict when the run has one.
    static func drillDown(_ run: ReportInput.Run) -> [[String: Any]] {
        let audit = run.report.audit?.rowsByProblem ?? [:]
        func fmt(_ v: Double?, _ f: String) -> String { v.map { String(format: f, $0) } ?? "—" }
        return run.problems.map { p in
            var d: [String: Any] = [
                "id": p.id, "anchor": anchor(run: run.name, problem: p.id), "gold": p.gold, "question": p.question,
                "accuracy": "\(p.rollouts.filter(\.correct).count)/\(p.rollouts.count)",
                "rollouts": p.rollouts.map { r -> [String: Any] in
                    ["layers": r.layers, "temperature": Ticks.label(r.temperature, percent: false), "sample": r.sample,
                     "response": r.response, "extracted": r.extracted ?? "—", "class": r.answerClass,
                     "correct": r.correct, "rule": r.rule, "tokens": r.tokens, "finish": r.finish,
                     "entropy": fmt(r.meanEntropy, "%.3f"), "certainty": fmt(r.selfCertainty, "%.2f"),
                     "gates": r.layers > 0 ? "\(r.gatedTokens) / \(r.extraLayers)" : "—"]
                }]
            if let t = p.tier { d["tier"] = t }
            if let a = audit[p.id] {
                d["audit"] = ["type": a.type.replacingOccurrences(of: "_", with: " "), "needed": a.needed,
                              "spent": a.spent, "wasted": String(format: "%.0f", a.wastedTokens),
                              "at_d": Tables.pct(a.accuracyAtDatasetBudget), "at_own": Tables.pct(a.accuracyAtOwnBudget)]
            }
            return d
        }
    }

    static func writeHTML(_ input: ReportInput, blocks: [[String: Any]], to path: String) throws {
        let root = input.templateRoot
        let css = (try? String(contentsOfFile: root + "/templates/report/report.css", encoding: .utf8)) ?? ""
        guard let tplText = try? String(contentsOfFile: root + "/templates/report/report.mustache",
                                        encoding: .utf8) else {
            throw ReportError("\(root)/templates/report/report.mustache: missing report template")
        }
        let template = try MustacheTemplate(string: tplText)
        let o = input.options, p = input.runs[0].provenance
        let analysis = "bootstrap \(o.resamples) resamples, \(Int(o.level * 100))% level, seed \(o.seed); "
            + "maj@k exact or Monte Carlo (2000 draws); K_eff threshold \(o.keffThreshold); "
            + "T2 ridge lambda \(o.ridgeLambda), \(o.folds)-fold"
        // The first run's fields stay at the top level for templates written before multi-run notebooks.
        let ctx: [String: Any] = [
            "title": input.title, "css": css, "model_name": p.model, "tasks": p.tasks,
            "rollouts": input.runs[0].report.rollouts, "subtitle": subtitle(input, problems: false),
            "date": ISO8601DateFormatter().string(from: Date()), "blocks": blocks,
            "drill": input.runs.map { r -> [String: Any] in
                var d: [String: Any] = ["problems": drillDown(r)]
                if input.isMultiRun { d["run"] = r.name }
                return d
            },
            "provenance": input.runs.map { provenanceFields($0, multiRun: input.isMultiRun) },
            "model_path": p.modelPath, "model_key": p.modelKey, "grader": p.grader, "version": p.version,
            "timings": p.timings, "plan": p.plan, "analysis": analysis,
        ]
        try template.render(ctx).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A run's provenance for the HTML template (`run` named when there are several).
    static func provenanceFields(_ r: ReportInput.Run, multiRun: Bool) -> [String: Any] {
        let p = r.provenance
        var d: [String: Any] = ["model_path": p.modelPath, "model_key": p.modelKey, "tasks": p.tasks,
                                "grader": p.grader, "version": p.version, "timings": p.timings, "plan": p.plan]
        if multiRun { d["run"] = r.name }
        return d
    }

    /// Each run's provenance block stays on one page when it fits on one.
    static func writeProvenance(_ input: ReportInput, pdf: Document) {
        for r in input.runs {
            let p = r.provenance
            let rows = [["model", p.modelPath], ["model hash", p.modelKey], ["tasks", p.tasks],
                        ["grader", p.grader], ["rollbook", p.version], ["timings", p.timings]]
            let height = pdf.tableHeight(title: "", headers: ["", ""], rows: rows)
                + pdf.paragraphHeight(p.plan, size: 7.5)
            pdf.heading(input.isMultiRun ? "Provenance: run \(r.name)" : "Provenance", size: 13,
                        keepWithNext: min(height, pdf.pageContentHeight - 40))
            pdf.table(title: "", headers: ["", ""], rows: rows)
            pdf.paragraph(p.plan, size: 7.5)
        }
    }
}

/// Writes the notebook's cells in order into the PDF, the figures folder and the HTML blocks.
struct CellWriter {
    let input: ReportInput
    let figDir: String
    let pdf: Document
    let values: [String: String]
    let markdown = MarkdownParser()
    var html = [[String: Any]]()
    var figures = 0, tables = 0

    init(input: ReportInput, figDir: String, pdf: Document) {
        self.input = input; self.figDir = figDir; self.pdf = pdf
        values = Tables.values(input.runs)
    }

    /// Writes one cell. `beforeFigure`: a heading ending this cell keeps with the figure after
    /// it (a column-width figure and its caption take up to about 330 points of a page).
    mutating func write(_ block: ReportInput.Block, beforeFigure: Bool = false) throws {
        switch block {
        case .prose(let md):
            html.append(["prose": ["html": markdown.html(from: md)]])
            let paras = md.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            for (i, t) in paras.enumerated() {
                let keep = beforeFigure && i == paras.count - 1 ? 330.0 : 220
                if t.hasPrefix("#") {
                    pdf.heading(t.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces), size: 13, keepWithNext: keep)
                } else if !t.isEmpty { pdf.paragraph(ReportWriter.plain(t)) }
            }
        case let .text(template, _):
            // Plain text with the values in; the HTML template escapes it once.
            let s = ReportWriter.plainSubstitute(template, values)
            html.append(["text": ["value": s]])
            pdf.paragraph(s, size: 10, bold: false)
        case .sample(let summary):
            html.append(["sample": ["summary": summary]])
        case let .figure(name, caption, width, runs, x, _):
            try figure(name, caption: caption, width: width, runs: runs, x: x)
        case let .table(name, caption, runs, _):
            try table(name, caption: caption, runs: runs)
        }
    }

    /// Why a figure or table has nothing to draw.
    func missingReason(_ name: String, runs named: [StandardFigures.NamedReport], x: XAxis = .rollouts) -> String {
        let runs = named.count
        if let need = StandardFigures.requiredRuns(name), need != runs {
            return "it compares \(need) runs (runs: [a, b]); this notebook reads \(runs)"
        }
        let lacking = named.filter { !StandardFigures.hasCompute($0.compute, x) }.map(\.name)
        if !lacking.isEmpty {
            let what = x == .flops ? "the FLOPs" : "the generated token count"
            let who = runs == 1 ? "these rollouts do not record it"
                : "run\(lacking.count == 1 ? "" : "s") \(lacking.joined(separator: ", ")) do\(lacking.count == 1 ? "es" : "") not"
            return "x: \(x.rawValue) needs \(what) of every rollout of every run drawn, and \(who)"
        }
        return runs > 1 ? "none of the runs has data for it"
                        : "the run has no data for it (see the notebook's sample cell)"
    }

    mutating func figure(_ name: String, caption: String?, width: FigureWidth, runs: [String], x: XAxis) throws {
        let named = input.runs(runs).map { (name: $0.name, report: $0.report, compute: $0.compute) }
        guard let f = StandardFigures.make(name, runs: named, style: input.style, width: width, x: x) else {
            let reason = missingReason(name, runs: named, x: x)
            html.append(["missing": ["name": name, "reason": reason]])
            let single = named.count == 1 && StandardFigures.requiredRuns(name) == nil
                && StandardFigures.hasCompute(named[0].compute, x)
            pdf.paragraph("Figure \(name): \(single ? "no data in this run" : reason).", size: 9,
                          color: Color(0.8, 0.3, 0))
            return
        }
        let id = String(format: "fig%02d-%@", figures + 1, name)
        for fmt in ChartFormat.allCases {
            try f.figure.write(to: "\(figDir)/\(id).\(fmt.rawValue)", format: fmt, dpi: 300)
        }
        try f.csv.write(toFile: "\(figDir)/\(id).csv", atomically: true, encoding: .utf8)
        let svg = ReportWriter.linkProblems(try f.figure.inlineSVG(id: id), runs: input.runs(runs))
        html.append(["figure": ["id": id, "number": figures + 1, "title": f.title, "caption": caption ?? "",
                                "svg": svg]])
        // The caption sits under the figure and names it (paper styles draw no title inside).
        pdf.figure(f.figure, caption: "Figure \(figures + 1). \(f.title)." + (caption.map { " \($0)" } ?? ""))
        figures += 1
    }

    mutating func table(_ name: String, caption: String?, runs: [String]) throws {
        let named = input.runs(runs)
        guard let t = Tables.make(name, runs: named) else {
            html.append(["missing": ["name": name,
                                     "reason": named.count > 1 ? "none of the runs has data for it"
                                                               : "the run has no data for it"]])
            return
        }
        let id = String(format: "tab%02d-%@", tables + 1, name)
        try t.csv.write(toFile: "\(figDir)/\(id).csv", atomically: true, encoding: .utf8)
        // A row about a problem links its problem cell to the problem's rollouts.
        let linkColumn = t.rowRuns.isEmpty ? 0 : 1
        let rows = t.rows.enumerated().map { i, row -> [String: Any] in
            let problem = t.rowProblems.indices.contains(i) ? t.rowProblems[i] : nil
            let run = t.rowRuns.indices.contains(i) ? t.rowRuns[i] : input.runs[0].name
            return ["cells": row.enumerated().map { j, text -> [String: Any] in
                guard let problem, let run, j == linkColumn else { return ["text": text] }
                return ["text": text, "href": "#" + ReportWriter.anchor(run: run, problem: problem)]
            }]
        }
        var tb: [String: Any] = ["id": id, "title": t.title, "headers": t.headers, "rows": rows]
        if let caption { tb["caption"] = caption }
        html.append(["table": tb])
        pdf.table(title: t.title + (caption.map { ": \($0)" } ?? ""), headers: t.headers, rows: t.rows)
        tables += 1
    }
}
