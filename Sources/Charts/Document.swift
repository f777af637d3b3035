import CCairo
import Foundation

/// A multi-page PDF document laid out top to bottom: headings, wrapped paragraphs,
/// figures at column width, tables and monospace blocks; new pages as needed.
public final class Document {
    let surface: OpaquePointer
    let cr: OpaquePointer
    let r: CairoRenderer
    public let pageWidth: Double, pageHeight: Double
    let margin = 56.0
    var y: Double
    public private(set) var pages = 1
    let path: String

    /// A4 portrait by default (points).
    public init(path: String, width: Double = 595.3, height: Double = 841.9,
                fontFamily: String = "DejaVu Sans") throws {
        guard let s = cairo_pdf_surface_create(path, width, height),
              cairo_surface_status(s) == CAIRO_STATUS_SUCCESS else {
            throw ChartError("\(path): cannot create the PDF")
        }
        surface = s
        cr = cairo_create(s)!
        r = CairoRenderer(context: cr, fontFamily: fontFamily)
        pageWidth = width; pageHeight = height; y = margin
        self.path = path
    }

    var columnWidth: Double { pageWidth - 2 * margin }

    func ensure(_ h: Double) {
        if y + h > pageHeight - margin { newPage() }
    }

    public func newPage() {
        footer()
        cairo_show_page(cr)
        pages += 1
        y = margin
    }

    func footer() {
        r.setColor(.grey)
        r.text("\(pages)", pageWidth / 2, pageHeight - margin / 2, size: 8, ha: 0.5, va: 0.5, rotate: false,
               bold: false)
    }

    /// Splits text into lines that fit `width` at `size`.
    func wrap(_ text: String, size: Double, width: Double, mono: Bool = false) -> [String] {
        var out = [String]()
        for para in text.components(separatedBy: "\n") {
            var line = ""
            for word in para.split(separator: " ", omittingEmptySubsequences: false) {
                let candidate = line.isEmpty ? String(word) : line + " " + word
                if r.textWidth(candidate, size: size) > width && !line.isEmpty {
                    out.append(line); line = String(word)
                } else { line = candidate }
                // Hard-break words longer than the column.
                while r.textWidth(line, size: size) > width && line.count > 1 {
                    var cut = line.count
                    while cut > 1 && r.textWidth(String(line.prefix(cut)), size: size) > width { cut = cut * 3 / 4 }
                    out.append(String(line.prefix(cut))); line = String(line.dropFirst(cut))
                }
            }
            out.append(line)
        }
        return out
    }

    /// A heading; it starts a new page rather than sit in the last `keepWithNext` points of one.
    public func heading(_ text: String, size: Double = 16, keepWithNext: Double = 220) {
        ensure(size * 2.2 + keepWithNext)
        y += size * 0.4
        r.setColor(.black)
        for l in wrap(text, size: size, width: columnWidth) {
            r.text(l, margin, y, size: size, ha: 0, va: 0, rotate: false, bold: true)
            y += size * 1.3
        }
        y += size * 0.3
    }

    public func paragraph(_ text: String, size: Double = 10, color: Color = .black, bold: Bool = false) {
        let lh = size * 1.4
        for l in wrap(text, size: size, width: columnWidth) {
            ensure(lh)
            r.setColor(color)
            r.text(l, margin, y, size: size, ha: 0, va: 0, rotate: false, bold: bold)
            y += lh
        }
        y += size * 0.6
    }

    /// Draws a figure at its natural size, as a paper would set it (scaled down only when wider
    /// than the text column), its caption under it.
    public func figure(_ f: Figure, caption: String?) {
        let scale = min(1, columnWidth / f.width)
        let h = f.height * scale
        ensure(h + 30)
        cairo_save(cr)
        cairo_translate(cr, margin + (columnWidth - f.width * scale) / 2, y)
        cairo_scale(cr, scale, scale)
        f.draw(on: CairoRenderer(context: cr, fontFamily: f.style.fontFamily))
        cairo_restore(cr)
        y += h + 4
        if let caption { paragraph(caption, size: 8.5, color: Color(0.25, 0.25, 0.25)) } else { y += 8 }
    }

