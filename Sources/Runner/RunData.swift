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

    public static func load(store: RolloutStore, run name: String, features wantFeatures: Bool = true) throws -> RunData {
        guard let info = try store.run(named: name) else {
            let known = (try? store.runNames()) ?? []
            throw StoreError("\(store.path): no run named \"\(name)\"" + (known.isEmpty ? "" : " (runs: \(known.joined(separator: ", ")))"))
        }
        var outcomes = [Outcome]()
        outcomes.reserveCapacity(info.planned)
        try store.forEachOutcome(run: name) { r in
            outcomes.append(Outcome(problem: r.problemID, layers: r.layers, temperature: r.temperature, sample: r.sampleIndex,
                                    correct: r.correct, answerClass: r.answerClass, tokens: r.tokenCount,
                                    meanEntropy: r.meanEntropy, meanLogprob: r.meanLogprob, selfCertainty: r.selfCertainty,
                                    gatedTokens: r.gatedTokens, extraLayerApplications: r.extraLayerApplications))
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
