import Analysis
import Foundation
import Reports
import Runner
import Yams

/// A Markdown notebook (DESIGN.md): YAML front matter, prose, and fenced `rollbook` cells.
public struct Notebook: Sendable {
    public enum Block: Sendable {
        case prose(String)
        case sample(Plan, line: Int)
        case figure(name: String, caption: String?, options: [String: String], line: Int)
        case table(name: String, caption: String?, options: [String: String], line: Int)
        case text(String, line: Int)
    }

    public var path: String
    public var title: String
    public var name: String
    public var store: String?
    public var style: String
    /// Approach clustering for the diversity analysis (answer_class, prefix, first_sentence).
    public var clustering = "answer_class"
    public var prefixTokens = 8
    public var plan: Plan
    public var blocks: [Block]

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
        guard let plan = p.plan else {
            throw PlanError("\(path): the notebook has no sample cell (```rollbook\\nsample: {...}\\n```)")
        }
        var nb = Notebook(path: path, title: p.title, name: plan.name, store: p.store, style: p.style, plan: plan,
                          blocks: p.blocks)
        nb.clustering = p.clustering; nb.prefixTokens = p.prefixTokens
        return nb
    }
}

/// Reads a notebook top to bottom: front matter, then prose and fenced `rollbook` cells.
struct NotebookParser {
    let lines: [String]
    let path: String
    var i = 0
    var title: String, store: String? = nil, style = "paper", clustering = "answer_class", prefixTokens = 8
    var base: Plan
    var plan: Plan? = nil
    var blocks = [Notebook.Block]()
    var prose = [String]()

    init(text: String, path: String) {
        lines = text.components(separatedBy: "\n")
        self.path = path
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        title = stem
        base = Plan(name: stem)
    }

    static let frontFields = "title, model, tasks, store, style, name, template, seed, clustering, prefix_tokens"

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
            if let info {
                if info != "rollbook" && NotebookParser.looksLikeRollbook(info) {
                    throw PlanError("\(path):\(i + 1): fence ```\(info) is not a rollbook cell; "
                                    + "did you mean ```rollbook?")
                }
                let opened = i
                prose.append(line); i += 1
                while i < lines.count {
                    prose.append(lines[i])
                    if NotebookParser.isClosingFence(lines[i]) { break }
                    i += 1
                }
                if i >= lines.count {
                    throw PlanError("\(path):\(opened + 1): fenced block opened here is never closed with ``` "
                                    + "(everything after it would be read as its text)")
                }
            } else {
                prose.append(line)
            }
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

    /// A cell's YAML: its first key is its kind; further keys are options.
    mutating func cell(_ body: String, fence: Int, start: Int) throws {
        let node: Node?
        do { node = try Yams.compose(yaml: body) } catch let e as YamlError {
            throw PlanError("\(path): cell at line \(fence + 1): \(Plan.yamlMessage(e, lineOffset: start))")
        }
        guard let m = node?.mapping, let (kind, value) = m.first.map({ ($0.key.string ?? "", $0.value) }) else {
            throw PlanError("\(path):\(start + 1): a rollbook cell needs one of sample:, figure:, table:, text:")
        }
        var extras = [String: String]()
        for (k, v) in m.dropFirst() {
            guard let ks = k.string, case .scalar(let s) = v else {
                throw PlanError("\(path):\((k.mark?.line ?? 1) + start): cell options must be text")
            }
            extras[ks] = s.string
        }
        let keyLine = (m.first?.key.mark?.line ?? 1) + start
        switch kind {
        case "sample":
            if plan != nil { throw PlanError("\(path):\(keyLine): only one sample cell per notebook") }
            if !extras.isEmpty { throw PlanError("\(path):\(keyLine): put sample options inside sample:") }
            plan = try Plan.parse(node: value, source: path, defaultName: base.name, lineOffset: start, base: base)
            blocks.append(.sample(plan!, line: keyLine))
        case "figure", "table":
            try figureOrTable(kind, value, extras: extras, line: keyLine)
        case "text":
            guard case .scalar(let s) = value else { throw PlanError("\(path):\(keyLine): text: expected a string") }
            guard let names = Tables.placeholders(s.string) else {
                throw PlanError("\(path):\(keyLine): text cell has a {{ that is never closed with }}")
            }
            for n in names where !Tables.valueNames.contains(n) {
                throw PlanError("\(path):\(keyLine): unknown {{\(n)}} in a text cell (known: "
                                + Tables.valueNames.joined(separator: ", ") + ")")
            }
            blocks.append(.text(s.string, line: keyLine))
        default:
            throw PlanError("\(path):\(keyLine): unknown cell kind \"\(kind)\" (expected sample, figure, table, text)")
        }
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

    mutating func figureOrTable(_ kind: String, _ value: Node, extras: [String: String], line: Int) throws {
        guard case .scalar(let s) = value else { throw PlanError("\(path):\(line): \(kind): expected a name") }
        let names = kind == "figure" ? Notebook.figureNames : Notebook.tableNames
        guard names.contains(s.string) else {
            let known = names.joined(separator: ", ")
            throw PlanError("\(path):\(line): unknown \(kind) \"\(s.string)\" (known: \(known))")
        }
        for k in extras.keys where !["caption", "wide"].contains(k) {
            throw PlanError("\(path):\(line): unknown option \(k) for \(kind) (expected caption, wide)")
        }
        let caption = extras["caption"]
        blocks.append(kind == "figure" ? .figure(name: s.string, caption: caption, options: extras, line: line)
                                       : .table(name: s.string, caption: caption, options: extras, line: line))
    }
}
