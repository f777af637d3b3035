import Foundation
import Notebooks
import Runner
import Store
import TestSupport
import Testing

/// `render --offline` renders from the store alone: no model is loaded (its file need not
/// exist), the store is opened read-only, and a sample cell the store cannot answer fails
/// before any output, listing what differs and how to generate it.
@Suite(.serialized) struct OfflineRenderTests {
    /// The stored run's notebook (`front`: more front matter lines, `file`: its name).
    static func notebook(_ dir: URL, n: Int, extra: String = "", front: String = "",
                         file: String? = nil) throws -> String {
        let path = dir.appendingPathComponent(file ?? "nb-\(n).md").path
        try """
            ---
            title: Offline\(front.isEmpty ? "" : "\n" + front)
            ---
            # Offline

            ```rollbook
            sample:
              name: v1-breadth
              model: /nowhere/model.gguf
              numerics: 1
              tasks: builtin:arithmetic?count=3&seed=11
              max_tokens: 12
              seed: 5
              batch: 8
              grid: {temperatures: [0, 0.8], layers: [0, 1], n: \(n)}
            ```

            ```rollbook
            table: cells
            ```
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func rendersFromTheStoreAloneAndRefusesWhatItCannotAnswer() throws {
        let dir = try RollbookCLI.tempDir("offline")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The stored run, as if its plan named a model file this machine does not have.
        let store = try BundleTests.store(dir)
        let before = try Data(contentsOf: URL(fileURLWithPath: store))
        let out = dir.appendingPathComponent("out").path
        let nb = try Self.notebook(dir, n: 3, extra: "\n```rollbook\nfigure: coverage\n```\n")
        let ok = try RollbookCLI.run(["render", nb, "--store", store, "--out", out, "--offline", "--quiet"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let html = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(html.contains("Accuracy per (L, T) cell") && html.contains("/nowhere/model.gguf"))
        #expect(FileManager.default.fileExists(atPath: out + "/figures/fig01-coverage.svg"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: store)) == before, "an offline render writes nothing to the store")
        // Online, the same notebook needs the model.
        let online = try RollbookCLI.run(["render", nb, "--store", store, "--out", out + "-online", "--quiet"])
        #expect(online.status != 0 && online.stderr.contains("/nowhere/model.gguf"), "\(online.stderr)")

        // A cell that would need new rollouts: listed, nothing written.
        let more = try Self.notebook(dir, n: 4)
        let out2 = dir.appendingPathComponent("out2").path
        let refused = try RollbookCLI.run(["render", more, "--store", store, "--out", out2, "--offline", "--quiet"])
        #expect(refused.status != 0 && refused.stderr.contains("n: 4") && refused.stderr.contains("n: 3")
                && refused.stderr.contains("rollbook render"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out2))
    }
}
