import Analysis
import Foundation
import Store

/// A run's stored data in the shapes analyses take.
public struct RunData: Sendable {
    public var name: String
    public var outcomes: [Outcome]
    public var features: [String: [[Float]]]
    public var iterations: [Cell: [Int]]
    public var planned: Int

    /// Loads a run. `clustering` picks the approach label (answer_class, prefix, first_sentence);
    /// `prefixTokens` is k for the prefix clustering and for the early-token entropy.
    public static func load(store: RolloutStore, run name: String, features wantFeatures: Bool = true,
                            clustering: String = "answer_class", prefixTokens: Int = 8) throws -> RunData {
        guard Diversity.clusterings.contains(clustering) else {
            throw StoreError("unknown clustering \"\(clustering)\" (expected one of: \(Diversity.clusterings.joined(separator: ", ")))")
        }
        guard let info = try store.run(named: name) else {
            let known = (try? store.runNames()) ?? []
            throw StoreError("\(store.path): no run named \"\(name)\"" + (known.isEmpty ? "" : " (runs: \(known.joined(separator: ", ")))"))
        }
        var outcomes = [Outcome]()
        outcomes.reserveCapacity(info.planned)
        try store.forEachOutcome(run: name, text: clustering == "first_sentence", prefixTokens: prefixTokens) { r in
            let early = r.tokenPrefix.flatMap { p in p.isEmpty ? nil : p.reduce(0.0) { $0 + Double($1.entropy) } / Double(p.count) }
            let label = Diversity.approachLabel(clustering: clustering, answerClass: r.answerClass, response: r.response,
                                                tokenIDs: r.tokenPrefix?.map(\.id), k: prefixTokens)
            outcomes.append(Outcome(problem: r.problemID, layers: r.layers, temperature: r.temperature, sample: r.sampleIndex,
                                    correct: r.correct, answerClass: r.answerClass, tokens: r.tokenCount,
                                    meanEntropy: r.meanEntropy, meanLogprob: r.meanLogprob, selfCertainty: r.selfCertainty,
                                    gatedTokens: r.gatedTokens, extraLayerApplications: r.extraLayerApplications,
                                    approach: label, earlyEntropy: early))
        }
        var iters = [Cell: [Int]]()
        for (k, h) in try store.iterationCounts(run: name) {
            let parts = k.split(separator: "|")
            iters[Cell(layers: Int(parts[0])!, temperature: Double(parts[1])!)] = h
        }
        return RunData(name: name, outcomes: outcomes,
                       features: wantFeatures ? try store.featuresByProblem(run: name) : [:],
                       iterations: iters, planned: info.planned)
    }
}
