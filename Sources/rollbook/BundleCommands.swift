import ArgumentParser
import Foundation
import Notebooks
import Runner
import Store

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Write one file a collaborator can re-render without the model (or take its notebook out).")

    @Argument(help: "A notebook to bundle (its run must be in the store: render it first).") var notebook: String?
    @Option(name: .long, help: "The bundle to write (default reports/<name>/<name>.rollbook).") var out: String?
    @Option(name: .long,
            help: "The rollout store (default: the notebook's, else data/rollbook.sqlite).") var store: String?
    @Option(name: .long, parsing: .upToNextOption,
            help: "Write a bundle's notebook and templates into a folder: --extract FILE.rollbook DIR.")
    var extract: [String] = []

    func validate() throws {
        if !extract.isEmpty {
            guard extract.count == 2, notebook == nil else { throw ValidationError("use --extract FILE.rollbook DIR") }
        } else if notebook == nil {
            throw ValidationError("give a notebook to bundle, or --extract FILE.rollbook DIR")
        }
    }

    func run() throws {
        if extract.count == 2 {
            let nb = try Bundler.extract(extract[0], to: extract[1])
            print("\(nb): edit it, then `rollbook render \(nb) --store \(extract[0])`")
            return
        }
        let nb = try Notebook.load(path: notebook!)
        let path = out ?? "reports/\(nb.name)/\(nb.name).rollbook"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let w = try Bundler.bundle(notebookPath: notebook!, storePath: store, out: path)
        print(String(format: "%@: %d rollouts, %.2f MB; re-render anywhere with `rollbook render %@`",
                     w.path, w.rollouts, Double(w.bytes) / 1_000_000, w.path))
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge a bundle (or another store) into the store, matching rollouts by key.")

    @Argument(help: "A .rollbook bundle or a Rollbook store.") var file: String
    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        try MergeReport.run([file], into: storeOptions.store)
    }
}
