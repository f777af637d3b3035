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
        abstract: "Import rollouts made elsewhere (a generic JSONL, lm-evaluation-harness samples files) as a run, "
            + "or merge a .rollbook bundle or another store into the store.",
        discussion: """
            JSONL fields (per line): id, question, gold, response (or responses: a list), and optionally sample,
            temperature, layers, seed, tokens, prompt_tokens, logprobs (per token), score, correct, model.
            lm-eval: samples_<task>_<date>.jsonl as --log_samples writes them; every repeat in resps is a rollout.
            Every line is checked before anything is stored: a bad line stops the import with file:line.
            """)

    @Argument(help: "JSONL or lm-eval samples files (one run), or one .rollbook bundle / Rollbook store.")
    var files: [String]
    @Option(name: .long, help: "The run's name in the store (required for JSONL and lm-eval files).")
    var name: String?
    @Option(name: .long, help: "jsonl or lm-eval (default: detected from each file).") var format: String?
    @Option(name: .customLong("id-field"), help: "The problem id field (default: id, problem_id).")
    var idField: String?
    @Option(name: .customLong("question-field"), help: "The question field (lm-eval: a field of doc).")
    var questionField: String?
    @Option(name: .customLong("gold-field"), help: "The gold answer field (lm-eval: a field of doc; default target).")
    var goldField: String?
    @Option(name: .customLong("response-field"), help: "The response field (default: response, responses).")
    var responseField: String?
    @Option(name: .long, help: "The model's name when the file does not give it.") var model: String?
    @Flag(name: .customLong("keep-grades"), help: "Use the file's per-response 'correct' instead of Rollbook's grader.")
    var keepGrades = false
    @Flag(name: .long, help: "Print the summary as JSON.") var json = false
    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give a file to import") }
        if let f = format, ImportFormat(rawValue: f) == nil {
            throw ValidationError("--format: \"\(f)\" is not one of jsonl, lm-eval")
        }
    }

    /// SQLite files and .rollbook/.sqlite names (bundles and stores) are merged; anything else is imported as responses.
    static func isSQLite(_ path: String) -> Bool {
        if ["rollbook", "sqlite", "db"].contains((path as NSString).pathExtension) { return true }
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 16)) == Data("SQLite format 3\u{0}".utf8)
    }

    func run() throws {
        if files.allSatisfy(Import.isSQLite) {
            guard files.count == 1 else { throw InputError("import: give one bundle or store (rollbook merge takes several)") }
            return try MergeReport.run(files, into: storeOptions.store)
        }
        if let db = files.first(where: Import.isSQLite) {
            throw InputError("\(db): a bundle or store cannot be imported together with response files")
        }
        guard let name else { throw InputError("import: --name RUN is required for JSONL and lm-eval files") }
        var o = ImportOptions(name: name)
        o.format = format.flatMap(ImportFormat.init(rawValue:))
        o.idField = idField; o.questionField = questionField; o.goldField = goldField
        o.responseField = responseField; o.keepGrades = keepGrades; o.model = model
        let store = try RolloutStore(path: storeOptions.store)
        let s = try Importer.run(files: files, options: o, store: store)
        if json {
            struct Out: Encodable {
                var run, format, model, grader: String
                var rollouts, added, problems: Int
                var notes: [String]
            }
            try writeJSON(Out(run: s.run, format: s.format.rawValue, model: s.model, grader: s.grader,
                              rollouts: s.rollouts, added: s.added, problems: s.problems, notes: s.notes))
            return
        }
        print("\(s.run): \(s.rollouts) rollouts over \(s.problems) problems from \(s.format.rawValue) "
              + "(\(s.added) new, \(s.rollouts - s.added) already stored); model \(s.model); graded by \(s.grader)")
        for n in s.notes { print("note: \(n)") }
    }
}
