import Foundation
import Runner
import Store
import Tasks
import TestSupport
import Testing

/// What the store promises about verdicts, run names and foreign files (README "Stored data").
@Suite(.serialized) struct StoredDataPromiseTests {
    static func write(_ dir: URL, _ name: String, _ text: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func plan(_ dir: URL, name: String, tasks: String, file: String? = nil, n: Int = 2) throws -> String {
        try write(dir, file ?? "\(name).yaml", """
            name: \(name)
            tasks: \(tasks)
            max_tokens: 8
            seed: 1
            grid: {temperatures: [0.8], layers: [0], n: \(n)}
            """)
    }

    static func run(_ args: [String]) throws -> RollbookCLI.Result { try RollbookCLI.run(args) }

    /// A verdict depends on the gold: the same question under another gold (another task, or
    /// the same file corrected) shares the generated text but is graded again, and export
    /// shows the run's own gold.
    @Test func verdictsFollowTheGoldNotThePrompt() throws {
        let dir = try RollbookCLI.tempDir("gold")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("s.sqlite").path
        _ = try Self.write(dir, "four.jsonl", "{\"id\": \"q1\", \"question\": \"What is 2+2?\", \"answer\": \"4\"}\n")
        _ = try Self.write(dir, "five.jsonl", "{\"id\": \"q1\", \"question\": \"What is 2+2?\", \"answer\": \"5\"}\n")
        let a = try Self.plan(dir, name: "four", tasks: "jsonl:four.jsonl?question=question&gold=answer&id=id")
        let b = try Self.plan(dir, name: "five", tasks: "jsonl:five.jsonl?question=question&gold=answer&id=id")
        let ra = try Self.run(["run", a, "--store", store, "--json", "--quiet"])
        #expect(ra.status == 0, "\(ra.stderr)")
        let rb = try Self.run(["run", b, "--store", store, "--json", "--quiet"])
        #expect(rb.status == 0, "\(rb.stderr)")
        let jb = try RollbookCLI.json(rb.stdout)
        #expect(jb["generated"] as? Int == 0 && jb["regraded"] as? Int == 2, "\(rb.stdout)")
        let s = try RolloutStore(path: store)
        let four = try s.rollouts(run: "four"), five = try s.rollouts(run: "five")
        #expect(Set(four.map(\.key)) == Set(five.map(\.key)) && four.count == 2)
        let grader = Grader()
        for r in four { #expect(r.correct == grader.grade(response: r.response, gold: "4").correct) }
        for r in five { #expect(r.correct == grader.grade(response: r.response, gold: "5").correct) }
        #expect(try s.golds(run: "four") == ["q1": "4"] && s.golds(run: "five") == ["q1": "5"])
        let export = try Self.run(["export", "five", "--store", store])
        #expect(export.status == 0 && export.stdout.split(separator: "\n").allSatisfy { $0.contains("\"gold\":\"5\"") },
                "\(export.stdout)")

        // The same file corrected in place: the run is graded against the new gold.
        _ = try Self.write(dir, "four.jsonl", "{\"id\": \"q1\", \"question\": \"What is 2+2?\", \"answer\": \"5\"}\n")
        let again = try RollbookCLI.json(try Self.run(["run", a, "--store", store, "--json", "--quiet"]).stdout)
        #expect(again["generated"] as? Int == 0)
        let fixed = try RolloutStore(path: store)
        #expect(try fixed.golds(run: "four") == ["q1": "5"])
        for r in try fixed.rollouts(run: "four") { #expect(r.correct == grader.grade(response: r.response, gold: "5").correct) }
    }

    /// A run name belongs to one plan file: another file's plan under the name is refused
    /// (nothing changes) unless --replace; a plan that fails before any work leaves the run
    /// as it was; the same file may change its own plan.
    @Test func runNamesBelongToOnePlan() throws {
        let dir = try RollbookCLI.tempDir("names")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("s.sqlite").path
        let tasks = "builtin:arithmetic?count=2&seed=3"
        let mine = try Self.plan(dir, name: "shared", tasks: tasks)
        #expect(try Self.run(["run", mine, "--store", store, "--quiet"]).status == 0)
        let before = try RolloutStore(path: store).run(named: "shared")
        let other = try Self.plan(dir, name: "shared", tasks: tasks, file: "other.yaml", n: 3)
        let refused = try Self.run(["run", other, "--store", store, "--quiet"])
        #expect(refused.status != 0 && refused.stderr.contains("belongs to another plan") && refused.stderr.contains("--replace"),
                "\(refused.stderr)")
        #expect(try RolloutStore(path: store).run(named: "shared")?.planned == before?.planned)
        // A bad model fails before any work: the run keeps its membership, and no phantom run appears.
        let bad = try Self.write(dir, "bad.yaml", "name: shared\nmodel: /nonexistent/model.gguf\ntasks: \(tasks)\n")
        let failed = try Self.run(["run", bad, "--store", store, "--quiet", "--replace"])
        #expect(failed.status != 0)
        let badNew = try Self.write(dir, "ghost.yaml", "name: ghost\nmodel: /nonexistent/model.gguf\ntasks: \(tasks)\n")
        #expect(try Self.run(["run", badNew, "--store", store, "--quiet"]).status != 0)
        let s = try RolloutStore(path: store)
        #expect(try s.run(named: "shared")?.planned == before?.planned && s.rollouts(run: "shared").count == 4)
        #expect(try s.runNames() == ["shared"])
        // With --replace the other plan takes the name; the owner file may grow its own plan.
        #expect(try Self.run(["run", other, "--store", store, "--quiet", "--replace"]).status == 0)
        #expect(try RolloutStore(path: store).run(named: "shared")?.planned == 6)
        _ = try Self.plan(dir, name: "shared", tasks: tasks, file: "other.yaml", n: 4)
        #expect(try Self.run(["run", other, "--store", store, "--quiet"]).status == 0)
        #expect(try RolloutStore(path: store).run(named: "shared")?.planned == 8)
    }

    /// Another program's SQLite file is refused and left byte for byte as it was; a store from
    /// a newer Rollbook likewise; a read-only open writes nothing.
    @Test func foreignAndNewerDatabasesAreRefusedUntouched() throws {
        let dir = try RollbookCLI.tempDir("foreign")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("other.sqlite").path
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        make.arguments = ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                          + "c.execute('create table notes(x)'); c.execute(\"insert into notes values ('hi')\"); c.commit()",
                          path]
        try make.run(); make.waitUntilExit()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect { _ = try RolloutStore(path: path) } throws: { "\($0)".contains("not a Rollbook store") && "\($0)".contains("notes") }
        let r = try Self.run(["analyze", "x", "--store", path])
        #expect(r.status != 0 && r.stderr.contains("not a Rollbook store"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))

        // A store that has applied a migration this code does not know.
        let newer = dir.appendingPathComponent("newer.sqlite").path
        _ = try RolloutStore(path: newer)
        let add = Process()
        add.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        add.arguments = ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                         + "c.execute(\"insert into grdb_migrations values ('v99')\"); c.commit()", newer]
        try add.run(); add.waitUntilExit()
        #expect { _ = try RolloutStore(path: newer) } throws: { "\($0)".contains("newer Rollbook") }

        // Read-only: reads work, writes are refused with the store's name.
        _ = try RolloutStore(path: dir.appendingPathComponent("fresh.sqlite").path)
        let fresh = try RolloutStore(path: dir.appendingPathComponent("fresh.sqlite").path, readOnly: true)
        #expect(try fresh.runNames().isEmpty)
        #expect { try fresh.putProblems(taskKey: "t", []) } throws: { "\($0)".contains("read-only") }
    }
}

