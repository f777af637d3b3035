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
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String) throws -> Notebook {
        let lines = text.components(separatedBy: "\n")
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var i = 0
        var front: [(String, Node)] = []
        var frontLine = 1
        if lines.first?.trimmingCharacters(in: .whitespaces) == "---" {
            guard let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
                throw PlanError("\(path):1: front matter opened with --- is never closed")
            }
            let yaml = lines[1..<end].joined(separator: "\n")
            frontLine = 2
            let node: Node?
            do { node = try Yams.compose(yaml: yaml) } catch let e as YamlError {
                throw PlanError("\(path): invalid front matter: \(Plan.yamlMessage(e, lineOffset: 1))")
            }
            if let node {
                guard let m = node.mapping else { throw PlanError("\(path):2: front matter must be a mapping") }
                for (k, v) in m { front.append((k.string ?? "", v)) }
            }
            i = end + 1
        }
        var title = stem, store: String? = nil, style = "paper", clustering = "answer_class", prefixTokens = 8
        var base = Plan(name: stem)
        for (k, v) in front {
            let line = (v.mark?.line ?? 0) + frontLine - 1
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
                guard let v = UInt64(s.string) else { throw PlanError("\(path):\(line): seed must be a non-negative integer") }
                base.seed = v
            case "clustering":
                guard Diversity.clusterings.contains(s.string) else {
                    throw PlanError("\(path):\(line): clustering must be one of \(Diversity.clusterings.joined(separator: ", "))")
                }
                clustering = s.string
            case "prefix_tokens":
                guard let v = Int(s.string), v > 0 else { throw PlanError("\(path):\(line): prefix_tokens must be a positive integer") }
                prefixTokens = v
            default: throw PlanError("\(path):\(line): unknown front matter field \(k) (expected title, model, tasks, store, style, name, template, seed, clustering, prefix_tokens)")
            }
        }
        var blocks = [Block]()
        var prose = [String]()
        var plan: Plan? = nil
        func flushProse() {
            let t = prose.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if !t.isEmpty { blocks.append(.prose(t)) }
            prose = []
        }
        while i < lines.count {
            let line = lines[i]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("```"), trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces) == "rollbook" else {
                // Other fenced blocks are prose, copied whole.
                if trimmed.hasPrefix("```") {
                    prose.append(line); i += 1
                    while i < lines.count { prose.append(lines[i]); if lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("```") { break }; i += 1 }
                    i += 1; continue
                }
                prose.append(line); i += 1; continue
            }
            let start = i + 1
            guard let end = lines[start...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("```") }) else {
                throw PlanError("\(path):\(i + 1): rollbook cell is never closed with ```")
            }
            flushProse()
            let body = lines[start..<end].joined(separator: "\n")
            let cellLine = start + 1
            let node: Node?
            do { node = try Yams.compose(yaml: body) } catch let e as YamlError {
                throw PlanError("\(path): cell at line \(i + 1): \(Plan.yamlMessage(e, lineOffset: start))")
            }
            guard let m = node?.mapping, let (firstKey, firstValue) = m.first.map({ ($0.key.string ?? "", $0.value) }) else {
                throw PlanError("\(path):\(cellLine): a rollbook cell needs one of sample:, figure:, table:, text:")
            }
            var extras = [String: String]()
            for (k, v) in m.dropFirst() {
                guard let ks = k.string, case .scalar(let s) = v else {
                    throw PlanError("\(path):\((k.mark?.line ?? 1) + start): cell options must be text")
                }
                extras[ks] = s.string
            }
            let keyLine = (m.first?.key.mark?.line ?? 1) + start
            switch firstKey {
            case "sample":
                if plan != nil { throw PlanError("\(path):\(keyLine): only one sample cell per notebook") }
                if !extras.isEmpty { throw PlanError("\(path):\(keyLine): put sample options inside sample:") }
                plan = try Plan.parse(node: firstValue, source: path, defaultName: base.name, lineOffset: start, base: base)
                blocks.append(.sample(plan!, line: keyLine))
            case "figure", "table":
                guard case .scalar(let s) = firstValue else { throw PlanError("\(path):\(keyLine): \(firstKey): expected a name") }
                let names = firstKey == "figure" ? figureNames : tableNames
                guard names.contains(s.string) else {
                    throw PlanError("\(path):\(keyLine): unknown \(firstKey) \"\(s.string)\" (known: \(names.joined(separator: ", ")))")
                }
                for k in extras.keys where !["caption", "wide"].contains(k) {
                    throw PlanError("\(path):\(keyLine): unknown option \(k) for \(firstKey) (expected caption, wide)")
                }
                let caption = extras["caption"]
                blocks.append(firstKey == "figure" ? .figure(name: s.string, caption: caption, options: extras, line: keyLine)
                                                   : .table(name: s.string, caption: caption, options: extras, line: keyLine))
            case "text":
                guard case .scalar(let s) = firstValue else { throw PlanError("\(path):\(keyLine): text: expected a string") }
                blocks.append(.text(s.string, line: keyLine))
            default:
                throw PlanError("\(path):\(keyLine): unknown cell kind \"\(firstKey)\" (expected sample, figure, table, text)")
            }
            i = end + 1
        }
        flushProse()
        guard let plan else { throw PlanError("\(path): the notebook has no sample cell (```rollbook\\nsample: {...}\\n```)") }
        var nb = Notebook(path: path, title: title, name: plan.name, store: store, style: style, plan: plan, blocks: blocks)
        nb.clustering = clustering; nb.prefixTokens = prefixTokens
        return nb
    }
}
