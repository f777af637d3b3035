import Synchronization
import Foundation
import Runner
import Store
import TestSupport
import Testing

func sampleRollout(_ i: Int, response: String = "The answer is 4.") -> StoredRollout {
    let toks = [TokenRecord(id: 42, logprob: -0.5, entropy: 1.25, iterations: 2, gated: true),
                TokenRecord(id: -1, logprob: -3, entropy: 0, iterations: 0, gated: false)]
    return StoredRollout(key: Hash128.hex("k\(i)"), modelKey: "sha256:m", promptHash: "p", taskKey: "t", problemID: "q\(i % 2)",
                         layers: i % 3, temperature: 0.7, sampleIndex: i, seed: UInt64.max - UInt64(i), params: "T=0.7",
                         response: response, tokenCount: 2, finishReason: "eos", meanEntropy: 0.625, meanLogprob: -1.75,
                         selfCertainty: 3.5, gatedTokens: 1, extraLayerApplications: 2, extracted: "4", answerClass: "4",
                         correct: i % 2 == 0, rule: "the answer is", graderVersion: "g1", tokens: TokenRecord.pack(toks), seconds: 0.1)
}

@Suite struct StoreUnitTests {
    @Test func tokenRecordsRoundTrip() {
        let recs = [TokenRecord(id: 49151, logprob: -0.001, entropy: 7.5, iterations: 255, gated: true),
                    TokenRecord(id: Int32.min, logprob: -.infinity, entropy: 0, iterations: 0, gated: false)]
        let packed = TokenRecord.pack(recs)
        #expect(packed.count == 2 * TokenRecord.size)
        #expect(TokenRecord.unpack(packed) == recs)
    }

    @Test func hashIsStableAndSpreads() {
        // Frozen: changing the hash would orphan every stored rollout.
        #expect(Hash128.hex("rollbook") == Hash128.hex("rollbook"))
        #expect(Hash128.hex("rollbook").count == 32)
        #expect(Hash128.hex("a") != Hash128.hex("b"))
        #expect(Set((0..<2000).map { Hash128.hex("key \($0)") }).count == 2000)
    }

    @Test func insertIsIdempotentAndSurvivesReopening() throws {
        let dir = try RollbookCLI.tempDir("store")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.sqlite").path
        let rs = (0..<5).map { sampleRollout($0) }
        do {
            let store = try RolloutStore(path: path)
            #expect(try store.insert(rs) == 5)
            #expect(try store.insert(rs) == 0)
            // A changed response under an existing key does not overwrite the first one.
            #expect(try store.insert([sampleRollout(0, response: "other")]) == 0)
            try store.recordRun(RunRecord(name: "r", plan: "p", source: "", modelKey: "sha256:m", taskKey: "t",
                                          graderVersion: "g1", blockCount: 30, info: "",
                                          members: (rs.map(\.key) + ["missing"]).map { ($0, "") }))
        }
        let again = try RolloutStore(path: path)
        #expect(try again.existing(rs.map(\.key) + ["nope"]) == Set(rs.map(\.key)))
        let back = try again.rollouts(run: "r").sorted { $0.sampleIndex < $1.sampleIndex }
        #expect(back == rs)
        #expect(try again.run(named: "r")?.planned == 6)
        #expect(try again.run(named: "r")?.blockCount == 30)
        #expect(try again.rollouts(run: "r", withTokens: false).allSatisfy { $0.tokens.isEmpty })
    }

    @Test func notAStoreIsOneClearError() throws {
        let dir = try RollbookCLI.tempDir("bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("junk.sqlite").path
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect { _ = try RolloutStore(path: path) } throws: { "\($0)".contains(path) }
    }

    /// Several openers of one new store at once (two `rollbook run`s started together): each
    /// waits for the others' WAL switch and migration instead of failing, or taking the
    /// half-created store (GRDB's bookkeeping table, no migration yet) for another program's.
    @Test func concurrentOpensOfANewStoreAllSucceed() throws {
        let dir = try RollbookCLI.tempDir("open")
        defer { try? FileManager.default.removeItem(at: dir) }
        for round in 0..<50 {
            let path = dir.appendingPathComponent("s\(round).sqlite").path
            let errors = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do { _ = try RolloutStore(path: path).rolloutCount } catch {
                    errors.withLock { $0.append("\(error)") }
                }
            }
            #expect(errors.withLock { $0 }.isEmpty, "round \(round): \(errors.withLock { $0 })")
        }
    }
}

