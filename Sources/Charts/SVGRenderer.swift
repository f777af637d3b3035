import CCairo
import Foundation

/// Writes SVG by hand so that text stays text (`<text>` elements a reader can select, search
/// and restyle; Cairo's SVG surface turns glyphs into outlines). Text is measured with Cairo on
/// the same font, so the layout is the one the PDF and PNG get. Ids carry a prefix, so several
/// figures can be inlined in one HTML page; the same figure gives the same bytes every time.
public final class SVGRenderer: Renderer {
    struct State {
        var color = Color.black
        var width = 1.0
        var dash = [Double]()
        /// `<g>` elements opened (clips) since this state was saved.
        var groups = 0
    }

    let family: String
    let prefix: String
    let measure: CairoMeasure
    var state = State()
    var stack = [State]()
    var path = ""
    var defs = [String]()
    var body = [String]()
    var clips = 0

    public init(fontFamily: String, idPrefix: String = "rb") {
        family = fontFamily; prefix = idPrefix
        measure = CairoMeasure(fontFamily: fontFamily)
    }

    static func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    static func rgb(_ c: Color) -> String {
        func b(_ v: Double) -> Int { Int((min(max(v, 0), 1) * 255).rounded()) }
        return String(format: "#%02x%02x%02x", b(c.r), b(c.g), b(c.b))
    }

    /// Escapes text for element content and attribute values.
    public static func escape(_ s: String) -> String {
        var o = ""
        o.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default: o.append(ch)
            }
        }
        return o
    }

    public func setColor(_ c: Color) { state.color = c }
    public func setLine(width: Double, dash: [Double]) { state.width = width; state.dash = dash }
    public func move(_ x: Double, _ y: Double) { path += "M\(Self.n(x)) \(Self.n(y))" }
    public func line(_ x: Double, _ y: Double) { path += "L\(Self.n(x)) \(Self.n(y))" }
    public func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double) {
        path += "M\(Self.n(x)) \(Self.n(y))h\(Self.n(w))v\(Self.n(h))h\(Self.n(-w))Z"
    }
    public func circle(_ x: Double, _ y: Double, _ r: Double) {
        path += "M\(Self.n(x + r)) \(Self.n(y))A\(Self.n(r)) \(Self.n(r)) 0 1 0 \(Self.n(x - r)) \(Self.n(y))"
            + "A\(Self.n(r)) \(Self.n(r)) 0 1 0 \(Self.n(x + r)) \(Self.n(y))Z"
    }
    public func close() { path += "Z" }

    var opacity: (String) -> String {
        let a = state.color.a
        return { attr in a < 1 ? " \(attr)-opacity=\"\(Self.n(a))\"" : "" }
    }

    public func stroke() {
        guard !path.isEmpty else { return }
        var e = "<path d=\"\(path)\" fill=\"none\" stroke=\"\(Self.rgb(state.color))\"\(opacity("stroke"))"
            + " stroke-width=\"\(Self.n(state.width))\" stroke-linejoin=\"round\""
        if !state.dash.isEmpty { e += " stroke-dasharray=\"\(state.dash.map(Self.n).joined(separator: " "))\"" }
        body.append(e + "/>")
        path = ""
    }

    public func fill() {
        guard !path.isEmpty else { return }
        body.append("<path d=\"\(path)\" fill=\"\(Self.rgb(state.color))\"\(opacity("fill"))/>")
        path = ""
    }

    public func save() { stack.append(state); state.groups = 0 }
    public func restore() {
        for _ in 0..<state.groups { body.append("</g>") }
        state = stack.popLast() ?? State()
    }
    public func clip(_ x: Double, _ y: Double, _ w: Double, _ h: Double) {
        clips += 1
        let id = "\(prefix)-clip\(clips)"
        defs.append("<clipPath id=\"\(id)\"><rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(w))\" "
                    + "height=\"\(Self.n(h))\"/></clipPath>")
        body.append("<g clip-path=\"url(#\(id))\">")
        state.groups += 1
        path = ""
    }

    public func textWidth(_ s: String, size: Double) -> Double { measure.width(s, size: size, bold: false) }

    public func text(_ s: String, _ x: Double, _ y: Double, size: Double, ha: Double, va: Double, rotate: Bool,
                     bold: Bool) {
        let w = measure.width(s, size: size, bold: bold), h = measure.ascent(size: size, bold: bold) * 0.8
        let dx = -ha * w, dy = h * (1 - va)
        var e = "<text"
        if rotate {
            e += " transform=\"translate(\(Self.n(x)) \(Self.n(y))) rotate(-90)\" x=\"\(Self.n(dx))\" y=\"\(Self.n(dy))\""
        } else {
            e += " x=\"\(Self.n(x + dx))\" y=\"\(Self.n(y + dy))\""
        }
        e += " font-size=\"\(Self.n(size))\""
        if bold { e += " font-weight=\"bold\"" }
        if state.color != .black { e += " fill=\"\(Self.rgb(state.color))\"\(opacity("fill"))" }
        body.append(e + ">\(Self.escape(s))</text>")
    }

    /// The document: `width` x `height` points.
    public func svg(width: Double, height: Double) -> String {
        var o = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))pt\" height=\"\(Self.n(height))pt\""
            + " viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" font-family=\"\(Self.escape(family)), sans-serif\">\n"
        if !defs.isEmpty { o += "<defs>\n" + defs.joined(separator: "\n") + "\n</defs>\n" }
        o += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        o += body.joined(separator: "\n")
        // Groups left open by an unbalanced save (none in practice).
        for _ in 0..<(state.groups + stack.reduce(0) { $0 + $1.groups }) { o += "\n</g>" }
        return o + "\n</svg>\n"
    }
}

/// Text metrics from Cairo (a 1x1 image surface), the same the PDF and PNG are drawn with.
final class CairoMeasure {
    let surface: OpaquePointer
    let cr: OpaquePointer
    let family: String

    init(fontFamily: String) {
        family = fontFamily
        surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1)
        cr = cairo_create(surface)
    }
    deinit { cairo_destroy(cr); cairo_surface_destroy(surface) }

    func font(_ size: Double, _ bold: Bool) {
        cairo_select_font_face(cr, family, CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
    }
    func width(_ s: String, size: Double, bold: Bool) -> Double {
        font(size, bold)
        var e = cairo_text_extents_t()
        cairo_text_extents(cr, s, &e)
        return e.x_advance
    }
    func ascent(size: Double, bold: Bool) -> Double {
        font(size, bold)
        var fe = cairo_font_extents_t()
        cairo_font_extents(cr, &fe)
        return fe.ascent
    }
}
