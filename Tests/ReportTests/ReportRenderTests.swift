import Foundation
import Notebooks
import Reports
import Runner
import Store
import TestSupport
import Testing

/// Renders a small notebook end to end with the real model, then checks the HTML in headless
/// Chromium and the PDF through poppler.
@Suite(.serialized) struct ReportRenderTests {
    static let hostile = "<script>document.title='pwned'</script> {{evil}} & \"quoted\" </pre><b>bold?</b>"

    static func notebook(figures: [String], tables: [String]) -> String {
        var s = """
            ---
            title: "Render test <i>not italic</i>"
            tasks: builtin:arithmetic?count=4&seed=3
            clustering: prefix
            prefix_tokens: 3
            ---

            # Render test

            Prose with **markdown** and a list:

            - one
            - two

            ```rollbook
            sample:
              temperatures: [0, 0.8]
              layers: [0, 1]
              n: 4
              max_tokens: 16
            ```

            """
        for f in figures { s += "\n```rollbook\nfigure: \(f)\ncaption: \"Caption of \(f).\"\n```\n" }
        for t in tables { s += "\n```rollbook\ntable: \(t)\n```\n" }
        s += "\n```rollbook\ntext: \"Recommendation: {{recommendation}}. {{evidence}} a < b & c\"\n```\n"
        return s
    }

