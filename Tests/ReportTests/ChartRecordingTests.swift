import Charts
import Foundation
import Testing

/// Figures drawn on a RecordingRenderer: assertions on what was drawn where, without Cairo.
@Suite struct ChartRecordingTests {
    typealias Mark = RecordingRenderer.Mark
    typealias Text = RecordingRenderer.Text

    static let style = Style.paper
    static var fs: Double { style.fontSize }

    static func record(_ f: Figure) -> RecordingRenderer {
        let r = RecordingRenderer()
        f.draw(on: r)
        return r
    }

    /// The legend's translucent white background is the first fill in white at alpha 0.85.
    static func legendBackground(_ marks: [Mark]) -> (index: Int, box: Rect)? {
        guard let i = marks.firstIndex(where: { $0.operation == .fill && $0.color == Color.white.alpha(0.85) }),
              let box = marks[i].bounds else { return nil }
        return (i, box)
    }

    /// Filled circles among `marks`, as their bounding boxes.
    static func circles(_ marks: ArraySlice<Mark>) -> [Rect] {
        marks.filter { m in
            m.operation == .fill && m.path.count == 1 && { if case .circle = m.path[0] { true } else { false } }()
        }.compactMap(\.bounds)
    }

    /// Filled markers (circles, squares, triangles, diamonds: one shape per series) among `marks`.
    static func markers(_ marks: ArraySlice<Mark>) -> [Rect] {
        marks.filter { $0.operation == .fill }.compactMap(\.bounds).filter { max($0.w, $0.h) < 4 * style.markerSize * 1.3 }
    }

    /// Filled rectangles among `marks`, with their colours.
    static func rects(_ marks: ArraySlice<Mark>) -> [(rect: Rect, color: Color)] {
        marks.compactMap { m in
            guard m.operation == .fill, m.path.count == 1, case let .rect(r) = m.path[0] else { return nil }
            return (r, m.color)
        }
    }

    /// Legend labels: 0.9 x font size, left-aligned, vertically centred.
    static func legendLabels(_ texts: [Text]) -> [String] {
        texts.filter { $0.size == fs * 0.9 && $0.ha == 0 && $0.va == 0.5 && !$0.rotate }.map(\.string)
    }

    static func xTickLabels(_ texts: [Text]) -> [Text] {
        texts.filter { $0.size == fs && $0.ha == 0.5 && $0.va == 0 && !$0.rotate && !$0.bold }
    }

    static func yTickLabels(_ texts: [Text]) -> [Text] {
        texts.filter { $0.size == fs && $0.ha == 1 && $0.va == 0.5 && !$0.rotate }
    }

