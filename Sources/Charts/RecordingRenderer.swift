import Foundation

/// A rectangle in renderer points (origin top-left, y down).
public struct Rect: Sendable, Equatable, CustomStringConvertible {
    public var x, y, w, h: Double
    public init(_ x: Double, _ y: Double, _ w: Double, _ h: Double) { self.x = x; self.y = y; self.w = w; self.h = h }
    public var minX: Double { min(x, x + w) }
    public var maxX: Double { max(x, x + w) }
    public var minY: Double { min(y, y + h) }
    public var maxY: Double { max(y, y + h) }
    public var midX: Double { x + w / 2 }
    public var midY: Double { y + h / 2 }
    /// True when the rectangles share interior area (touching edges do not count).
    public func intersects(_ o: Rect) -> Bool {
        minX < o.maxX && o.minX < maxX && minY < o.maxY && o.minY < maxY
    }
    /// True when `o` lies inside this rectangle, within `tolerance` points.
    public func contains(_ o: Rect, tolerance: Double = 0) -> Bool {
        o.minX >= minX - tolerance && o.maxX <= maxX + tolerance
            && o.minY >= minY - tolerance && o.maxY <= maxY + tolerance
    }
    public func contains(x px: Double, y py: Double) -> Bool { px >= minX && px <= maxX && py >= minY && py <= maxY }
    public var description: String { "Rect(x: \(x), y: \(y), w: \(w), h: \(h))" }
}

/// A renderer that draws nothing: it records every call as a `Command`, for tests. Text is
/// measured deterministically: `charWidth` x size per character (0.55 by default, close to
/// DejaVu Sans), so layouts are the same on every machine.
public final class RecordingRenderer: Renderer {
    /// One text call, with its anchor, size and alignment as passed to `Renderer.text`.
    public struct Text: Sendable, Equatable {
        public var string: String
        public var x, y, size, ha, va: Double
        public var rotate, bold: Bool
        public init(_ string: String, x: Double, y: Double, size: Double, ha: Double, va: Double,
                    rotate: Bool, bold: Bool) {
            self.string = string; self.x = x; self.y = y; self.size = size
            self.ha = ha; self.va = va; self.rotate = rotate; self.bold = bold
        }
    }

    public enum Command: Sendable, Equatable {
        case setColor(Color)
        case setLine(width: Double, dash: [Double])
        case move(x: Double, y: Double)
        case line(x: Double, y: Double)
        case rect(x: Double, y: Double, w: Double, h: Double)
        case circle(x: Double, y: Double, r: Double)
        case close
        case stroke
        case fill
        case text(Text)
        case save
        case restore
        case clip(x: Double, y: Double, w: Double, h: Double)
    }

    /// A piece of the current path.
    public enum PathElement: Sendable, Equatable {
        case move(x: Double, y: Double)
        case line(x: Double, y: Double)
        case rect(Rect)
        case circle(x: Double, y: Double, r: Double)
        case close
    }

    /// What one `stroke` or `fill` painted: the path since the previous paint, in the colour then set.
    public struct Mark: Sendable, Equatable {
        public enum Operation: Sendable, Equatable { case stroke, fill }
        public var operation: Operation
        public var color: Color
        public var path: [PathElement]

        public init(operation: Operation, color: Color, path: [PathElement]) {
            self.operation = operation; self.color = color; self.path = path
        }

        /// The bounding box of the path's points (circles by their extent); nil for an empty path.
        public var bounds: Rect? {
            var xs = [Double](), ys = [Double]()
            for e in path {
                switch e {
                case let .move(x, y), let .line(x, y): xs.append(x); ys.append(y)
                case let .rect(r): xs += [r.minX, r.maxX]; ys += [r.minY, r.maxY]
                case let .circle(x, y, r): xs += [x - r, x + r]; ys += [y - r, y + r]
                case .close: break
                }
            }
            guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else { return nil }
            return Rect(x0, y0, x1 - x0, y1 - y0)
        }
    }

    public private(set) var commands: [Command] = []
    public let charWidth: Double
    /// Text height as a share of the font size (the ascent Cairo anchors labels on).
    public let textHeight: Double

    public init(charWidth: Double = 0.55, textHeight: Double = 0.75) {
        self.charWidth = charWidth
        self.textHeight = textHeight
    }

    public func setColor(_ c: Color) { commands.append(.setColor(c)) }
    public func setLine(width: Double, dash: [Double]) { commands.append(.setLine(width: width, dash: dash)) }
    public func move(_ x: Double, _ y: Double) { commands.append(.move(x: x, y: y)) }
    public func line(_ x: Double, _ y: Double) { commands.append(.line(x: x, y: y)) }
    public func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double) {
        commands.append(.rect(x: x, y: y, w: w, h: h))
    }
    public func circle(_ x: Double, _ y: Double, _ r: Double) { commands.append(.circle(x: x, y: y, r: r)) }
    public func close() { commands.append(.close) }
    public func stroke() { commands.append(.stroke) }
    public func fill() { commands.append(.fill) }
    public func text(_ s: String, _ x: Double, _ y: Double, size: Double, ha: Double, va: Double, rotate: Bool,
                     bold: Bool) {
        commands.append(.text(Text(s, x: x, y: y, size: size, ha: ha, va: va, rotate: rotate, bold: bold)))
    }
    public func textWidth(_ s: String, size: Double) -> Double { Double(s.count) * size * charWidth }
    public func save() { commands.append(.save) }
    public func restore() { commands.append(.restore) }
    public func clip(_ x: Double, _ y: Double, _ w: Double, _ h: Double) {
        commands.append(.clip(x: x, y: y, w: w, h: h))
    }

    public func reset() { commands = [] }

    // MARK: queries for tests

    /// Every text call, in drawing order.
    public var texts: [Text] {
        commands.compactMap { if case let .text(t) = $0 { return t } else { return nil } }
    }

    /// Every stroke and fill with its path and colour, in drawing order.
    public var marks: [Mark] {
        var out = [Mark](), path = [PathElement](), color = Color.black
        for c in commands {
            switch c {
            case let .setColor(k): color = k
            case let .move(x, y): path.append(.move(x: x, y: y))
            case let .line(x, y): path.append(.line(x: x, y: y))
            case let .rect(x, y, w, h): path.append(.rect(Rect(x, y, w, h)))
            case let .circle(x, y, r): path.append(.circle(x: x, y: y, r: r))
            case .close: path.append(.close)
            case .stroke: out.append(Mark(operation: .stroke, color: color, path: path)); path = []
            case .fill: out.append(Mark(operation: .fill, color: color, path: path)); path = []
            // The clip consumes the path, as in Cairo.
            case .clip: path = []
            case .setLine, .text, .save, .restore: break
            }
        }
        return out
    }

    /// The box a text call covers, with this renderer's measure: `textWidth` wide and
    /// `textHeight` x size tall, placed by its alignment (rotated text runs upwards).
    public func bounds(of t: Text) -> Rect {
        let w = textWidth(t.string, size: t.size), h = t.size * textHeight
        if t.rotate { return Rect(t.x - t.va * h, t.y - (1 - t.ha) * w, h, w) }
        return Rect(t.x - t.ha * w, t.y - t.va * h, w, h)
    }
}