    @Test func notebookRendersSafeSelfContainedReports() throws {
        let dir = try RollbookCLI.tempDir("render")
        defer { try? FileManager.default.removeItem(at: dir) }
        let nbPath = dir.appendingPathComponent("rt.md").path
        try Self.notebook(figures: Notebook.figureNames, tables: Notebook.tableNames).write(toFile: nbPath, atomically: true, encoding: .utf8)
        let storePath = dir.appendingPathComponent("s.sqlite").path

        // Plant a hostile "model output" under the key of one planned rollout; the runner
        // treats it as cached and the report must show it as text.
        let nb = try Notebook.load(path: nbPath)
        let store = try RolloutStore(path: storePath)
        let prep = try Runner.prepare(nb.plans[0], store: store, baseDir: dir.path)
        let job = try #require(prep.jobs.first { $0.temperature > 0 })
        let p = prep.problems[job.problem]
        _ = try store.insert([StoredRollout(
            key: job.key, modelKey: prep.modelKey, promptHash: prep.promptHashes[job.problem], taskKey: prep.taskKey,
            problemID: p.id, layers: job.layers, temperature: job.temperature, sampleIndex: job.sample, seed: job.seed,
            params: job.params, response: Self.hostile, tokenCount: 3, finishReason: "eos", meanEntropy: 1, meanLogprob: -1,
            selfCertainty: 2, gatedTokens: 0, extraLayerApplications: 0, extracted: "{{evil}}", answerClass: "<b>x</b>",
            correct: false, rule: "last number", graderVersion: "test", tokens: Data(), seconds: 0)])

        let out = dir.appendingPathComponent("report")
        let r = try RollbookCLI.run(["render", nbPath, "--store", storePath, "--out", out.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let htmlPath = out.appendingPathComponent("index.html").path
        let html = try String(contentsOfFile: htmlPath, encoding: .utf8)

        // Escaped wherever shown; no script anywhere; nothing fetched from outside.
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;document.title="))
        #expect(!html.contains("<b>bold?</b>") && !html.contains("<b>x</b>"))
        #expect(!html.contains("<i>not italic</i>"))
        // Escaped once, never twice (text cells once rendered "&amp;gt;").
        #expect(!html.contains("&amp;gt;") && !html.contains("&amp;lt;") && !html.contains("&amp;amp;"))
        #expect(html.contains("default-src 'none'"))
        for attr in ["src=\"", "href=\"", "url("] {
            var rest = html[...]
            while let r = rest.range(of: attr) {
                // In-page anchors, data: URIs, and links (not loads) to the figure files beside it.
                let after = rest[r.upperBound...].prefix(8)
                let ok = after.hasPrefix("#") || after.hasPrefix("data:") || (attr == "href=\"" && after.hasPrefix("figures/"))
                #expect(ok, "external reference: \(attr)\(after)")
                rest = rest[r.upperBound...]
            }
        }
        // Every figure: inline SVG in the HTML, and SVG/PDF/PNG/CSV files.
        let files = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("figures").path)
        for ext in ["svg", "pdf", "png", "csv"] { #expect(files.filter { $0.hasSuffix(".\(ext)") }.count >= 8, "few .\(ext) files") }
        #expect(html.components(separatedBy: "<svg").count - 1 >= 8)
        #expect(html.contains("Problems and rollouts") && html.contains("Provenance") && html.contains(prep.modelKey))

        // A real browser: loads without console errors (any blocked fetch would be one,
        // under the report's CSP), the planted script never runs, its text is visible.
        let chrome = try Chromium.load(htmlPath, dir: dir)
        #expect(chrome.console.isEmpty, "console: \(chrome.console)")
        #expect(!chrome.dom.contains("<title>pwned</title>"))
        #expect(chrome.dom.contains("{{evil}}"))
        #expect(chrome.screenshotBytes > 20_000)

        // The PDF report: several pages, none blank.
        let pages = try PDFPages.render(out.appendingPathComponent("report.pdf").path, dir: dir)
        #expect(pages.count >= 3)
        for (i, ink) in pages.enumerated() { #expect(ink > 0.003, "report page \(i + 1) looks blank") }

        // Re-rendering from the warm store generates nothing.
        let again = try RollbookCLI.run(["render", nbPath, "--store", storePath, "--out", out.path])
        #expect(again.status == 0 && again.stdout.contains("0 generated"), "\(again.stdout)")
    }

    @Test(arguments: [
        ("---\ntitle: x\ncolour: red\n---\n", "nb.md:3", "colour"),
        ("# t\n\n```rollbook\nfigure: pie\n```\n", "nb.md:4", "pie"),
        ("# t\n\n```rollbook\nsample:\n  n: 2\n", "nb.md:3", "never closed"),
        ("# t\n\n```rollbook\nsample:\n  grid:\n    n: -3\n```\n", "nb.md:6", "grid.n"),
        ("# t\n\n```rollbook\nfigure: heatmap\ncaption: a: b\n```\n", "line 5", "mapping"),
        ("# t\n\n```rollbook\nsample: {n: 2}\n```\n\n```rollbook\nsample: {n: 3}\n```\n", "nb.md:4", "needs name:"),
        ("---\ntitle: x\n", "nb.md:1", "never closed"),
        // A fence left open would swallow the later cells as prose; a typo would make a cell prose.
        ("# t\n\n```python\nx = 1\n\n```rollbook\nsample: {n: 2}\n", "nb.md:3", "never closed"),
        ("# t\n\n```rolbook\nsample: {n: 2}\n```\n", "nb.md:3", "did you mean"),
        ("# t\n\n```rollbook\nsample: {n: 2}\n```\n\n```rollbook\ntext: \"solves {{oracel_joint}}\"\n```\n",
         "nb.md:8", "unknown {{oracel_joint}}"),
        ("# t\n\n```rollbook\nsample: {n: 2}\n```\n\n```rollbook\ntext: \"solves {{oracle_joint\"\n```\n",
         "nb.md:8", "never closed"),
        ("# t\n\n```rollbook\nsample:\n  n: 2\n  n: 3\n```\n", "nb.md", "duplicate field n"),
    ])
    func notebookErrorsNameTheLine(text: String, position: String, what: String) throws {
        let dir = try RollbookCLI.tempDir("nberr")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("nb.md").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect { _ = try Notebook.load(path: path) } throws: { e in
            "\(e)".contains(position) && "\(e)".contains(what)
        }
        let r = try RollbookCLI.run(["render", path, "--store", dir.appendingPathComponent("s.sqlite").path])
        #expect(r.status != 0 && r.stderr.contains(position), "\(r.stderr)")
    }
}

/// Windows line endings are line endings; plan files must name their run and not be empty.
@Suite struct InputShapeTests {
    @Test func crlfNotebooksAndPlansParse() throws {
        let dir = try RollbookCLI.tempDir("crlf")
        defer { try? FileManager.default.removeItem(at: dir) }
        let nb = dir.appendingPathComponent("nb.md").path
        try "---\r\ntitle: CRLF\r\n---\r\n# t\r\n\r\n```rollbook\r\nsample: {n: 2}\r\n```\r\n"
            .write(toFile: nb, atomically: true, encoding: .utf8)
        let parsed = try Notebook.load(path: nb)
        #expect(parsed.title == "CRLF" && parsed.plans[0].n == 2)
        let plan = dir.appendingPathComponent("p.yaml").path
        try "name: p\r\ngrid: {n: 3}\r\n".write(toFile: plan, atomically: true, encoding: .utf8)
        #expect(try Plan.load(path: plan).n == 3)
    }

    @Test func planFilesMustNameTheirRunAndNotBeEmpty() throws {
        let dir = try RollbookCLI.tempDir("planname")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (text, what) in [("", "empty"), ("\n# only a comment\n", "empty"), ("grid: {n: 3}\n", "name is required")] {
            let plan = dir.appendingPathComponent("p.yaml").path
            try text.write(toFile: plan, atomically: true, encoding: .utf8)
            #expect { _ = try Plan.load(path: plan) } throws: { "\($0)".contains(what) && "\($0)".contains(plan) }
            let r = try RollbookCLI.run(["run", plan, "--store", dir.appendingPathComponent("s.sqlite").path])
            #expect(r.status != 0 && r.stderr.contains(what) && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
    }
}

/// Headless Chromium: DOM after load, console messages and a screenshot.
enum Chromium {
    struct Page { var dom: String; var console: [String]; var screenshotBytes: Int }

    static var binary: String {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "chromium"
    }

    static func load(_ html: String, dir: URL) throws -> Page {
        let shot = dir.appendingPathComponent("shot.png").path
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                      "--user-data-dir=\(dir.appendingPathComponent("chrome").path)", "--enable-logging=stderr", "--v=0"]
        let (dom, err1) = try run(common + ["--dump-dom", "file://" + html])
        let (_, err2) = try run(common + ["--window-size=1200,2400", "--hide-scrollbars", "--screenshot=\(shot)", "file://" + html])
        let console = (err1 + err2).split(separator: "\n").filter { $0.contains("CONSOLE") }.map(String.init)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int) ?? 0
        return Page(dom: dom, console: console, screenshotBytes: bytes ?? 0)
    }

    static func run(_ args: [String]) throws -> (String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        nonisolated(unsafe) var e = Data()
        let g = DispatchGroup()
        g.enter()
        DispatchQueue.global().async { e = readAll(err.fileHandleForReading); g.leave() }
        let o = readAll(out.fileHandleForReading)
        g.wait()
        p.waitUntilExit()
        return (String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

/// The shipped notebooks stay valid: they parse, and every figure and table they name exists.
@Suite struct ShippedNotebookTests {
    @Test func everyShippedNotebookParses() throws {
        let dir = FixtureDir.repoRoot.appendingPathComponent("notebooks")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".md") }.sorted()
        #expect(files == ["compare.md", "diversity.md", "eglr.md", "overscaling.md", "quickstart.md"])
        for f in files {
            let nb = try Notebook.load(path: dir.appendingPathComponent(f).path)
            #expect(nb.name + ".md" == f)
            #expect(!nb.plans.isEmpty && nb.plans.allSatisfy { $0.rolloutsPerProblem > 0 })
        }
        let compare = try Notebook.load(path: dir.appendingPathComponent("compare.md").path)
        #expect(compare.runs.map(\.name) == ["few-shot", "chat"] && compare.plans[1].chat)
        let diversity = try Notebook.load(path: dir.appendingPathComponent("diversity.md").path)
        #expect(diversity.plans[0].strategy.depth?.b0 == 3 && diversity.plans[0].strategy.depth?.trials == 3)
    }
}
