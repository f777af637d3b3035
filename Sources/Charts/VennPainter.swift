import Foundation

/// Paints a two-set Venn diagram from its layout: translucent circles, the three counts, the
/// set names below, "neither" in the corner, and the title.
struct VennPainter {
    let ax: Axes
    let style: Style
    let r: Renderer
    let l: VennLayout

    var fs: Double { style.fontSize }

    func paint() {
        let (ca, cb, cx, cy, rad) = (l.ca, l.cb, l.cx, l.cy, l.rad)
        let s = l.slot
        r.setColor(style.color(0).alpha(0.35)); r.circle(ca, cy, rad); r.fill()
        r.setColor(style.color(1).alpha(0.35)); r.circle(cb, cy, rad); r.fill()
        r.setColor(.black)
        count(l.onlyA, x: ca - rad * 0.5, y: cy)
        count(l.both, x: cx, y: cy)
        count(l.onlyB, x: cb + rad * 0.5, y: cy)
        r.text(l.a, ca - rad * 0.3, cy + rad + 3, size: fs, ha: 0.5, va: 0, rotate: false, bold: false)
        r.text(l.b, cb + rad * 0.3, cy + rad + 3, size: fs, ha: 0.5, va: 0, rotate: false, bold: false)
        r.text("neither: \(l.neither)", s.x0 + s.w - 4, s.y0 + s.h - 3, size: fs * 0.9, ha: 1, va: 1, rotate: false,
               bold: false)
        if let t = ax.title {
            r.text(t, s.x0 + s.w / 2, s.y0 + 3, size: style.titleSize, ha: 0.5, va: 0, rotate: false, bold: true)
        }
    }

    func count(_ n: Int, x: Double, y: Double) {
        r.text("\(n)", x, y, size: fs * 1.2, ha: 0.5, va: 0.5, rotate: false, bold: true)
    }
}
