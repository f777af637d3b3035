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
        case let .line(dash, marker):
            r.setLine(width: style.lineWidth, dash: dash)
            r.move(x + 3, y); r.line(x + fs * 1.6, y); r.stroke()
            if let marker { Marker.draw(marker, x + 3 + fs * 0.65, y, style.markerSize, on: r) }
        case let .marker(shape):
            Marker.draw(shape, x + 3 + fs * 0.65, y, style.markerSize * 1.2, on: r)
        case .box:
            r.rect(x + 3 + fs * 0.2, y - fs * 0.4, fs * 0.9, fs * 0.8); r.fill()
        }
    }
}

/// Marker shapes by series: circle, square, triangle, diamond, inverted triangle, pentagon
/// (filled), so series differ by shape as well as colour and survive greyscale printing.
enum Marker {
    static func draw(_ series: Int, _ x: Double, _ y: Double, _ size: Double, on r: Renderer) {
        func polygon(_ n: Int, _ radius: Double, _ start: Double) {
            for i in 0..<n {
                let a = start + 2 * .pi * Double(i) / Double(n)
                let px = x + radius * cos(a), py = y + radius * sin(a)
                i == 0 ? r.move(px, py) : r.line(px, py)
            }
            r.close()
        }
        switch series % 6 {
        case 0: r.circle(x, y, size)
        case 1: r.rect(x - size * 0.9, y - size * 0.9, size * 1.8, size * 1.8)
        case 2: polygon(3, size * 1.25, -.pi / 2)
        case 3: polygon(4, size * 1.25, -.pi / 2)
        case 4: polygon(3, size * 1.25, .pi / 2)
        default: polygon(5, size * 1.15, -.pi / 2)
        }
        r.fill()
    }
}
