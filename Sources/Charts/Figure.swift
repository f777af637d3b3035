import Foundation

/// Lays out and paints one Axes inside its slot.
struct AxesPainter {
    let ax: Axes
    let style: Style
    let r: Renderer
    let x0, y0, w, h: Double

    var fs: Double { style.fontSize }

    func paint() {
        for a in ax.artists {
            if case let .venn(a, b, oa, ob, both, neither) = a { return venn(a, b, oa, ob, both, neither) }
            if case let .heatmap(v, rows, labels, cb, range) = a { return heatmap(v, rows, labels, cb, range) }
        }
        xy()
    }

    // MARK: data ranges

    func ranges() -> (x: (Double, Double), y: (Double, Double)) {
        var xs = [Double](), ys = [Double]()
        for a in ax.artists {
            switch a {
            case let .line(x, y, _, _, _, _), let .scatter(x, y, _, _), let .step(x, y, _, _): xs += x; ys += y
            case let .band(x, lo, hi, _): xs += x; ys += lo + hi
            case let .errorBars(x, y, lo, hi, _): xs += x; ys += y + lo + hi
            case let .bars(series, stacked):
                let n = ax.categories?.count ?? series.first?.values.count ?? 0
                xs += [-0.5, Double(n) - 0.5]
                ys.append(0)
                if stacked { ys += (0..<n).map { i in series.reduce(0) { $0 + ($1.values.indices.contains(i) ? $1.values[i] : 0) } } }
                else { ys += series.flatMap(\.values) }
            case let .histogram(edges, counts, _, _): xs += edges; ys += counts + [0]
            case let .vline(x, _): xs.append(x)
            case let .hline(y, _): ys.append(y)
            case let .text(x, y, _): xs.append(x); ys.append(y)
            default: break
            }
        }
        func span(_ v: [Double], _ scale: Scale) -> (Double, Double) {
            let f = v.filter { $0.isFinite && (scale == .linear || $0 > 0) }
            guard var lo = f.min(), var hi = f.max() else { return (0, 1) }
            if lo == hi { lo -= scale == .log2 ? lo / 2 : 0.5; hi += scale == .log2 ? hi : 0.5 }
            return (lo, hi)
        }
        var x = ax.xLimits ?? span(xs, ax.xScale), y = ax.yLimits ?? span(ys, ax.yScale)
        if ax.yLimits == nil && ax.yScale == .linear { let pad = (y.1 - y.0) * 0.05; y = (y.0 - (y.0 == 0 ? 0 : pad), y.1 + pad) }
        if ax.xLimits == nil && ax.categories == nil && ax.xScale == .linear && xs.count > 1 { let pad = (x.1 - x.0) * 0.03; x = (x.0 - pad, x.1 + pad) }
        return (x, y)
    }

    // MARK: x-y plots

