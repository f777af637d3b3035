import Foundation

/// One JSON object of an imported file, read field by field; every error names the file,
/// the line, the field and the role it plays (`field "temp" (temperature) must be ...`).
struct ImportFields {
    let file: String
    let line: Int
    let object: [String: Any]

    func fail(_ what: String) -> ImportError { ImportError("\(file):\(line): \(what)") }

    /// The first of `names` present (nil when none is).
    func find(_ names: [String]) -> (name: String, value: Any)? {
        for n in names { if let v = object[n], !(v is NSNull) { return (n, v) } }
        return nil
    }

    func string(_ names: [String], _ role: String) throws -> String? {
        guard let (n, v) = find(names) else { return nil }
        return try Self.text(v) ?? { throw fail("field \"\(n)\" (\(role)) must be a string or a number") }()
    }

    /// A string, or a number written as JSON (a gold of 12 is "12"; 1.5 is "1.5").
    static func text(_ v: Any) -> String? {
        if let s = v as? String { return s }
        if let n = v as? NSNumber, !isBool(n) {
            let d = n.doubleValue
            if d.isFinite && d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
            return d.isFinite ? "\(d)" : nil
        }
        return nil
    }

    /// JSON true/false arrive as NSNumber of a Bool (objCType "c"), never a number JSON wrote.
    static func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    func number(_ names: [String], _ role: String) throws -> Double? {
        guard let (n, v) = find(names) else { return nil }
        guard let x = v as? NSNumber, !Self.isBool(x), x.doubleValue.isFinite else {
            throw fail("field \"\(n)\" (\(role)) must be a finite number")
        }
        return x.doubleValue
    }

    func integer(_ names: [String], _ role: String, min: Int = 0) throws -> Int? {
        guard let (n, v) = find(names) else { return nil }
        guard let x = v as? NSNumber, !Self.isBool(x), let i = Int(exactly: x.doubleValue), i >= min else {
            throw fail("field \"\(n)\" (\(role)) must be an integer >= \(min)")
        }
        return i
    }

    func bool(_ names: [String], _ role: String) throws -> Bool? {
        guard let (n, v) = find(names) else { return nil }
        return try Self.truth(v) ?? { throw fail("field \"\(n)\" (\(role)) must be true/false or 1/0") }()
    }

    static func truth(_ v: Any) -> Bool? {
        if let x = v as? NSNumber {
            if isBool(x) { return x.boolValue }
            if x.doubleValue == 1 { return true }
            if x.doubleValue == 0 { return false }
        }
        return nil
    }

    func numbers(_ names: [String], _ role: String) throws -> [Double]? {
        guard let (n, v) = find(names) else { return nil }
        guard let xs = v as? [Any], let ds = Optional(xs.compactMap { ($0 as? NSNumber).flatMap {
            Self.isBool($0) || !$0.doubleValue.isFinite ? nil : $0.doubleValue
        } }), ds.count == xs.count else {
            throw fail("field \"\(n)\" (\(role)) must be a list of finite numbers")
        }
        return ds
    }
}

/// A generic JSONL: one object per line with a problem id, its question and gold, and one
/// response (or a list of responses), plus optional axes, counts, log-probs, a score, a grade.
enum GenericJSONL {
    static let ids = ["id", "problem_id", "problem", "doc_id"]
    static let questions = ["question", "prompt", "problem_text", "input"]
    static let golds = ["gold", "answer", "target", "reference"]
    static let responses = ["response", "responses", "completion", "output", "generation"]

    static func names(_ custom: String?, _ defaults: [String]) -> [String] { custom.map { [$0] } ?? defaults }

    static func parse(_ path: String, text: String, options o: ImportOptions) throws -> [Importer.Row] {
        var out = [Importer.Row]()
        for (line, object) in try Importer.objects(path, text) {
            let f = ImportFields(file: path, line: line, object: object)
            func required(_ names: [String], _ role: String) throws -> String {
                guard let v = try f.string(names, role) else {
                    throw f.fail("missing the \(role) (field \(names.map { "\"\($0)\"" }.joined(separator: " or ")))")
                }
                return v
            }
            let idNames = names(o.idField, ids), respNames = names(o.responseField, responses)
            let id = try required(idNames, "problem id")
            let question = try required(names(o.questionField, questions), "question")
            let gold = try required(names(o.goldField, golds), "gold")
            guard let (rn, rv) = f.find(respNames) else {
                throw f.fail("missing the response (field \(respNames.map { "\"\($0)\"" }.joined(separator: " or ")))")
            }
            let texts: [String]
            if let s = rv as? String { texts = [s] } else if let xs = rv as? [Any] {
                guard !xs.isEmpty else { throw f.fail("field \"\(rn)\" (response) is an empty list") }
                texts = try xs.map { try ($0 as? String) ?? {
                    throw f.fail("field \"\(rn)\" (response) must be a string or a list of strings") }() }
            } else {
                throw f.fail("field \"\(rn)\" (response) must be a string or a list of strings")
            }
            var row = Importer.Row(file: path, line: line, problem: id, question: question, gold: gold, response: "")
            row.sample = try f.integer(["sample", "sample_index", "sample_idx"], "sample index")
            if texts.count > 1 && row.sample != nil {
                throw f.fail("a list of responses takes no sample index (they are numbered in order)")
            }
            row.temperature = try f.number(["temperature"], "temperature")
            if let t = row.temperature, t < 0 { throw f.fail("field \"temperature\" (temperature) is negative") }
            row.layers = try f.integer(["layers", "layer_span"], "EGLR layer span") ?? 0
            row.seed = try f.integer(["seed"], "seed").map { UInt64($0) }
            row.tokens = try f.integer(["tokens", "token_count", "completion_tokens"], "generated tokens")
            row.promptTokens = try f.integer(["prompt_tokens"], "prompt tokens")
            row.logprobs = try f.numbers(["logprobs", "token_logprobs"], "per-token log-probs")
            row.score = try f.number(["score", "reward"], "score")
            row.model = try f.string(["model"], "model")
            row.finishReason = try f.string(["finish_reason"], "finish reason")
            let grades: [Bool]?
            if let (gn, gv) = f.find(["correct", "is_correct"]) {
                if let list = gv as? [Any] {
                    let bs = list.compactMap(ImportFields.truth)
                    guard bs.count == list.count, bs.count == texts.count else {
                        throw f.fail("field \"\(gn)\" (grade) must be one true/false per response")
                    }
                    grades = bs
                } else if texts.count == 1, let b = try f.bool([gn], "grade") {
                    grades = [b]
                } else {
                    throw f.fail("field \"\(gn)\" (grade) must be one true/false per response")
                }
            } else { grades = nil }
            if texts.count > 1 && (row.logprobs != nil || row.tokens != nil || row.score != nil) {
                throw f.fail("per-response fields (logprobs, tokens, score) need one response per line")
            }
            for (i, t) in texts.enumerated() {
                var r = row
                r.response = t
                r.correct = grades?[i]
                out.append(r)
            }
        }
        return out
    }
}

