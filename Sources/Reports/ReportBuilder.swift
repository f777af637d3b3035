import Analysis
import Charts
import Foundation
import Ink
import Mustache
import Runner
import Store
import Tasks

public struct RenderSummary: Sendable {
    public var outDir: String
    public var run: RunSummary
    public var figures: Int
    public var tables: Int
    public var secondsTotal: Double
    public var secondsAnalysis: Double
    public var secondsRender: Double
}

/// Executes a notebook: plans and runs the rollouts the store lacks, analyses them, and
/// writes reports/<name>/ (index.html, report.pdf, figures/ with SVG, PDF, PNG and CSV).
public enum ReportBuilder {
    /// `{{name}}` replaced by its value, unescaped (for the PDF); unknown names become "".
    static func plainSubstitute(_ template: String, _ values: [String: String]) -> String {
        var out = "", rest = Substring(template)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { out += rest[open.lowerBound...]; return out }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            out += values[name] ?? ""
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    public static let version = "rollbook 0.2.0"

    public static func render(notebookPath: String, outDir: String?, storePath: String?, progress: RunProgress,
                              repoRoot: String = FileManager.default.currentDirectoryPath) throws -> RenderSummary {
        let t0 = Date()
        let nb = try Notebook.load(path: notebookPath)
        let base = (notebookPath as NSString).deletingLastPathComponent
        let baseDir = base.isEmpty ? "." : base
        let store = try RolloutStore(path: storePath ?? nb.store ?? repoRoot + "/data/rollbook.sqlite")
        let styleDir = Resources.root + "/templates/styles"
        let style = FileManager.default.fileExists(atPath: "\(styleDir)/\(nb.style).json") ? try Style.load(path: "\(styleDir)/\(nb.style).json") : Style.paper
        let prep = try Runner.prepare(nb.plan, store: store, baseDir: baseDir)
        let run = try Runner.execute(prep, store: store, progress: progress)

        let t1 = Date()
        let data = try RunData.load(store: store, run: nb.plan.name, clustering: nb.clustering, prefixTokens: nb.prefixTokens)
        var options = AnalysisOptions()
        options.blockCount = prep.blockCount
        options.clustering = nb.clustering; options.prefixTokens = nb.prefixTokens
        let report = data.analyze(options)
        let t2 = Date()

        let out = outDir ?? repoRoot + "/reports/\(nb.plan.name)"
        let figDir = out + "/figures"
        try FileManager.default.createDirectory(atPath: figDir, withIntermediateDirectories: true)
        // Files of an earlier render whose cells are gone would otherwise linger.
        for f in (try? FileManager.default.contentsOfDirectory(atPath: figDir)) ?? [] where f.hasPrefix("fig") || f.hasPrefix("tab") {
            try? FileManager.default.removeItem(atPath: "\(figDir)/\(f)")
        }
        let pdf = try Document(path: out + "/report.pdf")
        pdf.heading(nb.title, size: 20)
        pdf.paragraph("\(nb.plan.model) · \(nb.plan.tasks) · \(report.rollouts) rollouts over \(report.problems) problems", size: 9, color: .grey)

        let parser = MarkdownParser()
        let values = Tables.values(report)
        var blocks = [[String: Any]]()
        var figures = 0, tables = 0
        for b in nb.blocks {
            switch b {
            case .prose(let md):
                blocks.append(["prose": ["html": parser.html(from: md)]])
                for para in md.components(separatedBy: "\n\n") {
                    let t = para.trimmingCharacters(in: .whitespacesAndNewlines)
                    if t.hasPrefix("#") { pdf.heading(t.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces), size: 13) }
                    else if !t.isEmpty { pdf.paragraph(plain(t)) }
                }
            case .text(let template, let line):
                let tpl: MustacheTemplate
                do { tpl = try MustacheTemplate(string: template) } catch {
                    throw PlanError("\(notebookPath):\(line): text cell is not a valid template (\(error))")
                }
                _ = tpl
                // Plain text with the values in; the HTML template escapes it once.
                let s = plainSubstitute(template, values)
                blocks.append(["text": ["value": s]])
                pdf.paragraph(s, size: 10, bold: false)
            case .sample(let p, _):
                let s = "\(p.rolloutsPerProblem) rollouts per problem over \(prep.problems.count) problems: T in \(p.temperatures), L in \(p.layers), n = \(p.n), max \(p.maxTokens) tokens, seed \(p.seed); \(run.cached) cached, \(run.generated) generated."
                blocks.append(["sample": ["summary": s]])
            case .figure(let name, let caption, let opts, _):
                let wide = opts["wide"] == "true"
                guard let f = StandardFigures.make(name, report: report, style: style, wide: wide) else {
                    blocks.append(["missing": ["name": name, "reason": "the run has no data for it (see the notebook's sample cell)"]])
                    pdf.paragraph("Figure \(name): no data in this run.", size: 9, color: Color(0.8, 0.3, 0))
                    continue
                }
                let id = String(format: "fig%02d-%@", figures + 1, name)
                for fmt in ChartFormat.allCases { try f.figure.write(to: "\(figDir)/\(id).\(fmt.rawValue)", format: fmt, dpi: 300) }
                try f.csv.write(toFile: "\(figDir)/\(id).csv", atomically: true, encoding: .utf8)
                blocks.append(["figure": ["id": id, "title": f.title, "caption": caption ?? "", "svg": try f.figure.inlineSVG(id: id)]])
                pdf.figure(f.figure, caption: caption.map { "\(f.title). \($0)" } ?? f.title)
                figures += 1
            case .table(let name, let caption, _, _):
                guard let t = Tables.make(name, report: report) else {
                    blocks.append(["missing": ["name": name, "reason": "the run has no data for it"]])
                    continue
                }
                let id = String(format: "tab%02d-%@", tables + 1, name)
                try t.csv.write(toFile: "\(figDir)/\(id).csv", atomically: true, encoding: .utf8)
                var tb: [String: Any] = ["id": id, "title": t.title, "headers": t.headers,
                                         "rows": t.rows.map { ["cells": $0] }]
                if let caption { tb["caption"] = caption }
                blocks.append(["table": tb])
                pdf.table(title: t.title + (caption.map { ": \($0)" } ?? ""), headers: t.headers, rows: t.rows)
                tables += 1
            }
        }

        // Drill-down: every rollout per problem (model text escaped by the template).
        let problems = try store.problems(run: nb.plan.name)
        let stored = try store.rollouts(run: nb.plan.name, withTokens: false)
        var byProblem = [String: [StoredRollout]]()
        for r in stored { byProblem[r.problemID, default: []].append(r) }
        let drill: [[String: Any]] = byProblem.keys.sorted().map { pid in
            let rs = byProblem[pid]!
            let p = problems[pid]
            var d: [String: Any] = ["id": pid, "gold": p?.gold ?? "", "question": p?.question ?? "",
                                    "accuracy": "\(rs.filter(\.correct).count)/\(rs.count)",
                                    "rollouts": rs.map { r -> [String: Any] in
                                        ["layers": r.layers, "temperature": Ticks.label(r.temperature, percent: false), "sample": r.sampleIndex,
                                         "response": r.response, "extracted": r.extracted ?? "—", "class": r.answerClass,
                                         "correct": r.correct, "rule": r.rule, "tokens": r.tokenCount]
                                    }]
            if let t = p?.tier { d["tier"] = t }
            return d
        }

        let t3 = Date()
        let timings = String(format: "rollouts %.1f s (%d cached, %d generated, %d tokens), analysis %.2f s",
                             run.seconds, run.cached, run.generated, run.tokens, t2.timeIntervalSince(t1))
        let css = (try? String(contentsOfFile: Resources.root + "/templates/report/report.css", encoding: .utf8)) ?? ""
        guard let tplText = try? String(contentsOfFile: Resources.root + "/templates/report/report.mustache", encoding: .utf8) else {
            throw PlanError("\(Resources.root)/templates/report/report.mustache: missing report template")
        }
        let template = try MustacheTemplate(string: tplText)
        let fmt = ISO8601DateFormatter()
        let ctx: [String: Any] = [
            "title": nb.title, "css": css, "model_name": nb.plan.model, "tasks": nb.plan.tasks, "rollouts": report.rollouts,
            "date": fmt.string(from: Date()), "blocks": blocks, "problems": drill,
            "model_path": prep.modelPath, "model_key": prep.modelKey, "grader": Grader.version, "version": version,
            "timings": timings, "plan": nb.plan.canonical,
            "analysis": "bootstrap \(options.resamples) resamples, \(Int(options.level * 100))% level, seed \(options.seed); maj@k exact or Monte Carlo (2000 draws); K_eff threshold \(options.keffThreshold); T2 ridge lambda \(options.ridgeLambda), \(options.folds)-fold",
        ]
        try template.render(ctx).write(toFile: out + "/index.html", atomically: true, encoding: .utf8)

        // The provenance block stays on one page when it fits on one.
        let provRows = [["model", prep.modelPath], ["model hash", prep.modelKey], ["tasks", nb.plan.tasks],
                        ["grader", Grader.version], ["rollbook", version], ["timings", timings]]
        let provHeight = pdf.tableHeight(title: "", headers: ["", ""], rows: provRows) + pdf.paragraphHeight(nb.plan.canonical, size: 7.5)
        pdf.heading("Provenance", size: 13, keepWithNext: min(provHeight, pdf.pageContentHeight - 40))
        pdf.table(title: "", headers: ["", ""], rows: provRows)
        pdf.paragraph(nb.plan.canonical, size: 7.5)
        try pdf.finish()
        let t4 = Date()
        return RenderSummary(outDir: out, run: run, figures: figures, tables: tables,
                             secondsTotal: t4.timeIntervalSince(t0), secondsAnalysis: t2.timeIntervalSince(t1),
                             secondsRender: t4.timeIntervalSince(t3) + t3.timeIntervalSince(t2))
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
}