    func xy() {
        var (xr, yr) = ranges()
        // Make headroom for the legend when every corner of the plot holds data.
        let entries = legendEntries()
        if ax.legend && !entries.isEmpty && ax.yLimits == nil && ax.yScale == .linear {
            let (lw, lh) = legendSize(entries)
            let pwEst = w - fs * 5 - 16, phEst = h - (ax.title == nil ? 6 : style.titleSize * 1.9) - fs * 3.0
            let lwF = (lw + 6) / pwEst, lhF = (lh + 4) / phEst
            let (xr0, yr0) = (xr, yr)
            let fx: (Double) -> Double = { ax.categories != nil ? ($0 - xr0.0) / (xr0.1 - xr0.0) : Ticks.fraction($0, xr0, ax.xScale) }
            if lhF < 0.6, cornerHits(fx: fx, fy: { Ticks.fraction($0, yr0, .linear) }, lwF: lwF, lhF: lhF).allSatisfy({ $0.hits > 0 }) {
                yr.1 = yr.0 + (yr.1 - yr.0) / (1 - lhF)
            }
        }
        let yt = Ticks.values(yr.0, yr.1, scale: ax.yScale, count: 5)
        let ylabels = yt.map { Ticks.label($0, percent: ax.percentY) }
        let tickW = ylabels.map { r.textWidth($0, size: fs) }.max() ?? 0
        let left = x0 + (ax.yLabel == nil ? 4 : fs * 1.6) + tickW + 6
        let right = x0 + w - 6
        let top = y0 + (ax.title == nil ? 6 : style.titleSize * 1.9)
        let bottom = y0 + h - (ax.xLabel == nil ? fs * 1.6 : fs * 3.0)
        let pw = right - left, ph = bottom - top
        func tx(_ v: Double) -> Double {
            if ax.categories != nil { return left + (v - xr.0) / (xr.1 - xr.0) * pw }
            return left + Ticks.fraction(v, xr, ax.xScale) * pw
        }
        func ty(_ v: Double) -> Double { bottom - Ticks.fraction(v, yr, ax.yScale) * ph }

        // Grid and ticks.
        r.setLine(width: style.axisWidth * 0.6, dash: [])
        for v in yt {
            if style.grid { r.setColor(.light); r.move(left, ty(v)); r.line(right, ty(v)); r.stroke() }
        }
        var xt: [(Double, String)]
        if let cats = ax.categories {
            xt = cats.enumerated().map { (Double($0), $1) }
        } else {
            xt = Ticks.values(xr.0, xr.1, scale: ax.xScale, count: max(3, Int(pw / (fs * 4)))).map { ($0, Ticks.label($0, percent: false)) }
        }
        // Thin categorical labels that would collide.
        if let widest = xt.map({ r.textWidth($0.1, size: fs) }).max(), xt.count > 1 {
            let room = pw / Double(xt.count)
            let every = Int((widest + fs * 0.6) / max(room, 1)) + 1
            if every > 1 { xt = xt.enumerated().filter { $0.offset % every == 0 }.map(\.element) }
        }
        r.setColor(.black)
        for (v, s) in xt {
            r.setLine(width: style.axisWidth, dash: [])
            r.move(tx(v), bottom); r.line(tx(v), bottom + 3); r.stroke()
            r.text(s, tx(v), bottom + 4, size: fs, ha: 0.5, va: 0, rotate: false, bold: false)
        }
        for (v, s) in zip(yt, ylabels) {
            r.move(left - 3, ty(v)); r.line(left, ty(v)); r.stroke()
            r.text(s, left - 4, ty(v), size: fs, ha: 1, va: 0.5, rotate: false, bold: false)
        }

        // Artists, clipped to the plot area.
        r.save()
        r.clip(left, top - 2, pw, ph + 4)
        var legend = [(String, Color, Swatch)]()
        for a in ax.artists {
            switch a {
            case let .band(xs, lo, hi, c):
                r.setColor(style.color(c).alpha(0.18))
                for (i, x) in xs.enumerated() { i == 0 ? r.move(tx(x), ty(hi[i])) : r.line(tx(x), ty(hi[i])) }
                for (i, x) in xs.enumerated().reversed() { r.line(tx(x), ty(lo[i])) }
                r.close(); r.fill()
            case let .line(xs, ys, label, c, dashed, markers):
                r.setColor(style.color(c))
                r.setLine(width: style.lineWidth, dash: dashed ? [3, 2] : [])
                for (i, x) in xs.enumerated() { i == 0 ? r.move(tx(x), ty(ys[i])) : r.line(tx(x), ty(ys[i])) }
                r.stroke()
                if markers && xs.count <= 40 { for (x, y) in zip(xs, ys) { r.circle(tx(x), ty(y), style.markerSize); r.fill() } }
                if let label { legend.append((label, style.color(c), dashed ? .dashed : .line)) }
            case let .step(xs, ys, label, c):
                r.setColor(style.color(c)); r.setLine(width: style.lineWidth, dash: [])
                for (i, x) in xs.enumerated() {
                    if i == 0 { r.move(tx(x), ty(ys[i])) } else { r.line(tx(x), ty(ys[i - 1])); r.line(tx(x), ty(ys[i])) }
                }
                r.stroke()
                if let label { legend.append((label, style.color(c), .line)) }
            case let .scatter(xs, ys, label, c):
                r.setColor(style.color(c).alpha(0.75))
                for (x, y) in zip(xs, ys) { r.circle(tx(x), ty(y), style.markerSize * 1.2); r.fill() }
                if let label { legend.append((label, style.color(c), .marker)) }
            case let .errorBars(xs, _, lo, hi, c):
                r.setColor(style.color(c)); r.setLine(width: style.axisWidth, dash: [])
                for (i, x) in xs.enumerated() {
                    r.move(tx(x), ty(lo[i])); r.line(tx(x), ty(hi[i]))
                    r.move(tx(x) - 2, ty(lo[i])); r.line(tx(x) + 2, ty(lo[i]))
                    r.move(tx(x) - 2, ty(hi[i])); r.line(tx(x) + 2, ty(hi[i]))
                }
                r.stroke()
            case let .bars(series, stacked):
                let groupW = 0.8
                var base = [Double](repeating: 0, count: series.first?.values.count ?? 0)
                for (si, s) in series.enumerated() {
                    r.setColor(style.color(si))
                    for (i, v) in s.values.enumerated() {
                        let bx: Double, bw: Double, b0: Double
                        if stacked { bx = Double(i) - groupW / 2; bw = groupW; b0 = base[i]; base[i] += v }
                        else { bw = groupW / Double(series.count); bx = Double(i) - groupW / 2 + Double(si) * bw; b0 = 0 }
                        r.rect(tx(bx), ty(b0 + v), tx(bx + bw) - tx(bx), ty(b0) - ty(b0 + v)); r.fill()
                    }
                    if series.count > 1 || !s.label.isEmpty { legend.append((s.label, style.color(si), .box)) }
                }
            case let .histogram(edges, counts, label, c):
                r.setColor(style.color(c).alpha(0.85))
                for (i, v) in counts.enumerated() where v > 0 {
                    let a = tx(edges[i]), b = tx(edges[i + 1])
                    r.rect(a + 0.4, ty(v), max(b - a - 0.8, 0.5), ty(0) - ty(v)); r.fill()
                }
                if let label { legend.append((label, style.color(c), .box)) }
            case let .vline(x, label):
                r.setColor(.grey); r.setLine(width: style.axisWidth, dash: [2, 2])
                r.move(tx(x), top); r.line(tx(x), bottom); r.stroke()
                if let label { r.setColor(.black); r.text(label, tx(x) + 2, top + 1, size: fs * 0.9, ha: 0, va: 0, rotate: false, bold: false) }
            case let .hline(y, label):
                r.setColor(.grey); r.setLine(width: style.axisWidth, dash: [2, 2])
                r.move(left, ty(y)); r.line(right, ty(y)); r.stroke()
                if let label { r.setColor(.black); r.text(label, right - 2, ty(y) - 2, size: fs * 0.9, ha: 1, va: 1, rotate: false, bold: false) }
            case let .text(x, y, s):
                r.setColor(.black); r.text(s, tx(x), ty(y), size: fs * 0.9, ha: 0.5, va: 1, rotate: false, bold: false)
            default: break
            }
        }
        r.restore()

        // Spines, labels, title.
        r.setColor(.black); r.setLine(width: style.axisWidth, dash: [])
        r.move(left, top); r.line(left, bottom); r.line(right, bottom); r.stroke()
        if let t = ax.title { r.text(t, (left + right) / 2, y0 + 3, size: style.titleSize, ha: 0.5, va: 0, rotate: false, bold: true) }
        if let xl = ax.xLabel { r.text(xl, (left + right) / 2, y0 + h - 2, size: fs, ha: 0.5, va: 1, rotate: false, bold: false) }
        if let yl = ax.yLabel { r.text(yl, x0 + 2, (top + bottom) / 2, size: fs, ha: 0.5, va: 0, rotate: true, bold: false) }
        if ax.legend && !legend.isEmpty { drawLegend(legend, left: left, right: right, top: top, bottom: bottom, xr: xr, yr: yr, tx: tx, ty: ty) }
    }

