import Analysis
import Charts
import Foundation
import Reports
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

/// Executes a notebook: runs the rollouts its sample cell plans that the store lacks, then
/// analyses the run, then hands the analysed data to the report writer.
public enum NotebookExecutor {
    /// What the run step hands on: the model's identity, the problem count, and what ran.
    struct RunSource {
        var modelPath: String
        var modelKey: String
        var problems: Int
        var blockCount: Int
        var run: RunSummary
    }

    /// `offline`: never load a model or generate; the store must hold the notebook's run,
    /// under the same plan, complete (otherwise an error says what is missing, before any
    /// output). The store is then opened read-only.
    public static func render(notebookPath: String, outDir: String?, storePath: String?, progress: RunProgress,
                              replace: Bool = false, offline: Bool = false,
                              repoRoot: String = FileManager.default.currentDirectoryPath) throws -> RenderSummary {
        let t0 = Date()
        let nb = try Notebook.load(path: notebookPath)
        let base = (notebookPath as NSString).deletingLastPathComponent
        let path = storePath ?? nb.store ?? repoRoot + "/data/rollbook.sqlite"
        let store = try RolloutStore(path: path, readOnly: offline || path.hasSuffix(".rollbook"))
        let root = templateRoot(for: notebookPath)
        let style = try loadStyle(nb.style, root: root)
        // 1. Run (or, offline, check the store has the run). A bundle is offline by construction.
        let src: RunSource
        if try offline || store.readOnly || store.bundleContents() != nil {
            src = try storedRun(nb, store: store, notebookPath: notebookPath)
        } else {
            let prep = try Runner.prepare(nb.plan, store: store, baseDir: base.isEmpty ? "." : base,
                                          source: notebookPath)
            let run = try Runner.execute(prep, store: store, progress: progress, replace: replace)
            src = RunSource(modelPath: prep.modelPath, modelKey: prep.modelKey, problems: prep.problems.count,
                            blockCount: prep.blockCount, run: run)
        }
        let run = src.run
        // 2. Analyse.
        let t1 = Date()
        let data = try RunData.load(store: store, run: nb.plan.name, clustering: nb.clustering,
                                    prefixTokens: nb.prefixTokens)
        var options = AnalysisOptions()
        options.blockCount = src.blockCount
        options.clustering = nb.clustering; options.prefixTokens = nb.prefixTokens
        let report = data.analyze(options)
        let t2 = Date()
        // 3. Render.
        let timings = String(format: "rollouts %.1f s (%d cached, %d generated, %d tokens), analysis %.2f s",
                             run.seconds, run.cached, run.generated, run.tokens, t2.timeIntervalSince(t1))
        let input = ReportInput(
            source: notebookPath, title: nb.title, style: style,
            blocks: blocks(nb, problems: src.problems, run: run), report: report, options: options,
            problems: try drillDown(store: store, run: nb.plan.name),
            provenance: .init(model: nb.plan.model, modelPath: src.modelPath, modelKey: src.modelKey,
                              tasks: nb.plan.tasks,
                              grader: try store.run(named: nb.plan.name)?.graderVersion ?? Grader.version,
                              plan: nb.plan.canonical, timings: timings,
                              version: RollbookVersion.string),
            templateRoot: root)
        let out = outDir ?? repoRoot + "/reports/\(nb.plan.name)"
        let written = try ReportWriter.write(input, to: out)
        let t3 = Date()
        return RenderSummary(outDir: out, run: run, figures: written.figures, tables: written.tables,
                             secondsTotal: t3.timeIntervalSince(t0), secondsAnalysis: t2.timeIntervalSince(t1),
                             secondsRender: t3.timeIntervalSince(t2))
    }

