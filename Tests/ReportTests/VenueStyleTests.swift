import Charts
import Foundation
import Notebooks
import Reports
import TestSupport
import Testing

/// Venue styles: figures exported at exactly the stated width, TrueType fonts embedded in the
/// PDFs, SVG text kept as text, no title inside the graphic (the caption under the figure
/// names it), and HTML tables linking each problem to its rollouts.
@Suite(.serialized) struct VenueStyleTests {
    /// The stored run (OfflineRenderTests' notebook) in `style`, with figures at each width.
    static func notebook(_ dir: URL, style: String) throws -> String {
        let cells = ["figure: coverage\ncaption: \"Coverage per cell.\"", "figure: budget-curves\nwidth: full",
                     "figure: heatmap\nwidth: 2.5", "table: problems", "figure: problem-curves"]
        return try OfflineRenderTests.notebook(dir, n: 3, extra: cells.map { "\n```rollbook\n\($0)\n```\n" }.joined(),
                                               front: "style: \(style)", file: "venue.md")
    }

    static func tool(_ name: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/" + name)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// pdfinfo's page size in points.
    static func pageSize(_ pdf: String) throws -> (Double, Double) {
        let line = try #require(try tool("pdfinfo", [pdf]).split(separator: "\n").first { $0.hasPrefix("Page size:") })
        let parts = line.split(separator: " ").compactMap { Double($0) }
        return (parts[0], parts[1])
    }

    /// pdffonts' font types (every font must be embedded).
    static func fontTypes(_ pdf: String) throws -> [String] {
        let rows = try tool("pdffonts", [pdf]).split(separator: "\n").dropFirst(2)
        return rows.map { row in
            let cols = row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            #expect(cols.count >= 7 && cols[cols.count - 5] == "yes", "font not embedded: \(row)")
            // name, then the type (one or two words), encoding, emb, sub, uni, object, generation.
            return cols[1..<(cols.count - 6)].joined(separator: " ")
        }
    }

    @Test func icmlFiguresHaveTheStatedWidthsEmbeddedFontsAndTextAsText() throws {
        let dir = try RollbookCLI.tempDir("venue")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try BundleTests.store(dir)
        let out = dir.appendingPathComponent("out").path
        let r = try RollbookCLI.run(["render", try Self.notebook(dir, style: "icml"), "--store", store, "--out", out,
                                     "--offline", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let figs = out + "/figures/"
        // ICML: 3.25 in column, 6.75 in full width, and a width in inches as given.
        #expect(try Self.pageSize(figs + "fig01-coverage.pdf").0 == 234)
        #expect(try Self.pageSize(figs + "fig02-budget-curves.pdf").0 == 486)
        #expect(try Self.pageSize(figs + "fig03-heatmap.pdf").0 == 180)
        for pdf in [figs + "fig01-coverage.pdf", out + "/report.pdf"] {
            let types = try Self.fontTypes(pdf)
            #expect(!types.isEmpty && types.allSatisfy { $0 == "TrueType" || $0 == "CID TrueType" }, "\(pdf): \(types)")
        }
        // SVG: labels are <text> elements; no glyph outlines; no title inside the graphic.
        let svg = try String(contentsOfFile: figs + "fig01-coverage.svg", encoding: .utf8)
        #expect(svg.contains("<text") && svg.contains(">pass@k</text>") && !svg.contains("<symbol"))
        #expect(!svg.contains("Coverage (pass@k)"))
        #expect(svg.contains("width=\"234pt\""))
        // The caption under the figure names it, in the HTML and the PDF.
        let html = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(html.contains("<b>Figure 1. Coverage (pass@k).</b> Coverage per cell."))
        let text = try Self.tool("pdftotext", ["-layout", out + "/report.pdf", "-"])
        #expect(text.contains("Figure 1. Coverage (pass@k). Coverage per cell."))
        // Shaded pointwise bands under pass@k: the CSV carries them, low <= value <= high.
        let csv = try String(contentsOfFile: figs + "fig01-coverage.csv", encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(csv.hasPrefix("layers,temperature,k,value,low,high\n") && !rows.isEmpty)
        for row in rows {
            let v = Double(row[3])!, lo = Double(row[4])!, hi = Double(row[5])!
            #expect(lo <= v + 1e-12 && v <= hi + 1e-12)
        }

        // Each problem row links to its section; the section shows the question, the audit's
        // verdict and every rollout with its entropy and EGLR gates.
        let links = html.components(separatedBy: "<a href=\"#p-v1_2Dbreadth-").count - 1
        // One per problem in the problems table, and each panel title of problem-curves.
        let panels = html.components(separatedBy: "\"><text").count - 1
        #expect(links == 3 + panels && panels >= 1, "links \(links), figure links \(panels)")
        let figure = try #require(html.range(of: "<figure id=\"fig04-problem-curves\">"))
        #expect(html[figure.lowerBound...].contains("<a href=\"#p-v1_2Dbreadth-arith_2D11_2D"))
        let anchor = ReportWriter.anchor(run: "v1-breadth", problem: "arith-11-0")
        #expect(anchor == "p-v1_2Dbreadth-arith_2D11_2D0")
        #expect(html.contains("<section class=\"problem\" id=\"\(anchor)\">"))
        #expect(html.contains("<th>entropy</th>") && html.contains("<th>EGLR gates</th>"))
        #expect(html.contains("Budget audit: "))
        // In Chromium (no scripts), following the link reveals the section's rollouts.
        let chrome = try Chromium.load(out + "/index.html", dir: dir)
        #expect(chrome.console.isEmpty, "\(chrome.console)")
        #expect(chrome.dom.contains("id=\"\(anchor)\""))
    }

    @Test(arguments: [("width: huge", "width: applies to figures and is column, full or a width in inches"),
                      ("width: 0.2", "between 1 and 20")])
    func badWidthsNameTheLine(option: String, message: String) throws {
        let dir = try RollbookCLI.tempDir("venue-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let nb = try Self.notebook(dir, style: "neurips")
        let text = try String(contentsOfFile: nb, encoding: .utf8).replacingOccurrences(of: "width: 2.5", with: option)
        try text.write(toFile: nb, atomically: true, encoding: .utf8)
        let r = try RollbookCLI.run(["render", nb, "--out", dir.appendingPathComponent("o").path, "--offline"])
        #expect(r.status != 0 && r.stderr.contains("venue.md:") && r.stderr.contains(message), "\(r.stderr)")
    }

    @Test func venueStylesLoadWithTheirWidths() throws {
        let root = FixtureDir.repoRoot.appendingPathComponent("templates/styles").path
        let want = ["neurips": (5.5, 5.5), "iclr": (5.5, 5.5), "icml": (3.25, 6.75), "slides": (6.4, 10.0)]
        for (name, (column, full)) in want {
            let s = try Style.load(path: "\(root)/\(name).json")
            #expect(s.widthIn == column && s.wideWidthIn == full, "\(name)")
            #expect(s.drawsTitles == (name == "slides") && s.lineStyles == true, "\(name)")
            // Distinct dash patterns for the first four series.
            #expect(Set((0..<4).map { s.dash(series: $0, dashed: false) }).count == 4)
        }
    }
}