    /// Data-space points that a legend should not cover (bars and histograms sampled over
    /// their area).
    func dataPoints() -> [(Double, Double)] {
        var points = [(Double, Double)]()
        for a in ax.artists {
            switch a {
            case let .line(xs, ys, _, _, _, _), let .scatter(xs, ys, _, _), let .step(xs, ys, _, _):
                points += zip(xs, ys).map { ($0, $1) }
            case let .band(xs, lo, hi, _): points += zip(xs, lo).map { ($0, $1) } + zip(xs, hi).map { ($0, $1) }
            case let .errorBars(xs, _, lo, hi, _): points += zip(xs, lo).map { ($0, $1) } + zip(xs, hi).map { ($0, $1) }
            case let .bars(series, stacked):
                let n = series.first?.values.count ?? 0
                for i in 0..<n {
                    let top = stacked ? series.reduce(0) { $0 + ($1.values.indices.contains(i) ? $1.values[i] : 0) }
                                      : series.map { $0.values.indices.contains(i) ? $0.values[i] : 0 }.max() ?? 0
                    for fx in stride(from: -0.4, through: 0.4, by: 0.1) {
                        for f in stride(from: 0.0, through: 1.0, by: 0.1) { points.append((Double(i) + fx, top * f)) }
                    }
                }
            case let .histogram(edges, counts, _, _):
                for (i, v) in counts.enumerated() {
                    for g in stride(from: 0.0, through: 1.0, by: 0.25) {
                        for f in stride(from: 0.0, through: 1.0, by: 0.1) { points.append((edges[i] + g * (edges[i + 1] - edges[i]), v * f)) }
                    }
                }
            default: break
            }
        }
        return points
    }

