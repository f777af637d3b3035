import Foundation
import Testing
import Analysis

/// The aggregator estimators against brute-force enumeration of every k-subset of tiny pools
/// (ties in scores and in votes, no correct rollout, k = 1 and k = n), and the audit per
/// aggregator on a run.
@Suite struct AggregatorTests {
    /// Every k-subset of 0..<n.
    static func subsets(_ n: Int, _ k: Int) -> [[Int]] {
        if k == 0 { return [[]] }
        if n < k { return [] }
        return subsets(n - 1, k) + subsets(n - 1, k - 1).map { $0 + [n - 1] }
    }

    /// Small pools with tied scores, repeated classes and every number of correct rollouts.
    static func pools() -> [(scores: [Double], classes: [String], correct: [Bool])] {
        var state: UInt64 = 12345
        func r(_ m: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(m))
        }
        return (0..<40).map { i in
            let n = 1 + i % 7
            let classes = (0..<n).map { _ in ["a", "b", "c"][r(3)] }
            let good = i % 5 == 0 ? "none" : "a"
            return ((0..<n).map { _ in Double(r(4)) / 2 }, classes, classes.map { $0 == good })
        }
    }

    @Test func bestOfNAtKEqualsEnumeration() {
        for p in Self.pools() {
            let n = p.scores.count
            for k in 1...n {
                let subs = Self.subsets(n, k)
                let brute = subs.map { s in
                    Estimators.bestOfN(scores: s.map { p.scores[$0] }, correct: s.map { p.correct[$0] })
                }.reduce(0, +) / Double(subs.count)
                let exact = Estimators.bestOfNAtK(scores: p.scores, correct: p.correct, k: k)
                #expect(abs(exact - brute) < 1e-12, "n=\(n) k=\(k): \(exact) vs \(brute)")
            }
        }
    }

    @Test func weightedMajorityMatchesEnumeration() {
        for p in Self.pools() {
            let n = p.scores.count
            for k in 1...n {
                let subs = Self.subsets(n, k)
                let brute = subs.map { s -> Double in
                    var totals = [String: Double]()
                    for i in s { totals[p.classes[i], default: 0] += p.scores[i] }
                    let top = totals.values.max()!
                    let winners = totals.filter { $0.value == top }
                    return p.correct.contains(true) && winners["a"] != nil ? 1 / Double(winners.count) : 0
                }.reduce(0, +) / Double(subs.count)
                let est = Estimators.weightedMajorityAtK(weights: p.scores, classes: p.classes, correct: p.correct,
                                                         k: k, draws: 4000, seed: 9)
                // Exact at k = n; 4,000 seeded draws otherwise (standard error at most 0.008).
                #expect(abs(est - brute) < (k == n ? 1e-12 : 0.04), "n=\(n) k=\(k): \(est) vs \(brute)")
            }
        }
    }

    @Test func edges() {
        // No correct rollout: every aggregator gives 0; all correct: 1.
        #expect(Estimators.bestOfNAtK(scores: [1, 2, 3], correct: [false, false, false], k: 2) == 0)
        #expect(abs(Estimators.bestOfNAtK(scores: [1, 1, 1], correct: [true, true, true], k: 3) - 1) < 1e-12)
        // k = 1 is the mean accuracy whatever the scores.
        #expect(abs(Estimators.bestOfNAtK(scores: [5, 1, 3, 3], correct: [true, false, false, true], k: 1) - 0.5)
                < 1e-12)
        // All scores tied: best-of-k is a random pick, the mean accuracy at every k.
        for k in 1...4 {
            #expect(abs(Estimators.bestOfNAtK(scores: [0, 0, 0, 0], correct: [true, false, false, false], k: k)
                        - 0.25) < 1e-12)
        }
        #expect(Estimators.passAtK(n: 4, c: 0, k: 4) == 0 && Estimators.passAtK(n: 4, c: 1, k: 4) == 1)
    }

    @Test func auditPerAggregator() throws {
        var outcomes = [Outcome]()
        for p in 0..<12 {
            for s in 0..<8 {
                let ok = (p * 3 + s) % 4 != 0 && p % 4 != 3
                var o = Outcome(problem: "p\(p)", layers: 0, temperature: 0.7, sample: s, correct: ok,
                                answerClass: ok ? "right" : "w\(s % 3)", meanLogprob: ok ? -0.5 : -1.5,
                                selfCertainty: Double((s * 7 + p) % 5))
                o.score = ok ? 0.9 : 0.1
                outcomes.append(o)
            }
        }
        var opts = AnalysisOptions()
        opts.resamples = 100
        let a = try #require(RunAnalysis.analyze(outcomes, options: opts).audit)
        let names = a.aggregators.map(\.name)
        #expect(names == ["majority", "best_of_n_self_certainty", "best_of_n_logprob", "best_of_n_score",
                          "weighted_majority_self_certainty", "oracle"])
        let byName = Dictionary(uniqueKeysWithValues: a.aggregators.map { ($0.name, $0) })
        // The majority row is the audit's own.
        #expect(byName["majority"]?.datasetBudget == a.datasetBudget)
        #expect(byName["majority"]?.datasetCurve == a.datasetCurve)
        // The oracle bounds every aggregator at every N; a score that separates right from
        // wrong (logprob, score here) reaches the oracle's pass@N.
        for g in a.aggregators {
            for (x, o) in zip(g.datasetCurve, byName["oracle"]!.datasetCurve) { #expect(x <= o + 1e-12, "\(g.name)") }
        }
        for (x, o) in zip(byName["best_of_n_score"]!.datasetCurve, byName["oracle"]!.datasetCurve) {
            #expect(abs(x - o) < 1e-12)
        }
    }
}
