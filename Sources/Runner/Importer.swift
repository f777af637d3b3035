import Foundation
import Store
import Tasks

/// What `rollbook import` reads: a generic JSONL of responses, or lm-evaluation-harness
/// samples files (`samples_<task>_<date>.jsonl`, written by `--log_samples`).
public enum ImportFormat: String, Sendable, CaseIterable {
    case jsonl
    case lmEval = "lm-eval"
}

public struct ImportOptions: Sendable {
    /// The run's name in the store.
    public var name: String
    /// nil: detected per file (lm-eval samples by name or by their `doc_id` and `resps`).
    public var format: ImportFormat?
    /// Field names overriding the defaults (generic JSONL; for lm-eval, `gold` and `question`
    /// name a field of `doc`, and `response` is not used).
    public var idField: String?
    public var questionField: String?
    public var goldField: String?
    public var responseField: String?
    /// Use the file's own `correct` per response (graded elsewhere) instead of Rollbook's grader.
    public var keepGrades = false
    /// The model's name when the file does not say (generic JSONL `model`, lm-eval's folder).
    public var model: String?

    public init(name: String) { self.name = name }
}

public struct ImportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// What an import did.
public struct ImportSummary: Sendable {
    public var run: String
    public var format: ImportFormat
    /// Rollouts in the files, and how many of them the store did not hold yet.
    public var rollouts = 0
    public var added = 0
    public var problems = 0
    public var model = ""
    /// The grader whose verdicts the run reads.
    public var grader = Grader.version
    /// Things worth knowing: grader agreement with the file, fields absent, filters.
    public var notes = [String]()
}

/// `rollbook import`: reads every file and validates every line first (errors name file:line),
/// then stores the run in one transaction, so a file that fails stores nothing. Rollouts are
/// content-addressed by model, question, problem, axes, sample index, seed and the response
/// text, so importing the same file twice stores nothing new.
public enum Importer {
    /// One imported response before it is stored.
    struct Row {
        var file: String
        var line: Int
        var problem: String
        var question: String
        var gold: String
        var response: String
        var sample: Int?
        var temperature: Double?
        var layers = 0
        var seed: UInt64?
        var tokens: Int?
        var promptTokens: Int?
        var logprobs: [Double]?
        var score: Double?
        var correct: Bool?
        var model: String?
        var finishReason: String?
    }

    public static func run(files: [String], options o: ImportOptions, store: RolloutStore) throws -> ImportSummary {
        guard !files.isEmpty else { throw ImportError("import: no file given") }
        guard !o.name.isEmpty else { throw ImportError("import: --name RUN is required") }
        var rows = [Row]()
        var formats = Set<ImportFormat>()
        var shas = [String]()
        var notes = [String]()
        for f in files {
            let text = try read(f)
            shas.append(try RolloutStore.sha256(file: f))
            let format = o.format ?? detect(f, text)
            formats.insert(format)
            switch format {
            case .jsonl: rows += try GenericJSONL.parse(f, text: text, options: o)
            case .lmEval:
                let (r, n) = try LMEvalSamples.parse(f, text: text, options: o)
                rows += r; notes += n
            }
        }
        guard formats.count == 1, let format = formats.first else {
            throw ImportError("\(files.joined(separator: ", ")): one import reads one format (found "
                              + formats.map(\.rawValue).sorted().joined(separator: " and ") + ")")
        }
        guard !rows.isEmpty else { throw ImportError("\(files[0]): no responses to import") }
        let sourceSHA = shas.joined(separator: ",")
        try checkName(o.name, sha: sourceSHA, store: store)
        var s = ImportSummary(run: o.name, format: format)
        try assignSamples(&rows)
        let model = try modelName(rows, options: o, files: files)
        s.model = model
        notes += absentFieldNotes(rows)
        let built = try build(rows, model: model, format: format, keepGrades: o.keepGrades, notes: &notes)
        s.grader = o.keepGrades ? "imported:\(format.rawValue)" : Grader.version
        s.rollouts = built.rollouts.count
        s.problems = built.problems.count
        s.notes = notes
        let record = RunRecord(
            name: o.name, plan: planText(o, files: files, format: format, model: model, rows: rows, sha: sourceSHA),
            source: files.joined(separator: ","), modelKey: built.modelKey, taskKey: built.taskKey,
            graderVersion: s.grader, blockCount: 0, info: "imported",
            members: built.rollouts.map { ($0.key, $0.goldHash) }, sourceFormat: format.rawValue,
            sourceSHA256: sourceSHA)
        s.added = try store.importRun(taskKey: built.taskKey, problems: built.problems, rollouts: built.rollouts,
                                      verdicts: built.verdicts, record: record)
        return s
    }

