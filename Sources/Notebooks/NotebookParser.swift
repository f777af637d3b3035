import Analysis
import Charts
import Foundation
import Reports
import Runner
import Yams

/// Reads a notebook top to bottom: front matter, then prose and fenced `rollbook` cells;
/// `finish()` then checks what spans cells (run names, the runs a cell draws, text values).
struct NotebookParser {
    let lines: [String]
    let path: String
    var i = 0
    var title: String, store: String? = nil, style = "paper", clustering = "answer_class", prefixTokens = 8
    var heldOutFolds: Int? = nil
    var base: Plan
    var runs = [Notebook.Run]()
    /// Sample cells that set `name:` themselves (required once the notebook has two runs).
    var named = Set<Int>()
    var blocks = [Notebook.Block]()
    var prose = [String]()

    init(text: String, path: String) {
        lines = text.components(separatedBy: "\n")
        self.path = path
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        title = stem
        base = Plan(name: stem)
    }

    static let frontFields = "title, model, tasks, store, style, name, template, seed, clustering, prefix_tokens, "
        + "held_out_folds"

    /// YAML between a first line `---` and the next `---`.
    mutating func frontMatter() throws {
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---" else { return }
        guard let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
            throw PlanError("\(path):1: front matter opened with --- is never closed")
        }
        let node: Node?
        do { node = try Yams.compose(yaml: lines[1..<end].joined(separator: "\n")) } catch let e as YamlError {
            throw PlanError("\(path): invalid front matter: \(Plan.yamlMessage(e, lineOffset: 1))")
        }
        if let node {
            guard let m = node.mapping else { throw PlanError("\(path):2: front matter must be a mapping") }
            for (k, v) in m { try frontField(k.string ?? "", v) }
        }
        i = end + 1
    }

    mutating func frontField(_ k: String, _ v: Node) throws {
        let line = (v.mark?.line ?? 0) + 1
        guard case .scalar(let s) = v else { throw PlanError("\(path):\(line): front matter field \(k) must be text") }
        switch k {
        case "title": title = s.string
        case "model": base.model = s.string
        case "tasks": base.tasks = s.string
        case "store": store = s.string
        case "style": style = s.string
        case "name": base.name = s.string
        case "template": base.template = s.string
        case "seed":
            guard let v = UInt64(s.string) else {
                throw PlanError("\(path):\(line): seed must be a non-negative integer")
            }
            base.seed = v
        case "clustering":
            guard Diversity.clusterings.contains(s.string) else {
                let known = Diversity.clusterings.joined(separator: ", ")
                throw PlanError("\(path):\(line): clustering must be one of \(known)")
            }
            clustering = s.string
        case "prefix_tokens":
            guard let v = Int(s.string), v > 0 else {
                throw PlanError("\(path):\(line): prefix_tokens must be a positive integer")
            }
            prefixTokens = v
        case "held_out_folds":
            guard let v = Int(s.string), v >= 2, v <= 16 else {
                throw PlanError("\(path):\(line): held_out_folds must be an integer from 2 to 16")
            }
            heldOutFolds = v
        default: throw PlanError("\(path):\(line): unknown front matter field \(k) (expected \(Self.frontFields))")
        }
    }

    mutating func flushProse() {
        let t = prose.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if !t.isEmpty { blocks.append(.prose(t)) }
        prose = []
    }

    /// One line of prose, a whole other fenced block (prose, copied whole), or a rollbook cell.
    mutating func next() throws {
        let line = lines[i]
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        let info = trimmed.hasPrefix("```") ? trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces) : nil
        guard info == "rollbook" else {
            if let info { try otherFence(info) } else { prose.append(line) }
            i += 1
            return
        }
        let start = i + 1
        guard let end = lines[start...].firstIndex(where: NotebookParser.isClosingFence) else {
            throw PlanError("\(path):\(i + 1): rollbook cell is never closed with ```")
        }
        flushProse()
        try cell(lines[start..<end].joined(separator: "\n"), fence: i, start: start)
        i = end + 1
    }

    /// A fenced block that is not a rollbook cell: copied whole as prose (or a typo refused).
    mutating func otherFence(_ info: String) throws {
        if NotebookParser.looksLikeRollbook(info) {
            throw PlanError("\(path):\(i + 1): fence ```\(info) is not a rollbook cell; did you mean ```rollbook?")
        }
        let opened = i
        prose.append(lines[i]); i += 1
        while i < lines.count {
            prose.append(lines[i])
            if NotebookParser.isClosingFence(lines[i]) { return }
            i += 1
        }
        throw PlanError("\(path):\(opened + 1): fenced block opened here is never closed with ``` "
                        + "(everything after it would be read as its text)")
    }

    /// A cell's YAML: its first key is its kind; further keys are options.
    mutating func cell(_ body: String, fence: Int, start: Int) throws {
        let node: Node?
        do { node = try Yams.compose(yaml: body) } catch let e as YamlError {
            throw PlanError("\(path): cell at line \(fence + 1): \(Plan.yamlMessage(e, lineOffset: start))")
        }
        guard let m = node?.mapping, let (kind, value) = m.first.map({ ($0.key.string ?? "", $0.value) }) else {
            throw PlanError("\(path):\(start + 1): a rollbook cell needs one of sample:, runs:, figure:, table:, text:")
        }
        let options = Array(m.dropFirst())
        let keyLine = (m.first?.key.mark?.line ?? 1) + start
        switch kind {
        case "sample":
            if !options.isEmpty { throw PlanError("\(path):\(keyLine): put sample options inside sample:") }
            let plan = try Plan.parse(node: value, source: path, defaultName: base.name, lineOffset: start, base: base)
            if plan.locations["name"] != nil { named.insert(runs.count) }
            runs.append(Notebook.Run(name: plan.name, plan: plan, line: keyLine))
            blocks.append(.sample(plan, line: keyLine))
        case "runs":
            if !options.isEmpty { throw PlanError("\(path):\(keyLine): a runs: cell takes no options") }
            let names = try runNames(value, line: keyLine)
            runs += names.map { Notebook.Run(name: $0, plan: nil, line: keyLine) }
            blocks.append(.stored(names, line: keyLine))
        case "figure", "table":
            try view(kind, value, options: options, line: keyLine, start: start)
        case "text":
            guard case .scalar(let s) = value else { throw PlanError("\(path):\(keyLine): text: expected a string") }
            guard Tables.placeholders(s.string) != nil else {
                throw PlanError("\(path):\(keyLine): text cell has a {{ that is never closed with }}")
            }
            blocks.append(.text(s.string, line: keyLine))
        default:
            throw PlanError("\(path):\(keyLine): unknown cell kind \"\(kind)\" "
                            + "(expected sample, runs, figure, table, text)")
        }
    }

    /// A list of run names (`[a, b]`, or one name), each usable as a run name.
    func runNames(_ value: Node, line: Int) throws -> [String] {
        let items: [Node]
        if case .scalar = value { items = [value] } else if let s = value.sequence { items = Array(s) } else {
            throw PlanError("\(path):\(line): runs: expected a list of run names, e.g. runs: [base, tuned]")
        }
        let names = try items.map { n -> String in
            guard case .scalar(let s) = n, !s.string.isEmpty, !s.string.contains("/") else {
                throw PlanError("\(path):\(line): runs: each entry must be a run name (text without '/')")
            }
            return s.string
        }
        if names.isEmpty { throw PlanError("\(path):\(line): runs: names no run") }
        return names
    }

    /// A closing fence: backticks only (a line with an info string opens a block, never closes one).
    static func isClosingFence(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        return t.count >= 3 && t.allSatisfy { $0 == "`" }
    }

    /// An info string one or two edits from "rollbook" (a typo that would silently turn a
    /// cell into prose).
    static func looksLikeRollbook(_ info: String) -> Bool {
        let a = Array(info.lowercased()), b = Array("rollbook")
        if a == b { return true }
        guard abs(a.count - b.count) <= 2 else { return false }
        var prev = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count] <= 2
    }

    static let viewOptions = ["caption", "width", "wide", "runs", "x"]

    /// A figure or table cell and its options (caption, width or wide, runs, x).
    mutating func view(_ kind: String, _ value: Node, options: [(key: Node, value: Node)], line: Int,
                       start: Int) throws {
        guard case .scalar(let s) = value else { throw PlanError("\(path):\(line): \(kind): expected a name") }
        let names = kind == "figure" ? Notebook.figureNames : Notebook.tableNames
        guard names.contains(s.string) else {
            let known = names.joined(separator: ", ")
            throw PlanError("\(path):\(line): unknown \(kind) \"\(s.string)\" (known: \(known))")
        }
        var v = Notebook.View(name: s.string, caption: nil, width: .column, runs: nil, x: .rollouts, line: line)
        for (k, node) in options {
            let at = (k.mark?.line ?? 1) + start, key = k.string ?? ""
            guard Self.viewOptions.contains(key) else {
                throw PlanError("\(path):\(line): unknown option \(key) for \(kind) "
                                + "(expected \(Self.viewOptions.joined(separator: ", ")))")
            }
            if key == "runs" { v.runs = try runNames(node, line: at); continue }
            guard case .scalar(let text) = node else { throw PlanError("\(path):\(at): cell options must be text") }
            switch key {
            case "caption": v.caption = text.string
            case "wide":
                guard kind == "figure", let b = Bool(text.string) else {
                    throw PlanError("\(path):\(at): wide: applies to figures and is true or false")
                }
                v.width = b ? .full : .column
            case "width":
                guard kind == "figure", let w = FigureWidth(text.string) else {
                    throw PlanError("\(path):\(at): width: applies to figures and is column, full or a width "
                                    + "in inches between 1 and 20 (e.g. width: 3.25)")
                }
                v.width = w
            default: v.x = try xAxis(text.string, figure: kind == "figure" ? s.string : nil, line: at)
            }
        }
        blocks.append(kind == "figure" ? .figure(v) : .table(v))
    }

    /// `x:` of a curve figure.
    func xAxis(_ text: String, figure: String?, line: Int) throws -> XAxis {
        guard let figure, StandardFigures.curveNames.contains(figure) else {
            throw PlanError("\(path):\(line): x: applies to curve figures ("
                            + StandardFigures.curveNames.joined(separator: ", ") + ")")
        }
        guard let x = XAxis(rawValue: text) else {
            let known = XAxis.allCases.map(\.rawValue).joined(separator: ", ")
            throw PlanError("\(path):\(line): x: \"\(text)\" is not one of \(known)")
        }
        return x
    }
}
