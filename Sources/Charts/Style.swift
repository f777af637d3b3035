import Foundation

/// A chart style, stored as data in templates/styles/NAME.json. The default palette is
/// Okabe-Ito (colour-blind safe).
public struct Style: Sendable, Codable, Equatable {
    public var name: String
    public var widthIn: Double
    public var wideWidthIn: Double
    public var aspect: Double
    public var fontFamily: String
    public var fontSize: Double
    public var titleSize: Double
    public var lineWidth: Double
    public var axisWidth: Double
    public var markerSize: Double
    public var grid: Bool
    public var palette: [String]
    /// Whether a single-panel figure draws its title inside the graphic (false in the venue
    /// styles: the caption under the figure names it). Absent: true.
    public var titles: Bool?
    /// Whether lines differ by dash pattern as well as colour and marker shape, so a figure
    /// survives greyscale printing. Absent: false.
    public var lineStyles: Bool?
    /// A venue's name for `width: column` and `width: full` (documentation only).
    public var venue: String?

    public static let paper = Style(name: "paper", widthIn: 3.5, wideWidthIn: 7, aspect: 0.72,
                                    fontFamily: "DejaVu Sans", fontSize: 8, titleSize: 9, lineWidth: 1.2,
                                    axisWidth: 0.6, markerSize: 2.2, grid: true,
                                    palette: ["#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                              "#56B4E9", "#D55E00", "#F0E442", "#000000"])

    /// Loads and validates a style file; errors name the file and the field.
    public static func load(path: String) throws -> Style {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ChartError("\(path): cannot read the style")
        }
        let dec = JSONDecoder()
        dec.keyDecodingStrategy = .convertFromSnakeCase
        let s: Style
        do { s = try dec.decode(Style.self, from: data) } catch let DecodingError.keyNotFound(k, _) {
            throw ChartError("\(path): missing field \(k.stringValue)")
        } catch let DecodingError.typeMismatch(_, c) {
            throw ChartError("\(path): wrong type at \(c.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch {
            throw ChartError("\(path): not a valid style (\(error))")
        }
        guard s.widthIn > 0, s.aspect > 0, s.fontSize > 0, !s.palette.isEmpty else {
            throw ChartError("\(path): sizes must be positive and the palette non-empty")
        }
        for c in s.palette where Color(hex: c) == nil {
            throw ChartError("\(path): palette colour \(c) is not #RRGGBB")
        }
        return s
    }

    public func color(_ i: Int) -> Color { Color(hex: palette[i % palette.count]) ?? .black }

    public var drawsTitles: Bool { titles ?? true }

    /// The dash pattern of series `i` (`dashed`: the series is marked dashed by meaning, e.g.
    /// EGLR cells). With `line_styles`, solid series cycle through solid, dotted, dash-dot and
    /// long dashes, scaled to the line width.
    public func dash(series i: Int, dashed: Bool) -> [Double] {
        let w = max(lineWidth, 0.5)
        if dashed { return [3 * w / 1.2, 2 * w / 1.2] }
        guard lineStyles ?? false else { return [] }
        let cycle: [[Double]] = [[], [1, 1.5], [5, 1.5, 1, 1.5], [7, 2.5]]
        return cycle[i % cycle.count].map { $0 * w / 1.2 }
    }
}

public struct ChartError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

public struct Color: Sendable, Equatable {
    public var r, g, b, a: Double
    public init(_ r: Double, _ g: Double, _ b: Double, _ a: Double = 1) {
        self.r = r; self.g = g; self.b = b; self.a = a
    }
    public init?(hex: String) {
        let h = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard h.count == 6, let v = UInt32(h, radix: 16) else { return nil }
        self.init(Double(v >> 16 & 0xff) / 255, Double(v >> 8 & 0xff) / 255, Double(v & 0xff) / 255)
    }
    public func alpha(_ a: Double) -> Color { Color(r, g, b, a) }
    public static let black = Color(0, 0, 0), white = Color(1, 1, 1)
    public static let grey = Color(0.45, 0.45, 0.45), light = Color(0.9, 0.9, 0.9)

    /// Sequential colour map (viridis-like, colour-blind safe), t in [0, 1].
    public static func sequential(_ t: Double) -> Color {
        let stops: [(Double, Double, Double)] = [(0.267, 0.005, 0.329), (0.229, 0.322, 0.546), (0.128, 0.567, 0.551),
                                                 (0.369, 0.789, 0.383), (0.993, 0.906, 0.144)]
        let x = min(max(t, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2), f = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        return Color(a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1), a.2 + f * (b.2 - a.2))
    }
}
