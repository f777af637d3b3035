import Foundation
import Notebooks
import Runner
import Store
import TestSupport
import Testing

/// A store holding three runs, written through the public Store API (no model): `base` and
/// `tuned` under a notebook's two sample cells, and `imported` under a plan of its own (a run
/// only a `runs:` cell can name). `tuned` solves more problems and has one problem `base` lacks.
enum MultiRunFixture {
    static let hostile = "<script>document.title='pwned'</script> & </pre>"
    static let sha = ["base": String(repeating: "a1", count: 32), "tuned": String(repeating: "b2", count: 32),
                      "imported": String(repeating: "c3", count: 32)]

    static func notebook(_ dir: URL, extra: String = "") throws -> String {
        let path = dir.appendingPathComponent("compare.md").path
        try """
            ---
            title: "Two runs <i>and one imported</i>"
            tasks: builtin:arithmetic?count=6&seed=1
            ---
            # Comparison

            ```rollbook
            sample:
              name: base
              model: /nowhere/base.gguf
              max_tokens: 16
              grid: {temperatures: [0, 0.8], layers: [0], n: 8}
            ```

            ```rollbook
            sample:
              name: tuned
              model: /nowhere/tuned.gguf
              template: cot-boxed
              chat: true
              max_tokens: 16
              grid: {temperatures: [0, 0.8], layers: [0], n: 8}
            ```

            ```rollbook
            runs: [imported]
            ```

            ```rollbook
            table: runs
            ```

            ```rollbook
            text: "M_D {{m_d@base}} against {{m_d@tuned}}; imported has {{problems@imported}} problems."
            ```

            ```rollbook
            figure: coverage
            ```

            ```rollbook
            figure: coverage
            runs: [tuned]
            ```

            ```rollbook
            figure: paired-scatter
            runs: [base, tuned]
            ```

            ```rollbook
            figure: budget-curves
            ```

            ```rollbook
            figure: keff
            ```

            ```rollbook
            figure: uncertainty
            ```

            ```rollbook
            figure: heatmap
            ```

            ```rollbook
            table: budget-audit
            ```

            ```rollbook
            table: cells
            runs: [base, tuned]
            ```

            ```rollbook
            figure: coverage
            x: tokens
            ```

            ```rollbook
            figure: budget-curves
            runs: [base, tuned]
            x: flops
            ```

            ```rollbook
            figure: coverage
            x: flops
            ```
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// FLOPs per generated token of base and tuned (the imported run records none).
    static let flopsPerToken = 2.5e8

    /// Problem ids of a run and how many of its 8 sampled rollouts each gets right.
    static func skill(_ run: String) -> [(String, Int)] {
        switch run {
        case "base": return [("p1", 2), ("p2", 0), ("p3", 5), ("p4", 8), ("p5", 1), ("p6", 3)]
        case "tuned": return [("p1", 6), ("p2", 2), ("p3", 5), ("p4", 8), ("p5", 4), ("p6", 7), ("p7", 3)]
        default: return [("q1", 4), ("q2", 1), ("q3", 8)]
        }
    }

    static func rollouts(_ run: String, taskKey: String) -> [StoredRollout] {
        var out = [StoredRollout]()
        for (i, (p, right)) in skill(run).enumerated() {
            for (t, n) in [(0.0, 1), (0.8, 8)] {
                for s in 0..<n {
                    let ok = t == 0 ? right >= 4 : (s * 3 + i) % 8 < right
                    let cls = ok ? "ans-\(p)" : "w\((s + i) % 3)"
                    let text = run == "tuned" && p == "p1" && s == 0 ? hostile : "\(run) says \(cls)"
                    let tokens = 4 + (s * 5 + i) % 9 + (run == "tuned" ? 10 : 0)
                    out.append(StoredRollout(
                        key: "\(run)-\(p)-\(t)-\(s)", modelKey: "sha256:" + sha[run]!, promptHash: "h-\(run)-\(p)",
                        taskKey: taskKey, problemID: p, layers: 0, temperature: t, sampleIndex: s, seed: UInt64(s),
                        params: "{}", response: text, tokenCount: tokens,
                        finishReason: "eos", meanEntropy: 0.5 + Double(s % 4) * 0.3, meanLogprob: -0.4,
                        selfCertainty: 1 + Double((s + i) % 5), gatedTokens: 0, extraLayerApplications: 0,
                        extracted: cls, answerClass: cls, correct: ok, rule: "last_value", graderVersion: "test",
                        tokens: Data(), seconds: 0, goldHash: Hash128.hex("gold-\(p)"),
                        flops: run == "imported" ? nil : flopsPerToken * Double(tokens)))
                }
            }
        }
        return out
    }

    /// The store, with each sample cell's run under the cell's plan.
    static func store(_ dir: URL, notebook: String) throws -> String {
        let path = dir.appendingPathComponent("runs.sqlite").path
        let store = try RolloutStore(path: path)
        let plans = Dictionary(uniqueKeysWithValues: try Notebook.load(path: notebook).plans.map { ($0.name, $0) })
        for run in ["base", "tuned", "imported"] {
            let taskKey = "task-\(run)"
            try store.putProblems(taskKey: taskKey, skill(run).map {
                .init(id: $0.0, question: "What is \($0.0)?", gold: "gold-\($0.0)", tier: 1)
            })
            let rows = rollouts(run, taskKey: taskKey)
            let plan = plans[run]?.canonical ?? "name: imported\nmodel: lm-eval:other\ntasks: jsonl:elsewhere.jsonl"
            _ = try store.insert(rows, record: RunRecord(
                name: run, plan: plan, source: notebook, modelKey: "sha256:" + sha[run]!, taskKey: taskKey,
                graderVersion: "test", blockCount: 30, info: "", members: rows.map { ($0.key, $0.goldHash) }))
        }
        return path
    }

    static func csv(_ out: String, _ suffix: String) throws -> String {
        let figs = out + "/figures"
        let f = try #require(try FileManager.default.contentsOfDirectory(atPath: figs).first { $0.hasSuffix(suffix) })
        return try String(contentsOfFile: figs + "/" + f, encoding: .utf8)
    }
}

/// Multi-run notebooks rendered from a fixture store: one series or panel per run, the
/// paired scatter, the runs table, qualified text values, in HTML (headless Chromium) and PDF;
/// bundled and re-rendered; and the parser's errors naming file and line.
@Suite(.serialized) struct MultiRunTests {
    @Test func twoRunsAndAnImportedOneRenderAndBundle() throws {
        let dir = try RollbookCLI.tempDir("multirun")
        defer { try? FileManager.default.removeItem(at: dir) }
        let nb = try MultiRunFixture.notebook(dir)
        let store = try MultiRunFixture.store(dir, notebook: nb)
        let out = dir.appendingPathComponent("out").path
        let r = try RollbookCLI.run(["render", nb, "--store", store, "--out", out, "--offline", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        try Self.checkFiles(out)
        try Self.checkHTML(out, dir: dir)
        let pages = try PDFPages.render(out + "/report.pdf", dir: dir)
        #expect(pages.count >= 3)
        for (i, ink) in pages.enumerated() { #expect(ink > 0.003, "report page \(i + 1) looks blank") }

        // The bundle carries all three runs and renders the same numbers with no store.
        let bundle = dir.appendingPathComponent("compare.rollbook").path
        let b = try RollbookCLI.run(["bundle", nb, "--store", store, "--out", bundle])
        #expect(b.status == 0 && b.stdout.contains("\(13 * 9 + 3 * 9) rollouts"), "\(b.stdout) \(b.stderr)")
        let elsewhere = dir.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let again = try RollbookCLI.run(["render", bundle, "--out", elsewhere.path + "/out", "--quiet"],
                                        directory: elsewhere)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try BundleTests.csvs(out) == BundleTests.csvs(elsewhere.path + "/out"))
    }

    static func checkFiles(_ out: String) throws {
        // Curves: one series per run under one header; a figure limited to one run is its own.
        let coverage = try MultiRunFixture.csv(out, "fig01-coverage.csv")
        #expect(coverage.hasPrefix("run,layers,temperature,k,value,low,high\n"))
        for run in ["base", "tuned", "imported"] { #expect(coverage.contains("\n\(run),0,0.8,8,")) }
        #expect(try MultiRunFixture.csv(out, "fig02-coverage.csv").hasPrefix("layers,temperature,k,value,low,high\n"))
        // Paired by problem id: p7 (tuned only) is left out; the T = 0.8 accuracies, a then b.
        let paired = try MultiRunFixture.csv(out, "fig03-paired-scatter.csv")
        let rows = paired.split(separator: "\n")
        #expect(rows.first == "problem,base,tuned" && rows.count == 7)
        #expect(rows.contains("p1,0.25,0.75") && rows.contains("p4,1,1") && !paired.contains("p7"))
        let runs = try MultiRunFixture.csv(out, "tab01-runs.csv").split(separator: "\n")
        #expect(runs.count == 4 && runs[2].hasPrefix("tuned,/nowhere/tuned.gguf,\(MultiRunFixture.sha["tuned"]!),"))
        #expect(runs[2].contains("cot-boxed (chat)") && runs[3].hasPrefix("imported,lm-eval:other,"))
        // Quantity tables side by side, a column per run; other tables stacked with a run column.
        #expect(try MultiRunFixture.csv(out, "tab02-budget-audit.csv").hasPrefix("quantity,base,tuned,imported\n"))
        #expect(try MultiRunFixture.csv(out, "tab03-cells.csv").hasPrefix("run,L,T,n,"))
        try checkComputeAxes(out)
    }

    /// `x: tokens`: k rollouts at k times the cell's mean generated tokens; `x: flops` in GFLOPs,
    /// drawn only where every rollout records its FLOPs.
    static func checkComputeAxes(_ out: String) throws {
        func mean(_ run: String) -> Double {
            let xs = MultiRunFixture.rollouts(run, taskKey: "").filter { $0.temperature == 0.8 }
            return Double(xs.reduce(0) { $0 + $1.tokenCount }) / Double(xs.count)
        }
        let num = { (v: Double) in String(format: "%.6g", v) }
        let tokens = try MultiRunFixture.csv(out, "fig08-coverage.csv")
        #expect(tokens.hasPrefix("run,layers,temperature,k,value,low,high,tokens\n"))
        for run in ["base", "tuned", "imported"] {
            let k4 = tokens.split(separator: "\n").first { $0.hasPrefix("\(run),0,0.8,4,") }
            #expect(k4?.hasSuffix("," + num(4 * mean(run))) == true, "\(run): \(k4 ?? "")")
        }
        let flops = try MultiRunFixture.csv(out, "fig09-budget-curves.csv")
        let gflops = MultiRunFixture.flopsPerToken / 1e9
        #expect(flops.hasPrefix("run,N,accuracy,gflops\n") && flops.contains(",8,") && !flops.contains("imported"))
        let tuned2 = flops.split(separator: "\n").first { $0.hasPrefix("tuned,2,") }
        #expect(tuned2?.hasSuffix("," + num(2 * mean("tuned") * gflops)) == true, "\(tuned2 ?? "")")
        let html = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(html.contains("x: flops needs the FLOPs of every rollout"), "the imported run has no FLOPs")
        #expect(!FileManager.default.fileExists(atPath: out + "/figures/fig10-coverage.csv"))
    }

    static func checkHTML(_ out: String, dir: URL) throws {
        let htmlPath = out + "/index.html"
        let html = try String(contentsOfFile: htmlPath, encoding: .utf8)
        #expect(html.contains("3 runs: base (/nowhere/base.gguf"))
        #expect(html.contains("M_D ") && html.contains(" against ") && !html.contains("{{m_d"))
        #expect(html.contains("imported has 3 problems."))
        #expect(html.contains("Problems and rollouts: run tuned") && html.contains("<h3>Run imported</h3>"))
        #expect(html.contains("runs from the store: imported (27 rollouts over 3 problems"))
        #expect(!html.contains("<script") && html.contains("&lt;script&gt;document.title="))
        #expect(!html.contains("<i>and one imported</i>"))
        #expect(html.components(separatedBy: "<svg").count - 1 >= 7)
        let chrome = try Chromium.load(htmlPath, dir: dir)
        #expect(chrome.console.isEmpty, "console: \(chrome.console)")
        #expect(!chrome.dom.contains("<title>pwned</title>"))
        #expect(chrome.dom.contains("tuned vs base per problem (6 problems)"))
        #expect(chrome.screenshotBytes > 20_000)
    }

    static let twoRuns = "```rollbook\nsample: {name: a, n: 2}\n```\n\n```rollbook\nsample: {name: b, n: 3}\n```\n"

    @Test(arguments: [
        ("```rollbook\nsample: {name: a, n: 2}\n```\n\n```rollbook\nsample: {name: a, n: 3}\n```\n",
         "nb.md:6", "run name \"a\" is used twice (first at line 2)"),
        ("```rollbook\nsample: {name: a, n: 2}\n```\n\n```rollbook\nruns: [b, a]\n```\n", "nb.md:6", "used twice"),
        ("```rollbook\nsample: {n: 2}\n```\n\n```rollbook\nruns: [b]\n```\n", "nb.md:2", "needs name:"),
        (twoRuns + "\n```rollbook\nfigure: coverage\nruns: [a, c]\n```\n", "nb.md:10",
         "unknown run \"c\" in runs: (this notebook's runs: a, b)"),
        (twoRuns + "\n```rollbook\ntable: cells\nruns: [b, b]\n```\n", "nb.md:10", "twice"),
        (twoRuns + "\n```rollbook\ntext: \"M_D is {{m_d}}\"\n```\n", "nb.md:10", "{{m_d}} is ambiguous"),
        (twoRuns + "\n```rollbook\ntext: \"M_D is {{m_d@c}}\"\n```\n", "nb.md:10", "names run \"c\""),
        (twoRuns + "\n```rollbook\ntext: \"{{m_dd@a}}\"\n```\n", "nb.md:10", "unknown {{m_dd@a}}"),
        (twoRuns + "\n```rollbook\nruns: [c]\n```\n\n```rollbook\nfigure: paired-scatter\n```\n", "nb.md:14",
         "compares 2 runs"),
        (twoRuns + "\n```rollbook\nfigure: heatmap\nx: tokens\n```\n", "nb.md:11", "curve figures"),
        (twoRuns + "\n```rollbook\nfigure: coverage\nx: joules\n```\n", "nb.md:11", "not one of rollouts, tokens"),
        ("```rollbook\nruns: {a: 1}\n```\n", "nb.md:2", "list of run names"),
    ])
    func parserErrorsNameTheLine(text: String, position: String, what: String) throws {
        let dir = try RollbookCLI.tempDir("mrerr")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("nb.md").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect { _ = try Notebook.load(path: path) } throws: { e in
            "\(e)".contains("\(path.replacingOccurrences(of: "nb.md", with: ""))\(position)") && "\(e)".contains(what)
        }
        let r = try RollbookCLI.run(["render", path, "--store", dir.appendingPathComponent("s.sqlite").path])
        #expect(r.status != 0 && r.stderr.contains(position) && r.stderr.contains(what), "\(r.stderr)")
    }

    @Test func aRunMissingFromTheStoreNamesTheCellAndTheStore() throws {
        let dir = try RollbookCLI.tempDir("mrmissing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let nb = try MultiRunFixture.notebook(dir, extra: "\n```rollbook\nruns: [elsewhere]\n```\n")
        let store = try MultiRunFixture.store(dir, notebook: nb)
        let text = try String(contentsOfFile: nb, encoding: .utf8).components(separatedBy: "\n")
        let line = try #require(text.firstIndex(of: "runs: [elsewhere]")) + 1
        let out = dir.appendingPathComponent("out").path
        for offline in [true, false] {
            let r = try RollbookCLI.run(["render", nb, "--store", store, "--out", out, "--quiet"]
                                        + (offline ? ["--offline"] : []))
            let what = "compare.md:\(line): run \"elsewhere\" is not in the store \(store)"
            #expect(r.status != 0 && r.stderr.contains(what) && r.stderr.contains("base, imported, tuned"),
                    "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        // Nothing generated, nothing recorded: the store holds what it held.
        let after = try RolloutStore(path: store, readOnly: true)
        #expect(try after.runNames().sorted() == ["base", "imported", "tuned"])
        #expect(try ["base", "tuned", "imported"].map { try after.members(run: $0).count } == [54, 63, 27])
    }
}
