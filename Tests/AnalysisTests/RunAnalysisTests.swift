import Analysis
import Foundation
import Testing

@Suite struct RunAnalysisTests {
    /// Two problems. p1: greedy right at L=0 and L=2; sampled T=0.7 L=0 has 2/4 right,
    /// L=2 has 0/4. p2: greedy wrong everywhere; T=0.7 L=0 0/4, L=2 1/4.
    static func outcomes() -> [Outcome] {
        var o = [Outcome]()
        func add(_ p: String, _ l: Int, _ t: Double, _ right: [Bool]) {
            for (i, c) in right.enumerated() {
                o.append(Outcome(problem: p, layers: l, temperature: t, sample: i, correct: c, answerClass: c ? "ok" : "w\(i % 2)",
                                 tokens: 10 + i, meanEntropy: 1, meanLogprob: c ? -0.5 : -1, selfCertainty: c ? 3 : 1))
            }
        }
        add("p1", 0, 0, [true]); add("p1", 2, 0, [true])
        add("p1", 0, 0.7, [true, false, true, false]); add("p1", 2, 0.7, [false, false, false, false])
        add("p2", 0, 0, [false]); add("p2", 2, 0, [false])
        add("p2", 0, 0.7, [false, false, false, false]); add("p2", 2, 0.7, [false, true, false, false])
        return o
    }

    @Test func cellsPoolsAndOverlapHandComputed() throws {
        var opts = AnalysisOptions()
        opts.resamples = 200
        let r = RunAnalysis.analyze(Self.outcomes(), options: opts)
        #expect(r.problems == 2 && r.rollouts == 20)
        let cell = { (l: Int, t: Double) in r.cells.first { $0.layers == l && $0.temperature == t }! }
        #expect(abs(cell(0, 0.7).accuracy.value - 0.25) < 1e-12)        // (2/4 + 0/4) / 2
        #expect(abs(cell(2, 0.7).accuracy.value - 0.125) < 1e-12)       // (0 + 1/4) / 2
        #expect(abs(cell(0, 0).accuracy.value - 0.5) < 1e-12)
        // pass@k curve rises and maj@1 equals mean accuracy.
        let c = cell(0, 0.7)
        #expect(zip(c.passAtK, c.passAtK.dropFirst()).allSatisfy { $0 <= $1 + 1e-12 })
        #expect(abs(c.majAtK[0] - c.accuracy.value) < 1e-9)
        #expect(abs(c.passAtK[3] - 0.5) < 1e-12)                        // p1 solved, p2 not
        // Paired EGLR vs plain at T=0.7: p1 0 - 2/4, p2 1/4 - 0 -> mean -1/8; none for L=0.
        #expect(abs((cell(2, 0.7).vsPlain?.value ?? 9) + 0.125) < 1e-12)
        #expect(cell(0, 0.7).vsPlain == nil && cell(2, 0).vsPlain?.value == 0)

        let pool = { (n: String) in r.pools.pools.first { $0.name == n }! }
        #expect(pool("t_only").rolloutsPerProblem == 5 && pool("l_only").rolloutsPerProblem == 2 && pool("joint").rolloutsPerProblem == 10)
        #expect(pool("t_only").oracle.value == 0.5 && pool("l_only").oracle.value == 0.5 && pool("joint").oracle.value == 1)
        #expect(pool("joint").solved == ["p1", "p2"] && pool("t_only").solved == ["p1"])
        #expect(abs((r.pools.jointMinusTOnlyPP ?? 0) - 50) < 1e-9)
        let ov = try #require(r.pools.overlap)
        #expect(ov.both == 1 && ov.tOnlyExclusive == 0 && ov.lOnlyExclusive == 0)
        // The joint oracle against pool size ends at the full-pool oracle.
        #expect(abs(pool("joint").curve.last! - 1) < 1e-12)
    }