    static func expectInside(_ f: Figure, _ r: RecordingRenderer, sourceLocation: SourceLocation = #_sourceLocation) {
        let page = Rect(0, 0, f.width, f.height)
        for t in r.texts {
            #expect(page.contains(r.bounds(of: t)), "\"\(t.string)\" at \(r.bounds(of: t)) leaves the figure",
                    sourceLocation: sourceLocation)
        }
    }

    static func expectBalanced(_ r: RecordingRenderer, sourceLocation: SourceLocation = #_sourceLocation) {
        var depth = 0
        for c in r.commands {
            if c == .save { depth += 1 }
            if c == .restore { depth -= 1; #expect(depth >= 0, sourceLocation: sourceLocation) }
        }
        #expect(depth == 0, "save without restore", sourceLocation: sourceLocation)
    }

    // MARK: x-y plots

    @Test func lineChartLegendEntriesAndTickLabels() throws {
        let f = ChartTests.lineFigure()
        let r = Self.record(f)
        let texts = r.texts
        #expect(Self.legendLabels(texts) == ["T = 0.7", "L = 2 (EGLR)"])
        #expect(Self.xTickLabels(texts).map(\.string) == ["1", "2", "4", "8", "16"])
        #expect(Self.yTickLabels(texts).map(\.string) == ["20%", "40%", "60%"])
        // Log2 x ticks are evenly spaced; y ticks go up the page as the values grow.
        let xs = Self.xTickLabels(texts).map(\.x)
        let steps = zip(xs.dropFirst(), xs).map { $0 - $1 }
        #expect(steps.allSatisfy { abs($0 - steps[0]) < 1e-9 })
        let ys = Self.yTickLabels(texts).map(\.y)
        #expect(zip(ys.dropFirst(), ys).allSatisfy { $0 < $1 })
        // The title once, bold at the title size; the axis labels once each, the y label rotated.
        let titles = texts.filter { $0.string == "Coverage" }
        #expect(titles.count == 1 && titles[0].bold && titles[0].size == Self.style.titleSize)
        #expect(texts.filter { $0.string == "k" }.count == 1)
        #expect(texts.filter { $0.string == "pass@k" }.map(\.rotate) == [true])
        #expect(texts.filter { $0.string == "N_D" }.count == 1)
        Self.expectInside(f, r)
        Self.expectBalanced(r)
    }

    @Test func lineChartLegendSwatchesFollowTheLines() throws {
        let r = Self.record(ChartTests.lineFigure())
        let marks = r.marks
        let (i, _) = try #require(Self.legendBackground(marks))
        // After the background: per line a stroked swatch and its marker, in the line's colour.
        let swatches = marks[(i + 1)...]
        #expect(swatches.map(\.operation) == [.stroke, .fill, .stroke, .fill])
        #expect(swatches.map(\.color) == [Self.style.color(0), Self.style.color(0), Self.style.color(1), Self.style.color(1)])
        // The two series' markers differ in shape (circle, square), so greyscale keeps them apart.
        let shapes = swatches.filter { $0.operation == .fill }.map { m in m.path.contains { if case .circle = $0 { true } else { false } } }
        #expect(shapes == [true, false])
        // The second line is dashed, and so is its swatch: the last dash set is [3, 2].
        let dashes = r.commands.compactMap { c -> [Double]? in
            if case let .setLine(_, d) = c { return d } else { return nil }
        }
        #expect(dashes.last == [3, 2])
    }

    @Test func legendCoversNoDataPoint() throws {
        for f in [ChartTests.lineFigure(), Self.cornersFigure()] {
            let r = Self.record(f)
            let marks = r.marks
            let (i, box) = try #require(Self.legendBackground(marks))
            let points = Self.markers(marks[..<i])
            #expect(!points.isEmpty)
            for p in points { #expect(!box.intersects(p), "legend \(box) covers the marker at \(p)") }
            // Inside the clipped plot area.
            let clip = try #require(r.commands.compactMap { c -> Rect? in
                if case let .clip(x, y, w, h) = c { return Rect(x, y, w, h) } else { return nil }
            }.first)
            #expect(clip.contains(box))
            Self.expectInside(f, r)
        }
    }

    /// Data in all four corners: the legend makes headroom above the data rather than cover it.
    static func cornersFigure() -> Figure {
        let ax = Axes(title: "Corners", xLabel: "x")
        let xs = (0..<30).map(Double.init)
        ax.add(.line(xs: xs, ys: xs.map { ($0 - 14.5) * ($0 - 14.5) }, label: "parabola", color: 2))
        ax.add(.scatter(xs: xs, ys: xs.map { 200 - ($0 - 14.5) * ($0 - 14.5) }, label: "inverse", color: 3))
        return Figure(style: style, axes: [ax])
    }

    @Test func cornersLegendHasOneMarkerSwatchAndOneLineSwatch() throws {
        let r = Self.record(Self.cornersFigure())
        #expect(Self.legendLabels(r.texts) == ["parabola", "inverse"])
        let marks = r.marks
        let (i, _) = try #require(Self.legendBackground(marks))
        let swatches = Array(marks[(i + 1)...])
        #expect(swatches.map(\.operation) == [.stroke, .fill, .fill])
        #expect(Self.markers(marks[(i + 1)...]).count == 2)
        // 30 line markers and 30 scatter points before the legend.
        #expect(Self.markers(marks[..<i]).count == 60)
    }

    @Test func stackedBarsLegendAndBars() throws {
        let f = ChartTests.barsFigure()
        let r = Self.record(f)
        #expect(Self.legendLabels(r.texts) == ["always", "sometimes", "never"])
        #expect(Self.xTickLabels(r.texts).map(\.string) == ["L=0", "L=2", "L=4"])
        let marks = r.marks
        let (i, box) = try #require(Self.legendBackground(marks))
        let bars = Self.rects(marks[..<i])
        #expect(bars.count == 9)
        #expect(bars.map(\.color) == [0, 0, 0, 1, 1, 1, 2, 2, 2].map(Self.style.color))
        for b in bars { #expect(!box.intersects(b.rect), "legend \(box) covers the bar at \(b.rect)") }
        // Stacked: each category's segments share a left edge and meet end to end.
        for c in 0..<3 {
            let seg = [bars[c], bars[c + 3], bars[c + 6]].map(\.rect)
            #expect(Set(seg.map(\.x)).count == 1)
            #expect(abs(seg[0].minY - seg[1].maxY) < 1e-9 && abs(seg[1].minY - seg[2].maxY) < 1e-9)
        }
        // One box swatch per series after the background.
        #expect(Self.rects(marks[(i + 1)...]).map(\.color) == [0, 1, 2].map(Self.style.color))
        Self.expectInside(f, r)
    }

    @Test func thinnedCategoryLabelsDoNotOverlap() {
        let ax = Axes(title: "Many")
        ax.categories = (0..<30).map { "category \($0)" }
        ax.add(.bars(series: [("", (0..<30).map { Double($0 % 7) })], stacked: false))
        let f = Figure(style: Self.style, axes: [ax])
        let r = Self.record(f)
        let labels = Self.xTickLabels(r.texts)
        #expect(labels.count > 1 && labels.count < 30)
        let boxes = labels.map(r.bounds(of:))
        for (a, b) in zip(boxes, boxes.dropFirst()) { #expect(!a.intersects(b), "\(a) overlaps \(b)") }
        // A single unnamed series has no legend.
        #expect(Self.legendBackground(r.marks) == nil)
    }

    @Test func axesSitSideBySideInTheirSlots() throws {
        let line = ChartTests.lineFigure().axes[0], bars = ChartTests.barsFigure().axes[0]
        let f = Figure(style: Self.style, wide: true, axes: [line, bars])
        let r = Self.record(f)
        let half = f.width / 2
        let clips = r.commands.compactMap { c -> Rect? in
            if case let .clip(x, y, w, h) = c { return Rect(x, y, w, h) } else { return nil }
        }
        #expect(clips.count == 2)
        #expect(Rect(0, 0, half, f.height).contains(clips[0]))
        #expect(Rect(half, 0, half, f.height).contains(clips[1]))
        let titles = r.texts.filter(\.bold)
        #expect(titles.map(\.string) == ["Coverage", "Sample types"])
        #expect(titles[0].x < half && titles[1].x > half)
        Self.expectInside(f, r)
        Self.expectBalanced(r)
    }

    // MARK: heatmap

    @Test func heatmapCellsLabelsAndColourBar() throws {
        let f = ChartTests.heatmapFigure()
        let r = Self.record(f)
        let texts = r.texts
        let rects = Self.rects(r.marks[...])
        // 2 x 3 cells, the missing one in light grey at full cell size; then 48 colour-bar bands.
        #expect(rects.count == 6 + 48)
        let cells = rects.prefix(6)
        #expect(cells.filter { $0.color == Color.light }.count == 1)
        #expect(cells[4].color == Color.light)
        #expect(cells[0].color == cells[3].color, "equal values, equal colours")
        #expect(cells[0].color == Color.sequential(1) && cells[5].color == Color.sequential(0))
        let cellLabels = texts.filter { $0.size == Self.fs * 0.9 && $0.ha == 0.5 && $0.va == 0.5 }
        #expect(cellLabels.map(\.string) == ["40.0", "21.0", "10.0", "40.0", "9.0"])
        for (t, c) in zip(cellLabels, [0, 1, 2, 3, 5].map { cells[$0].rect }) {
            #expect(c.contains(x: t.x, y: t.y), "cell label \(t.string) centred in its cell")
        }
        #expect(Self.xTickLabels(texts).map(\.string) == ["0", "0.7", "1"])
        #expect(Self.yTickLabels(texts).map(\.string) == ["L=0", "L=2"])
        // The colour bar: bands stacked upwards, right of the cells, its ticks in percent going up.
        let bands = rects.suffix(48).map(\.rect)
        #expect(zip(bands, bands.dropFirst()).allSatisfy { $1.y < $0.y })
        #expect(bands.allSatisfy { $0.minX > cells.map(\.rect.maxX).max()! })
        let cbTicks = texts.filter { $0.size == Self.fs * 0.85 }
        #expect(cbTicks.map(\.string) == ["10%", "20%", "30%", "40%"])
        #expect(zip(cbTicks, cbTicks.dropFirst()).allSatisfy { $1.y < $0.y })
        #expect(texts.filter { $0.rotate }.map(\.string) == ["L", "accuracy"])
        #expect(texts.filter { $0.string == "Accuracy over L x T" }.count == 1)
        Self.expectInside(f, r)
    }

    // MARK: Venn

    @Test func vennCirclesAndCounts() throws {
        let ax = Axes(title: "Solved sets")
        ax.add(.venn(a: "T-only", b: "L-only", onlyA: 12, onlyB: 7, both: 30, neither: 4))
        // A Venn axes shows only the diagram.
        ax.add(.line(xs: [1, 2], ys: [1, 2], label: "ignored", color: 2))
        let f = Figure(style: Self.style, axes: [ax])
        let r = Self.record(f)
        let marks = r.marks
        #expect(marks.count == 2)
        #expect(marks.map(\.color) == [Self.style.color(0).alpha(0.35), Self.style.color(1).alpha(0.35)])
        let circles = Self.circles(marks[...])
        #expect(circles.count == 2)
        #expect(circles[0].intersects(circles[1]) && circles[0].midX < circles[1].midX)
        let page = Rect(0, 0, f.width, f.height)
        #expect(circles.allSatisfy { page.contains($0) })
        let texts = r.texts
        let counts = texts.filter { $0.bold && $0.size == Self.fs * 1.2 }
        #expect(counts.map(\.string) == ["12", "30", "7"])
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $0.x < $1.x })
        #expect(texts.map(\.string) == ["12", "30", "7", "T-only", "L-only", "neither: 4", "Solved sets"])
        #expect(texts.filter { $0.string == "Solved sets" }.count == 1)
        Self.expectInside(f, r)
    }

    // MARK: the recorder itself

    @Test func drawingIsDeterministicAndEmptyFiguresDrawNothing() {
        #expect(Self.record(ChartTests.lineFigure()).commands == Self.record(ChartTests.lineFigure()).commands)
        #expect(Self.record(Figure(style: Self.style, axes: [])).commands.isEmpty)
    }

    @Test func recorderGroupsPathsIntoMarksAndMeasuresText() {
        let r = RecordingRenderer(charWidth: 0.5)
        r.setColor(.grey)
        r.move(0, 0); r.line(10, 5); r.stroke()
        r.rect(1, 2, 3, 4); r.clip(1, 2, 3, 4)
        r.setColor(.black); r.circle(5, 5, 2); r.fill()
        r.text("abcd", 10, 20, size: 10, ha: 1, va: 0.5, rotate: false, bold: false)
        r.text("ab", 10, 20, size: 10, ha: 0, va: 0, rotate: true, bold: true)
        #expect(r.marks == [
            Mark(operation: .stroke, color: .grey, path: [.move(x: 0, y: 0), .line(x: 10, y: 5)]),
            Mark(operation: .fill, color: .black, path: [.circle(x: 5, y: 5, r: 2)]),
        ])
        #expect(r.marks[0].bounds == Rect(0, 0, 10, 5))
        #expect(r.textWidth("abcd", size: 10) == 20)
        // 20 wide, 7.5 (0.75 x size) tall, right-aligned and vertically centred on its anchor.
        #expect(r.bounds(of: r.texts[0]) == Rect(-10, 16.25, 20, 7.5))
        // Rotated text runs upwards from its anchor.
        #expect(r.bounds(of: r.texts[1]) == Rect(10, 10, 7.5, 10))
        #expect(r.commands.count == 11)
        r.reset()
        #expect(r.commands.isEmpty)
    }
}
