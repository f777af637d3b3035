import Foundation

/// Paints legend entries (swatch, then label) in the box the layout chose, on a translucent
/// white background.
struct LegendPainter {
    let style: Style
    let r: Renderer

    var fs: Double { style.fontSize }

    func paint(_ items: [LegendEntry], in box: LegendBox) {
        r.setColor(Color.white.alpha(0.85)); r.rect(box.x, box.y, box.width, box.height); r.fill()
        for (i, it) in items.enumerated() {
            let y = box.y + fs * 0.25 + (Double(i) + 0.5) * fs * 1.25
            r.setColor(it.color)
            swatch(it.swatch, x: box.x, y: y)
            r.setColor(.black)
            r.text(it.label, box.x + fs * 2.0, y, size: fs * 0.9, ha: 0, va: 0.5, rotate: false, bold: false)
        }
    }

    /// The swatch of an entry whose row is centred on `y`, in a legend whose left edge is `x`.
    func swatch(_ s: Swatch, x: Double, y: Double) {
        switch s {
        case .line, .dashed:
            r.setLine(width: style.lineWidth, dash: s == .dashed ? [3, 2] : [])
            r.move(x + 3, y); r.line(x + fs * 1.6, y); r.stroke()
        case .marker:
            r.circle(x + 3 + fs * 0.65, y, style.markerSize * 1.2); r.fill()
        case .box:
            r.rect(x + 3 + fs * 0.2, y - fs * 0.4, fs * 0.9, fs * 0.8); r.fill()
        }
    }
}
