import Foundation

// The pure layout step: from an Axes, a style, its slot and a text measure to where everything
// goes. Nothing here draws; the painters (XYPainter, HeatmapPainter, VennPainter,
// LegendPainter) turn a layout into renderer calls.

/// Advance width of a string at a font size (a renderer's `textWidth`).
typealias TextMeasure = (_ s: String, _ size: Double) -> Double

/// The part of the figure one Axes occupies.
struct Slot {
    let x0, y0, w, h: Double
}

/// The plot rectangle inside a slot (points, y down).
struct PlotArea {
    let left, right, top, bottom: Double
}

/// How a legend entry is drawn: a line (solid or dashed), a marker, or a filled box.
/// A legend entry's sample: a line with its dash pattern (and the series' marker shape when
/// the series draws markers), a marker, or a filled box.
enum Swatch: Equatable { case line(dash: [Double], marker: Int?), marker(Int), box }

struct LegendEntry {
    let label: String
    let color: Color
    let swatch: Swatch
}

/// Where the legend goes: its box's top-left corner and size.
struct LegendBox {
    let x, y, width, height: Double
}

/// An x-y plot: plot area, data ranges, ticks and legend.
struct XYLayout {
    let slot: Slot
    let area: PlotArea
    let xRange, yRange: (Double, Double)
    let xScale, yScale: Scale
    /// Categorical x axis: positions map linearly whatever the scale.
    let categorical: Bool
    let yTicks: [(value: Double, label: String)]
    let xTicks: [(value: Double, label: String)]
    /// Legend entries in drawing order, and where they go (nil: no legend drawn).
    let legend: [LegendEntry]
    let legendBox: LegendBox?

    var pw: Double { area.right - area.left }
    var ph: Double { area.bottom - area.top }

    func tx(_ v: Double) -> Double { Self.tx(v, area: area, xr: xRange, scale: xScale, categorical: categorical) }
    func ty(_ v: Double) -> Double { Self.ty(v, area: area, yr: yRange, scale: yScale) }

    static func tx(_ v: Double, area: PlotArea, xr: (Double, Double), scale: Scale, categorical: Bool) -> Double {
        let pw = area.right - area.left
        if categorical { return area.left + (v - xr.0) / (xr.1 - xr.0) * pw }
        return area.left + Ticks.fraction(v, xr, scale) * pw
    }

    static func ty(_ v: Double, area: PlotArea, yr: (Double, Double), scale: Scale) -> Double {
        area.bottom - Ticks.fraction(v, yr, scale) * (area.bottom - area.top)
    }
}

/// A heatmap: cells, labels and colour bar.
struct HeatmapLayout {
    let slot: Slot
    let area: PlotArea
    let values: [[Double?]]
    let rows: [String]
    let columns: [String]
    let cellLabels: Bool
    let colorbarLabel: String
    /// The value range the colours span.
    let lo, hi: Double
    /// Cell width and height.
    let cw, ch: Double
    /// Colour bar: left edge, width, and the width kept for its tick labels.
    let cbx, cbW, cbText: Double
    /// Colour bar ticks: label and its y.
    let colorbarTicks: [(y: Double, label: String)]
}

/// A two-set Venn diagram: two circles of radius `rad` centred at (ca, cy) and (cb, cy).
struct VennLayout {
    let slot: Slot
    let a, b: String
    let onlyA, onlyB, both, neither: Int
    let cx, cy, rad, ca, cb: Double
}

/// What one Axes becomes: a Venn or heatmap axes shows its first such artist alone.
enum AxesLayout {
    case xy(XYLayout)
    case heatmap(HeatmapLayout)
    case venn(VennLayout)

