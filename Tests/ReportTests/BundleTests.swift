import Foundation
import Notebooks
import Runner
import Store
import TestSupport
import Testing

/// One-file bundles: written from a rendered notebook, re-rendered with no model and no
/// store, edited and rendered against, merged into another store, and refused when bad.
@Suite(.serialized) struct BundleTests {
    /// A copy of the v1 fixture store whose breadth run names a model file no machine has.
    static func store(_ dir: URL) throws -> String {
        let store = dir.appendingPathComponent("s.sqlite").path
        try FileManager.default.copyItem(atPath: FixtureDir(target: "StoreTests").path("v1/store-v1.sqlite"), toPath: store)
        let s = try RolloutStore(path: store)
        let info = try #require(try s.run(named: "v1-breadth"))
        try s.recordRun(RunRecord(name: info.name, plan: info.plan.replacingOccurrences(
                                    of: "model: smollm2-135m-instruct", with: "model: /nowhere/model.gguf"),
                                  source: "", modelKey: info.modelKey, taskKey: info.taskKey,
                                  graderVersion: info.graderVersion, blockCount: info.blockCount, info: info.info,
                                  members: try s.members(run: info.name).map { ($0.key, $0.goldHash) }))
        return store
    }

    static func notebook(_ path: String, temperatures: String = "[0, 0.8]", extra: String = "") throws {
        try """
            ---
            title: Bundled
            ---
            # Bundled report

            ```rollbook
            sample:
              name: v1-breadth
              model: /nowhere/model.gguf
              numerics: 1
              tasks: builtin:arithmetic?count=3&seed=11
              max_tokens: 12
              seed: 5
              batch: 8
              grid: {temperatures: \(temperatures), layers: [0, 1], n: 3}
            ```

            ```rollbook
            figure: coverage
            ```

            ```rollbook
            table: cells
            ```
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func csvs(_ dir: String) throws -> [String: String] {
        var out = [String: String]()
        for f in try FileManager.default.contentsOfDirectory(atPath: dir + "/figures") where f.hasSuffix(".csv") {
            out[f] = try String(contentsOfFile: dir + "/figures/" + f, encoding: .utf8)
        }
        return out
    }

    @Test func roundTripEditImportAndBadBundles() throws {
        let dir = try RollbookCLI.tempDir("bundle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Self.store(dir)
        let nb = dir.appendingPathComponent("nb.md").path
        try Self.notebook(nb)
        let original = dir.appendingPathComponent("original").path
        let r0 = try RollbookCLI.run(["render", nb, "--store", store, "--out", original, "--offline", "--quiet"])
        #expect(r0.status == 0, "\(r0.stderr)")
        let bundle = dir.appendingPathComponent("b.rollbook").path
        let b = try RollbookCLI.run(["bundle", nb, "--store", store, "--out", bundle])
        #expect(b.status == 0 && b.stdout.contains("24 rollouts"), "\(b.stderr)")

        // Re-rendered from the bundle alone, in an empty folder: the same figures and tables.
        let elsewhere = dir.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let r1 = try RollbookCLI.run(["render", bundle, "--out", elsewhere.path + "/out", "--quiet"], directory: elsewhere)
        #expect(r1.status == 0, "\(r1.stderr)")
        let a = try Self.csvs(original), c = try Self.csvs(elsewhere.path + "/out")
        #expect(!a.isEmpty && a == c)

        // Taken out, edited (a figure added), rendered against the bundle.
        let edit = dir.appendingPathComponent("edit").path
        #expect(try RollbookCLI.run(["bundle", "--extract", bundle, edit]).status == 0)
        var text = try String(contentsOfFile: edit + "/nb.md", encoding: .utf8)
        text += "\n```rollbook\nfigure: heatmap\n```\n"
        try text.write(toFile: edit + "/nb.md", atomically: true, encoding: .utf8)
        let r2 = try RollbookCLI.run(["render", edit + "/nb.md", "--store", bundle, "--out", edit + "/out", "--quiet"])
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(FileManager.default.fileExists(atPath: edit + "/out/figures/fig02-heatmap.svg"))
        // An edit that needs new rollouts (another temperature): the missing list, nothing written.
        try Self.notebook(edit + "/nb.md", temperatures: "[0, 0.8, 1.2]")
        let r3 = try RollbookCLI.run(["render", edit + "/nb.md", "--store", bundle, "--out", edit + "/out3", "--quiet"])
        #expect(r3.status != 0 && r3.stderr.contains("1.2") && r3.stderr.contains("v1-breadth"), "\(r3.stderr)")
        #expect(!FileManager.default.fileExists(atPath: edit + "/out3"))

        // Merged into another store twice: the second time adds nothing.
        let mine = dir.appendingPathComponent("mine.sqlite").path
        let i1 = try RollbookCLI.run(["import", bundle, "--store", mine])
        #expect(i1.status == 0 && i1.stdout.contains("24 rollouts added"), "\(i1.stdout) \(i1.stderr)")
        let i2 = try RollbookCLI.run(["import", bundle, "--store", mine])
        #expect(i2.status == 0 && i2.stdout.contains("0 rollouts added, 24 already present"), "\(i2.stdout)")
        #expect(try RolloutStore(path: mine).rollouts(run: "v1-breadth").count == 24)

        try Self.badBundles(dir, bundle: bundle, store: store)
    }

    static func badBundles(_ dir: URL, bundle: String, store: String) throws {
        func render(_ path: String) throws -> RollbookCLI.Result {
            try RollbookCLI.run(["render", path, "--out", dir.appendingPathComponent("bad-out").path, "--quiet"])
        }
        func sql(_ path: String, _ statement: String) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            p.arguments = ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()",
                           path, statement]
            try p.run(); p.waitUntilExit()
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: bundle))
        let cases: [(String, (String) throws -> Void, String)] = [
            ("truncated.rollbook", { try data.prefix(data.count / 3).write(to: URL(fileURLWithPath: $0)) }, "not a usable"),
            ("plain.rollbook", { try FileManager.default.copyItem(atPath: store, toPath: $0) }, "not a bundle"),
            ("foreign.rollbook", { try sql($0, "create table notes(x)") }, "not a Rollbook store"),
            ("notemplate.rollbook", { try data.write(to: URL(fileURLWithPath: $0))
                try sql($0, "delete from bundle_files where name = 'templates/report/report.mustache'") },
             "lacks templates/report/report.mustache"),
            ("newer.rollbook", { try data.write(to: URL(fileURLWithPath: $0))
                try sql($0, "update bundle_info set value = 'rollbook-bundle/9' where key = 'format'") }, "rollbook-bundle/9"),
        ]
        for (name, make, what) in cases {
            let path = dir.appendingPathComponent(name).path
            try make(path)
            let r = try render(path)
            #expect(r.status != 0 && r.stderr.contains(what) && r.stderr.split(separator: "\n").count == 1,
                    "\(name): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad-out").path))
    }
}