    /// Legend entries (label, colour, dashed) in drawing order.
    func legendEntries() -> [(String, Color, Swatch)] {
        var out = [(String, Color, Swatch)]()
        for a in ax.artists {
            switch a {
            case let .line(_, _, label, c, dashed, _): if let label { out.append((label, style.color(c), dashed ? .dashed : .line)) }
            case let .step(_, _, label, c): if let label { out.append((label, style.color(c), .line)) }
            case let .scatter(_, _, label, c): if let label { out.append((label, style.color(c), .marker)) }
            case let .histogram(_, _, label, c): if let label { out.append((label, style.color(c), .box)) }
            case let .bars(series, _):
                for (si, s) in series.enumerated() where series.count > 1 || !s.label.isEmpty { out.append((s.label, style.color(si), .box)) }
            default: break
            }
        }
        return out
    }

    func legendSize(_ items: [(String, Color, Swatch)]) -> (Double, Double) {
        ((items.map { r.textWidth($0.0, size: fs * 0.9) }.max() ?? 0) + fs * 2.4, Double(items.count) * fs * 1.25 + fs * 0.5)
    }

    /// Corners as (x, y) of the legend's top-left in plot-fraction space (y up), and how
    /// many data points each would cover.
    func cornerHits(fx: (Double) -> Double, fy: (Double) -> Double, lwF: Double, lhF: Double) -> [(corner: Int, hits: Int)] {
        let pts = dataPoints().map { (fx($0.0), fy($0.1)) }
        let boxes = [(1 - lwF, 1 - lhF), (0, 1 - lhF), (1 - lwF, 0), (0, 0)]
        return boxes.enumerated().map { i, b in
            (i, pts.filter { $0.0 >= b.0 - 0.01 && $0.0 <= b.0 + lwF + 0.01 && $0.1 >= b.1 - 0.01 && $0.1 <= b.1 + lhF + 0.01 }.count)
        }
    }

