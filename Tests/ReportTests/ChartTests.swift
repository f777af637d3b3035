import Charts
import Foundation
import TestSupport
import Testing

let reportFixtures = FixtureDir(target: "ReportTests")

/// SVG goldens: `ROLLBOOK_RECORD=1 swift test -c release --filter ChartTests` re-records them
/// (then look at the PNGs written next to them before committing).
enum Golden {
    static var recording: Bool { ProcessInfo.processInfo.environment["ROLLBOOK_RECORD"] == "1" }

    static func check(_ figure: Figure, name: String) throws {
        let dir = try RollbookCLI.tempDir("svg")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("\(name).svg").path
        try figure.write(to: out, format: .svg)
        let got = try String(contentsOfFile: out, encoding: .utf8)
        let golden = reportFixtures.path("\(name).svg")
        if recording {
            try got.write(toFile: golden, atomically: true, encoding: .utf8)
            try figure.write(to: reportFixtures.path("\(name).png"), format: .png, dpi: 100)
            return
        }
        let want = try String(contentsOfFile: golden, encoding: .utf8)
        if got != want {
            let actual = FileManager.default.temporaryDirectory.appendingPathComponent("rollbook-\(name).actual.svg").path
            try got.write(toFile: actual, atomically: true, encoding: .utf8)
            Issue.record("\(name).svg differs from its golden (got: \(actual)); re-record with ROLLBOOK_RECORD=1 if the change is intended")
        }
    }
}

@Suite struct ChartTests {
    static func lineFigure() -> Figure {
        let ax = Axes(title: "Coverage", xLabel: "k", yLabel: "pass@k")
        ax.xScale = .log2; ax.percentY = true
        let ks = [1.0, 2, 4, 8, 16]
        ax.add(.band(xs: ks, low: [0.1, 0.2, 0.3, 0.38, 0.45], high: [0.2, 0.3, 0.42, 0.5, 0.58], color: 0))
        ax.add(.line(xs: ks, ys: [0.15, 0.25, 0.36, 0.44, 0.51], label: "T = 0.7", color: 0))
        ax.add(.line(xs: ks, ys: [0.12, 0.27, 0.41, 0.52, 0.6], label: "L = 2 (EGLR)", color: 1, dashed: true))
        ax.add(.vline(x: 8, label: "N_D"))
        return Figure(style: .paper, axes: [ax])
    }

    static func barsFigure() -> Figure {
        let ax = Axes(title: "Sample types", yLabel: "problems")
        ax.categories = ["L=0", "L=2", "L=4"]
        ax.add(.bars(series: [("always", [3, 4, 2]), ("sometimes", [5, 4, 6]), ("never", [2, 2, 2])], stacked: true))
        return Figure(style: .paper, axes: [ax])
    }

    static func heatmapFigure() -> Figure {
        let ax = Axes(title: "Accuracy over L x T", xLabel: "T", yLabel: "L")
        ax.categories = ["0", "0.7", "1"]; ax.percentY = true
        ax.add(.heatmap(values: [[0.4, 0.21, 0.1], [0.4, nil, 0.09]], rows: ["L=0", "L=2"], cellLabels: true, colorbar: "accuracy", range: nil))
        return Figure(style: .paper, axes: [ax])
    }

    @Test func lineChartMatchesGolden() throws { try Golden.check(Self.lineFigure(), name: "line") }
    @Test func stackedBarsMatchGolden() throws { try Golden.check(Self.barsFigure(), name: "bars") }
    @Test func heatmapMatchesGolden() throws { try Golden.check(Self.heatmapFigure(), name: "heatmap") }

    @Test func ticksAreRoundAndLabelsClean() {
        #expect(Ticks.values(0, 1, scale: .linear, count: 5) == [0, 0.2, 0.4, 0.6, 0.8, 1.0].map { $0 })
        #expect(Ticks.values(1, 64, scale: .log2, count: 8) == [1, 2, 4, 8, 16, 32, 64])
        #expect(Ticks.label(0.6, percent: true) == "60%")
        #expect(Ticks.label(0.3, percent: true) == "30%")
        #expect(Ticks.label(0.125, percent: false) == "0.125")
        #expect(Ticks.label(2.5, percent: false) == "2.5")
    }

    @Test func pngHonoursDPIAndPDFIsVector() throws {
        let dir = try RollbookCLI.tempDir("fmt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let f = Self.lineFigure()
        for dpi in [100.0, 300] {
            let p = dir.appendingPathComponent("f\(Int(dpi)).png").path
            try f.write(to: p, format: .png, dpi: dpi)
            let d = try Data(contentsOf: URL(fileURLWithPath: p))
            // PNG IHDR width, big-endian at byte 16: 3.5 in at the given dpi.
            let w = d[16..<20].reduce(0) { $0 << 8 | Int($1) }
            #expect(abs(w - Int(3.5 * dpi)) <= 1)
        }
        let pdf = dir.appendingPathComponent("f.pdf").path
        try f.write(to: pdf, format: .pdf)
        let fonts = try Shell.run("/usr/bin/pdffonts", [pdf])
        #expect(fonts.contains("DejaVu") && fonts.contains("yes"), "fonts embedded: \(fonts)")
    }

    @Test func multiPageDocumentRendersNonBlankPages() throws {
        let dir = try RollbookCLI.tempDir("doc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("d.pdf").path
        let doc = try Document(path: path)
        doc.heading("A report")
        for i in 0..<6 {
            doc.paragraph("Paragraph \(i): " + String(repeating: "words that wrap across the page width ", count: 12))
            doc.figure(Self.lineFigure(), caption: "Figure \(i)")
        }
        doc.table(title: "T", headers: ["a", "b"], rows: (0..<40).map { ["row \($0)", "\($0 * $0)"] })
        try doc.finish()
        let pages = try PDFPages.render(path, dir: dir)
        #expect(pages.count >= 3)
        for (i, ink) in pages.enumerated() { #expect(ink > 0.005, "page \(i + 1) is blank (ink \(ink))") }
    }
}

/// Runs a tool and returns its stdout.
enum Shell {
    static func run(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let d = readAll(out.fileHandleForReading)
        p.waitUntilExit()
        return String(decoding: d, as: UTF8.self)
    }
}

/// PDF pages through pdftoppm (poppler), as the share of non-white pixels per page.
enum PDFPages {
    static func render(_ pdf: String, dir: URL) throws -> [Double] {
        let prefix = dir.appendingPathComponent("page").path
        _ = try Shell.run("/usr/bin/pdftoppm", ["-r", "20", "-gray", pdf, prefix])
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("page") && $0.hasSuffix(".pgm") }.sorted()
        return try files.map { f in
            let d = [UInt8](try Data(contentsOf: dir.appendingPathComponent(f)))
            // Binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel.
            var newlines = 0, start = 0
            for (i, b) in d.enumerated() where b == 0x0A { newlines += 1; if newlines == 3 { start = i + 1; break } }
            let px = d[start...]
            return Double(px.filter { $0 < 200 }.count) / Double(max(px.count, 1))
        }
    }
}