    static func make(_ ax: Axes, style: Style, slot: Slot, measure: TextMeasure) -> AxesLayout {
        for a in ax.artists {
            if case let .venn(a, b, oa, ob, both, neither) = a {
                return .venn(Layout.venn(ax, style: style, slot: slot, sets: (a, b), counts: (oa, ob, both, neither)))
            }
            if case let .heatmap(v, rows, labels, cb, range) = a {
                return .heatmap(Layout.heatmap(ax, style: style, slot: slot, measure: measure, values: v, rows: rows,
                                               cellLabels: labels, colorbar: cb, range: range))
            }
        }
        return .xy(Layout.xy(ax, style: style, slot: slot, measure: measure))
    }
}

enum Layout {
    /// The top of the plot area: room for the title when there is one.
    static func plotTop(_ ax: Axes, _ style: Style, _ slot: Slot) -> Double {
        slot.y0 + (ax.title == nil ? 6 : style.titleSize * 1.9)
    }

    /// The bottom of the plot area: room for the tick labels and the x label.
    static func plotBottom(_ ax: Axes, _ style: Style, _ slot: Slot) -> Double {
        let fs = style.fontSize
        return slot.y0 + slot.h - (ax.xLabel == nil ? fs * 1.6 : fs * 3.0)
    }

    // MARK: x-y plots

    static func xy(_ ax: Axes, style: Style, slot: Slot, measure: TextMeasure) -> XYLayout {
        let fs = style.fontSize
        let (xr, yr0) = dataRanges(ax)
        let entries = legendEntries(ax, style)
        let yr = legendHeadroom(ax, style: style, slot: slot, measure: measure, entries: entries, xr: xr, yr: yr0)
        let yt = Ticks.values(yr.0, yr.1, scale: ax.yScale, count: 5)
        let ylabels = yt.map { Ticks.label($0, percent: ax.percentY) }
        let tickW = ylabels.map { measure($0, fs) }.max() ?? 0
        let area = PlotArea(left: slot.x0 + (ax.yLabel == nil ? 4 : fs * 1.6) + tickW + 6,
                            right: slot.x0 + slot.w - 6,
                            top: plotTop(ax, style, slot), bottom: plotBottom(ax, style, slot))
        let xt = xTicks(ax, fs: fs, measure: measure, xr: xr, pw: area.right - area.left)
        let categorical = ax.categories != nil
        var box: LegendBox?
        if ax.legend && !entries.isEmpty {
            let fx: (Double) -> Double = {
                (XYLayout.tx($0, area: area, xr: xr, scale: ax.xScale, categorical: categorical) - area.left)
                    / (area.right - area.left)
            }
            let fy: (Double) -> Double = {
                (area.bottom - XYLayout.ty($0, area: area, yr: yr, scale: ax.yScale)) / (area.bottom - area.top)
            }
            box = legendBox(ax, style: style, measure: measure, entries: entries, area: area, fx: fx, fy: fy)
        }
        return XYLayout(slot: slot, area: area, xRange: xr, yRange: yr, xScale: ax.xScale, yScale: ax.yScale,
                        categorical: categorical, yTicks: zip(yt, ylabels).map { ($0, $1) }, xTicks: xt,
                        legend: entries, legendBox: box)
    }

