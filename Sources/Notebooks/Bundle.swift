import Foundation
import Reports
import Runner
import Store
import Tasks

/// One-file bundles of a notebook's report (DESIGN: a bundle is a Rollbook store): write one,
/// render one on a machine with no model and no store, take its notebook out to edit.
public enum Bundler {
    public struct Written: Sendable {
        public var path: String
        public var bytes: Int
        public var rollouts: Int
    }

    /// The files a bundle must hold to render (besides its notebook, named in bundle_info "notebook":
    /// the file keeps its name, since a notebook's run is named after its file by default).
    static let required = ["templates/report/report.mustache", "templates/report/report.css"]

    /// Writes `out` with the notebook, the templates it renders with, its runs (each of which
    /// must be complete in the store: render first), and provenance. Never the model's weights.
    public static func bundle(notebookPath: String, storePath: String?, out: String,
                              repoRoot: String = FileManager.default.currentDirectoryPath) throws -> Written {
        let nb = try Notebook.load(path: notebookPath)
        let store = try RolloutStore(path: storePath ?? nb.store ?? repoRoot + "/data/rollbook.sqlite")
        let sources = try NotebookExecutor.runSources(nb, store: store, fromStore: true, notebookPath: notebookPath,
                                                      progress: .automatic(quiet: true, label: "bundle"),
                                                      replace: false)
        let name = (notebookPath as NSString).lastPathComponent
        var files = [name: try String(contentsOfFile: notebookPath, encoding: .utf8)]
        files.merge(templates(nb, notebookPath: notebookPath)) { a, _ in a }
        var meta = [String: String]()
        for s in sources.flatMap({ [$0] + $0.replicas }) {
            guard let info = try store.run(named: s.name) else { throw PlanError("\(notebookPath): no run \(s.name)") }
            meta.merge(provenance(s, info: info, prefix: nb.isMultiRun ? "run.\(s.name)." : "")) { a, _ in a }
        }
        meta.merge(common(nb)) { a, _ in a }
        meta["notebook"] = name
        try store.writeBundle(runs: sources.flatMap { [$0.name] + $0.replicas.map(\.name) }, to: out, contents: BundleContents(files: files, info: meta))
        let bytes = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? NSNumber)?.intValue ?? 0
        return Written(path: out, bytes: bytes, rollouts: sources.reduce(0) { $0 + $1.run.cached + $1.replicas.reduce(0) { $0 + $1.run.cached } })
    }

    /// The report templates, the style and every sample cell's prompt template.
    static func templates(_ nb: Notebook, notebookPath: String) -> [String: String] {
        var files = [String: String]()
        let root = NotebookExecutor.templateRoot(for: notebookPath)
        for f in ["templates/report/report.mustache", "templates/report/report.css",
                  "templates/styles/\(nb.style).json"] {
            if let text = try? String(contentsOfFile: root + "/" + f, encoding: .utf8) { files[f] = text }
        }
        let base = (notebookPath as NSString).deletingLastPathComponent
        let prompts = Runner.promptDirectory(base.isEmpty ? "." : base)
        for p in nb.plans {
            if let t = try? String(contentsOfFile: "\(prompts)/\(p.template).txt", encoding: .utf8) {
                files["templates/prompts/\(p.template).txt"] = t
            }
        }
        return files
    }

    /// Rollbook version, date, machine, and the runs' names.
    static func common(_ nb: Notebook) -> [String: String] {
        ["rollbook": RollbookVersion.string, "created": ISO8601DateFormatter().string(from: Date()),
         "machine": ProcessInfo.processInfo.hostName + " (" + ProcessInfo.processInfo.operatingSystemVersionString
            + ", \(ProcessInfo.processInfo.activeProcessorCount) cores)",
         "run": nb.runs.map(\.name).joined(separator: ", ")]
    }

    /// A run's grader, plan and model identity (never its weights); keys under `prefix`
    /// ("run.NAME." in a multi-run notebook).
    static func provenance(_ s: NotebookExecutor.RunSource, info: RolloutStore.RunInfo,
                           prefix: String) -> [String: String] {
        var p = ["grader": info.graderVersion, "model.name": s.model, "model.key": info.modelKey, "plan": info.plan]
        if info.modelKey.hasPrefix("sha256:") { p["model.sha256"] = String(info.modelKey.dropFirst(7)) }
        p.merge(Runner.modelIdentity(s.model)) { a, _ in a }
        return Dictionary(uniqueKeysWithValues: p.map { (prefix + $0.key, $0.value) })
    }

    /// Opens a bundle: a Rollbook store (read-only) holding the files it needs to render.
    public static func open(_ path: String) throws -> (RolloutStore, BundleContents) {
        let store = try RolloutStore(path: path, readOnly: true)
        guard let contents = try store.bundleContents() else {
            throw StoreError("\(path): a Rollbook store, not a bundle (no bundle files); render a notebook against it "
                             + "with `rollbook render NOTEBOOK --store \(path)`")
        }
        if let f = contents.info["format"], f != RolloutStore.bundleFormat {
            throw StoreError("\(path): bundle format \(f) is not \(RolloutStore.bundleFormat) (a newer Rollbook?)")
        }
        guard let nb = contents.info["notebook"], contents.files[nb] != nil else {
            throw StoreError("\(path): the bundle lacks its notebook")
        }
        for f in required where contents.files[f] == nil {
            throw StoreError("\(path): the bundle lacks \(f)")
        }
        return (store, contents)
    }

    /// Writes the bundle's notebook and templates into `dir` (to edit and render with
    /// `rollbook render DIR/NOTEBOOK.md --store BUNDLE`). Paths are checked to stay in `dir`.
    /// Returns the notebook's path.
    @discardableResult
    public static func extract(_ path: String, to dir: String) throws -> String {
        let (_, contents) = try open(path)
        let root = URL(fileURLWithPath: dir).standardizedFileURL
        for (name, text) in contents.files {
            let target = root.appendingPathComponent(name).standardizedFileURL
            guard target.path.hasPrefix(root.path + "/"), !name.contains("..") else {
                throw StoreError("\(path): the bundle names a file outside its folder (\(name)); nothing extracted")
            }
        }
        for (name, text) in contents.files.sorted(by: { $0.key < $1.key }) {
            let target = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try text.write(to: target, atomically: true, encoding: .utf8)
        }
        return root.appendingPathComponent(contents.info["notebook"]!).path
    }

    /// Renders a bundle as it was made, offline: its notebook and templates, its store.
    public static func render(_ path: String, outDir: String?, progress: RunProgress,
                              repoRoot: String = FileManager.default.currentDirectoryPath) throws -> RenderSummary {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("rollbook-bundle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let notebook = try extract(path, to: tmp.path)
        let nb = try Notebook.load(path: notebook)
        return try NotebookExecutor.render(notebookPath: notebook,
                                           outDir: outDir ?? repoRoot + "/reports/\(nb.name)", storePath: path,
                                           progress: progress, offline: true, repoRoot: repoRoot)
    }
}
