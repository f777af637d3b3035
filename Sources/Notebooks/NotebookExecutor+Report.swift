import Analysis
import Foundation
import Reports
import Runner
import Store
import Tasks

/// From a run in the store to what the report writer takes: its analysis, its rollouts per
/// problem, its provenance and the facts the `runs` table shows; and the notebook's cells.
extension NotebookExecutor {
    struct Analysed {
        var run: ReportInput.Run
        var options: AnalysisOptions
    }

    /// Loads and analyses one run.
    static func analysed(_ s: RunSource, nb: Notebook, store: RolloutStore) throws -> Analysed {
        let t0 = Date()
        let data = try RunData.load(store: store, run: s.name, clustering: nb.clustering,
                                    prefixTokens: nb.prefixTokens)
        var options = AnalysisOptions()
        options.blockCount = s.blockCount
        options.clustering = nb.clustering; options.prefixTokens = nb.prefixTokens
        options.heldOutFolds = nb.heldOutFolds
        let report = data.analyze(options)
        let r = s.run
        let timings = String(format: "rollouts %.1f s (%d cached, %d generated, %d tokens), analysis %.2f s",
                             r.seconds, r.cached, r.generated, r.tokens, Date().timeIntervalSince(t0))
        let provenance = ReportInput.Provenance(
            model: s.model, modelPath: s.modelPath, modelKey: s.modelKey, tasks: s.tasks,
            grader: try store.run(named: s.name)?.graderVersion ?? Grader.version, plan: s.plan, timings: timings,
            version: RollbookVersion.string)
        var run = ReportInput.Run(name: s.name, report: report, problems: try drillDown(store: store, run: s.name),
                                  provenance: provenance, facts: facts(s, data: data, options: options),
                                  compute: ComputeProfile(data.outcomes))
        if !s.replicas.isEmpty {
            // The other seeds' runs, analysed with the same options (headline numbers only).
            run.seeds = [(s.seed, report)] + (try s.replicas.map { x in
                let d = try RunData.load(store: store, run: x.name, clustering: nb.clustering,
                                         prefixTokens: nb.prefixTokens)
                return (x.seed, d.analyze(options))
            })
        }
        return Analysed(run: run, options: options)
    }

    /// Model, tasks, grid, rollouts, tokens and accuracy of a run.
    static func facts(_ s: RunSource, data: RunData, options: AnalysisOptions) -> ReportInput.Facts {
        let tokens = data.outcomes.reduce(0) { $0 + $1.tokens } + data.depth.reduce(0) { $0 + $1.tokens }
            + data.refine.reduce(0) { $0 + $1.tokens }
        return ReportInput.Facts(model: s.model, modelKey: s.modelKey, tasks: s.tasks, grid: gridText(s.plan),
                                 rollouts: data.outcomes.count + data.depth.count + data.refine.count,
                                 tokens: tokens, accuracy: RunAnalysis.accuracy(data.outcomes, options: options))
    }

    /// "few-shot (chat); temperatures [0.0, 0.7], layers [0], n 8; parallel" from a plan's canonical text.
    static func gridText(_ plan: String) -> String {
        let template = planField(plan, "template") ?? "?"
        let chat = planField(plan, "chat") == "true" ? " (chat)" : ""
        let grid = (planField(plan, "grid") ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "{}"))
            .replacingOccurrences(of: ": ", with: " ").replacingOccurrences(of: "n ", with: "n = ")
        return "\(template)\(chat); \(grid); \(planField(plan, "strategy") ?? "parallel")"
    }

    /// The notebook's cells as the writer takes them (sample and runs cells, now run, as
    /// summaries; figures and tables with the runs they draw).
    static func blocks(_ nb: Notebook, sources: [RunSource]) -> [ReportInput.Block] {
        let byName = Dictionary(sources.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let all = nb.runs.map(\.name)
        return nb.blocks.map { b in
            switch b {
            case .prose(let md): return .prose(markdown: md)
            case let .text(t, line): return .text(template: t, line: line)
            case let .sample(p, _):
                let s = byName[p.name]!, run = s.run
                let seeds = p.seeds.count > 1
                    ? "seeds \(p.seeds.map(String.init).joined(separator: ", ")) (the report's figures are seed "
                        + "\(p.seed)'s; spreads over seeds in the seeds table)"
                    : "seed \(p.seed)"
                let cached = run.cached + s.replicas.reduce(0) { $0 + $1.run.cached }
                let generated = run.generated + s.replicas.reduce(0) { $0 + $1.run.generated }
                let summary = "\(p.rolloutsPerProblem) rollouts per problem over \(s.problems) problems: "
                    + "T in \(p.temperatures), L in \(p.layers), n = \(p.n), max \(p.maxTokens) tokens, "
                    + "\(seeds); \(cached) cached, \(generated) generated."
                return .sample(summary: nb.isMultiRun ? "run \(p.name), \(summary)" : summary)
            case let .stored(names, _):
                return .sample(summary: "runs from the store: " + names.map { n in
                    let s = byName[n]!
                    return "\(n) (\(s.run.cached) rollouts over \(s.problems) problems, \(s.model))"
                }.joined(separator: "; ") + ".")
            case let .figure(v):
                return .figure(name: v.name, caption: v.caption, width: v.width, runs: v.runs ?? all, x: v.x,
                               line: v.line)
            case let .table(v): return .table(name: v.name, caption: v.caption, runs: v.runs ?? all, line: v.line)
            }
        }
    }

    /// At most 4,000 characters of a response are shown; the rest is named, not dropped silently
    /// (`rollbook export` has every character).
    static func shown(_ text: String, limit: Int = 4000) -> String {
        guard text.count > limit else { return text }
        let rest = text.count - limit
        return String(text.prefix(limit)) + "\n[… \(rest) more characters; rollbook export has the full text]"
    }

    /// Every rollout of the run per problem, in problem order.
    static func drillDown(store: RolloutStore, run: String) throws -> [ReportInput.Problem] {
        let problems = try store.problems(run: run)
        var byProblem = [String: [StoredRollout]]()
        for r in try store.rollouts(run: run, withTokens: false) { byProblem[r.problemID, default: []].append(r) }
        return byProblem.keys.sorted().map { pid in
            let p = problems[pid]
            return ReportInput.Problem(id: pid, question: p?.question ?? "", gold: p?.gold ?? "", tier: p?.tier,
                                       rollouts: byProblem[pid]!.map {
                ReportInput.Rollout(layers: $0.layers, temperature: $0.temperature, sample: $0.sampleIndex,
                                    response: shown($0.response), extracted: $0.extracted, answerClass: $0.answerClass,
                                    correct: $0.correct, rule: $0.rule, tokens: $0.tokenCount,
                                    // Imported rollouts carry no token distributions.
                                    meanEntropy: $0.source.hasPrefix("import") || !$0.meanEntropy.isFinite
                                        ? nil : $0.meanEntropy,
                                    selfCertainty: $0.source.hasPrefix("import") || !$0.selfCertainty.isFinite
                                        ? nil : $0.selfCertainty,
                                    finish: $0.finishReason, gatedTokens: $0.gatedTokens,
                                    extraLayers: $0.extraLayerApplications)
            })
        }
    }
}