/// lm-evaluation-harness 0.4 samples files (`--log_samples`): per document `doc_id`, `doc`,
/// `target`, `arguments` (the prompt and generation kwargs), `resps` (each request's
/// responses: `repeats` of them) and `filtered_resps` (after the task's filters).
enum LMEvalSamples {
    static func parse(_ path: String, text: String, options o: ImportOptions) throws
        -> (rows: [Importer.Row], notes: [String]) {
        var out = [Importer.Row]()
        var notes = [String]()
        // samples_<task>_<date>.jsonl in a folder named for the model.
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var task = base.hasPrefix("samples_") ? String(base.dropFirst(8)) : base
        if let r = task.range(of: "_20", options: .backwards) { task = String(task[..<r.lowerBound]) }
        let folder = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
        var filters = Set<String>()
        var filteredFewer = false
        for (line, object) in try Importer.objects(path, text) {
            let f = ImportFields(file: path, line: line, object: object)
            if o.keepGrades {
                throw f.fail("--keep-grades: no grade per response in lm-eval samples (its metrics score "
                             + "each document's filtered answer, not each of its repeats); import without it")
            }
            guard let docID = try f.string(["doc_id"], "document id") else { throw f.fail("missing \"doc_id\"") }
            let doc = ImportFields(file: path, line: line, object: object["doc"] as? [String: Any] ?? [:])
            let prompt = promptAndKwargs(object["arguments"])
            let gold: String
            if let g = o.goldField {
                guard let v = try doc.string([g], "gold") else { throw f.fail("doc has no field \"\(g)\" (gold)") }
                gold = v
            } else {
                guard let v = try f.string(["target"], "gold") else {
                    throw f.fail("missing \"target\" (the gold; --gold-field names a field of doc instead)")
                }
                gold = v
            }
            let question = try doc.string(o.questionField.map { [$0] } ?? ["question", "problem", "input", "query"],
                                          "question") ?? prompt.prompt ?? ""
            guard let resps = object["resps"] as? [Any] else { throw f.fail("missing \"resps\" (a list per request)") }
            var texts = [String]()
            for r in resps {
                if let s = r as? String { texts.append(s); continue }
                guard let xs = r as? [Any] else { throw f.fail("field \"resps\" (responses) must hold lists of strings") }
                for x in xs {
                    guard let s = x as? String else {
                        throw f.fail("field \"resps\" (responses) must hold strings (a generate_until task)")
                    }
                    texts.append(s)
                }
            }
            guard !texts.isEmpty else { throw f.fail("field \"resps\" (responses) is an empty list") }
            if let filtered = object["filtered_resps"] as? [Any], filtered.count < texts.count { filteredFewer = true }
            filters.insert((object["filter"] as? String) ?? "?")
            var row = Importer.Row(file: path, line: line, problem: "\(task):\(docID)", question: question,
                                   gold: gold, response: "")
            let doSample = (prompt.kwargs["do_sample"]).flatMap(ImportFields.truth)
            if let t = prompt.kwargs["temperature"] as? NSNumber, t.doubleValue.isFinite, t.doubleValue >= 0 {
                row.temperature = doSample == false ? 0 : t.doubleValue
            } else if doSample == false {
                row.temperature = 0
            }
            row.model = folder.isEmpty || folder == "." ? nil : folder
            for t in texts {
                var r = row
                r.response = t
                out.append(r)
            }
        }
        if filteredFewer {
            notes.append("filter \(filters.sorted().joined(separator: ", ")) leaves one answer per document; "
                         + "every repeat in resps is imported and graded by Rollbook's grader")
        }
        return (out, notes)
    }

    /// The prompt and generation kwargs of the first request: lm-eval 0.4 writes `arguments`
    /// as {"gen_args_0": {"arg_0": prompt, "arg_1": kwargs}}, older versions as [[prompt, kwargs]].
    static func promptAndKwargs(_ a: Any?) -> (prompt: String?, kwargs: [String: Any]) {
        if let d = a as? [String: Any], let first = d.keys.sorted().first, let g = d[first] as? [String: Any] {
            return (g["arg_0"] as? String, g["arg_1"] as? [String: Any] ?? [:])
        }
        if let l = a as? [Any], let first = l.first as? [Any] {
            return (first.first as? String, first.dropFirst().first as? [String: Any] ?? [:])
        }
        return (nil, [:])
    }
}