    /// Column widths and wrapped cells of a table.
    func layoutTable(headers: [String], rows: [[String]], size: Double) -> (widths: [Double], rows: [[[String]]]) {
        let n = max(headers.count, 1)
        let all = [headers] + rows
        // Headers are set bold, about 10% wider than the regular face measures them.
        func column(_ c: Int, _ width: (String) -> Double) -> Double {
            all.enumerated().map { i, row in row.indices.contains(c) ? width(row[c]) * (i == 0 ? 1.1 : 1) : 0 }.max() ?? 0
        }
        // Natural width: the longest cell (at most 220 pt); minimum: its longest word (at most
        // 110 pt), so a column is never narrower than "0.300" or "18.8%".
        let natural = (0..<n).map { c in column(c) { min(self.r.textWidth($0, size: size), 220) } }
        let minimum = (0..<n).map { c in
            min(natural[c], column(c) { cell in
                cell.split(separator: " ").map { min(self.r.textWidth(String($0), size: size), 110) }.max() ?? 0
            })
        }
        let avail = columnWidth - Double(n) * 8
        var widths = natural
        let sumNat = natural.reduce(0, +), sumMin = minimum.reduce(0, +)
        if sumNat > avail {
            if sumMin >= avail {
                widths = minimum.map { $0 * avail / max(sumMin, 1) }
            } else {
                // Every column gets its minimum; the rest of the width goes by what each lacks.
                let extra = avail - sumMin, want = sumNat - sumMin
                widths = (0..<n).map { minimum[$0] + (natural[$0] - minimum[$0]) * extra / max(want, 1) }
            }
        }
        let cells = ([headers] + rows).map { cells in
            (0..<n).map { c in wrap(cells.indices.contains(c) ? cells[c] : "", size: size, width: max(widths[c], 20)) }
        }
        return (widths, cells)
    }

    /// The height `table` will take (title, rows, spacing), for keeping blocks together.
    public func tableHeight(title: String, headers: [String], rows: [[String]], size: Double = 8) -> Double {
        let cells = layoutTable(headers: headers, rows: rows, size: size).rows
        let body = cells.map { Double($0.map(\.count).max() ?? 1) * size * 1.3 + 4 }.reduce(0, +)
        return paragraphHeight(title, size: size + 1) + body + 10
    }

    /// The height `paragraph` will take.
    public func paragraphHeight(_ text: String, size: Double = 10) -> Double {
        Double(wrap(text, size: size, width: columnWidth).count) * size * 1.4 + size * 0.6
    }

    /// The height available on an empty page.
    public var pageContentHeight: Double { pageHeight - 2 * margin }

    /// A table with wrapped cells; columns share the width by content.
    public func table(title: String, headers: [String], rows: [[String]], size: Double = 8) {
        paragraph(title, size: size + 1, bold: true)
        let (widths, cells) = layoutTable(headers: headers, rows: rows, size: size)
        func drawRow(_ wrapped: [[String]], bold: Bool) {
            let lines = wrapped.map(\.count).max() ?? 1
            let h = Double(lines) * size * 1.3 + 4
            ensure(h)
            var x = margin
            r.setColor(.black)
            for c in 0..<wrapped.count {
                for (i, l) in wrapped[c].enumerated() {
                    r.text(l, x, y + 2 + Double(i) * size * 1.3, size: size, ha: 0, va: 0, rotate: false, bold: bold)
                }
                x += widths[c] + 8
            }
            y += h
            r.setColor(.light); r.setLine(width: 0.5, dash: [])
            r.move(margin, y - 1); r.line(margin + columnWidth, y - 1); r.stroke()
        }
        for (i, row) in cells.enumerated() { drawRow(row, bold: i == 0) }
        y += 10
    }

    public func finish() throws {
        footer()
        cairo_destroy(cr)
        cairo_surface_finish(surface)
        let st = cairo_surface_status(surface)
        cairo_surface_destroy(surface)
        if st != CAIRO_STATUS_SUCCESS { throw ChartError("\(path): cannot write the PDF") }
    }
}
