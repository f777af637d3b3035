import Analysis
import Charts
import Foundation
import Reports
import Runner
import Store
import Tasks

public struct RenderSummary: Sendable {
    public var outDir: String
    /// Every run's rollouts together.
    public var run: RunSummary
    public var figures: Int
    public var tables: Int
    public var secondsTotal: Double
    public var secondsAnalysis: Double
    public var secondsRender: Double
}

/// Executes a notebook: runs the rollouts its sample cells plan that the store lacks (and
/// finds the runs its `runs:` cells name), then analyses each run, then hands the analysed
/// data to the report writer.
public enum NotebookExecutor {
    /// What the run step hands on for one run: the model's identity, the problem count, what ran.
    struct RunSource {
        var name: String
        /// The model as the plan names it (alias, path or server), and the file it resolved to.
        var model: String
        var modelPath: String
        var modelKey: String
        var problems: Int
        var blockCount: Int
        var run: RunSummary
        /// The plan's canonical text (the notebook's, or as stored for a `runs:` entry).
        var plan: String
        var tasks: String
        /// `seeds:`: the other seeds' runs (NAME.seedS), in the plan's order.
        var replicas: [RunSource] = []
        var seed: UInt64 = 0
    }

    /// `offline`: never load a model or generate; the store must hold every run of the
    /// notebook, under the same plans, complete (otherwise an error says what is missing,
    /// before any output). The store is then opened read-only.
    public static func render(notebookPath: String, outDir: String?, storePath: String?, progress: RunProgress,
                              replace: Bool = false, offline: Bool = false,
                              repoRoot: String = FileManager.default.currentDirectoryPath) throws -> RenderSummary {
        let t0 = Date()
        let nb = try Notebook.load(path: notebookPath)
        let path = storePath ?? nb.store ?? repoRoot + "/data/rollbook.sqlite"
        let store = try RolloutStore(path: path, readOnly: offline || path.hasSuffix(".rollbook"))
        let root = templateRoot(for: notebookPath)
        let style = try loadStyle(nb.style, root: root)
        // 1. Run (or, offline, check the store has each run). A bundle is offline by construction.
        let fromStore = try offline || store.readOnly || store.bundleContents() != nil
        let sources = try runSources(nb, store: store, fromStore: fromStore, notebookPath: notebookPath,
                                     progress: progress, replace: replace)
        // 2. Analyse.
        let t1 = Date()
        let runs = try sources.map { try analysed($0, nb: nb, store: store) }
        let t2 = Date()
        // 3. Render.
        let input = ReportInput(source: notebookPath, title: nb.title, style: style,
                                blocks: blocks(nb, sources: sources), runs: runs.map(\.run),
                                options: runs[0].options, templateRoot: root)
        let out = outDir ?? repoRoot + "/reports/\(nb.name)"
        let written = try ReportWriter.write(input, to: out)
        let t3 = Date()
        return RenderSummary(outDir: out, run: total(sources.flatMap { [$0.run] + $0.replicas.map(\.run) }),
                             figures: written.figures,
                             tables: written.tables, secondsTotal: t3.timeIntervalSince(t0),
                             secondsAnalysis: t2.timeIntervalSince(t1), secondsRender: t3.timeIntervalSince(t2))
    }

    /// Every run of the notebook, in order: the runs its `runs:` cells name are found first
    /// (before anything is generated), then each sample cell runs, or is checked against the
    /// store when rendering from the store alone.
    static func runSources(_ nb: Notebook, store: RolloutStore, fromStore: Bool, notebookPath: String,
                           progress: RunProgress, replace: Bool) throws -> [RunSource] {
        var found = [String: RunSource]()
        for r in nb.runs {
            if r.plan == nil {
                found[r.name] = try namedRun(r, store: store, notebookPath: notebookPath)
            } else if fromStore {
                found[r.name] = try storedRun(r.plan!, store: store, notebookPath: notebookPath)
            }
        }
        return try nb.runs.map { r in
            var s = try found[r.name] ?? sampled(r.plan!, store: store, notebookPath: notebookPath,
                                                  progress: progress, replace: replace)
            // `seeds:` runs the grid once more per further seed, each a run of its own.
            if let plan = r.plan, plan.seeds.count > 1 {
                s.seed = plan.seed
                s.replicas = try plan.replicas.map { p in
                    var x = try fromStore ? storedRun(p, store: store, notebookPath: notebookPath)
                        : sampled(p, store: store, notebookPath: notebookPath, progress: progress, replace: replace)
                    x.seed = p.seed
                    return x
                }
            }
            return s
        }
    }

