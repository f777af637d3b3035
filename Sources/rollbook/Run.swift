import Analysis
import ArgumentParser
import Foundation
import Runner
import Store

/// `--store` as a reusable option group.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite rollout store.")
    var store: String = "data/rollbook.sqlite"
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate (or reuse) every rollout a YAML plan asks for.")

    @Argument(help: "A YAML plan file.") var spec: String
    @OptionGroup var storeOptions: StoreOptions
    @Flag(name: .long, help: "No progress output.") var quiet = false
    @Flag(name: .long, help: "Print the summary as JSON.") var json = false
    @Flag(name: .long, help: "Point the run name at this plan even if another plan file recorded it.")
    var replace = false
    @Option(name: .long, help: ArgumentHelp(
        "Generate only shard I of N (1 <= I <= N), e.g. 2/8; `rollbook merge` unites the shards' stores.",
        valueName: "I/N"))
    var shard: String?

    func run() throws {
        let part: Shard?
        do { part = try shard.map { s in try Shard(parsing: s) } } catch { throw InputError("--\(error)") }
        let plan = try Plan.load(path: spec)
        let store = try RolloutStore(path: storeOptions.store)
        let base = (spec as NSString).deletingLastPathComponent
        var prep = try Runner.prepare(plan, store: store, baseDir: base.isEmpty ? "." : base, source: spec)
        if let part { prep = prep.restricted(to: part) }
        let label = part.map { "\(plan.name) [\($0)]" } ?? plan.name
        let s = try Runner.execute(prep, store: store, progress: .automatic(quiet: quiet, label: label),
                                   replace: replace)
        if json {
            struct Out: Encodable {
                var run: String; var shard: String?
                var planned, cached, generated, regraded, flopsFilled, tokens: Int; var seconds: Double
                enum CodingKeys: String, CodingKey {
                    case run, shard, planned, cached, generated, regraded, tokens, seconds
                    case flopsFilled = "flops_filled"
                }
            }
            try writeJSON(Out(run: plan.name, shard: part?.description, planned: s.planned, cached: s.cached,
                              generated: s.generated, regraded: s.regraded, flopsFilled: s.flopsFilled,
                              tokens: s.tokens, seconds: s.seconds))
        } else if !quiet {
            print(String(format: "%@: %d rollouts planned, %d cached, %d generated (%d tokens) in %.1fs",
                         label, s.planned, s.cached, s.generated, s.tokens, s.seconds))
        }
    }
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse a run: pass@k, maj@k, pools, budgets, diversity, T2.")

    @Argument(help: "A run name (a plan's name) or a plan file.") var target: String
    @OptionGroup var storeOptions: StoreOptions
    @Flag(name: .long, help: "Emit one JSON object.") var json = false
    @Option(name: .long, help: "Bootstrap resamples.") var resamples = 1000
    @Option(name: .long, help: "Seed for bootstrap and Monte Carlo.") var seed: UInt64 = 0
    @Option(name: .long, help: "K_eff threshold between low and high diversity.") var keffThreshold = 2.0
    @Flag(name: .long, help: "Skip the T2 budget predictor.") var noPredictor = false
    @Option(name: .long, help: "Approach clustering: answer_class, prefix (first k tokens) or first_sentence.")
    var clustering = "answer_class"
    @Option(name: .long, help: "k for the prefix clustering and the early-token entropy.") var prefixTokens = 8
    @Option(name: .long, help: "Folds K of the held-out budget audit (2: two swapped halves).") var heldOutFolds = 2

    func validate() throws {
        guard resamples >= 1 else { throw ValidationError("--resamples must be at least 1") }
        guard (2...16).contains(heldOutFolds) else { throw ValidationError("--held-out-folds must be from 2 to 16") }
        guard prefixTokens >= 1 else { throw ValidationError("--prefix-tokens must be at least 1") }
    }

    func run() throws {
        let store = try RolloutStore(path: storeOptions.store, readOnly: true)
        let name = target.hasSuffix(".yaml") || target.hasSuffix(".yml") ? try Plan.load(path: target).name : target
        let data = try RunData.load(store: store, run: name, features: !noPredictor, clustering: clustering,
                                    prefixTokens: prefixTokens)
        var o = AnalysisOptions()
        o.resamples = resamples; o.seed = seed; o.keffThreshold = keffThreshold
        o.clustering = clustering; o.prefixTokens = prefixTokens
        o.heldOutFolds = heldOutFolds == 2 ? nil : heldOutFolds
        o.blockCount = try store.run(named: name)?.blockCount ?? 0
        let report = data.analyze(o)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            enc.keyEncodingStrategy = .convertToSnakeCase
            enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                      nan: "nan")
            struct Out: Encodable { var run: String; var planned: Int; var report: RunReport }
            var d = try enc.encode(Out(run: name, planned: data.planned, report: report))
            d.append(0x0A)
            FileHandle.standardOutput.write(d)
            return
        }
        print(Summary.text(run: name, planned: data.planned, report))
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "One row per rollout of a run, as JSONL or CSV.")

    @Argument(help: "A run name or a plan file.") var target: String
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "jsonl or csv.") var format = "jsonl"

    func validate() throws {
        guard ["jsonl", "csv"].contains(format) else { throw ValidationError("--format must be jsonl or csv") }
    }

    func run() throws {
        let store = try RolloutStore(path: storeOptions.store, readOnly: true)
        let name = target.hasSuffix(".yaml") || target.hasSuffix(".yml") ? try Plan.load(path: target).name : target
        guard try store.run(named: name) != nil else { throw StoreError("\(store.path): no run named \"\(name)\"") }
        let golds = try store.golds(run: name)
        let rows = try store.rollouts(run: name)
        let out = FileHandle.standardOutput
        let cols = ["problem_id", "gold", "layers", "temperature", "sample_index", "seed", "response", "extracted",
                    "class", "correct", "tokens", "finish_reason", "mean_entropy", "self_certainty", "gated_tokens"]
        if format == "csv" { out.write((cols.joined(separator: ",") + "\n").data(using: .utf8)!) }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for r in rows {
            let values: [Any?] = [r.problemID, golds[r.problemID], r.layers, r.temperature, r.sampleIndex,
                                  String(r.seed), r.response, r.extracted, r.answerClass, r.correct, r.tokenCount,
                                  r.finishReason, r.meanEntropy, r.selfCertainty, r.gatedTokens]
            if format == "csv" {
                let line = values.map { v -> String in
                    guard let v else { return "" }
                    let s = "\(v)"
                    return s.contains(where: { ",\"\n\r".contains($0) })
                        ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
                }.joined(separator: ",")
                out.write((line + "\n").data(using: .utf8)!)
            } else {
                var obj = [String: JSONValue]()
                for (c, v) in zip(cols, values) { obj[c] = JSONValue(v) }
                var d = try enc.encode(obj)
                d.append(0x0A)
                out.write(d)
            }
        }
    }
}

