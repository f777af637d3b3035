import CCairo
import Foundation

/// The drawing interface charts use (points, origin top-left). One backend: Cairo.
public protocol Renderer: AnyObject {
    func setColor(_ c: Color)
    func setLine(width: Double, dash: [Double])
    func move(_ x: Double, _ y: Double)
    func line(_ x: Double, _ y: Double)
    func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double)
    func circle(_ x: Double, _ y: Double, _ r: Double)
    func close()
    func stroke()
    func fill()
    /// Draws text with its anchor at (x, y): ha 0 left / 0.5 centre / 1 right; va likewise (0 top).
    func text(_ s: String, _ x: Double, _ y: Double, size: Double, ha: Double, va: Double, rotate: Bool, bold: Bool)
    func textWidth(_ s: String, size: Double) -> Double
    func save()
    func restore()
    func clip(_ x: Double, _ y: Double, _ w: Double, _ h: Double)
}

public final class CairoRenderer: Renderer {
    let cr: OpaquePointer
    let family: String

    public init(context: OpaquePointer, fontFamily: String) { cr = context; family = fontFamily }

    public func setColor(_ c: Color) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a) }
    public func setLine(width: Double, dash: [Double]) {
        cairo_set_line_width(cr, width)
        cairo_set_dash(cr, dash, Int32(dash.count), 0)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
    }
    public func move(_ x: Double, _ y: Double) { cairo_move_to(cr, x, y) }
    public func line(_ x: Double, _ y: Double) { cairo_line_to(cr, x, y) }
    public func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double) { cairo_rectangle(cr, x, y, w, h) }
    public func circle(_ x: Double, _ y: Double, _ r: Double) {
        cairo_new_sub_path(cr); cairo_arc(cr, x, y, r, 0, 2 * .pi)
    }
    public func close() { cairo_close_path(cr) }
    public func stroke() { cairo_stroke(cr) }
    public func fill() { cairo_fill(cr) }
    public func save() { cairo_save(cr) }
    public func restore() { cairo_restore(cr) }
    public func clip(_ x: Double, _ y: Double, _ w: Double, _ h: Double) {
        cairo_rectangle(cr, x, y, w, h); cairo_clip(cr)
    }

    func font(size: Double, bold: Bool) {
        cairo_select_font_face(cr, family, CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
    }
    public func textWidth(_ s: String, size: Double) -> Double {
        font(size: size, bold: false)
        var e = cairo_text_extents_t()
        cairo_text_extents(cr, s, &e)
        return e.x_advance
    }
    public func text(_ s: String, _ x: Double, _ y: Double, size: Double, ha: Double, va: Double, rotate: Bool,
                     bold: Bool) {
        font(size: size, bold: bold)
        var e = cairo_text_extents_t()
        cairo_text_extents(cr, s, &e)
        var fe = cairo_font_extents_t()
        cairo_font_extents(cr, &fe)
        cairo_save(cr)
        cairo_translate(cr, x, y)
        if rotate { cairo_rotate(cr, -.pi / 2) }
        // Vertical anchor on the font's ascent so labels of one row align.
        let h = fe.ascent * 0.8
        cairo_move_to(cr, -ha * e.x_advance, h * (1 - va))
        cairo_show_text(cr, s)
        cairo_restore(cr)
    }
}

/// Output formats for a figure.
public enum ChartFormat: String, Sendable, CaseIterable { case png, svg, pdf }

extension Figure {
    /// Writes the figure as PNG (at `dpi`), SVG (text kept as text) or PDF (vector, TrueType
    /// fonts embedded). The PDF page and the SVG canvas are the figure's size exactly, so an
    /// exported figure drops into LaTeX at the width its style states.
    public func write(to path: String, format: ChartFormat, dpi: Double = 300) throws {
        let w = width, h = height
        if format == .svg {
            do { try svg(idPrefix: "rb").write(toFile: path, atomically: true, encoding: .utf8) } catch {
                throw ChartError("\(path): cannot write the svg (\(error.localizedDescription))")
            }
            return
        }
        let surface: OpaquePointer?
        switch format {
        case .png:
            surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32((w * dpi / 72).rounded()),
                                                 Int32((h * dpi / 72).rounded()))
        default:
            surface = cairo_pdf_surface_create(path, w, h)
        }
        guard let surface, cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw ChartError("\(path): cannot create the \(format.rawValue) surface")
        }
        let cr = cairo_create(surface)!
        if format == .png { cairo_scale(cr, dpi / 72, dpi / 72) }
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        draw(on: CairoRenderer(context: cr, fontFamily: style.fontFamily))
        cairo_destroy(cr)
        if format == .png {
            let st = cairo_surface_write_to_png(surface, path)
            cairo_surface_destroy(surface)
            if st != CAIRO_STATUS_SUCCESS { throw ChartError("\(path): cannot write the PNG") }
        } else {
            cairo_surface_finish(surface)
            let st = cairo_surface_status(surface)
            cairo_surface_destroy(surface)
            if st != CAIRO_STATUS_SUCCESS { throw ChartError("\(path): cannot write the \(format.rawValue)") }
        }
    }

    /// The figure as an SVG document whose ids start with `idPrefix`.
    public func svg(idPrefix: String) -> String {
        let r = SVGRenderer(fontFamily: style.fontFamily, idPrefix: idPrefix)
        draw(on: r)
        return r.svg(width: width, height: height)
    }

    /// SVG text with ids prefixed, so several figures can be inlined in one HTML page.
    public func inlineSVG(id prefix: String) throws -> String { svg(idPrefix: prefix) }
}
