import Analysis
import Foundation
import Testing

/// A small seeded generator for simulations (xorshift64*).
struct TestRNG: RandomNumberGenerator {
    var s: UInt64
    init(_ seed: UInt64) { s = seed | 1 }
    mutating func next() -> UInt64 { s ^= s >> 12; s ^= s << 25; s ^= s >> 27; return s &* 2685821657736338717 }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func pick(_ p: [Double]) -> Int {
        var u = unit()
        for (i, x) in p.enumerated() { u -= x; if u < 0 { return i } }
        return p.count - 1
    }
}

@Suite struct DiversityTests {
    @Test func profileHandComputed() {
        let two = Diversity.profile(counts: [2, 2])
        #expect(abs(two.entropy - log(2)) < 1e-12 && abs(two.effectiveApproaches - 2) < 1e-12)
        #expect(abs(two.inverseSimpson - 2) < 1e-12 && two.topMass == 0.5)
        let one = Diversity.profile(counts: [5, 0])
        #expect(one.entropy == 0 && one.effectiveApproaches == 1 && one.topMass == 1)
        let skew = Diversity.profile(counts: [3, 1])
        #expect(abs(skew.inverseSimpson - 1 / (0.5625 + 0.0625)) < 1e-12 && skew.topMass == 0.75)
        #expect(skew.effectiveApproaches > 1 && skew.effectiveApproaches < 2)
    }

    @Test func approachesGroupLabels() {
        let (pi, q) = Diversity.approaches(labels: ["a", "b", "a", "a"], correct: [true, false, false, true])
        #expect(pi == [0.75, 0.25])
        #expect(abs(q[0] - 2.0 / 3) < 1e-12 && q[1] == 0)
    }

    @Test func decompositionExtremes() {
        // Approaches fully determine correctness: everything is across-approach.
        let a = Diversity.varianceDecomposition(pi: [0.5, 0.5], q: [1, 0])
        #expect(abs(a.total - 0.25) < 1e-12 && abs(a.across - 0.25) < 1e-12 && a.within == 0)
        // One coin-flip approach: everything is within.
        let w = Diversity.varianceDecomposition(pi: [1], q: [0.5])
        #expect(abs(w.within - 0.25) < 1e-12 && abs(w.across) < 1e-12)
        let e = Diversity.entropyDecomposition(pi: [0.5, 0.5], q: [1, 0])
        #expect(abs(e.total - log(2)) < 1e-12 && abs(e.across - log(2)) < 1e-12 && e.within == 0)
    }

    @Test func decompositionTermsSumToTotal() {
        var rng = TestRNG(42)
        for _ in 0..<500 {
            let k = Int(rng.next() % 5) + 1
            var pi = (0..<k).map { _ in rng.unit() + 0.01 }
            let s = pi.reduce(0, +); pi = pi.map { $0 / s }
            let q = (0..<k).map { _ in rng.unit() }
            for d in [Diversity.varianceDecomposition(pi: pi, q: q), Diversity.entropyDecomposition(pi: pi, q: q)] {
                #expect(abs(d.across + d.within - d.total) < 1e-12)
                #expect(d.across >= -1e-12 && d.within >= -1e-12)
            }
        }
    }