struct Regrade: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-grade a run's stored rollouts with the current grader (no generation).")

    @Argument(help: "A run name or a plan file.") var target: String
    @OptionGroup var storeOptions: StoreOptions
    @Flag(name: .long, help: "Print the summary as JSON.") var json = false

    func run() throws {
        let store = try RolloutStore(path: storeOptions.store)
        let name = target.hasSuffix(".yaml") || target.hasSuffix(".yml") ? try Plan.load(path: target).name : target
        let s = try Regrader.regrade(run: name, store: store)
        if json {
            struct Out: Encodable {
                var run: String; var rollouts, changed_correct, changed_class: Int
                var previous_grader, grader: String
            }
            try writeJSON(Out(run: name, rollouts: s.rollouts, changed_correct: s.changedCorrect,
                              changed_class: s.changedClass, previous_grader: s.previousGrader, grader: s.grader))
        } else {
            print("\(name): \(s.rollouts) rollouts re-graded by \(s.grader) (were \(s.previousGrader)): "
                  + "\(s.changedCorrect) verdicts changed, \(s.changedClass) answer classes changed")
        }
    }
}

/// Minimal JSON value for heterogeneous export rows.
enum JSONValue: Encodable {
    case string(String), int(Int), double(Double), bool(Bool), null
    init(_ v: Any?) {
        switch v {
        case let s as String: self = .string(s)
        case let i as Int: self = .int(i)
        case let d as Double: self = .double(d)
        case let b as Bool: self = .bool(b)
        default: self = .null
        }
    }
    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        case .null: try c.encodeNil()
        }
    }
}
