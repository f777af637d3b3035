import Analysis
import Charts
import Foundation
import Reports
import Runner
import Yams

/// A Markdown notebook (DESIGN.md): YAML front matter, prose, and fenced `rollbook` cells.
/// A notebook reads one run or several: each `sample:` cell plans one (named by `name:`, which
/// is required once there are two), and a `runs:` cell names runs already in the store.
public struct Notebook: Sendable {
    /// A run the notebook reads: planned by a sample cell, or (plan nil) named by a `runs:`
    /// cell and read from the store as it is.
    public struct Run: Sendable {
        public var name: String
        public var plan: Plan?
        /// The line of the cell that brought the run in.
        public var line: Int
    }

    /// A figure or table cell.
    public struct View: Sendable {
        public var name: String
        public var caption: String?
        /// column, full or inches (`wide: true` is `width: full`).
        public var width: FigureWidth
        /// The runs it draws, in order; nil: every run of the notebook.
        public var runs: [String]?
        /// What the x axis counts (curve figures): rollouts, tokens or FLOPs.
        public var x: XAxis
        public var line: Int
    }

    public enum Block: Sendable {
        case prose(String)
        case sample(Plan, line: Int)
        /// A `runs:` cell: runs read from the store as they are.
        case stored([String], line: Int)
        case figure(View)
        case table(View)
        case text(String, line: Int)
    }

    public var path: String
    public var title: String
    /// The run's name in a single-run notebook; else the front matter's `name`, or the file's stem.
    /// The report goes to reports/<name>/ by default.
    public var name: String
    public var store: String?
    public var style: String
    /// Approach clustering for the diversity analysis (answer_class, prefix, first_sentence).
    public var clustering = "answer_class"
    public var prefixTokens = 8
    /// K of the held-out budget audit (nil: two halves).
    public var heldOutFolds: Int? = nil
    /// Every run, in the order the notebook names them.
    public var runs: [Run]
    public var blocks: [Block]

    /// The sample cells' plans, in order.
    public var plans: [Plan] { runs.compactMap(\.plan) }
    /// Several runs: figures draw one series or panel per run, text values are qualified.
    public var isMultiRun: Bool { runs.count > 1 }

    /// The names the report writer can build (its registry is the one list).
    public static var figureNames: [String] { StandardFigures.names }
    public static var tableNames: [String] { Tables.names }

    public static func load(path: String) throws -> Notebook {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw PlanError("\(path): cannot read the notebook")
        }
        return try parse(text.replacingOccurrences(of: "\r\n", with: "\n"), path: path)
    }

    public static func parse(_ text: String, path: String) throws -> Notebook {
        var p = NotebookParser(text: text, path: path)
        try p.frontMatter()
        while p.i < p.lines.count { try p.next() }
        p.flushProse()
        try p.finish()
        let name = p.runs.count == 1 ? p.runs[0].name : p.base.name
        var nb = Notebook(path: path, title: p.title, name: name, store: p.store, style: p.style, runs: p.runs,
                          blocks: p.blocks)
        nb.clustering = p.clustering; nb.prefixTokens = p.prefixTokens; nb.heldOutFolds = p.heldOutFolds
        return nb
    }
}