    @Test func firstSentenceAndPrefixLabels() {
        #expect(Diversity.approachLabel(clustering: "first_sentence", answerClass: "x", response: " First,  add 3.5 apples. Then", tokenIDs: nil, k: 4)
                == "first, add 3.5 apples")
        #expect(Diversity.approachLabel(clustering: "first_sentence", answerClass: "x", response: "\n\nSo 2+2=4\nmore", tokenIDs: nil, k: 4) == "so 2+2=4")
        #expect(Diversity.approachLabel(clustering: "prefix", answerClass: "x", response: nil, tokenIDs: [5, 6, 7, 8, 9], k: 3) == "5,6,7")
        // Remote rollouts have no token ids: the first k words stand in.
        #expect(Diversity.approachLabel(clustering: "prefix", answerClass: "x", response: "  First we add\n3 and 4", tokenIDs: [-1, -1, -1], k: 3) == "First we add")
        #expect(Diversity.approachLabel(clustering: "prefix", answerClass: "x", response: "So the sum", tokenIDs: [], k: 2) == "So the")
        #expect(Diversity.approachLabel(clustering: "answer_class", answerClass: "42", response: "t", tokenIDs: [1], k: 3) == "42")
    }

    /// Uninformative selection (P_s = pi) never lets depth beat breadth (Jensen).
    @Test func depthCannotWinWithAnUninformativeSignal() {
        var rng = TestRNG(7)
        for _ in 0..<500 {
            let k = Int(rng.next() % 4) + 1
            var pi = (0..<k).map { _ in rng.unit() + 0.01 }
            let s = pi.reduce(0, +); pi = pi.map { $0 / s }
            let q = (0..<k).map { _ in rng.unit() }
            let b = Int(rng.next() % 16) + 2, b0 = Int(rng.next() % UInt64(b - 1)) + 1
            #expect(!Diversity.depthBeatsBreadth(selection: pi, pi: pi, q: q, budget: b, prefixes: b0).wins)
        }
    }

    /// The analytic depth and breadth success rates against a direct simulation.
    @Test(arguments: [(8, 2), (16, 4), (4, 1)])
    func depthAndBreadthMatchSimulation(_ bb: (Int, Int)) {
        let (b, b0) = bb
        let pi = [0.6, 0.3, 0.1], q = [0.05, 0.4, 0.9]
        // An informative signal that prefers the rare, good approach.
        let sel = [0.2, 0.3, 0.5]
        let a = Diversity.depthBeatsBreadth(selection: sel, pi: pi, q: q, budget: b, prefixes: b0)
        var rng = TestRNG(UInt64(b * 100 + b0))
        let trials = 200_000
        var depthWins = 0, breadthWins = 0
        for _ in 0..<trials {
            let z = rng.pick(sel)
            if (0..<(b - b0)).contains(where: { _ in rng.unit() < q[z] }) { depthWins += 1 }
            if (0..<b).contains(where: { _ in rng.unit() < q[rng.pick(pi)] }) { breadthWins += 1 }
        }
        for (analytic, hits) in [(a.depth, depthWins), (a.breadth, breadthWins)] {
            let est = Double(hits) / Double(trials), se = sqrt(max(analytic * (1 - analytic), 1e-6) / Double(trials))
            #expect(abs(est - analytic) < 4 * se + 1e-9, "analytic \(analytic) vs simulated \(est)")
        }
    }
}

@Suite struct BudgetPredictorTests {
    @Test func ridgeRecoversALinearMap() throws {
        var rng = TestRNG(3)
        let x = (0..<40).map { _ in (0..<3).map { _ in rng.unit() * 4 - 2 } }
        let y = x.map { 2 * $0[0] - $0[1] + 0.5 * $0[2] + 3 }
        let f = try #require(BudgetPredictor.ridgeFit(x, y, lambda: 1e-6))
        for (xi, yi) in zip(x, y) { #expect(abs(f(xi) - yi) < 1e-3) }
    }

    @Test func predictorLearnsBudgetsFromInformativeFeatures() throws {
        // Feature 0 encodes log2 N*; the others are noise. Curves: solved exactly from N*.
        let grid = [1, 2, 4, 8]
        var rng = TestRNG(11)
        var feats = [[[Float]]](), nStar = [Int](), curves = [[Double]]()
        for i in 0..<40 {
            let n = grid[i % 4]
            nStar.append(n)
            let layer = [Float(log2(Double(n)))] + (0..<4).map { _ in Float(rng.unit() * 0.01) }
            feats.append([layer, layer.map { $0 * 0.5 }])
            curves.append(grid.map { $0 >= n ? 1 : 0 })
        }
        let p = try #require(BudgetPredictor.evaluate(features: feats, nStar: nStar, curves: curves, grid: grid, datasetBudget: 8, folds: 5, lambda: 1e-3))
        #expect(p.predicted == nStar)
        #expect(abs(p.accuracyAtPredicted - 1) < 1e-12 && abs(p.accuracyAtDatasetBudget - 1) < 1e-12)
        #expect(abs(p.costRatio - Double(nStar.reduce(0, +)) / Double(40 * 8)) < 1e-12)
        #expect(abs(p.layerWeights.reduce(0, +) - 1) < 1e-9)
        // Too few problems: no predictor rather than a meaningless one.
        #expect(BudgetPredictor.evaluate(features: Array(feats.prefix(3)), nStar: Array(nStar.prefix(3)), curves: Array(curves.prefix(3)), grid: grid, datasetBudget: 8) == nil)
    }
}
