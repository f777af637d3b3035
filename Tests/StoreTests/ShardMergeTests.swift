import Foundation
import Runner
import Store
import TestSupport
import Testing

/// Every row of a store as text, read by Python's sqlite3 (an independent reader): runs
/// without their update time, members, rollouts without their timing, verdicts, problems,
/// features. Blobs appear as their sha256. Sorted, so two stores compare row for row.
func storeRows(_ path: String) throws -> [String] {
    let script = """
        import hashlib, sqlite3, sys
        c = sqlite3.connect(sys.argv[1])
        skip = {"runs": {"updated_at"}, "rollouts": {"seconds", "created_at"}}
        def show(v):
            return hashlib.sha256(v).hexdigest() if isinstance(v, bytes) else repr(v)
        for t in ["runs", "run_members", "rollouts", "verdicts", "problems", "features"]:
            cols = [r[1] for r in c.execute(f"pragma table_info({t})") if r[1] not in skip.get(t, ())]
            for row in c.execute(f"select {', '.join(cols)} from {t}"):
                print(t, " ".join(f"{k}={show(v)}" for k, v in zip(cols, row)))
        """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    p.arguments = ["-c", script, path]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = readAll(out.fileHandleForReading)
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).sorted()
}

/// Runs SQL on a store with Python's sqlite3 (to plant bad rows and files).
func sqlite(_ path: String, _ statement: String) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    p.arguments = ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()",
                   path, statement]
    try p.run(); p.waitUntilExit()
}

/// `rollbook run --shard I/N` and `rollbook merge`, with the real default model.
@Suite(.serialized) struct ShardMergeTests {
    static let plans = [
        "breadth": "grid: {temperatures: [0, 0.8], layers: [0], n: 3}\ntasks: builtin:arithmetic?count=3&seed=11\n",
        "refine": "grid: {temperatures: [0.9], layers: [0], n: 2}\ntasks: builtin:arithmetic?count=2&seed=4\n"
            + "strategy: refine\nrefine: {rounds: 2}\n",
        "depth": "grid: {temperatures: [0.9], layers: [0], n: 4}\ntasks: builtin:arithmetic?count=2&seed=4\n"
            + "strategy: depth\ndepth: {b0: 2, prefix_tokens: 4, signals: [ent, sc], trials: 2}\n",
    ]