@Suite(.serialized) struct ReproducibilityTests {
    /// The same store and options give the same bytes: sums never iterate a Dictionary.
    /// (Each process seeds Dictionary order differently, so three processes would differ.)
    @Test func analyzeJSONIsByteReproducibleAcrossProcesses() throws {
        let dir = try RollbookCLI.tempDir("repro")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.sqlite").path
        try FileManager.default.copyItem(atPath: FixtureDir(target: "StoreTests").path("v1/store-v1.sqlite"), toPath: path)
        for run in ["v1-breadth", "v1-depth", "v1-refine"] {
            let outs = try (0..<3).map { _ in
                try RollbookCLI.run(["analyze", run, "--store", path, "--json", "--resamples", "200"]).stdout
            }
            #expect(!outs[0].isEmpty && outs[0] == outs[1] && outs[1] == outs[2], "\(run)")
        }
    }

    /// A prompt that cannot fit the model's context with its token budget is refused before
    /// any work, naming the problem; a missing model file or template names the plan's line.
    @Test func unrunnablePlansFailBeforeAnyWork() throws {
        let dir = try RollbookCLI.tempDir("unrunnable")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("s.sqlite").path
        let long = String(repeating: "seven plus nine is sixteen, ", count: 1600)
        let tasks = dir.appendingPathComponent("long.jsonl").path
        try "{\"id\": \"huge\", \"question\": \"\(long)\", \"answer\": \"1\"}\n".write(toFile: tasks, atomically: true, encoding: .utf8)
        let plan = dir.appendingPathComponent("long.yaml").path
        try "name: long\ntasks: jsonl:long.jsonl?question=question&gold=answer&id=id\nmax_tokens: 16\n"
            .write(toFile: plan, atomically: true, encoding: .utf8)
        let r = try RollbookCLI.run(["run", plan, "--store", store, "--quiet"])
        #expect(r.status != 0 && r.stderr.contains("problem huge") && r.stderr.contains("context length"), "\(r.stderr)")
        #expect(try RolloutStore(path: store).runNames().isEmpty)
        for (text, what) in [("name: m\nmodel: /nonexistent/m.gguf\n", "m.yaml:2: model /nonexistent/m.gguf: no such file"),
                             ("name: m\ntemplate: nosuch\n", "m.yaml:2: unknown prompt template"),
                             ("name: m\ntasks: bogus:x\n", "m.yaml:2: task 'bogus:x'")] {
            let p = dir.appendingPathComponent("m.yaml").path
            try text.write(toFile: p, atomically: true, encoding: .utf8)
            let e = try RollbookCLI.run(["run", p, "--store", store, "--quiet"])
            #expect(e.status != 0 && e.stderr.contains(what) && !e.stderr.contains("NSCocoaErrorDomain"), "\(e.stderr)")
        }
    }
}

