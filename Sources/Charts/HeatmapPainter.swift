import Foundation

/// Paints a heatmap from its layout: cells (light grey where there is no data), optional cell
/// labels, column and row labels, the colour bar with its ticks, then the titles.
struct HeatmapPainter {
    let ax: Axes
    let style: Style
    let r: Renderer
    let l: HeatmapLayout

    var fs: Double { style.fontSize }

    func paint() {
        let a = l.area
        paintCells()
        r.setColor(.black)
        for (j, c) in l.columns.enumerated() {
            r.text(c, a.left + (Double(j) + 0.5) * l.cw, a.bottom + 3, size: fs, ha: 0.5, va: 0, rotate: false,
                   bold: false)
        }
        for (i, s) in l.rows.enumerated() {
            r.text(s, a.left - 4, a.top + (Double(i) + 0.5) * l.ch, size: fs, ha: 1, va: 0.5, rotate: false,
                   bold: false)
        }
        paintColorbar()
        paintTitles(ax, style: style, slot: l.slot, area: a, on: r)
        if !l.colorbarLabel.isEmpty {
            r.text(l.colorbarLabel, l.cbx + l.cbW + l.cbText + 2, (a.top + a.bottom) / 2, size: fs * 0.9, ha: 0.5,
                   va: 0, rotate: true, bold: false)
        }
    }

    func paintCells() {
        let (lo, hi, cw, ch) = (l.lo, l.hi, l.cw, l.ch)
        for (i, row) in l.values.enumerated() {
            for (j, v) in row.enumerated() {
                let x = l.area.left + Double(j) * cw, y = l.area.top + Double(i) * ch
                guard let v else { r.setColor(.light); r.rect(x, y, cw, ch); r.fill(); continue }
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                r.setColor(Color.sequential(t)); r.rect(x, y, cw - 0.5, ch - 0.5); r.fill()
                if l.cellLabels {
                    r.setColor(t > 0.6 ? .black : .white)
                    r.text(Ticks.label(v, percent: ax.percentY, digits: 1), x + cw / 2, y + ch / 2, size: fs * 0.9,
                           ha: 0.5, va: 0.5, rotate: false, bold: false)
                }
            }
        }
    }

    /// The colour bar: 48 bands from the bottom up, then its tick labels.
    func paintColorbar() {
        let (top, bottom) = (l.area.top, l.area.bottom)
        let steps = 48
        for k in 0..<steps {
            let t = Double(k) / Double(steps - 1)
            r.setColor(Color.sequential(t))
            let y = bottom - (bottom - top) * Double(k + 1) / Double(steps)
            r.rect(l.cbx, y, l.cbW, (bottom - top) / Double(steps) + 0.3); r.fill()
        }
        r.setColor(.black)
        for (y, s) in l.colorbarTicks {
            r.text(s, l.cbx + l.cbW + 2, y, size: fs * 0.85, ha: 0, va: 0.5, rotate: false, bold: false)
        }
    }
}
