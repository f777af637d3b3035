import Foundation
import Runner
import Store
import TestSupport
import Testing

/// A store written by the schema-v1 code (Tests/StoreTests/Fixtures/v1: breadth with EGLR,
/// depth and refine runs on the default model, and the analyze JSON that code printed).
@Suite(.serialized) struct SchemaMigrationTests {
    static let fixtures = FixtureDir(target: "StoreTests")
    static let runs = ["breadth", "depth", "refine"]

    static func copyOfV1(_ dir: URL) throws -> String {
        let path = dir.appendingPathComponent("store.sqlite").path
        try FileManager.default.copyItem(atPath: fixtures.path("v1/store-v1.sqlite"), toPath: path)
        return path
    }

    /// The v1 plan `run` with `numerics: 1` (the arithmetic the v1 code generated with),
    /// written into dir; the plan keeps its name, so it is the same run.
    static func pinnedV1Plan(_ run: String, _ dir: URL) throws -> String {
        let text = try String(contentsOfFile: fixtures.path("v1/\(run).yaml"), encoding: .utf8)
        let path = dir.appendingPathComponent("\(run).yaml").path
        try (text + (text.hasSuffix("\n") ? "" : "\n") + "numerics: 1\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Migrating fills the v2 columns from the v1 params text and info string, and every
    /// row keeps its key, text and token records.
    @Test func migrationFillsRoleColumnsAndKeepsEveryRow() throws {
        let dir = try RollbookCLI.tempDir("migrate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.copyOfV1(dir)
        let store = try RolloutStore(path: path)
        #expect(try store.rolloutCount == 60)
        let depth = try store.rollouts(run: "v1-depth")
        let children = depth.filter { $0.role.strategy == "depth" }
        #expect(children.count == 16 && depth.count == 24)
        for r in children {
            guard case let .depthChild(b0, pl, signal, trial, child) = r.role else { continue }
            #expect(b0 == 2 && pl == 5 && ["ent", "sc"].contains(signal) && (0..<2).contains(trial) && (0..<2).contains(child))
            #expect(r.params.hasSuffix(r.role.keySuffix), "\(r.params)")
        }
        let refine = try store.rollouts(run: "v1-refine")
        #expect(Set(refine.compactMap { if case let .refine(round, _) = $0.role { return round } else { return nil } }) == [1, 2])
        #expect(try store.run(named: "v1-breadth")?.blockCount == 30)
        #expect(try store.rollouts(run: "v1-breadth").allSatisfy { $0.role == .breadth && $0.source == "local" })
    }

    /// The migrated store analyses exactly as the v1 code did (its verdicts are kept under
    /// the grader that made them), and serves every planned rollout from cache (the keys did
    /// not change); a newer grader grades the cached text again rather than regenerating.
    @Test func migratedStoreAnalysesIdenticallyAndServesItsCache() throws {
        let dir = try RollbookCLI.tempDir("migrate-serve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.copyOfV1(dir)
        for run in Self.runs {
            let a = try RollbookCLI.run(["analyze", "v1-\(run)", "--store", path, "--json", "--resamples", "50"])
            #expect(a.status == 0, "\(a.stderr)")
            // The v1 code summed one pool curve in Dictionary order (it differed run to run in
            // the last bits); every other value is compared exactly, floats to 1e-12.
            let expected = try Self.fixtures.json("v1/v1-\(run).analyze.json")
            let mismatch = Self.firstDifference(try RollbookCLI.json(a.stdout), expected, at: "")
            #expect(mismatch == nil, "analyze v1-\(run) differs from the v1 code's output at \(mismatch ?? "")")
            let plan = try Self.pinnedV1Plan(run, dir)
            let r = try RollbookCLI.run(["run", plan, "--store", path, "--json", "--quiet"])
            #expect(r.status == 0, "\(r.stderr)")
            let out = try RollbookCLI.json(r.stdout)
            #expect(out["generated"] as? Int == 0 && (out["cached"] as? Int ?? 0) > 0, "\(run): \(r.stdout)")
        }
    }

    /// The v1 fixture was generated with OpenBLAS's Haswell (AVX2) kernels. sgemm's last bits
    /// depend on the kernel OpenBLAS picks for the CPU (an AVX-512 machine picks SkylakeX or
    /// Cooper Lake), so regenerating it bit for bit pins that kernel for the child processes;
    /// every CPU this project builds for (AVX2 + FMA) runs it. Rollouts are bit-identical for a
    /// given machine and kernel, not across kernels.
    static let fixtureBLAS = ["OPENBLAS_CORETYPE": "Haswell"]

    /// Generating the same plans (pinned to numerics 1) from an empty store gives the v1
    /// rollouts bit for bit.
    @Test func regeneratedRolloutsAreBitIdenticalToV1() throws {
        let dir = try RollbookCLI.tempDir("migrate-regen")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fresh = dir.appendingPathComponent("fresh.sqlite").path
        for run in Self.runs {
            let r = try RollbookCLI.run(["run", try Self.pinnedV1Plan(run, dir), "--store", fresh, "--quiet"],
                                        environment: Self.fixtureBLAS)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let old = try RolloutStore(path: try Self.copyOfV1(dir))
        let new = try RolloutStore(path: fresh)
        for run in Self.runs {
            let a = try old.rollouts(run: "v1-\(run)")
            let b = Dictionary(uniqueKeysWithValues: try new.rollouts(run: "v1-\(run)").map { ($0.key, $0) })
            #expect(a.count == b.count && !a.isEmpty)
            for r in a {
                let n = try #require(b[r.key], "\(r.params)")
                #expect(n.tokens == r.tokens && n.response == r.response && n.params == r.params && n.role == r.role)
                // Generation only: verdicts are the grader's (a newer one may grade differently).
                #expect(n.meanEntropy == r.meanEntropy && n.selfCertainty == r.selfCertainty)
            }
        }
    }

    /// Fields added to the analysis since the v1 code (absent from its output).
    static let addedSinceV1: Set<String> = ["pool_min", "pool_max", "compute", "held_out", "aggregators",
                                                  "pass_band", "maj_band", "dataset_band", "problem_bands"]

    /// The path of the first value that differs (numbers: relative or absolute 1e-12).
    static func firstDifference(_ a: Any, _ b: Any, at path: String) -> String? {
        switch (a, b) {
        case let (x as [String: Any], y as [String: Any]):
            if Set(x.keys).subtracting(addedSinceV1) != Set(y.keys) { return path + " (keys)" }
            for k in y.keys.sorted() { if let d = firstDifference(x[k]!, y[k]!, at: path + "." + k) { return d } }
            return nil
        case let (x as [Any], y as [Any]):
            if x.count != y.count { return path + " (count)" }
            for (i, (u, v)) in zip(x, y).enumerated() { if let d = firstDifference(u, v, at: path + "[\(i)]") { return d } }
            return nil
        case let (x as String, y as String): return x == y ? nil : path
        case let (x as NSNumber, y as NSNumber):
            let u = x.doubleValue, v = y.doubleValue
            return u == v || abs(u - v) <= 1e-12 * max(1, abs(u), abs(v)) ? nil : path + " (\(u) vs \(v))"
        case (is NSNull, is NSNull): return nil
        default: return path + " (type)"
        }
    }
}