    /// Data ranges over every artist, padded (unless the axes set limits).
    static func dataRanges(_ ax: Axes) -> (x: (Double, Double), y: (Double, Double)) {
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
                if stacked { ys += (0..<n).map { i in stackHeight(series, i) } } else { ys += series.flatMap(\.values) }
            case let .histogram(edges, counts, _, _): xs += edges; ys += counts + [0]
            case let .vline(x, _): xs.append(x)
            case let .hline(y, _): ys.append(y)
            case let .text(x, y, _): xs.append(x); ys.append(y)
            default: break
            }
        }
        var x = ax.xLimits ?? span(xs, ax.xScale), y = ax.yLimits ?? span(ys, ax.yScale)
        if ax.yLimits == nil && ax.yScale == .linear {
            let pad = (y.1 - y.0) * 0.05; y = (y.0 - (y.0 == 0 ? 0 : pad), y.1 + pad)
        }
        if ax.xLimits == nil && ax.categories == nil && ax.xScale == .linear && xs.count > 1 {
            let pad = (x.1 - x.0) * 0.03; x = (x.0 - pad, x.1 + pad)
        }
        return (x, y)
    }

    /// The sum of the series' values at category `i` (missing values count 0).
    static func stackHeight(_ series: [(label: String, values: [Double])], _ i: Int) -> Double {
        series.reduce(0) { $0 + ($1.values.indices.contains(i) ? $1.values[i] : 0) }
    }

    /// The finite (and, on log2, positive) extent of `v`; a single value is widened.
    static func span(_ v: [Double], _ scale: Scale) -> (Double, Double) {
        let f = v.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        guard var lo = f.min(), var hi = f.max() else { return (0, 1) }
        if lo == hi { lo -= scale == .log2 ? lo / 2 : 0.5; hi += scale == .log2 ? hi : 0.5 }
        return (lo, hi)
    }

    /// Raises the top of the y range to make headroom for the legend when every corner of the
    /// plot holds data (estimating the plot size before the tick labels are measured).
    static func legendHeadroom(_ ax: Axes, style: Style, slot: Slot, measure: TextMeasure, entries: [LegendEntry],
                               xr: (Double, Double), yr: (Double, Double)) -> (Double, Double) {
        guard ax.legend && !entries.isEmpty && ax.yLimits == nil && ax.yScale == .linear else { return yr }
        let fs = style.fontSize, w = slot.w, h = slot.h
        var yr = yr
        let (lw, lh) = legendSize(entries, fs: fs, measure: measure)
        let pwEst = w - fs * 5 - 16, phEst = h - (ax.title == nil ? 6 : style.titleSize * 1.9) - fs * 3.0
        let lwF = (lw + 6) / pwEst, lhF = (lh + 4) / phEst
        let (xr0, yr0) = (xr, yr)
        let fx: (Double) -> Double = {
            ax.categories != nil ? ($0 - xr0.0) / (xr0.1 - xr0.0) : Ticks.fraction($0, xr0, ax.xScale)
        }
        let fy: (Double) -> Double = { Ticks.fraction($0, yr0, .linear) }
        if lhF < 0.6, cornerHits(ax, fx: fx, fy: fy, lwF: lwF, lhF: lhF).allSatisfy({ $0.hits > 0 }) {
            yr.1 = yr.0 + (yr.1 - yr.0) / (1 - lhF)
        }
        return yr
    }

    /// X ticks: the categories, or round values; thinned when their labels would collide.
    static func xTicks(_ ax: Axes, fs: Double, measure: TextMeasure, xr: (Double, Double),
                       pw: Double) -> [(value: Double, label: String)] {
        var xt: [(value: Double, label: String)]
        if let cats = ax.categories {
            xt = cats.enumerated().map { (Double($0), $1) }
        } else {
            xt = Ticks.values(xr.0, xr.1, scale: ax.xScale, count: max(3, Int(pw / (fs * 4))))
                .map { ($0, Ticks.label($0, percent: ax.percentX)) }
        }
        if let widest = xt.map({ measure($0.1, fs) }).max(), xt.count > 1 {
            let room = pw / Double(xt.count)
            let every = Int((widest + fs * 0.6) / max(room, 1)) + 1
            if every > 1 { xt = xt.enumerated().filter { $0.offset % every == 0 }.map(\.element) }
        }
        return xt
    }

    // MARK: legend

    /// Legend entries in drawing order.
    static func legendEntries(_ ax: Axes, _ style: Style) -> [LegendEntry] {
        var out = [LegendEntry]()
        func add(_ label: String?, _ c: Int, _ swatch: Swatch) {
            if let label { out.append(LegendEntry(label: label, color: style.color(c), swatch: swatch)) }
        }
        for a in ax.artists {
            switch a {
            case let .line(xs, _, label, c, dashed, markers):
                add(label, c, .line(dash: style.dash(series: c, dashed: dashed),
                                    marker: markers && xs.count <= XYPainter.maxMarkers ? c : nil))
            case let .step(_, _, label, c): add(label, c, .line(dash: style.dash(series: c, dashed: false), marker: nil))
            case let .scatter(_, _, label, c): add(label, c, .marker(c))
            case let .histogram(_, _, label, c): add(label, c, .box)
            case let .bars(series, _):
                for (si, s) in series.enumerated() where series.count > 1 || !s.label.isEmpty { add(s.label, si, .box) }
            default: break
            }
        }
        return out
    }

    static func legendSize(_ items: [LegendEntry], fs: Double, measure: TextMeasure) -> (Double, Double) {
        ((items.map { measure($0.label, fs * 0.9) }.max() ?? 0) + fs * 2.4, Double(items.count) * fs * 1.25 + fs * 0.5)
    }

    /// Places the legend in the plot corner that covers the fewest data points; `fx` and `fy`
    /// map data to plot fractions.
    static func legendBox(_ ax: Axes, style: Style, measure: TextMeasure, entries: [LegendEntry], area: PlotArea,
                          fx: (Double) -> Double, fy: (Double) -> Double) -> LegendBox {
        let (lw, lh) = legendSize(entries, fs: style.fontSize, measure: measure)
        let (left, right, top, bottom) = (area.left, area.right, area.top, area.bottom)
        let pw = right - left, ph = bottom - top
        let hits = cornerHits(ax, fx: fx, fy: fy, lwF: (lw + 6) / pw, lhF: (lh + 4) / ph)
        let pick = hits.min { $0.hits < $1.hits }!.corner
        let corners = [(right - lw - 2, top + 2), (left + 4, top + 2),
                       (right - lw - 2, bottom - lh - 2), (left + 4, bottom - lh - 2)]
        let best = corners[pick]
        return LegendBox(x: best.0, y: best.1, width: lw, height: lh)
    }

    /// Corners as (x, y) of the legend's top-left in plot-fraction space (y up), and how
    /// many data points each would cover.
    static func cornerHits(_ ax: Axes, fx: (Double) -> Double, fy: (Double) -> Double, lwF: Double,
                           lhF: Double) -> [(corner: Int, hits: Int)] {
        let pts = dataPoints(ax).map { (fx($0.0), fy($0.1)) } + lineSamples(ax, fx: fx, fy: fy)
        let boxes = [(1 - lwF, 1 - lhF), (0, 1 - lhF), (1 - lwF, 0), (0, 0)]
        return boxes.enumerated().map { i, b in
            (i, pts.filter {
                $0.0 >= b.0 - 0.01 && $0.0 <= b.0 + lwF + 0.01 && $0.1 >= b.1 - 0.01 && $0.1 <= b.1 + lhF + 0.01
            }.count)
        }
    }

    /// Points along each line between its vertices, in plot fractions, so a legend avoids the
    /// segments too (several runs' curves can cross a corner between markers).
    static func lineSamples(_ ax: Axes, fx: (Double) -> Double, fy: (Double) -> Double) -> [(Double, Double)] {
        var out = [(Double, Double)]()
        for case let .line(xs, ys, _, _, _, _) in ax.artists where xs.count > 1 {
            let p = zip(xs, ys).map { (fx($0), fy($1)) }
            for i in 1..<p.count {
                for f in stride(from: 0.125, to: 1.0, by: 0.125) {
                    out.append((p[i - 1].0 + f * (p[i].0 - p[i - 1].0), p[i - 1].1 + f * (p[i].1 - p[i - 1].1)))
                }
            }
        }
        return out
    }

    /// Data-space points that a legend should not cover (bars and histograms sampled over
    /// their area).
    static func dataPoints(_ ax: Axes) -> [(Double, Double)] {
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
                    let top = stacked ? stackHeight(series, i)
                                      : series.map { $0.values.indices.contains(i) ? $0.values[i] : 0 }.max() ?? 0
                    for fx in stride(from: -0.4, through: 0.4, by: 0.1) {
                        for f in stride(from: 0.0, through: 1.0, by: 0.1) { points.append((Double(i) + fx, top * f)) }
                    }
                }
            case let .histogram(edges, counts, _, _):
                for (i, v) in counts.enumerated() {
                    for g in stride(from: 0.0, through: 1.0, by: 0.25) {
                        for f in stride(from: 0.0, through: 1.0, by: 0.1) {
                            points.append((edges[i] + g * (edges[i + 1] - edges[i]), v * f))
                        }
                    }
                }
            default: break
            }
        }
        return points
    }

    // MARK: heatmap

    static func heatmap(_ ax: Axes, style: Style, slot: Slot, measure: TextMeasure, values: [[Double?]],
                        rows: [String], cellLabels: Bool, colorbar cbLabel: String,
                        range: (Double, Double)?) -> HeatmapLayout {
        let fs = style.fontSize, x0 = slot.x0, w = slot.w
        let cols = ax.categories ?? (values.first ?? []).indices.map(String.init)
        let flat = values.flatMap { $0 }.compactMap { $0 }
        let lo = range?.0 ?? (flat.min() ?? 0), hi = range?.1 ?? (flat.max() ?? 1)
        let rowW = rows.map { measure($0, fs) }.max() ?? 0
        let left = x0 + (ax.yLabel == nil ? 4 : fs * 1.6) + rowW + 6
        let cbW = fs * 0.9, cbGap = fs * 0.8, cbText = measure(Ticks.label(hi, percent: ax.percentY), fs) + 4
        let cbTitle = cbLabel.isEmpty ? 0 : fs * 1.4
        let right = x0 + w - cbW - cbGap - cbText - cbTitle - 4
        let top = plotTop(ax, style, slot), bottom = plotBottom(ax, style, slot)
        let cw = (right - left) / Double(max(cols.count, 1)), ch = (bottom - top) / Double(max(rows.count, 1))
        var ticks = [(y: Double, label: String)]()
        for v in Ticks.values(lo, hi, scale: .linear, count: 4) where v >= lo && v <= hi {
            let y = bottom - (hi > lo ? (v - lo) / (hi - lo) : 0) * (bottom - top)
            ticks.append((y, Ticks.label(v, percent: ax.percentY)))
        }
        return HeatmapLayout(slot: slot, area: PlotArea(left: left, right: right, top: top, bottom: bottom),
                             values: values, rows: rows, columns: cols, cellLabels: cellLabels, colorbarLabel: cbLabel,
                             lo: lo, hi: hi, cw: cw, ch: ch, cbx: right + cbGap, cbW: cbW, cbText: cbText,
                             colorbarTicks: ticks)
    }

    // MARK: Venn

    static func venn(_ ax: Axes, style: Style, slot: Slot, sets: (String, String),
                     counts: (onlyA: Int, onlyB: Int, both: Int, neither: Int)) -> VennLayout {
        let fs = style.fontSize, x0 = slot.x0, y0 = slot.y0, w = slot.w, h = slot.h
        let top = plotTop(ax, style, slot)
        let cy = (top + y0 + h - fs * 2.2) / 2
        let rad = min(w * 0.22, (y0 + h - top - fs * 2.5) / 2)
        let cx = x0 + w / 2
        return VennLayout(slot: slot, a: sets.0, b: sets.1, onlyA: counts.onlyA, onlyB: counts.onlyB,
                          both: counts.both, neither: counts.neither,
                          cx: cx, cy: cy, rad: rad, ca: cx - rad * 0.55, cb: cx + rad * 0.55)
    }
}