    @Test func auditAndSelectionAreConsistent() throws {
        var opts = AnalysisOptions()
        opts.resamples = 100
        let r = RunAnalysis.analyze(Self.outcomes(), options: opts)
        let a = try #require(r.audit)
        #expect(a.overscalingIndex > 0 && a.overscalingIndex <= 1)      // M_D in (0, 1]
        for row in a.rows { #expect(row.needed <= row.spent && row.wastedRollouts == row.spent - row.needed) }
        let s = try #require(r.selection)
        #expect(s.oracle.value >= s.meanAccuracy.value && s.oracle.value >= s.majority.value)
        // Self-certainty is higher on correct rollouts here, so best-of-N by it equals the oracle.
        #expect(abs(s.bestOfNSelfCertainty.value - s.oracle.value) < 1e-12)
    }
}

/// Cross-fitted budgets on a run whose truth is known: every problem's rollouts are right
/// with probability 1/2 and otherwise one wrong answer, so each A_x(N) is 1/2 at every N and
/// no per-problem budget can beat N_D. The in-sample audit, choosing N*_x on the rollouts it
/// scores, still reports a gain; the held-out one is within its interval of the true 0.
@Suite struct HeldOutAuditTests {
    static func outcomes(problems: Int, n: Int) -> [Outcome] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func coin() -> Bool {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) & 1 == 1
        }
        return (0..<problems).flatMap { p in
            (0..<n).map { s in
                let ok = coin()
                return Outcome(problem: "p\(p)", layers: 0, temperature: 0.7, sample: s, correct: ok,
                               answerClass: ok ? "right" : "wrong")
            }
        }
    }

    @Test func inSampleGainIsBiasedAndHeldOutIsNot() throws {
        var o = AnalysisOptions()
        o.resamples = 400
        let r = RunAnalysis.analyze(Self.outcomes(problems: 80, n: 32), features: [:], iterationHistograms: [:],
                                    options: o)
        let h = try #require(r.audit?.heldOut)
        #expect(h.folds == 2 && h.half == 16 && h.grid == [1, 2, 4, 8, 16] && h.datasetBudgets.count == 2)
        print("held out: gain \(h.gain), in-sample \(h.inSampleGain), M_D \(h.overscalingIndex)")
        #expect(h.inSampleGain.low > 0, "in-sample gain \(h.inSampleGain) should be biased above 0")
        #expect(h.gain.low <= 0 && 0 <= h.gain.high, "held-out gain \(h.gain) should cover the true 0")
        #expect(h.gain.value < h.inSampleGain.value)
        // The full-pool in-sample audit reports a gain too.
        let a = try #require(r.audit)
        #expect(a.accuracyAtOracleBudgets.value > a.accuracyAtDatasetBudget.value)
    }

    /// With features, the T2 predictor is scored the same way: trained on one half's budgets,
    /// scored on the other half's curves; its N_D column is the held-out audit's.
    @Test func predictorIsScoredHeldOut() throws {
        let outcomes = Self.outcomes(problems: 12, n: 16)
        var features = [String: [[Float]]]()
        for p in 0..<12 { features["p\(p)"] = [(0..<8).map { Float(($0 * 7 + p * 3) % 11) / 11 }] }
        var o = AnalysisOptions()
        o.resamples = 100
        let r = RunAnalysis.analyze(outcomes, features: features, options: o)
        let h = try #require(r.audit?.heldOut)
        let p = try #require(h.predictor)
        #expect(abs(p.accuracyAtDatasetBudget - h.accuracyAtDatasetBudget.value) < 1e-12)
        #expect(p.costRatio > 0 && p.accuracyAtPredicted >= 0 && p.accuracyAtPredicted <= 1)
        #expect(RunAnalysis.analyze(outcomes, options: o).audit?.heldOut?.predictor == nil, "no features, no predictor")
    }

    /// K = 4 folds of 8: each part decides, the three others score it; the held-out gain still
    /// covers the true 0, the in-sample one on the same parts is still biased upwards.
    @Test func kFoldsCrossFitTheSameWay() throws {
        var o = AnalysisOptions()
        o.resamples = 400; o.heldOutFolds = 4
        let r = RunAnalysis.analyze(Self.outcomes(problems: 80, n: 32), features: [:], iterationHistograms: [:],
                                    options: o)
        let h = try #require(r.audit?.heldOut)
        #expect(h.folds == 4 && h.half == 8 && h.grid == [1, 2, 4, 8] && h.datasetBudgets.count == 4)
        #expect(h.inSampleGain.low > 0, "in-sample gain \(h.inSampleGain) should be biased above 0")
        #expect(h.gain.low <= 0 && 0 <= h.gain.high, "held-out gain \(h.gain) should cover the true 0")
        // K = 2 written out is the default.
        o.heldOutFolds = 2
        let two = RunAnalysis.analyze(Self.outcomes(problems: 80, n: 32), options: o).audit?.heldOut
        o.heldOutFolds = nil
        #expect(two == RunAnalysis.analyze(Self.outcomes(problems: 80, n: 32), options: o).audit?.heldOut)
    }

    @Test func tooFewRolloutsGiveNoHeldOutAudit() {
        let r = RunAnalysis.analyze(Self.outcomes(problems: 5, n: 1), features: [:], iterationHistograms: [:],
                                    options: AnalysisOptions())
        #expect(r.audit?.heldOut == nil)
    }
}
