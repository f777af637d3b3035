import Analysis
import Foundation
import Store

/// A run's stored data in the shapes analyses take.
public struct RunData: Sendable {
    public var name: String
    public var outcomes: [Outcome]
    /// Children of prefix-branching depth trials (strategy: depth), kept apart from the
    /// breadth outcomes every other analysis reads.
    public var depth: [DepthOutcome] = []
    /// depth.b0 and depth.prefix_tokens of those trials.
    public var depthB0 = 0
    public var depthPrefixTokens = 0
    /// Self-refinement rounds >= 1 (strategy: refine); round 0 is the breadth rollout.
    public var refine: [RefineOutcome] = []
    public var features: [String: [[Float]]]
    public var iterations: [Cell: [Int]]
    public var planned: Int

    /// Loads a run. `clustering` picks the approach label (answer_class, prefix, first_sentence);
    /// `prefixTokens` is k for the prefix clustering and for the early-token entropy.
    public static func load(store: RolloutStore, run name: String, features wantFeatures: Bool = true,
                            clustering: String = "answer_class", prefixTokens: Int = 8) throws -> RunData {
        guard Diversity.clusterings.contains(clustering) else {
            let known = Diversity.clusterings.joined(separator: ", ")
            throw StoreError("unknown clustering \"\(clustering)\" (expected one of: \(known))")
        }
        guard let info = try store.run(named: name) else {
            let known = (try? store.runNames()) ?? []
            let runs = known.isEmpty ? "" : " (runs: \(known.joined(separator: ", ")))"
            throw StoreError("\(store.path): no run named \"\(name)\"" + runs)
        }
        var outcomes = [Outcome]()
        var depth = [DepthOutcome]()
        var refine = [RefineOutcome]()
        var b0 = 0, prefixLength = 0
        outcomes.reserveCapacity(info.planned)
        try store.forEachOutcome(run: name, text: clustering != "answer_class", prefixTokens: prefixTokens) { r in
            switch r.role {
            case let .refine(round, _):
                refine.append(RefineOutcome(problem: r.problemID, layers: r.layers, temperature: r.temperature,
                                            sample: r.sampleIndex, round: round, correct: r.correct,
                                            answerClass: r.answerClass, tokens: r.tokenCount))
            case let .depthChild(depthB0, pl, signal, trial, _):
                b0 = depthB0; prefixLength = pl
                depth.append(DepthOutcome(problem: r.problemID, layers: r.layers, temperature: r.temperature,
                                          signal: signal, trial: trial, correct: r.correct,
                                          answerClass: r.answerClass, tokens: r.tokenCount))
            case .breadth:
                outcomes.append(outcome(r, clustering: clustering, prefixTokens: prefixTokens))
            }
        }
        var iters = [Cell: [Int]]()
        for h in try store.iterationCounts(run: name) { iters[Cell(layers: h.layers,
                                                                   temperature: h.temperature)] = h.counts }
        var data = RunData(name: name, outcomes: outcomes,
                           features: wantFeatures ? try store.featuresByProblem(run: name) : [:],
                           iterations: iters, planned: info.planned)
        data.depth = depth; data.depthB0 = b0; data.depthPrefixTokens = prefixLength
        data.refine = refine
        return data
    }
}

extension RunData {
    /// A breadth rollout as analyses see it, with its approach label under `clustering`.
    static func outcome(_ r: OutcomeRow, clustering: String, prefixTokens: Int) -> Outcome {
        let early = r.tokenPrefix.flatMap { p in
            p.isEmpty ? nil : p.reduce(0.0) { $0 + Double($1.entropy) } / Double(p.count)
        }
        let label = Diversity.approachLabel(clustering: clustering, answerClass: r.answerClass, response: r.response,
                                            tokenIDs: r.tokenPrefix?.map(\.id), k: prefixTokens)
        var o = Outcome(problem: r.problemID, layers: r.layers, temperature: r.temperature, sample: r.sampleIndex,
                        correct: r.correct, answerClass: r.answerClass, tokens: r.tokenCount,
                        meanEntropy: r.meanEntropy, meanLogprob: r.meanLogprob, selfCertainty: r.selfCertainty,
                        gatedTokens: r.gatedTokens, extraLayerApplications: r.extraLayerApplications,
                        approach: label, earlyEntropy: early)
        o.promptTokens = r.promptTokens; o.seconds = r.seconds; o.flops = r.flops; o.score = r.score
        return o
    }

    /// Every analysis of the run: the breadth families, plus measured depth and
    /// self-refinement comparisons when the run has them.
    public func analyze(_ o: AnalysisOptions) -> RunReport {
        var report = RunAnalysis.analyze(outcomes, features: features, iterationHistograms: iterations, options: o)
        if !depth.isEmpty {
            report.depth = DepthAnalysis.compare(breadth: outcomes, depth: depth, b0: depthB0,
                                                 prefixTokens: depthPrefixTokens,
                                                 resamples: o.resamples, level: o.level, seed: o.seed)
        }
        if !refine.isEmpty {
            report.refinement = RefineAnalysis.compare(breadth: outcomes, refine: refine, resamples: o.resamples,
                                                       level: o.level, seed: o.seed)
        }
        return report
    }
}