@Suite struct PlanTests {
    /// The example plans shipped in plans/ stay valid.
    @Test func shippedPlansParse() throws {
        let dir = FixtureDir.repoRoot.appendingPathComponent("plans")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 2)
        for f in files {
            let plan = try Plan.load(path: dir.appendingPathComponent(f).path)
            #expect(plan.name + ".yaml" == f)
        }
    }

    func parse(_ yaml: String) throws -> Plan { try Plan.parse(yaml: yaml, source: "p.yaml", defaultName: "p") }

    @Test func validPlanAndDefaults() throws {
        let p = try parse("""
            name: demo
            model: smollm2-135m-instruct
            tasks: builtin:arithmetic?count=5
            grid: {temperatures: [0, 0.7], layers: [0, 2], n: 4}
            sampler: {top_p: 0.95}
            eglr: {kmax: 3, divergence: js}
            """)
        #expect(p.name == "demo" && p.temperatures == [0, 0.7] && p.layers == [0, 2] && p.n == 4)
        #expect(p.decoding.topP == 0.95 && p.decoding.kMax == 3 && p.decoding.divergence == .js)
        // T = 0 is greedy: one rollout per layer span, n per sampled cell.
        #expect(p.rolloutsPerProblem == 2 * 1 + 2 * 4)
    }

    @Test(arguments: [
        ("grid:\n  temperatures: [0.5, -1]\n", "p.yaml:2", "grid.temperatures"),
        ("name: x\ntempratures: [1]\n", "p.yaml:2", "unknown field tempratures"),
        ("eglr:\n  divergence: cosine\n", "p.yaml:2", "eglr.divergence"),
        ("max_tokens: lots\n", "p.yaml:1", "max_tokens"),
        ("grid: {n: 0}\n", "p.yaml:1", "grid.n"),
        ("name: x\n  bad: [\n", "p.yaml", "line"),
        ("sampler:\n  top_p: 1.5\n", "p.yaml:2", "sampler.top_p"),
        ("strategy: depth\ndepth:\n  signals: [ent, verifier]\n", "p.yaml:3", "depth.signals"),
        ("strategy: depth\ndepth: {b0: 8}\n", "p.yaml", "grid.n > depth.b0"),
        ("strategy: depth\ngrid: {temperatures: [0]}\n", "p.yaml", "temperature above 0"),
        ("strategy: depth\nengine: {kind: openai, url: \"http://h:1/v1\"}\n", "p.yaml", "local engine"),
        ("strategy: refine\nrefine: {rounds: 0}\n", "p.yaml:2", "refine.rounds"),
        // One definition of the decoding bounds (DecodingParams.validate), errors at the field's line.
        ("sampler:\n  top_p: 0\n", "p.yaml:2", "sampler.top_p"),
        ("sampler:\n  min_p: 1\n", "p.yaml:2", "sampler.min_p"),
        ("eglr:\n  kv_policy: drop\n", "p.yaml:2", "eglr.kv_policy"),
        ("max_tokens: 0\n", "p.yaml:1", "max_tokens"),
        ("depth: {b0: 2}\n", "p.yaml:1", "strategy is parallel"),
    ])
    func invalidPlansNameFieldAndLine(yaml: String, position: String, field: String) {
        #expect { _ = try parse(yaml) } throws: { e in
            let s = "\(e)"
            return s.contains(position) && s.contains(field)
        }
    }
}