    static func plan(_ dir: URL, _ name: String) throws -> String {
        let path = dir.appendingPathComponent("\(name).yaml").path
        try "name: \(name)\nmax_tokens: 12\nseed: 5\nbatch: 8\n\(plans[name]!)"
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func cli(_ args: [String]) throws -> RollbookCLI.Result {
        let r = try RollbookCLI.run(args)
        #expect(r.status == 0, "\(args.joined(separator: " ")): \(r.stderr)")
        return r
    }

    /// The lines only one side has (the first few), for a readable failure.
    static func difference(_ a: [String], _ b: [String]) -> String {
        let x = Set(a), y = Set(b)
        return "only in the first: \(x.subtracting(y).sorted().prefix(3)); only in the second: "
            + "\(y.subtracting(x).sorted().prefix(3))"
    }

    /// For each strategy: 3 shards, each into its own store, merged, equal the unsharded run
    /// row for row (rollouts bit for bit, verdicts, problems, features, the run and its
    /// members); the same 3 shards run one after the other into one store likewise. A
    /// refinement chain and a depth trial each stay within one shard.
    @Test(arguments: ["breadth", "refine", "depth"])
    func shardsMergedEqualTheUnshardedRun(_ name: String) throws {
        let dir = try RollbookCLI.tempDir("shard-\(name)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try Self.plan(dir, name)
        let whole = dir.appendingPathComponent("whole.sqlite").path
        let planned = try RollbookCLI.json(try Self.cli(["run", plan, "--store", whole, "--json", "--quiet"]).stdout)
        let together = dir.appendingPathComponent("together.sqlite").path
        var parts = [String](), counts = [Int]()
        for i in 1...3 {
            let part = dir.appendingPathComponent("part\(i).sqlite").path
            let j = try RollbookCLI.json(try Self.cli(["run", plan, "--store", part, "--shard", "\(i)/3", "--json",
                                                       "--quiet"]).stdout)
            #expect(j["shard"] as? String == "\(i)/3")
            counts.append(j["planned"] as? Int ?? -1)
            _ = try Self.cli(["run", plan, "--store", together, "--shard", "\(i)/3", "--quiet"])
            try Self.checkUnits(part, run: name)
            parts.append(part)
        }
        #expect(counts.reduce(0, +) == planned["planned"] as? Int, "shard sizes \(counts)")
        #expect(counts.filter { $0 > 0 }.count >= 2, "shard sizes \(counts)")
        let merged = dir.appendingPathComponent("merged.sqlite").path
        let m = try Self.cli(["merge"] + parts + ["--into", merged])
        #expect(m.stdout.contains("\(name) (shard 1/3)") && m.stdout.contains("; runs \(name)\n"), "\(m.stdout)")
        let want = try storeRows(whole)
        #expect(want.count > 20)
        for got in [merged, together] {
            let rows = try storeRows(got)
            #expect(rows == want, "\(got): \(Self.difference(rows, want))")
        }
        #expect(try RolloutStore(path: merged).run(named: name)?.shards == nil)
    }

    /// Within one shard's store, every refinement chain and every depth trial is whole.
    static func checkUnits(_ store: String, run: String) throws {
        var units = [String: Int]()
        for r in try RolloutStore(path: store).rollouts(run: run, withTokens: false) {
            switch r.role {
            case .breadth: units["\(r.problemID)/\(r.temperature)/\(r.sampleIndex)", default: 0] += 1
            case .refine: units["\(r.problemID)/\(r.temperature)/\(r.sampleIndex)", default: 0] += 1
            case let .depthChild(_, _, _, trial, _): units["\(r.problemID)/trial\(trial)", default: 0] += 1
            }
        }
        let whole = run == "refine" ? [3] : run == "depth" ? [1, 4] : [1]
        for (unit, n) in units where !whole.contains(n) || (run == "depth" && unit.contains("trial") && n != 4) {
            Issue.record("\(store): \(unit) has \(n) rollouts")
        }
    }

    /// Merging shards in two steps: the first leaves a record of shards 1 and 2 of 3; the
    /// third completes it. Merging again adds nothing. A bad --shard is one clear error.
    @Test func partialMergeSaysWhichShardsItHolds() throws {
        let dir = try RollbookCLI.tempDir("shard-partial")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try Self.plan(dir, "breadth")
        let parts = try (1...3).map { i -> String in
            let part = dir.appendingPathComponent("p\(i).sqlite").path
            _ = try Self.cli(["run", plan, "--store", part, "--shard", "\(i)/3", "--quiet"])
            return part
        }
        let target = dir.appendingPathComponent("t.sqlite").path
        _ = try Self.cli(["merge", parts[0], parts[1], "--into", target])
        let partial = try #require(try RolloutStore(path: target).run(named: "breadth"))
        #expect(partial.shards?.indices == [1, 2] && partial.shards?.count == 3 && partial.info == "rollbook run")
        #expect(partial.planned == (try RolloutStore(path: target).members(run: "breadth").count))
        let last = try Self.cli(["merge", parts[2], "--into", target])
        #expect(last.stdout.contains("; runs breadth\n"), "\(last.stdout)")
        #expect(try RolloutStore(path: target).run(named: "breadth")?.shards == nil)
        let again = try Self.cli(["merge"] + parts + ["--into", target])
        #expect(again.stdout.contains(" 0 rollouts added"), "\(again.stdout)")

        for bad in ["0/3", "4/3", "1-3", "2/0"] {
            let r = try RollbookCLI.run(["run", plan, "--store", target, "--shard", bad, "--quiet"])
            #expect(r.status != 0 && r.stderr.contains("--shard") && r.stderr.split(separator: "\n").count == 1,
                    "\(bad): \(r.stderr)")
        }
    }

    /// A row whose key the target holds with other content is reported (file, key, fields),
    /// never overwritten, and the merge exits 2 after committing the rest.
    @Test func conflictsAreReportedAndNeverOverwritten() throws {
        let dir = try RollbookCLI.tempDir("merge-conflict")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try Self.plan(dir, "breadth")
        let target = dir.appendingPathComponent("t.sqlite").path
        _ = try Self.cli(["run", plan, "--store", target, "--quiet"])
        let other = dir.appendingPathComponent("other.sqlite").path
        try FileManager.default.copyItem(atPath: target, toPath: other)
        let victim = try #require(try RolloutStore(path: target).rollouts(run: "breadth").first)
        try sqlite(other, """
            UPDATE rollouts SET response = 'tampered', mean_entropy = 9 WHERE key = '\(victim.key)';
            UPDATE rollouts SET seconds = 99, task_key = 'elsewhere';
            INSERT INTO problems SELECT 'extra-task', problem_id, gold_hash, question, gold, tier FROM problems;
            """)
        let before = try storeRows(target)
        let r = try RollbookCLI.run(["merge", other, "--into", target])
        #expect(r.status == 2, "\(r.stdout) \(r.stderr)")
        let conflict = r.stderr.split(separator: "\n").filter { $0.contains(victim.key) }
        #expect(conflict.count == 1 && conflict[0].contains(other) && conflict[0].contains("response, mean_entropy"),
                "\(r.stderr)")
        #expect(!r.stderr.contains("seconds") && !r.stderr.contains("task_key"), "timing and task are not content")
        let after = try storeRows(target)
        #expect(after.filter { !$0.contains("extra-task") } == before)
        #expect(after.count == before.count + 3, "the new problems rows are merged")
        #expect(try RolloutStore(path: target).rollouts(run: "breadth").first { $0.key == victim.key }?.response
                == victim.response)
    }

    /// An input that is not a usable store is refused with one line naming it, and the target
    /// is left as it was (nothing of the inputs before it is kept); a new target is not created.
    @Test func aBadInputLeavesTheTargetUnchanged() throws {
        let dir = try RollbookCLI.tempDir("merge-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try Self.plan(dir, "breadth")
        let good = dir.appendingPathComponent("good.sqlite").path
        _ = try Self.cli(["run", plan, "--store", good, "--shard", "1/2", "--quiet"])
        let target = dir.appendingPathComponent("t.sqlite").path
        _ = try Self.cli(["run", plan, "--store", target, "--shard", "2/2", "--quiet"])
        let whole = try Data(contentsOf: URL(fileURLWithPath: good))
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let cases: [(String, () throws -> Void, String)] = [
            ("foreign.sqlite", { try sqlite(path("foreign.sqlite"), "create table notes(x)") }, "not a Rollbook store"),
            ("newer.sqlite", {
                try FileManager.default.copyItem(atPath: good, toPath: path("newer.sqlite"))
                try sqlite(path("newer.sqlite"), "insert into grdb_migrations values ('v99')")
            }, "newer Rollbook"),
            ("junk.sqlite", { try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path("junk.sqlite")))
            }, "not a usable"),
            ("truncated.sqlite", { try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path("truncated.sqlite")))
            }, "truncated.sqlite"),
            // Passes the checks at open and fails while its rows are copied, after the rows of
            // the good input and its own rollouts: the transaction rolls back.
            ("broken.sqlite", {
                try FileManager.default.copyItem(atPath: good, toPath: path("broken.sqlite"))
                try sqlite(path("broken.sqlite"), "update rollouts set response = 'x'; alter table features drop column data")
            }, "no such column"),
            ("missing.sqlite", {}, "no such store"),
            ("t.sqlite", {}, "merge target itself"),
        ]
        let before = try storeRows(target)
        for (name, make, what) in cases {
            try make()
            let r = try RollbookCLI.run(["merge", good, path(name), "--into", target])
            #expect(r.status == 1 && r.stderr.contains(path(name)) && r.stderr.contains(what)
                    && r.stderr.split(separator: "\n").count == 1, "\(name): \(r.stderr)")
            #expect(try storeRows(target) == before, "\(name): the target changed")
            if name == "t.sqlite" { continue }
            let fresh = path("fresh-\(name)")
            #expect(try RollbookCLI.run(["merge", good, path(name), "--into", fresh]).status != 0)
            #expect(!FileManager.default.fileExists(atPath: fresh), "\(name): a new target was left behind")
        }
    }
}

