import Analysis
import Testing

@Suite struct DepthTests {
    /// A hand-computed case: one problem, breadth B = 4, depth b0 = 1 prefix + 3 children.
    @Test func breadthAgainstDepthByHand() {
        let cls = ["x", "y", "y", "z"]
        let breadth = cls.enumerated().map { i, c in
            Outcome(problem: "A", layers: 0, temperature: 0.8, sample: i, correct: c == "x", answerClass: c, tokens: 10)
        }
        // Greedy outcomes never enter the comparison.
        let greedy = Outcome(problem: "A", layers: 0, temperature: 0, sample: 0, correct: true, answerClass: "x", tokens: 10)
        func kid(_ trial: Int, _ c: String) -> DepthOutcome {
            DepthOutcome(problem: "A", layers: 0, temperature: 0.8, signal: "ent", trial: trial, correct: c == "x", answerClass: c, tokens: 10)
        }
        let depth = [kid(0, "x"), kid(0, "x"), kid(0, "y"), kid(1, "y"), kid(1, "y"), kid(1, "y")]
        let rows = DepthAnalysis.compare(breadth: breadth + [greedy], depth: depth, b0: 1, prefixTokens: 2, resamples: 50)
        #expect(rows.count == 1)
        let r = rows[0]
        #expect(r.budget == 4 && r.b0 == 1 && r.problems == 1 && r.trials == 2)
        #expect(r.breadthPass.value == 1 && r.breadthMajority.value == 0)   // y beats the correct x 2:1
        #expect(r.depthPass.value == 0.5 && r.depthMajority.value == 0.5)
        #expect(r.passLift == -0.5 && r.majorityLift == nil)
        #expect(r.breadthTokens == 40)
        #expect(r.depthTokens == 2 + 3 * 8)                                  // one prefix + the children's own tokens
    }

    /// Ties for the plurality share the credit, as in maj@k.
    @Test func tiedMajoritySharesCredit() {
        let breadth = ["x", "y"].enumerated().map { i, c in
            Outcome(problem: "A", layers: 0, temperature: 1, sample: i, correct: c == "x", answerClass: c)
        }
        let depth = [DepthOutcome(problem: "A", layers: 0, temperature: 1, signal: "sc", trial: 0, correct: true, answerClass: "x", tokens: 1)]
        let r = DepthAnalysis.compare(breadth: breadth, depth: depth, b0: 1, prefixTokens: 1, resamples: 10)[0]
        #expect(r.breadthMajority.value == 0.5 && r.depthMajority.value == 1 && r.majorityLift == 1)
    }
}

@Suite struct RefineTests {
    /// One problem, 3 breadth samples (x, y, y; x correct), each refined once.
    @Test func refinementAgainstBreadthByHand() {
        let breadth = ["x", "y", "y"].enumerated().map { i, c in
            Outcome(problem: "A", layers: 0, temperature: 1, sample: i, correct: c == "x", answerClass: c, tokens: 10)
        }
        let refined = [true, true, false].enumerated().map { i, ok in
            RefineOutcome(problem: "A", layers: 0, temperature: 1, sample: i, round: 1, correct: ok, answerClass: ok ? "x" : "y", tokens: 4)
        }
        let rows = RefineAnalysis.compare(breadth: breadth, refine: refined, resamples: 20)
        #expect(rows.count == 1)
        let r = rows[0]
        #expect(r.round == 1 && r.budget == 2 && r.problems == 1)
        #expect(abs(r.refined.value - 2.0 / 3) < 1e-12)
        // maj@2 of {x, y, y}: pairs xy (tie, 1/2) twice, yy (0) once -> 1/3; pass@2 = 2/3.
        #expect(abs(r.breadthMajority.value - 1.0 / 3) < 1e-12 && abs(r.breadthPass.value - 2.0 / 3) < 1e-12)
        #expect(r.liftOverMajority == 1)
        #expect(r.refineTokens == 14 && r.breadthTokens == 20)
    }
}
