import Foundation
import Runner
import Store
import TestSupport
import Testing

/// The compute axis end to end on the default model: every local rollout stores prompt
/// tokens, seconds and FLOPs; rows that lost their FLOPs (as written before schema v4) get
/// exactly the fresh value back on the next run; analyze --json sums them per cell and in all.
@Suite(.serialized) struct ComputeTests {
    static func sql(_ store: String, _ statement: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [store, statement]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    @Test func flopsAreStoredBackfilledAndSummed() throws {
        let dir = try RollbookCLI.tempDir("compute")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("s.sqlite").path
        let plan = try RunnerProcessTests.writePlan(dir, name: "compute", n: 2, problems: 2, maxTokens: 10,
                                                    temperatures: "[1.5]", layers: "[0, 4]")
        _ = try RunnerProcessTests.runJSON(plan, store: store)
        let fresh = try RolloutStore(path: store).rollouts(run: "compute")
        #expect(fresh.count == 8)
        for r in fresh {
            let flops = try #require(r.flops)
            #expect((r.promptTokens ?? 0) > 0 && r.seconds > 0)
            // At least the matrix FLOPs of the tokens read (135M parameters, 2 FLOPs each).
            #expect(flops > 2 * 1.0e8 * Double((r.promptTokens ?? 0) + r.tokenCount - 1))
        }
        // EGLR's re-applications cost more than plain decoding of the same length.
        let gated = fresh.filter { $0.extraLayerApplications > 0 }
        #expect(!gated.isEmpty, "the plan should gate some tokens at T=1.5")

        // Rows as written before v4: FLOPs unknown; the rerun fills in the same numbers.
        try Self.sql(store, "UPDATE rollouts SET flops = NULL")
        let before = try RollbookCLI.run(["analyze", "compute", "--store", store, "--json", "--resamples", "20"])
        let unknown = try #require(try RollbookCLI.json(before.stdout)["report"] as? [String: Any])["compute"]
        #expect((unknown as? [String: Any])?["unknown_flops"] as? Int == 8)
        #expect((unknown as? [String: Any])?["flops"] == nil)
        let rerun = try RunnerProcessTests.runJSON(plan, store: store)
        #expect(rerun["generated"] as? Int == 0 && rerun["flops_filled"] as? Int == 8)
        let filled = Dictionary(uniqueKeysWithValues: try RolloutStore(path: store).rollouts(run: "compute")
            .map { ($0.key, $0.flops) })
        for r in fresh { #expect(filled[r.key] == r.flops, "\(r.params)") }

        let an = try RollbookCLI.run(["analyze", "compute", "--store", store, "--json", "--resamples", "20"])
        #expect(an.status == 0, "\(an.stderr)")
        let report = try #require(try RollbookCLI.json(an.stdout)["report"] as? [String: Any])
        let total = try #require(report["compute"] as? [String: Any])
        #expect(total["rollouts"] as? Int == 8 && total["unknown_flops"] as? Int == 0)
        let sum = fresh.compactMap(\.flops).reduce(0, +)
        #expect(abs((total["flops"] as? Double ?? 0) - sum) <= 1e-9 * sum)
        #expect(total["generated_tokens"] as? Int == fresh.map(\.tokenCount).reduce(0, +))
        #expect(total["prompt_tokens"] as? Int == fresh.compactMap(\.promptTokens).reduce(0, +))
        let cells = try #require(report["cells"] as? [[String: Any]])
        let cellFlops = cells.compactMap { ($0["compute"] as? [String: Any])?["flops"] as? Double }
        #expect(cellFlops.count == 2 && abs(cellFlops.reduce(0, +) - sum) <= 1e-9 * sum)
    }
}