    /// Runs a sample cell's plan: generates what the store lacks.
    static func sampled(_ plan: Plan, store: RolloutStore, notebookPath: String, progress: RunProgress,
                        replace: Bool) throws -> RunSource {
        let base = (notebookPath as NSString).deletingLastPathComponent
        let prep = try Runner.prepare(plan, store: store, baseDir: base.isEmpty ? "." : base, source: notebookPath)
        let run = try Runner.execute(prep, store: store, progress: progress, replace: replace)
        return RunSource(name: plan.name, model: plan.model, modelPath: prep.modelPath, modelKey: prep.modelKey,
                         problems: prep.problems.count, blockCount: prep.blockCount, run: run, plan: plan.canonical,
                         tasks: plan.tasks)
    }

    /// A sample cell's run as the store holds it, or an error listing what rendering from the
    /// store alone lacks.
    static func storedRun(_ plan: Plan, store: RolloutStore, notebookPath: String) throws -> RunSource {
        let how = "generate it where the model is (\(plan.model)) with `rollbook render \(notebookPath)`"
        guard let info = try store.run(named: plan.name) else {
            throw PlanError("\(notebookPath): offline: the store \(store.path) has no run \"\(plan.name)\"; \(how)")
        }
        if info.planHash != Hash128.hex(plan.canonical) {
            let want = plan.canonical.split(separator: "\n"), have = Set(info.plan.split(separator: "\n"))
            let differ = want.filter { !have.contains($0) }.map { "  notebook: \($0)" }
            let stored = info.plan.split(separator: "\n").filter { !want.contains($0) }.map { "  stored:   \($0)" }
            throw PlanError("\(notebookPath): offline: the sample cell asks for rollouts the store does not hold "
                            + "(run \"\(plan.name)\", model \(info.modelKey)):\n"
                            + (differ + stored).joined(separator: "\n") + "\n\(how)")
        }
        let have = try store.rollouts(run: plan.name, withTokens: false).count
        if have < info.planned {
            throw PlanError("\(notebookPath): offline: run \"\(plan.name)\" has \(have) of its \(info.planned) "
                            + "planned rollouts; \(how)")
        }
        var run = RunSummary()
        run.planned = info.planned; run.cached = have
        return RunSource(name: plan.name, model: plan.model, modelPath: plan.model, modelKey: info.modelKey,
                         problems: try store.problems(run: plan.name).count, blockCount: info.blockCount, run: run,
                         plan: plan.canonical, tasks: plan.tasks)
    }

    /// A run a `runs:` cell names, read as the store holds it.
    static func namedRun(_ r: Notebook.Run, store: RolloutStore, notebookPath: String) throws -> RunSource {
        guard let info = try store.run(named: r.name) else {
            let known = (try? store.runNames()) ?? []
            throw PlanError("\(notebookPath):\(r.line): run \"\(r.name)\" is not in the store \(store.path) "
                            + (known.isEmpty ? "(it holds no runs)" : "(its runs: \(known.joined(separator: ", ")))"))
        }
        var run = RunSummary()
        run.planned = info.planned; run.cached = try store.members(run: r.name).count
        let model = planField(info.plan, "model") ?? info.modelKey
        return RunSource(name: r.name, model: model, modelPath: model, modelKey: info.modelKey,
                         problems: try store.problems(run: r.name).count,
                         blockCount: info.blockCount, run: run, plan: info.plan,
                         tasks: planField(info.plan, "tasks") ?? info.taskKey)
    }

    /// A top-level field of a plan's canonical text ("model: x" -> "x").
    static func planField(_ plan: String, _ field: String) -> String? {
        plan.split(separator: "\n").first { $0.hasPrefix("\(field): ") }.map { String($0.dropFirst(field.count + 2)) }
    }

    /// The rollouts of several runs together.
    static func total(_ runs: [RunSummary]) -> RunSummary {
        var t = RunSummary()
        for r in runs {
            t.planned += r.planned; t.cached += r.cached; t.generated += r.generated; t.tokens += r.tokens
            t.seconds += r.seconds
        }
        return t
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
}
