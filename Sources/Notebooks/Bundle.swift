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

    /// Writes `out` with the notebook, the templates it renders with, its run (which must be
    /// complete in the store: render first), and provenance. Never the model's weights.
    public static func bundle(notebookPath: String, storePath: String?, out: String,
                              repoRoot: String = FileManager.default.currentDirectoryPath) throws -> Written {
        let nb = try Notebook.load(path: notebookPath)
        let store = try RolloutStore(path: storePath ?? nb.store ?? repoRoot + "/data/rollbook.sqlite")
        let run = try NotebookExecutor.storedRun(nb, store: store, notebookPath: notebookPath)
        guard let info = try store.run(named: nb.plan.name) else { throw PlanError("\(notebookPath): no run") }
        let root = NotebookExecutor.templateRoot(for: notebookPath)
        let name = (notebookPath as NSString).lastPathComponent
        var files = [name: try String(contentsOfFile: notebookPath, encoding: .utf8)]
        for f in ["templates/report/report.mustache", "templates/report/report.css",
                  "templates/styles/\(nb.style).json"] {
            if let text = try? String(contentsOfFile: root + "/" + f, encoding: .utf8) { files[f] = text }
        }
        let base = (notebookPath as NSString).deletingLastPathComponent
        let prompts = Runner.promptDirectory(base.isEmpty ? "." : base)
        if let t = try? String(contentsOfFile: "\(prompts)/\(nb.plan.template).txt", encoding: .utf8) {
            files["templates/prompts/\(nb.plan.template).txt"] = t
        }
        var meta = provenance(nb, info: info, store: store)
        meta["notebook"] = name
        let contents = BundleContents(files: files, info: meta)
        try store.writeBundle(runs: [nb.plan.name], to: out, contents: contents)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? NSNumber)?.intValue ?? 0
        return Written(path: out, bytes: bytes, rollouts: run.run.cached)
    }

    /// Rollbook version, dates, machine, grader, and the model's identity (never its weights).
    static func provenance(_ nb: Notebook, info: RolloutStore.RunInfo, store: RolloutStore) -> [String: String] {
        var p = ["rollbook": RollbookVersion.string, "created": ISO8601DateFormatter().string(from: Date()),
                 "machine": ProcessInfo.processInfo.hostName + " ("
                    + ProcessInfo.processInfo.operatingSystemVersionString
                    + ", \(ProcessInfo.processInfo.activeProcessorCount) cores)",
                 "run": nb.plan.name, "grader": info.graderVersion, "model.name": nb.plan.model,
                 "model.key": info.modelKey, "plan": info.plan]
        if info.modelKey.hasPrefix("sha256:") { p["model.sha256"] = String(info.modelKey.dropFirst(7)) }
        p.merge(Runner.modelIdentity(nb.plan.model)) { a, _ in a }
        return p
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
                                           outDir: outDir ?? repoRoot + "/reports/\(nb.plan.name)", storePath: path,
                                           progress: progress, offline: true, repoRoot: repoRoot)
    }
}