@Suite struct ShardUnitTests {
    /// The assignment is a pure function of the key, and spreads keys evenly.
    @Test func keysSpreadEvenlyOverShards() throws {
        let keys = (0..<4000).map { Hash128.hex("key \($0)") }
        var sizes = [Int](repeating: 0, count: 4)
        for k in keys { sizes[Shard.of(unitKey: k, count: 4) - 1] += 1 }
        #expect(sizes.allSatisfy { (850...1150).contains($0) }, "\(sizes)")
        let shards = try (1...4).map { try Shard(index: $0, count: 4) }
        for k in keys { #expect(shards.filter { $0.contains(unitKey: k) }.count == 1) }
        #expect(try Shard(parsing: "3/4") == shards[2])
        for bad in ["0/4", "5/4", "x/4", "1/0", "1", "1/2/3"] {
            #expect(throws: StoreError.self) { try Shard(parsing: bad) }
        }
    }

    /// A shard's record unites with the recorded shards of its plan, and a plan's unsharded
    /// record replaces them.
    @Test func shardRecordsUniteInAStore() throws {
        let dir = try RollbookCLI.tempDir("shard-records")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try RolloutStore(path: dir.appendingPathComponent("s.sqlite").path)
        func record(_ keys: [String], _ shard: Shard?, plan: String = "p") -> RunRecord {
            RunRecord(name: "r", plan: plan, source: "", modelKey: "m", taskKey: "t", graderVersion: "g", blockCount: 0,
                      info: "rollbook run", members: keys.map { ($0, "gold") }, shards: shard.map(ShardSet.init))
        }
        try store.recordRun(record(["a", "b"], try Shard(index: 2, count: 3)))
        try store.recordRun(record(["c"], try Shard(index: 3, count: 3)))
        var info = try #require(try store.run(named: "r"))
        #expect(info.shards?.indices == [2, 3] && info.planned == 3 && info.info == "rollbook run")
        try store.recordRun(record(["d"], try Shard(index: 1, count: 3)))
        info = try #require(try store.run(named: "r"))
        #expect(info.shards == nil && info.planned == 4)
        // Another plan's shard replaces the record (the plan changed).
        try store.recordRun(record(["e"], try Shard(index: 1, count: 2), plan: "q"))
        info = try #require(try store.run(named: "r"))
        #expect(info.shards?.indices == [1] && info.planned == 1)
        try store.recordRun(record(["e", "f"], nil, plan: "q"))
        #expect(try store.run(named: "r")?.shards == nil)
    }
}
