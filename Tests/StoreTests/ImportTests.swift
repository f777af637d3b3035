import Analysis
import Foundation
import Runner
import Store
import TestSupport
import Testing

let importFixtures = FixtureDir(target: "StoreTests")
let lmEvalFile = importFixtures.path(
    "import/HuggingFaceTB__SmolLM2-135M-Instruct/samples_arith_2026-12-01T10-00-00.123456.jsonl")
let genericFile = importFixtures.path("import/generic.jsonl")

/// `rollbook import` through its public API, on fixtures written the way lm-eval 0.4 and a
/// generic script write them; expected numbers computed by hand in each test.
@Suite struct ImportTests {
    func withStore(_ body: (RolloutStore, URL) throws -> Void) throws {
        let dir = try RollbookCLI.tempDir("import")
        defer { try? FileManager.default.removeItem(at: dir) }
        try body(try RolloutStore(path: dir.appendingPathComponent("s.sqlite").path), dir)
    }

    func cell(_ store: RolloutStore, _ run: String) throws -> CellReport {
        var o = AnalysisOptions()
        o.resamples = 50
        return try RunData.load(store: store, run: run).analyze(o).cells[0]
    }

    @Test func lmEvalRepeatsAreGradedAndAnalysed() throws {
        try withStore { store, _ in
            let s = try Importer.run(files: [lmEvalFile], options: ImportOptions(name: "lm"), store: store)
            #expect(s.format == .lmEval && s.rollouts == 12 && s.added == 12 && s.problems == 3)
            #expect(s.model == "HuggingFaceTB__SmolLM2-135M-Instruct")
            #expect(s.notes.contains { $0.contains("filter none leaves one answer per document") })
            // Correct per repeat: doc 0 T F T T (c=3), doc 1 F T F F (c=1), doc 2 none (c=0); n = 4.
            let c = try cell(store, "lm")
            #expect(c.temperature == 0.8 && c.layers == 0 && c.samples == 4)
            let pass = [(0.75 + 0.25) / 3, (1 + 0.5) / 3, (1 + 0.75) / 3, 2.0 / 3]
            for (a, b) in zip(c.passAtK, pass) { #expect(abs(a - b) < 1e-12) }
            // maj@4: doc 0's class 5 (x3) wins; doc 1's 41 (x2) and doc 2's 4 (x2) are wrong.
            #expect(abs(c.majAtK.last! - 1.0 / 3) < 1e-12)
            let info = try #require(try store.run(named: "lm"))
            #expect(info.sourceFormat == "lm-eval" && info.sourceSHA256.count == 64)
            #expect(try store.rollouts(run: "lm").allSatisfy { $0.source == "import:lm-eval" })
            let again = try Importer.run(files: [lmEvalFile], options: ImportOptions(name: "lm"), store: store)
            let count = try store.rolloutCount
            #expect(again.added == 0 && again.rollouts == 12 && count == 12)
        }
    }

    @Test func genericJSONLWithAndWithoutKeptGrades() throws {
        try withStore { store, _ in
            let s = try Importer.run(files: [genericFile], options: ImportOptions(name: "g"), store: store)
            #expect(s.format == .jsonl && s.model == "my-model-7b" && s.added == 6)
            #expect(s.notes.contains { $0.contains("agrees on 5 of 6") })
            // Rollbook's grader: p1 T F T (c=2), p2 "ten" F, 12 F, 12 F (c=0); n = 3.
            let c = try cell(store, "g")
            for (a, b) in zip(c.passAtK, [1.0 / 3, 0.5, 0.5]) { #expect(abs(a - b) < 1e-12) }
            #expect(abs(c.majAtK.last! - 0.5) < 1e-12)
            var o = ImportOptions(name: "kept")
            o.keepGrades = true
            let k = try Importer.run(files: [genericFile], options: o, store: store)
            #expect(k.added == 0 && k.grader == "imported:jsonl")
            // The file grades "ten" correct: p2 c=1.
            let kc = try cell(store, "kept")
            for (a, b) in zip(kc.passAtK, [0.5, 5.0 / 6, 1]) { #expect(abs(a - b) < 1e-12) }
            let first = try store.rollouts(run: "g").first { $0.problemID == "p1" && $0.sampleIndex == 0 }
            #expect(first?.meanLogprob == -1 && first?.tokenCount == 2 && first?.score == 0.9)
        }
    }

    /// Each bad line is refused with file:line and what is wrong; nothing of the set is stored.
    @Test func badLinesAreRefusedAndNothingIsStored() throws {
        let good = #"{"id": "a", "question": "q", "gold": "1", "response": "The answer is 1."}"#
        let cases: [(String, String)] = [
            ("{not json", ":2: malformed JSON"),
            (#"{"id": "a", "question": "q", "gold": "1"}"#, ":2: missing the response"),
            (#"{"id": "b", "question": "q", "gold": "1", "response": []}"#, ":2: field \"response\" (response) is an empty list"),
            (#"{"id": "a", "question": "q", "gold": "1", "response": "x", "sample": 0}"#, ":2: duplicate sample 0"),
            (#"{"id": "a", "question": "q", "gold": "2", "response": "x"}"#, ":2: problem \"a\" has another gold answer"),
            (#"{"id": "b", "question": "q", "gold": "1", "response": "x", "temperature": "hot"}"#,
             ":2: field \"temperature\" (temperature) must be a finite number"),
        ]
        try withStore { store, dir in
            _ = try Importer.run(files: [genericFile], options: ImportOptions(name: "g"), store: store)
            let before = try store.rolloutCount
            for (i, (line, message)) in cases.enumerated() {
                let ok = dir.appendingPathComponent("ok\(i).jsonl").path
                let bad = dir.appendingPathComponent("bad\(i).jsonl").path
                try (good + "\n").write(toFile: ok, atomically: true, encoding: .utf8)
                try (good + "\n" + line + "\n").write(toFile: bad, atomically: true, encoding: .utf8)
                let e = #expect(throws: ImportError.self) {
                    try Importer.run(files: [ok, bad], options: ImportOptions(name: "bad\(i)"), store: store)
                }
                #expect(e?.description == nil || e!.description.hasPrefix(bad + message), "\(e?.description ?? "")")
                #expect(try store.run(named: "bad\(i)") == nil)
            }
            var o = ImportOptions(name: "lm")
            o.keepGrades = true
            let e = #expect(throws: ImportError.self) { try Importer.run(files: [lmEvalFile], options: o, store: store) }
            #expect(e?.description.hasPrefix(lmEvalFile + ":1: --keep-grades: no grade per response") == true)
            let other = #expect(throws: ImportError.self) {
                try Importer.run(files: [lmEvalFile], options: ImportOptions(name: "g"), store: store)
            }
            #expect(other?.description.contains("already holds an import of") == true)
            let (after, runs) = (try store.rolloutCount, try store.runNames())
            #expect(after == before && runs == ["g"])
        }
    }
}

/// Server responses in the OpenAI shapes: with every token's full distribution (`top_logprobs:
/// all`, as vLLM returns it with `--max-logprobs` raised) entropy and self-certainty are exact;
/// with fewer alternatives than the vocabulary, self-certainty is unknown and entropy a lower
/// bound. (The llama.cpp server cannot return full distributions: RemoteEngineTests checks
/// that this is detected on it.)
@Suite struct FullLogprobsTests {
    static let logits: [[Double]] = [[2, 1, 0, -1, -3], [0, 0, 0, 0, 0], [5, -5, -5, -5, -5]]
    static func logSoftmax(_ x: [Double]) -> [Double] {
        let m = x.max()!, lse = m + log(x.reduce(0) { $0 + exp($1 - m) })
        return x.map { $0 - lse }
    }

    @Test func exactFromFullDistributions() throws {
        let v = 5
        let tops: [[String: Any]] = Self.logits.map { l in
            Dictionary(uniqueKeysWithValues: Self.logSoftmax(l).enumerated().map { ("t\($0)", $1 as Any) })
        }
        let lp: [String: Any] = ["token_logprobs": Self.logits.map { Self.logSoftmax($0)[0] }, "top_logprobs": tops]
        let (records, certainty, alternatives) = OpenAIClient.tokenRecords(lp, chat: false, vocabSize: v)
        let sc = try #require(certainty)
        #expect(records.count == 3 && alternatives == 5)
        for (i, l) in Self.logits.enumerated() {
            let ls = Self.logSoftmax(l)
            let h = -ls.reduce(0) { $0 + exp($1) * $1 }
            let kl = -log(Double(v)) - ls.reduce(0, +) / Double(v)     // KL(U || p)
            #expect(abs(Double(records[i].entropy) - h) < 1e-5 && abs(sc[i] - kl) < 1e-9)
        }
        #expect(abs(sc[1]) < 1e-12, "a uniform distribution has self-certainty 0")
        // The chat shape gives the same numbers.
        let chat: [String: Any] = ["content": Self.logits.map { l -> [String: Any] in
            let ls = Self.logSoftmax(l)
            return ["logprob": ls[0], "top_logprobs": ls.map { ["logprob": $0] }]
        }]
        let c = OpenAIClient.tokenRecords(chat, chat: true, vocabSize: v)
        // (Sums in another order: equal to rounding.)
        let csc = try #require(c.selfCertainty)
        #expect(zip(csc, sc).allSatisfy { abs($0 - $1) < 1e-12 } && c.records.count == records.count)
        #expect(zip(c.records, records).allSatisfy { abs($0.entropy - $1.entropy) < 1e-5 && $0.logprob == $1.logprob })
        // Four of five alternatives: no self-certainty, and the entropy is a lower bound.
        let cut: [String: Any] = ["token_logprobs": [Self.logSoftmax(Self.logits[0])[0]],
                                  "top_logprobs": [Dictionary(uniqueKeysWithValues: Self.logSoftmax(Self.logits[0])
                                      .prefix(4).enumerated().map { ("t\($0)", $1 as Any) })]]
        let partial = OpenAIClient.tokenRecords(cut, chat: false, vocabSize: v)
        #expect(partial.selfCertainty == nil && partial.alternatives == 4)
        #expect(Double(partial.records[0].entropy) <= Double(records[0].entropy) + 1e-6)
    }
}
