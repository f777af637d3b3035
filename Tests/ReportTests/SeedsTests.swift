import Foundation
import Notebooks
import Runner
import Store
import TestSupport
import Testing

/// `seeds: [0, 1, 2]`: the grid runs once per seed (the first seed's run is the report's; the
/// others are runs NAME.seedS), and every headline number gets its spread over seeds next to
/// its bootstrap interval over problems. Real model, real store.
@Suite(.serialized) struct SeedsTests {
    static let notebook = """
        ---
        title: Seeds
        tasks: builtin:arithmetic?count=3&seed=5
        ---
        # Seeds

        ```rollbook
        sample:
          name: s3
          temperatures: [1.0]
          n: 4
          max_tokens: 8
          seeds: [0, 1, 2]
        ```

        ```rollbook
        table: seeds
        ```

        ```rollbook
        text: "Majority vote: {{majority_seeds}}; M_D {{m_d_seeds}} (seeds {{seeds}})."
        ```
        """

    @Test func eachSeedIsARunAndHeadlinesGetTheirSpread() throws {
        let dir = try RollbookCLI.tempDir("seeds")
        defer { try? FileManager.default.removeItem(at: dir) }
        let nb = dir.appendingPathComponent("seeds.md").path
        try Self.notebook.write(toFile: nb, atomically: true, encoding: .utf8)
        let store = dir.appendingPathComponent("s.sqlite").path
        let out = dir.appendingPathComponent("out").path
        let r = try RollbookCLI.run(["render", nb, "--store", store, "--out", out, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")

        let s = try RolloutStore(path: store, readOnly: true)
        #expect(try s.runNames().sorted() == ["s3", "s3.seed1", "s3.seed2"])
        let keys = try ["s3", "s3.seed1", "s3.seed2"].map { try Set(s.members(run: $0).map(\.key)) }
        #expect(keys.allSatisfy { $0.count == 12 })
        #expect(keys[0].isDisjoint(with: keys[1]) && keys[1].isDisjoint(with: keys[2]), "each seed samples anew")

        // The seeds table: first seed with its interval over problems, each seed, the spread.
        let csv = try String(contentsOfFile: out + "/figures/tab01-seeds.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == "quantity,seed 0 (95% CI over problems),seed 1,seed 2,\"mean ± sd over seeds [min, max]\"")
        let majority = try #require(lines.first { $0.hasPrefix("majority vote (full pool),") })
        #expect(majority.contains("over 3 seeds"), "\(majority)")
        let html = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(html.contains("(seeds 0, 1, 2).") && html.contains("Majority vote: ") && html.contains(" over 3 seeds ["))
        #expect(html.contains("seeds 0, 1, 2 (the report&#39;s figures are seed 0&#39;s") || html.contains("seeds 0, 1, 2 (the report"))

        // Rendering again generates nothing; offline finds every seed's run.
        let again = try RollbookCLI.run(["render", nb, "--store", store, "--out", out, "--offline"])
        #expect(again.status == 0 && again.stdout.contains("0 generated"), "\(again.stdout) \(again.stderr)")

        // A plan with `seed: 1` alone is the same run as seed 1's replica: nothing to generate.
        let one = dir.appendingPathComponent("one.md").path
        try Self.notebook.replacingOccurrences(of: "name: s3", with: "name: s3.seed1")
            .replacingOccurrences(of: "seeds: [0, 1, 2]", with: "seed: 1").write(toFile: one, atomically: true, encoding: .utf8)
        // ... whose text cell asks for spreads it does not have: one clear error.
        let single = try RollbookCLI.run(["render", one, "--store", store, "--out", out + "-one", "--offline"])
        #expect(single.status != 0 && single.stderr.contains("one.md:21: {{majority_seeds}} has no value"), "\(single.stderr)")
        try String(contentsOfFile: one, encoding: .utf8).replacingOccurrences(of: "{{majority_seeds}}", with: "{{majority}}")
            .replacingOccurrences(of: "M_D {{m_d_seeds}} (seeds {{seeds}})", with: "")
            .write(toFile: one, atomically: true, encoding: .utf8)
        let ok = try RollbookCLI.run(["render", one, "--store", store, "--out", out + "-one", "--offline"])
        #expect(ok.status == 0 && ok.stdout.contains("0 generated"), "\(ok.stderr)")
    }

    @Test(arguments: [("seeds: [0, 1, 2]\n  seed: 4", "seed and seeds are both set"),
                      ("seeds: [1, 1]", "distinct"),
                      ("seeds: [-1, 2]", "seeds[0]")])
    func badSeedsNameTheLine(fields: String, message: String) throws {
        let text = "name: x\n" + fields.replacingOccurrences(of: "\n  ", with: "\n") + "\n"
        #expect(throws: PlanError.self) { try Plan.parse(yaml: text, source: "p.yaml", defaultName: "x") }
        do { _ = try Plan.parse(yaml: text, source: "p.yaml", defaultName: "x") } catch {
            #expect("\(error)".contains("p.yaml:") && "\(error)".contains(message), "\(error)")
        }
    }
}