/// A full disk: the transaction in progress is rolled back, the error names the store and
/// says the disk is full, and everything committed before is intact. (A real full disk: a
/// 768 KB tmpfs, which needs root, as CI and this machine have.)
@Suite(.serialized) struct DiskFullTests {
    static func sh(_ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    @Test(.enabled(if: getuid() == 0)) func aFullDiskLosesOnlyTheTransactionInProgress() throws {
        let dir = try RollbookCLI.tempDir("full")
        defer { _ = Self.sh(["umount", dir.path]); try? FileManager.default.removeItem(at: dir) }
        guard Self.sh(["mount", "-t", "tmpfs", "-o", "size=768k", "tmpfs", dir.path]) == 0 else {
            print("disk-full test: could not mount a tmpfs here; not run")
            return
        }
        let path = dir.appendingPathComponent("s.sqlite").path
        let store = try RolloutStore(path: path)
        var committed = 0, failure: Error? = nil
        for batch in 0..<200 where failure == nil {
            let rows = (0..<4).map { i -> StoredRollout in
                var r = sampleRollout(batch * 4 + i, response: String(repeating: "x", count: 20_000))
                r.key = Hash128.hex("full-\(batch)-\(i)")
                return r
            }
            do { committed += try store.insert(rows) } catch { failure = error }
        }
        let e = try #require(failure, "the disk never filled")
        #expect("\(e)".contains(path) && "\(e)".contains("disk is full"), "\(e)")
        #expect(committed > 0)
        #expect(try RolloutStore(path: path, readOnly: true).rolloutCount == committed)
    }
}