/// End-to-end runner tests with the real default model and real child processes.
@Suite(.serialized) struct RunnerProcessTests {
    static func writePlan(_ dir: URL, name: String, n: Int, problems: Int = 3, maxTokens: Int = 12, temperatures: String = "[0.8]",
                          layers: String = "[0]", batch: Int = 8) throws -> String {
        let path = dir.appendingPathComponent("\(name).yaml").path
        try """
            name: \(name)
            tasks: builtin:arithmetic?count=\(problems)&seed=11
            max_tokens: \(maxTokens)
            seed: 5
            batch: \(batch)
            grid: {temperatures: \(temperatures), layers: \(layers), n: \(n)}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func runJSON(_ plan: String, store: String) throws -> [String: Any] {
        let r = try RollbookCLI.run(["run", plan, "--store", store, "--json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        return try RollbookCLI.json(r.stdout)
    }

    @Test func rerunGeneratesNothingAndGrowingNGeneratesOnlyTheNewSamples() throws {
        let dir = try RollbookCLI.tempDir("grow")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("s.sqlite").path
        var plan = try Self.writePlan(dir, name: "grow", n: 2)
        let first = try Self.runJSON(plan, store: store)
        #expect(first["planned"] as? Int == 6 && first["generated"] as? Int == 6 && first["cached"] as? Int == 0)
        let second = try Self.runJSON(plan, store: store)
        #expect(second["generated"] as? Int == 0 && second["cached"] as? Int == 6)
        plan = try Self.writePlan(dir, name: "grow", n: 4)
        let third = try Self.runJSON(plan, store: store)
        #expect(third["planned"] as? Int == 12 && third["generated"] as? Int == 6 && third["cached"] as? Int == 6)

        // Export: one row per rollout with every documented column.
        let ex = try RollbookCLI.run(["export", "grow", "--store", store, "--format", "jsonl"])
        #expect(ex.status == 0, "\(ex.stderr)")
        let rows = ex.stdout.split(separator: "\n").map { try! RollbookCLI.json(String($0)) }
        #expect(rows.count == 12)
        let columns = ["problem_id", "gold", "layers", "temperature", "sample_index", "seed", "response", "extracted", "class",
                       "correct", "tokens", "finish_reason", "mean_entropy", "self_certainty", "gated_tokens"]
        for c in columns { #expect(rows[0][c] != nil, "missing \(c)") }
        let csv = try RollbookCLI.run(["export", "grow", "--store", store, "--format", "csv"])
        let header = csv.stdout.split(separator: "\n").first.map(String.init) ?? ""
        for c in columns { #expect(header.contains(c)) }
        #expect(csv.stdout.split(separator: "\n").count >= 13)

        // analyze --json holds a section per family.
        let an = try RollbookCLI.run(["analyze", "grow", "--store", store, "--json", "--resamples", "50"])
        #expect(an.status == 0, "\(an.stderr)")
        let report = try #require(try RollbookCLI.json(an.stdout)["report"] as? [String: Any])
        for k in ["cells", "pools", "audit", "selection", "diversity", "training_signal", "options"] { #expect(report[k] != nil, "missing \(k)") }
    }

    @Test func sigkillAtRandomMomentsLosesAndDuplicatesNothing() throws {
        let dir = try RollbookCLI.tempDir("kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try Self.writePlan(dir, name: "kill", n: 8, problems: 4, maxTokens: 32, batch: 4)
        let store = dir.appendingPathComponent("s.sqlite").path
        var rng = SystemRandomNumberGenerator()
        var counts = [Int]()
        var committedKeys = Set<String>()
        for _ in 0..<4 {
            let p = try RollbookCLI.start(["run", plan, "--store", store, "--quiet"])
            Thread.sleep(forTimeInterval: Double.random(in: 0.5...3.5, using: &rng))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let s = try RolloutStore(path: store)
            let keys = Set(try s.rollouts(run: "kill", withTokens: false).map(\.key))
            // Nothing committed before is ever lost.
            #expect(committedKeys.isSubset(of: keys))
            committedKeys = keys
            counts.append(keys.count)
        }
        let last = try Self.runJSON(plan, store: store)
        #expect(last["planned"] as? Int == 32)
        #expect((last["cached"] as? Int ?? -1) + (last["generated"] as? Int ?? -1) == 32)
        let all = try RolloutStore(path: store).rollouts(run: "kill")
        #expect(all.count == 32 && Set(all.map(\.key)).count == 32)
        print("kill test: committed after each SIGKILL \(counts), then \(last["generated"] ?? "?") generated to complete 32")

        // Bit-identical to an uninterrupted run, whatever batches the kills produced.
        let ref = dir.appendingPathComponent("ref.sqlite").path
        _ = try Self.runJSON(plan, store: ref)
        let a = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })
        for r in try RolloutStore(path: ref).rollouts(run: "kill") {
            let x = try #require(a[r.key])
            #expect(x.response == r.response && x.tokens == r.tokens, "rollout \(r.problemID)/\(r.sampleIndex) differs")
        }
    }

    @Test func twoProcessesOnOneStoreBothFinishWithoutDuplicates() throws {
        let dir = try RollbookCLI.tempDir("two")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try Self.writePlan(dir, name: "two", n: 6, problems: 3, maxTokens: 16)
        let store = dir.appendingPathComponent("s.sqlite").path
        let a = try RollbookCLI.start(["run", plan, "--store", store, "--quiet"])
        let b = try RollbookCLI.start(["run", plan, "--store", store, "--quiet"])
        a.waitUntilExit(); b.waitUntilExit()
        #expect(a.terminationStatus == 0 && b.terminationStatus == 0)
        let all = try RolloutStore(path: store).rollouts(run: "two", withTokens: false)
        #expect(all.count == 18 && Set(all.map(\.key)).count == 18)
        let again = try Self.runJSON(plan, store: store)
        #expect(again["generated"] as? Int == 0)
    }

    /// strategy: depth on the real model: every trial's children continue from one of its
    /// b0 prefixes (the one the signal picked), the run caches and resumes like any other,
    /// the rollouts do not depend on the batch size, and analyze reports the comparison.
    @Test func depthStrategyForksChosenPrefixesDeterministically() throws {
        let dir = try RollbookCLI.tempDir("depth")
        defer { try? FileManager.default.removeItem(at: dir) }
        func plan(batch: Int) throws -> String {
            let path = dir.appendingPathComponent("depth-\(batch).yaml").path
            try """
                name: depth
                tasks: builtin:arithmetic?count=3&seed=4&tiers=1-2
                max_tokens: 24
                seed: 9
                batch: \(batch)
                grid: {temperatures: [0.9], layers: [0], n: 5}
                strategy: depth
                depth: {b0: 2, prefix_tokens: 6, signals: [ent, sc], trials: 2}
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        // 3 problems x (5 breadth + 2 signals x 2 trials x 3 children) = 51.
        let store = dir.appendingPathComponent("a.sqlite").path
        let first = try Self.runJSON(try plan(batch: 16), store: store)
        #expect(first["planned"] as? Int == 51 && first["generated"] as? Int == 51)
        #expect(try Self.runJSON(try plan(batch: 16), store: store)["generated"] as? Int == 0)
        let other = dir.appendingPathComponent("b.sqlite").path
        _ = try Self.runJSON(try plan(batch: 3), store: other)
        let a = try RolloutStore(path: store).rollouts(run: "depth")
        let b = Dictionary(uniqueKeysWithValues: try RolloutStore(path: other).rollouts(run: "depth").map { ($0.key, $0) })
        #expect(a.count == 51 && b.count == 51)
        for r in a { #expect(b[r.key]?.tokens == r.tokens && b[r.key]?.response == r.response, "\(r.params)") }

        // The children of one (signal, trial) share their first prefix_tokens token ids.
        var groups = [String: [[Int32]]]()
        for r in a where r.params.contains(";S=depth;") {
            let trial = r.params.components(separatedBy: ";").filter { $0.hasPrefix("sig=") || $0.hasPrefix("trial=") }.joined(separator: ",")
            groups["\(r.problemID)|\(trial)", default: []].append(TokenRecord.unpack(r.tokens).map(\.id))
        }
        #expect(groups.count == 3 * 2 * 2)
        for (g, kids) in groups {
            #expect(kids.count == 3)
            let k = min(6, kids.map(\.count).min() ?? 0)
            #expect(Set(kids.map { Array($0.prefix(k)) }).count == 1, "children of \(g) share their prefix")
        }
        let an = try RollbookCLI.run(["analyze", "depth", "--store", store, "--json", "--resamples", "50"])
        #expect(an.status == 0, "\(an.stderr)")
        let report = try #require(try RollbookCLI.json(an.stdout)["report"] as? [String: Any])
        let rows = try #require(report["depth"] as? [[String: Any]])
        #expect(rows.count == 2 && Set(rows.compactMap { $0["signal"] as? String }) == ["ent", "sc"])
        #expect(rows.allSatisfy { $0["budget"] as? Int == 5 && $0["problems"] as? Int == 3 && $0["trials"] as? Int == 2 })
        // The breadth analyses see only the 5 breadth rollouts per problem.
        #expect(report["rollouts"] as? Int == 15)
    }

    /// strategy: refine: each breadth rollout gets `rounds` follow-up rounds whose prompt is
    /// the conversation so far; cached, batch-independent, and compared with breadth.
    @Test func refineStrategyRunsRoundsInOrder() throws {
        let dir = try RollbookCLI.tempDir("refine")
        defer { try? FileManager.default.removeItem(at: dir) }
        func plan(batch: Int) throws -> String {
            let path = dir.appendingPathComponent("refine-\(batch).yaml").path
            try """
                name: refine
                tasks: builtin:arithmetic?count=2&seed=4&tiers=1-2
                max_tokens: 12
                seed: 3
                batch: \(batch)
                grid: {temperatures: [0.9], layers: [0], n: 3}
                strategy: refine
                refine: {rounds: 2}
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        // 2 problems x 3 samples x (1 + 2 rounds) = 18; breadth n = 3 covers the round-2 budget.
        let store = dir.appendingPathComponent("a.sqlite").path
        let first = try Self.runJSON(try plan(batch: 16), store: store)
        #expect(first["planned"] as? Int == 18 && first["generated"] as? Int == 18)
        #expect(try Self.runJSON(try plan(batch: 16), store: store)["generated"] as? Int == 0)
        let other = dir.appendingPathComponent("b.sqlite").path
        _ = try Self.runJSON(try plan(batch: 1), store: other)
        let a = try RolloutStore(path: store).rollouts(run: "refine")
        let b = Dictionary(uniqueKeysWithValues: try RolloutStore(path: other).rollouts(run: "refine").map { ($0.key, $0) })
        #expect(a.count == 18)
        for r in a { #expect(b[r.key]?.tokens == r.tokens, "\(r.params)") }
        #expect(a.filter { $0.params.contains(";S=refine;round=2;") }.count == 6)
        let an = try RollbookCLI.run(["analyze", "refine", "--store", store, "--json", "--resamples", "50"])
        #expect(an.status == 0, "\(an.stderr)")
        let report = try #require(try RollbookCLI.json(an.stdout)["report"] as? [String: Any])
        let rows = try #require(report["refinement"] as? [[String: Any]])
        #expect(rows.map { $0["round"] as? Int } == [1, 2] && rows.map { $0["budget"] as? Int } == [2, 3])
        #expect(report["rollouts"] as? Int == 6)
    }

    @Test func badPlanFailsBeforeAnyWork() throws {
        let dir = try RollbookCLI.tempDir("badplan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = dir.appendingPathComponent("bad.yaml").path
        try "name: bad\ngrid:\n  temperatures: [0.5]\n  layers: [0, 0]\n".write(toFile: plan, atomically: true, encoding: .utf8)
        let store = dir.appendingPathComponent("s.sqlite").path
        let r = try RollbookCLI.run(["run", plan, "--store", store, "--quiet"])
        #expect(r.status != 0)
        #expect(r.stderr.contains(plan) && r.stderr.contains("grid.layers"))
        let tasks = dir.appendingPathComponent("t.jsonl").path
        try "{\"question\": \"1+1?\", \"answer\": \"#### 2\"}\n{\"question\": \"oops\"\n".write(toFile: tasks, atomically: true, encoding: .utf8)
        try "name: t\ntasks: gsm8k:\(tasks)\n".write(toFile: plan, atomically: true, encoding: .utf8)
        let r2 = try RollbookCLI.run(["run", plan, "--store", store, "--quiet"])
        #expect(r2.status != 0 && r2.stderr.contains("t.jsonl:2"), "\(r2.stderr)")
    }
}
