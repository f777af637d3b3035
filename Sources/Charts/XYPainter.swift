import Foundation

/// Paints an x-y plot from its layout: grid and ticks, the artists clipped to the plot area,
/// spines and labels, then the legend.
struct XYPainter {
    let ax: Axes
    let style: Style
    let r: Renderer
    let l: XYLayout

    var fs: Double { style.fontSize }
    func tx(_ v: Double) -> Double { l.tx(v) }
    func ty(_ v: Double) -> Double { l.ty(v) }

    func paint() {
        let a = l.area
        paintGridAndTicks()
        r.save()
        r.clip(a.left, a.top - 2, l.pw, l.ph + 4)
        for artist in ax.artists { paint(artist) }
        r.restore()
        // Spines, labels, title.
        r.setColor(.black); r.setLine(width: style.axisWidth, dash: [])
        r.move(a.left, a.top); r.line(a.left, a.bottom); r.line(a.right, a.bottom); r.stroke()
        paintTitles(ax, style: style, slot: l.slot, area: a, on: r)
        if let box = l.legendBox { LegendPainter(style: style, r: r).paint(l.legend, in: box) }
    }

    func paintGridAndTicks() {
        let a = l.area
        r.setLine(width: style.axisWidth * 0.6, dash: [])
        for (v, _) in l.yTicks {
            if style.grid { r.setColor(.light); r.move(a.left, ty(v)); r.line(a.right, ty(v)); r.stroke() }
        }
        r.setColor(.black)
        for (v, s) in l.xTicks {
            r.setLine(width: style.axisWidth, dash: [])
            r.move(tx(v), a.bottom); r.line(tx(v), a.bottom + 3); r.stroke()
            r.text(s, tx(v), a.bottom + 4, size: fs, ha: 0.5, va: 0, rotate: false, bold: false)
        }
        for (v, s) in l.yTicks {
            r.move(a.left - 3, ty(v)); r.line(a.left, ty(v)); r.stroke()
            r.text(s, a.left - 4, ty(v), size: fs, ha: 1, va: 0.5, rotate: false, bold: false)
        }
    }

    func paint(_ artist: Artist) {
        switch artist {
        case let .band(xs, lo, hi, c): band(xs, lo, hi, c)
        case let .line(xs, ys, _, c, dashed, markers): line(xs, ys, c, dashed: dashed, markers: markers)
        case let .step(xs, ys, _, c): step(xs, ys, c)
        case let .scatter(xs, ys, _, c):
            r.setColor(style.color(c).alpha(0.75))
            for (x, y) in zip(xs, ys) { Marker.draw(c, tx(x), ty(y), style.markerSize * 1.2, on: r) }
        case let .errorBars(xs, _, lo, hi, c): errorBars(xs, lo, hi, c)
        case let .bars(series, stacked): bars(series, stacked: stacked)
        case let .histogram(edges, counts, _, c): histogram(edges, counts, c)
        case let .vline(x, label): vline(x, label)
        case let .hline(y, label): hline(y, label)
        case let .text(x, y, s):
            r.setColor(.black); r.text(s, tx(x), ty(y), size: fs * 0.9, ha: 0.5, va: 1, rotate: false, bold: false)
        default: break
        }
    }

    /// Adds a polyline through (xs, ys) to the path.
    func polyline(_ xs: [Double], _ ys: [Double]) {
        for (i, x) in xs.enumerated() { i == 0 ? r.move(tx(x), ty(ys[i])) : r.line(tx(x), ty(ys[i])) }
    }

    func band(_ xs: [Double], _ lo: [Double], _ hi: [Double], _ c: Int) {
        r.setColor(style.color(c).alpha(0.18))
        polyline(xs, hi)
        for (i, x) in xs.enumerated().reversed() { r.line(tx(x), ty(lo[i])) }
        r.close(); r.fill()
    }

    /// Lines with more points than this draw no markers.
    static let maxMarkers = 40

    func line(_ xs: [Double], _ ys: [Double], _ c: Int, dashed: Bool, markers: Bool) {
        r.setColor(style.color(c))
        r.setLine(width: style.lineWidth, dash: style.dash(series: c, dashed: dashed))
        polyline(xs, ys)
        r.stroke()
        if markers && xs.count <= Self.maxMarkers {
            for (x, y) in zip(xs, ys) { Marker.draw(c, tx(x), ty(y), style.markerSize, on: r) }
        }
    }

