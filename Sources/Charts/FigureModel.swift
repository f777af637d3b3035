import Foundation

public enum Scale: Sendable { case linear, log2 }

/// What an Axes draws. Colours index the style's palette.
public enum Artist: Sendable {
    case line(xs: [Double], ys: [Double], label: String?, color: Int, dashed: Bool = false, markers: Bool = true)
    case band(xs: [Double], low: [Double], high: [Double], color: Int)
    case scatter(xs: [Double], ys: [Double], label: String?, color: Int)
    case errorBars(xs: [Double], ys: [Double], low: [Double], high: [Double], color: Int)
    /// Bars over the axes' categories; several series are grouped side by side, or stacked.
    case bars(series: [(label: String, values: [Double])], stacked: Bool)
    /// Histogram from bin edges (count + 1 values) and counts.
    case histogram(edges: [Double], counts: [Double], label: String?, color: Int)
    case step(xs: [Double], ys: [Double], label: String?, color: Int)
    /// Heatmap rows x columns over the axes' categories (columns) and `rows`; nil = no data.
    case heatmap(values: [[Double?]], rows: [String], cellLabels: Bool, colorbar: String, range: (Double, Double)?)
    case vline(x: Double, label: String?)
    case hline(y: Double, label: String?)
    case text(x: Double, y: Double, text: String)
    /// Two-set Venn diagram of solved sets.
    case venn(a: String, b: String, onlyA: Int, onlyB: Int, both: Int, neither: Int)
}

public final class Axes {
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    public var xScale: Scale = .linear
    public var yScale: Scale = .linear
    public var xLimits: (Double, Double)?
    public var yLimits: (Double, Double)?
    /// Categorical x axis (bars, heatmap columns).
    public var categories: [String]?
    public var artists: [Artist] = []
    public var legend = true
    public var percentY = false
    public var percentX = false

    public init(title: String? = nil, xLabel: String? = nil, yLabel: String? = nil) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
    }
    public func add(_ a: Artist) { artists.append(a) }
}

/// Figure -> axes (side by side) -> artists.
public final class Figure {
    public let style: Style
    public var width: Double
    public var height: Double
    public var axes: [Axes]
    /// Panels per row (nil: all side by side); more panels wrap into further rows.
    public var columns: Int? = nil

    /// `wide` uses the style's double-column width; `widthIn` (inches) overrides both. The
    /// height follows the style's aspect at column width, so a full-width figure is as tall as a
    /// column-width one (side-by-side panels keep their proportions).
    public init(style: Style, wide: Bool = false, widthIn: Double? = nil, heightScale: Double = 1, axes: [Axes]) {
        self.style = style
        let w = widthIn ?? (wide ? style.wideWidthIn : style.widthIn)
        width = 72 * w
        height = 72 * min(style.widthIn, w) * style.aspect * heightScale
        self.axes = axes
    }

    /// Lays out each Axes in its slot, then paints it. A single panel drops its title when the
    /// style puts titles in captions.
    public func draw(on r: Renderer) {
        let cols = max(1, min(columns ?? axes.count, axes.count))
        let rows = (axes.count + cols - 1) / cols
        let slot = width / Double(cols), slotH = height / Double(max(rows, 1))
        let untitled = !style.drawsTitles && axes.count == 1
        for (i, ax) in axes.enumerated() {
            let title = ax.title
            if untitled { ax.title = nil }
            defer { ax.title = title }
            let frame = Slot(x0: Double(i % cols) * slot, y0: Double(i / cols) * slotH, w: slot, h: slotH)
            switch AxesLayout.make(ax, style: style, slot: frame, measure: r.textWidth) {
            case let .xy(l): XYPainter(ax: ax, style: style, r: r, l: l).paint()
            case let .heatmap(l): HeatmapPainter(ax: ax, style: style, r: r, l: l).paint()
            case let .venn(l): VennPainter(ax: ax, style: style, r: r, l: l).paint()
            }
        }
    }
}

extension Axes {
    /// An x-y plot (not a heatmap or Venn diagram, which lay out on their own).
    var isXY: Bool {
        !artists.contains {
            switch $0 {
            case .heatmap, .venn: return true
            default: return false
            }
        }
    }
}

extension Figure {
    /// Panels compared on one scale: every x-y axes gets the union of their data ranges (x only
    /// where the axis is numeric; categorical axes keep their categories).
    public func shareAxes(x shareX: Bool = true, y shareY: Bool = true) {
        let xy = axes.filter(\.isXY)
        guard xy.count > 1 else { return }
        let ranges = xy.map { Layout.dataRanges($0) }
        func union(_ rs: [(Double, Double)]) -> (Double, Double)? {
            guard let lo = rs.map(\.0).min(), let hi = rs.map(\.1).max() else { return nil }
            return (lo, hi)
        }
        if shareY, let y = union(ranges.map(\.y)) { for ax in xy { ax.yLimits = y } }
        let numeric = xy.indices.filter { xy[$0].categories == nil }
        if shareX, let x = union(numeric.map { ranges[$0].x }) { for i in numeric { xy[i].xLimits = x } }
    }

    /// One legend for side-by-side panels: drawn in the last axes only, when every axes would
    /// draw the same entries.
    public func shareLegend() {
        let labels = axes.map { Layout.legendEntries($0, style).map(\.label) }
        guard axes.count > 1, labels.allSatisfy({ $0 == labels[0] }) else { return }
        for ax in axes.dropLast() { ax.legend = false }
    }
}

/// How wide a figure is drawn: the style's column width, its full (text or two-column) width,
/// or a width in inches. `figure: NAME` takes `width: column|full|INCHES`.
public enum FigureWidth: Sendable, Equatable {
    case column, full, inches(Double)

    public func inches(_ style: Style) -> Double {
        switch self {
        case .column: return style.widthIn
        case .full: return style.wideWidthIn
        case .inches(let w): return w
        }
    }

    /// `column`, `full` or a number of inches between 1 and 20.
    public init?(_ text: String) {
        switch text {
        case "column": self = .column
        case "full": self = .full
        default:
            let t = text.hasSuffix("in") ? String(text.dropLast(2)).trimmingCharacters(in: .whitespaces) : text
            guard let w = Double(t), w >= 1, w <= 20 else { return nil }
            self = .inches(w)
        }
    }
}