    /// The notebook's run as the store holds it, or an error listing what offline rendering lacks.
    static func storedRun(_ nb: Notebook, store: RolloutStore, notebookPath: String) throws -> RunSource {
        let how = "generate it where the model is (\(nb.plan.model)) with `rollbook render \(notebookPath)`"
        guard let info = try store.run(named: nb.plan.name) else {
            throw PlanError("\(notebookPath): offline: the store \(store.path) has no run \"\(nb.plan.name)\"; \(how)")
        }
        if info.planHash != Hash128.hex(nb.plan.canonical) {
            let want = nb.plan.canonical.split(separator: "\n"), have = Set(info.plan.split(separator: "\n"))
            let differ = want.filter { !have.contains($0) }.map { "  notebook: \($0)" }
            let stored = info.plan.split(separator: "\n").filter { !want.contains($0) }.map { "  stored:   \($0)" }
            throw PlanError("\(notebookPath): offline: the sample cell asks for rollouts the store does not hold "
                            + "(run \"\(nb.plan.name)\", model \(info.modelKey)):\n"
                            + (differ + stored).joined(separator: "\n") + "\n\(how)")
        }
        let have = try store.rollouts(run: nb.plan.name, withTokens: false).count
        if have < info.planned {
            throw PlanError("\(notebookPath): offline: run \"\(nb.plan.name)\" has \(have) of its \(info.planned) "
                            + "planned rollouts; \(how)")
        }
        var run = RunSummary()
        run.planned = info.planned; run.cached = have
        return RunSource(modelPath: nb.plan.model, modelKey: info.modelKey,
                         problems: try store.problems(run: nb.plan.name).count, blockCount: info.blockCount, run: run)
    }

    /// The notebook's own templates/ (an extracted bundle) when it has a report template, else
    /// the installation's.
    static func templateRoot(for notebookPath: String) -> String {
        let dir = (notebookPath as NSString).deletingLastPathComponent
        let base = dir.isEmpty ? "." : dir
        let own = FileManager.default.fileExists(atPath: base + "/templates/report/report.mustache")
        return own ? base : Resources.root
    }

    static func loadStyle(_ name: String, root: String) throws -> Style {
        let path = root + "/templates/styles/\(name).json"
        return FileManager.default.fileExists(atPath: path) ? try Style.load(path: path) : Style.paper
    }

    /// The notebook's cells as the writer takes them (the sample cell, now run, as a summary).
    static func blocks(_ nb: Notebook, problems: Int, run: RunSummary) -> [ReportInput.Block] {
        nb.blocks.map { b in
            switch b {
            case .prose(let md): return .prose(markdown: md)
            case let .text(t, line): return .text(template: t, line: line)
            case let .sample(p, _):
                return .sample(summary: "\(p.rolloutsPerProblem) rollouts per problem over \(problems) problems: "
                               + "T in \(p.temperatures), L in \(p.layers), n = \(p.n), max \(p.maxTokens) tokens, "
                               + "seed \(p.seed); \(run.cached) cached, \(run.generated) generated.")
            case let .figure(name, caption, options, line):
                return .figure(name: name, caption: caption, wide: options["wide"] == "true", line: line)
            case let .table(name, caption, _, line): return .table(name: name, caption: caption, line: line)
            }
        }
    }

    /// At most 4,000 characters of a response are shown; the rest is named, not dropped silently
    /// (`rollbook export` has every character).
    static func shown(_ text: String, limit: Int = 4000) -> String {
        guard text.count > limit else { return text }
        let rest = text.count - limit
        return String(text.prefix(limit)) + "\n[… \(rest) more characters; rollbook export has the full text]"
    }

    /// Every rollout of the run per problem, in problem order.
    static func drillDown(store: RolloutStore, run: String) throws -> [ReportInput.Problem] {
        let problems = try store.problems(run: run)
        var byProblem = [String: [StoredRollout]]()
        for r in try store.rollouts(run: run, withTokens: false) { byProblem[r.problemID, default: []].append(r) }
        return byProblem.keys.sorted().map { pid in
            let p = problems[pid]
            return ReportInput.Problem(id: pid, question: p?.question ?? "", gold: p?.gold ?? "", tier: p?.tier,
                                       rollouts: byProblem[pid]!.map {
                ReportInput.Rollout(layers: $0.layers, temperature: $0.temperature, sample: $0.sampleIndex,
                                    response: shown($0.response), extracted: $0.extracted, answerClass: $0.answerClass,
                                    correct: $0.correct, rule: $0.rule, tokens: $0.tokenCount)
            })
        }
    }
}