    /// Places the legend in the plot corner that covers the fewest data points.
    func drawLegend(_ items: [(String, Color, Swatch)], left: Double, right: Double, top: Double, bottom: Double,
                    xr: (Double, Double), yr: (Double, Double), tx: (Double) -> Double, ty: (Double) -> Double) {
        let (lw, lh) = legendSize(items)
        let pw = right - left, ph = bottom - top
        let hits = cornerHits(fx: { (tx($0) - left) / pw }, fy: { (bottom - ty($0)) / ph }, lwF: (lw + 6) / pw, lhF: (lh + 4) / ph)
        let pick = hits.min { $0.hits < $1.hits }!.corner
        let corners = [(right - lw - 2, top + 2), (left + 4, top + 2), (right - lw - 2, bottom - lh - 2), (left + 4, bottom - lh - 2)]
        let best = corners[pick]
        r.setColor(Color.white.alpha(0.85)); r.rect(best.0, best.1, lw, lh); r.fill()
        for (i, it) in items.enumerated() {
            let y = best.1 + fs * 0.25 + (Double(i) + 0.5) * fs * 1.25
            r.setColor(it.1)
            switch it.2 {
            case .line, .dashed:
                r.setLine(width: style.lineWidth, dash: it.2 == .dashed ? [3, 2] : [])
                r.move(best.0 + 3, y); r.line(best.0 + fs * 1.6, y); r.stroke()
            case .marker:
                r.circle(best.0 + 3 + fs * 0.65, y, style.markerSize * 1.2); r.fill()
            case .box:
                r.rect(best.0 + 3 + fs * 0.2, y - fs * 0.4, fs * 0.9, fs * 0.8); r.fill()
            }
            r.setColor(.black)
            r.text(it.0, best.0 + fs * 2.0, y, size: fs * 0.9, ha: 0, va: 0.5, rotate: false, bold: false)
        }
    }

    // MARK: heatmap