    func step(_ xs: [Double], _ ys: [Double], _ c: Int) {
        r.setColor(style.color(c)); r.setLine(width: style.lineWidth, dash: style.dash(series: c, dashed: false))
        for (i, x) in xs.enumerated() {
            if i == 0 { r.move(tx(x), ty(ys[i])) } else { r.line(tx(x), ty(ys[i - 1])); r.line(tx(x), ty(ys[i])) }
        }
        r.stroke()
    }

    func errorBars(_ xs: [Double], _ lo: [Double], _ hi: [Double], _ c: Int) {
        r.setColor(style.color(c)); r.setLine(width: style.axisWidth, dash: [])
        for (i, x) in xs.enumerated() {
            r.move(tx(x), ty(lo[i])); r.line(tx(x), ty(hi[i]))
            r.move(tx(x) - 2, ty(lo[i])); r.line(tx(x) + 2, ty(lo[i]))
            r.move(tx(x) - 2, ty(hi[i])); r.line(tx(x) + 2, ty(hi[i]))
        }
        r.stroke()
    }

    /// Bars centred on the categories: series side by side in a group, or stacked.
    func bars(_ series: [(label: String, values: [Double])], stacked: Bool) {
        let groupW = 0.8
        var base = [Double](repeating: 0, count: series.first?.values.count ?? 0)
        for (si, s) in series.enumerated() {
            r.setColor(style.color(si))
            for (i, v) in s.values.enumerated() {
                let bx: Double, bw: Double, b0: Double
                if stacked {
                    bx = Double(i) - groupW / 2; bw = groupW; b0 = base[i]; base[i] += v
                } else {
                    bw = groupW / Double(series.count); bx = Double(i) - groupW / 2 + Double(si) * bw; b0 = 0
                }
                r.rect(tx(bx), ty(b0 + v), tx(bx + bw) - tx(bx), ty(b0) - ty(b0 + v)); r.fill()
            }
        }
    }

    func histogram(_ edges: [Double], _ counts: [Double], _ c: Int) {
        r.setColor(style.color(c).alpha(0.85))
        for (i, v) in counts.enumerated() where v > 0 {
            let a = tx(edges[i]), b = tx(edges[i + 1])
            r.rect(a + 0.4, ty(v), max(b - a - 0.8, 0.5), ty(0) - ty(v)); r.fill()
        }
    }

    func vline(_ x: Double, _ label: String?) {
        let a = l.area
        r.setColor(.grey); r.setLine(width: style.axisWidth, dash: [2, 2])
        r.move(tx(x), a.top); r.line(tx(x), a.bottom); r.stroke()
        if let label {
            r.setColor(.black)
            r.text(label, tx(x) + 2, a.top + 1, size: fs * 0.9, ha: 0, va: 0, rotate: false, bold: false)
        }
    }

    func hline(_ y: Double, _ label: String?) {
        let a = l.area
        r.setColor(.grey); r.setLine(width: style.axisWidth, dash: [2, 2])
        r.move(a.left, ty(y)); r.line(a.right, ty(y)); r.stroke()
        if let label {
            r.setColor(.black)
            r.text(label, a.right - 2, ty(y) - 2, size: fs * 0.9, ha: 1, va: 1, rotate: false, bold: false)
        }
    }
}

/// The axes title above the plot area, the x label below it and the rotated y label at the
/// slot's left edge (x-y plots and heatmaps).
func paintTitles(_ ax: Axes, style: Style, slot: Slot, area: PlotArea, on r: Renderer) {
    let fs = style.fontSize, mid = (area.left + area.right) / 2
    if let t = ax.title {
        // Kept inside its slot (side-by-side panels): set smaller when wider than the slot, moved
        // off the plot's centre when it would cross an edge. Bold runs about 8% wider than measured.
        let natural = r.textWidth(t, size: style.titleSize) * 1.08
        let size = min(style.titleSize, style.titleSize * (slot.w - 6) / max(natural, 1))
        let half = natural * size / style.titleSize / 2
        let x = min(max(mid, slot.x0 + 3 + half), slot.x0 + slot.w - 3 - half)
        r.text(t, x, slot.y0 + 3, size: size, ha: 0.5, va: 0, rotate: false, bold: true)
    }
    if let xl = ax.xLabel {
        r.text(xl, mid, slot.y0 + slot.h - 2, size: fs, ha: 0.5, va: 1, rotate: false, bold: false)
    }
    if let yl = ax.yLabel {
        r.text(yl, slot.x0 + 2, (area.top + area.bottom) / 2, size: fs, ha: 0.5, va: 0, rotate: true, bold: false)
    }
}