    // MARK: reading

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImportError("\(path): cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let bad = data.split(separator: 10, omittingEmptySubsequences: false)
                .firstIndex { String(data: Data($0), encoding: .utf8) == nil } ?? 0
            throw ImportError("\(path):\(bad + 1): not UTF-8 text")
        }
        return text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    }

    /// lm-eval's samples files by their name, else by their first object's fields.
    static func detect(_ path: String, _ text: String) -> ImportFormat {
        let base = (path as NSString).lastPathComponent
        if base.hasPrefix("samples_") { return .lmEval }
        if let first = lines(text).first, let o = try? JSONSerialization.jsonObject(with: Data(first.text.utf8))
            as? [String: Any], o["doc_id"] != nil, o["resps"] != nil {
            return .lmEval
        }
        return .jsonl
    }

    /// The non-blank lines with their numbers (CRLF and LF alike).
    static func lines(_ text: String) -> [(number: Int, text: String)] {
        var out = [(Int, String)]()
        var n = 0
        text.enumerateLines { line, _ in
            n += 1
            let t = line.hasSuffix("\r") ? String(line.dropLast()) : line
            if !t.trimmingCharacters(in: .whitespaces).isEmpty { out.append((n, t)) }
        }
        return out
    }

    /// Each line as a JSON object, or `file:line: malformed JSON`.
    static func objects(_ path: String, _ text: String) throws -> [(line: Int, object: [String: Any])] {
        try lines(text).map { n, t in
            let value: Any
            do {
                value = try JSONSerialization.jsonObject(with: Data(t.utf8), options: [.fragmentsAllowed])
            } catch {
                throw ImportError("\(path):\(n): malformed JSON (\(short(t)))")
            }
            guard let o = value as? [String: Any] else {
                throw ImportError("\(path):\(n): not a JSON object (\(short(t)))")
            }
            return (n, o)
        }
    }

    static func short(_ s: String) -> String { s.count <= 60 ? s : String(s.prefix(57)) + "..." }

    // MARK: checks across lines

    /// A run name is one import: the same files again are a no-op, anything else is refused.
    static func checkName(_ name: String, sha: String, store: RolloutStore) throws {
        guard let info = try store.run(named: name) else { return }
        if info.sourceFormat == "plan" {
            throw ImportError("\(store.path): run \"\(name)\" is already generated from \(info.source); "
                              + "import under another --name")
        }
        if info.sourceSHA256 != sha {
            throw ImportError("\(store.path): run \"\(name)\" already holds an import of \(info.source) "
                              + "(sha256 \(info.sourceSHA256.prefix(12))...); import under another --name")
        }
    }

    /// In file order, a sample without an index takes the next free one of its problem and
    /// cell; an index already taken (given twice, or given after it was assigned) is an error
    /// naming both places.
    static func assignSamples(_ rows: inout [Row]) throws {
        struct CellKey: Hashable { var problem: String; var t: Double?; var l: Int }
        var taken = [CellKey: [Int: (String, Int)]]()
        for i in rows.indices {
            let r = rows[i], k = CellKey(problem: r.problem, t: r.temperature, l: r.layers)
            if let s = r.sample {
                if let (f, l) = taken[k]?[s] {
                    throw ImportError("\(r.file):\(r.line): duplicate sample \(s) of problem \"\(r.problem)\" "
                                      + "(also at \(f):\(l))")
                }
                taken[k, default: [:]][s] = (r.file, r.line)
            } else {
                var j = 0
                while taken[k]?[j] != nil { j += 1 }
                rows[i].sample = j
                taken[k, default: [:]][j] = (r.file, r.line)
            }
        }
        // One gold and one question per problem.
        var first = [String: Row]()
        for r in rows {
            guard let f = first[r.problem] else { first[r.problem] = r; continue }
            if f.gold != r.gold {
                throw ImportError("\(r.file):\(r.line): problem \"\(r.problem)\" has another gold answer "
                                  + "(\"\(short(r.gold))\"; \"\(short(f.gold))\" at \(f.file):\(f.line))")
            }
            if f.question != r.question {
                throw ImportError("\(r.file):\(r.line): problem \"\(r.problem)\" has another question "
                                  + "(first at \(f.file):\(f.line))")
            }
        }
    }

    static func modelName(_ rows: [Row], options o: ImportOptions, files: [String]) throws -> String {
        if let m = o.model { return m }
        let named = Set(rows.compactMap(\.model))
        if named.count > 1 {
            let r = rows.first { $0.model != rows.first { $0.model != nil }!.model && $0.model != nil }!
            throw ImportError("\(r.file):\(r.line): model \"\(r.model!)\" differs from the other lines' "
                              + "(one run is one model; import each model under its own --name)")
        }
        return named.first ?? "unknown"
    }

    static func absentFieldNotes(_ rows: [Row]) -> [String] {
        var notes = [String]()
        if rows.contains(where: { $0.temperature == nil }) {
            notes.append("no temperature for some responses: recorded as T = 1 (set \"temperature\" per line)")
        }
        if rows.allSatisfy({ $0.tokens == nil }) {
            notes.append("no token counts: curves over generated tokens (x: tokens) are not drawn for this run")
        }
        if rows.allSatisfy({ $0.logprobs == nil }) {
            notes.append("no per-token log-probs: best-of-N by log-prob and self-certainty do not apply")
        }
        return notes
    }

    // MARK: building the store's rows

    struct Built {
        var modelKey: String
        var taskKey: String
        var problems: [RolloutStore.ProblemRow]
        var rollouts: [StoredRollout]
        var verdicts: [StoredVerdict]
    }

    static func build(_ rows: [Row], model: String, format: ImportFormat, keepGrades: Bool,
                      notes: inout [String]) throws -> Built {
        let modelKey = "import:" + model
        // Problems: content-addressed by their questions and golds, so two imports of one
        // data set share them.
        var problems = [String: RolloutStore.ProblemRow]()
        for r in rows where problems[r.problem] == nil {
            problems[r.problem] = .init(id: r.problem, question: r.question, gold: r.gold, tier: nil)
        }
        let taskText = problems.keys.sorted().map { "\($0)\u{1}\(problems[$0]!.question)\u{1}\(problems[$0]!.gold)" }
        let taskKey = "import:" + Hash128.hex(taskText.joined(separator: "\u{2}"))
        let grader = Grader()
        var rollouts = [StoredRollout]()
        var verdicts = [StoredVerdict]()
        var agree = 0, graded = 0
        var firstDisagreement: Row?
        for r in rows {
            let t = r.temperature ?? 1
            let promptHash = Hash128.hex(r.question)
            let cell = "T=\(t);L=\(r.layers);import=\(Hash128.hex(r.response))"
            let key = RolloutKey(model: modelKey, promptHash: promptHash, problem: r.problem, cellParams: cell,
                                 role: .breadth, seed: r.seed ?? 0, index: r.sample!)
            let v = grader.grade(response: r.response, gold: r.gold)
            let goldHash = Hash128.hex(r.gold)
            var verdict = StoredVerdict(key: key.hex, goldHash: goldHash, graderVersion: Grader.version,
                                        extracted: v.extracted, answerClass: v.answerClass, correct: v.correct,
                                        rule: v.rule, reason: v.reason)
            if let c = r.correct {
                graded += 1
                if c == v.correct { agree += 1 } else if firstDisagreement == nil { firstDisagreement = r }
            }
            if keepGrades {
                guard let c = r.correct else {
                    throw ImportError("\(r.file):\(r.line): --keep-grades: no grade for this response "
                                      + "(field \"correct\")")
                }
                verdicts.append(verdict)
                // The file's verdict; correct answers vote together in the gold's class, and an
                // answer Rollbook would call correct but the file does not keeps a class of its own.
                let gold = Grader.goldClass(r.gold)
                let cls = c ? gold : (v.answerClass == gold ? "\(v.answerClass) (graded wrong)" : v.answerClass)
                verdict = StoredVerdict(key: key.hex, goldHash: goldHash, graderVersion: "imported:\(format.rawValue)",
                                        extracted: v.extracted, answerClass: cls, correct: c, rule: "imported",
                                        reason: "graded in the imported file")
            }
            verdicts.append(verdict)
            let lp = r.logprobs ?? []
            let tokens = r.tokens ?? (r.logprobs != nil ? lp.count : 0)
            rollouts.append(StoredRollout(
                key: key.hex, modelKey: modelKey, promptHash: promptHash, taskKey: taskKey, problemID: r.problem,
                layers: r.layers, temperature: t, sampleIndex: r.sample!, seed: r.seed ?? 0, params: key.params,
                response: r.response, tokenCount: tokens, finishReason: r.finishReason ?? "unknown", meanEntropy: 0,
                meanLogprob: lp.isEmpty ? 0 : lp.reduce(0, +) / Double(lp.count), selfCertainty: 0,
                gatedTokens: 0, extraLayerApplications: 0, extracted: verdict.extracted,
                answerClass: verdict.answerClass, correct: verdict.correct, rule: verdict.rule,
                graderVersion: verdict.graderVersion, tokens: Data(), seconds: 0, role: .breadth,
                promptTokens: r.promptTokens, source: "import:\(format.rawValue)", goldHash: goldHash, flops: nil,
                score: r.score))
        }
        if graded > 0 {
            var n = "Rollbook's grader agrees on \(agree) of \(graded) responses with the file's own grades"
            if let d = firstDisagreement { n += " (first difference: \(d.file):\(d.line))" }
            notes.append(n + (keepGrades ? "; the file's grades are kept" : "; Rollbook's are used"))
        }
        return Built(modelKey: modelKey, taskKey: taskKey, problems: problems.values.sorted { $0.id < $1.id },
                     rollouts: rollouts, verdicts: verdicts)
    }

    /// The run's "plan": what was imported, in the plan's line format (the runs table reads it).
    static func planText(_ o: ImportOptions, files: [String], format: ImportFormat, model: String, rows: [Row],
                         sha: String) -> String {
        let ts = Set(rows.map { $0.temperature ?? 1 }).sorted()
        let ls = Set(rows.map(\.layers)).sorted()
        var perProblem = [String: Int]()
        for r in rows { perProblem[r.problem, default: 0] += 1 }
        let n = perProblem.values.max() ?? 0
        let names = files.map { ($0 as NSString).lastPathComponent }
        return """
            name: \(o.name)
            model: \(model)
            tasks: import:\(format.rawValue) \(names.joined(separator: ", "))
            template: imported (\(format.rawValue))
            grid: {temperatures: \(ts), layers: \(ls), n: \(n)}
            strategy: imported
            import: {format: \(format.rawValue), keep_grades: \(o.keepGrades), sha256: \(sha)}
            """
    }
}