    func heatmap(_ values: [[Double?]], _ rows: [String], _ labels: Bool, _ cbLabel: String, _ range: (Double, Double)?) {
        let cols = ax.categories ?? (values.first ?? []).indices.map(String.init)
        let flat = values.flatMap { $0 }.compactMap { $0 }
        let lo = range?.0 ?? (flat.min() ?? 0), hi = range?.1 ?? (flat.max() ?? 1)
        let rowW = rows.map { r.textWidth($0, size: fs) }.max() ?? 0
        let left = x0 + (ax.yLabel == nil ? 4 : fs * 1.6) + rowW + 6
        let cbW = fs * 0.9, cbGap = fs * 0.8, cbText = r.textWidth(Ticks.label(hi, percent: ax.percentY), size: fs) + 4
        let cbTitle = cbLabel.isEmpty ? 0 : fs * 1.4
        let right = x0 + w - cbW - cbGap - cbText - cbTitle - 4
        let top = y0 + (ax.title == nil ? 6 : style.titleSize * 1.9)
        let bottom = y0 + h - (ax.xLabel == nil ? fs * 1.6 : fs * 3.0)
        let cw = (right - left) / Double(max(cols.count, 1)), ch = (bottom - top) / Double(max(rows.count, 1))
        for (i, row) in values.enumerated() {
            for (j, v) in row.enumerated() {
                let x = left + Double(j) * cw, y = top + Double(i) * ch
                guard let v else { r.setColor(.light); r.rect(x, y, cw, ch); r.fill(); continue }
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                r.setColor(Color.sequential(t)); r.rect(x, y, cw - 0.5, ch - 0.5); r.fill()
                if labels {
                    r.setColor(t > 0.6 ? .black : .white)
                    r.text(Ticks.label(v, percent: ax.percentY, digits: 1), x + cw / 2, y + ch / 2, size: fs * 0.9, ha: 0.5, va: 0.5, rotate: false, bold: false)
                }
            }
        }
        r.setColor(.black)
        for (j, c) in cols.enumerated() { r.text(c, left + (Double(j) + 0.5) * cw, bottom + 3, size: fs, ha: 0.5, va: 0, rotate: false, bold: false) }
        for (i, s) in rows.enumerated() { r.text(s, left - 4, top + (Double(i) + 0.5) * ch, size: fs, ha: 1, va: 0.5, rotate: false, bold: false) }
        // Colour bar.
        let cbx = right + cbGap
        let steps = 48
        for k in 0..<steps {
            let t = Double(k) / Double(steps - 1)
            r.setColor(Color.sequential(t))
            let y = bottom - (bottom - top) * Double(k + 1) / Double(steps)
            r.rect(cbx, y, cbW, (bottom - top) / Double(steps) + 0.3); r.fill()
        }
        r.setColor(.black)
        for v in Ticks.values(lo, hi, scale: .linear, count: 4) where v >= lo && v <= hi {
            let y = bottom - (hi > lo ? (v - lo) / (hi - lo) : 0) * (bottom - top)
            r.text(Ticks.label(v, percent: ax.percentY), cbx + cbW + 2, y, size: fs * 0.85, ha: 0, va: 0.5, rotate: false, bold: false)
        }
        if let t = ax.title { r.text(t, (left + right) / 2, y0 + 3, size: style.titleSize, ha: 0.5, va: 0, rotate: false, bold: true) }
        if let xl = ax.xLabel { r.text(xl, (left + right) / 2, y0 + h - 2, size: fs, ha: 0.5, va: 1, rotate: false, bold: false) }
        if let yl = ax.yLabel { r.text(yl, x0 + 2, (top + bottom) / 2, size: fs, ha: 0.5, va: 0, rotate: true, bold: false) }
        if !cbLabel.isEmpty {
            r.text(cbLabel, cbx + cbW + cbText + 2, (top + bottom) / 2, size: fs * 0.9, ha: 0.5, va: 0, rotate: true, bold: false)
        }
    }

    // MARK: Venn

    func venn(_ a: String, _ b: String, _ oa: Int, _ ob: Int, _ both: Int, _ neither: Int) {
        let top = y0 + (ax.title == nil ? 6 : style.titleSize * 1.9)
        let cy = (top + y0 + h - fs * 2.2) / 2
        let rad = min(w * 0.22, (y0 + h - top - fs * 2.5) / 2)
        let cx = x0 + w / 2
        let ca = cx - rad * 0.55, cb = cx + rad * 0.55
        r.setColor(style.color(0).alpha(0.35)); r.circle(ca, cy, rad); r.fill()
        r.setColor(style.color(1).alpha(0.35)); r.circle(cb, cy, rad); r.fill()
        r.setColor(.black)
        r.text("\(oa)", ca - rad * 0.5, cy, size: fs * 1.2, ha: 0.5, va: 0.5, rotate: false, bold: true)
        r.text("\(both)", cx, cy, size: fs * 1.2, ha: 0.5, va: 0.5, rotate: false, bold: true)
        r.text("\(ob)", cb + rad * 0.5, cy, size: fs * 1.2, ha: 0.5, va: 0.5, rotate: false, bold: true)
        r.text(a, ca - rad * 0.3, cy + rad + 3, size: fs, ha: 0.5, va: 0, rotate: false, bold: false)
        r.text(b, cb + rad * 0.3, cy + rad + 3, size: fs, ha: 0.5, va: 0, rotate: false, bold: false)
        r.text("neither: \(neither)", x0 + w - 4, y0 + h - 3, size: fs * 0.9, ha: 1, va: 1, rotate: false, bold: false)
        if let t = ax.title { r.text(t, x0 + w / 2, y0 + 3, size: style.titleSize, ha: 0.5, va: 0, rotate: false, bold: true) }
    }
}
