import Foundation
import Testing
import Analysis

@Suite struct EstimatorTests {
    @Test func passAtKHandComputed() {
        #expect(abs(Estimators.passAtK(n: 5, c: 2, k: 2) - 0.7) < 1e-12)          // 1 - C(3,2)/C(5,2)
        #expect(abs(Estimators.passAtK(n: 10, c: 3, k: 1) - 0.3) < 1e-12)
        #expect(Estimators.passAtK(n: 5, c: 0, k: 3) == 0)
        #expect(Estimators.passAtK(n: 5, c: 3, k: 3) == 1)                         // n - c < k
        #expect(abs(Estimators.passHatK(n: 4, c: 2, k: 2) - 1.0 / 6) < 1e-12)
    }

    @Test(arguments: [(16, 0), (16, 1), (16, 7), (16, 16), (100, 13)])
    func passCurveRisesWithK(_ nc: (Int, Int)) {
        let curve = Estimators.passCurve(n: nc.0, c: nc.1)
        #expect(zip(curve, curve.dropFirst()).allSatisfy { $0 <= $1 + 1e-12 })
        #expect(abs(curve[0] - Double(nc.1) / Double(nc.0)) < 1e-12)
    }

    @Test func majAtKHandComputed() {
        // 3 correct, 2 wrong, k = 3: the correct class wins with 2 or 3 picks: (1 + 6) / 10.
        #expect(abs(Estimators.majAtK(counts: [3, 2], correct: 0, k: 3).value - 0.7) < 1e-12)
        // A 1-1 tie credits one half.
        #expect(abs(Estimators.majAtK(counts: [1, 1], correct: 0, k: 2).value - 0.5) < 1e-12)
        // Classes of 2, 2, 1; k = 2: (1 + 4/2 + 2/2) / 10.
        #expect(abs(Estimators.majAtK(counts: [2, 2, 1], correct: 0, k: 2).value - 0.4) < 1e-12)
        #expect(Estimators.majAtK(counts: [4], correct: nil, k: 2).value == 0)
    }

    @Test(arguments: [([3, 2], 0), ([2, 2, 1], 1), ([5, 4, 3, 2, 1], 2), ([1, 1, 1, 1, 1, 1], 0)])
    func majAtOneIsMeanAccuracy(_ cc: ([Int], Int)) {
        let n = cc.0.reduce(0, +)
        #expect(abs(Estimators.majAtK(counts: cc.0, correct: cc.1, k: 1).value - Double(cc.0[cc.1]) / Double(n)) < 1e-12)
    }

    @Test func exactAndMonteCarloAgree() {
        let counts = [5, 4, 3, 2, 1]
        let exact = Estimators.majAtK(counts: counts, correct: 1, k: 7)
        let mc = Estimators.majAtK(counts: counts, correct: 1, k: 7, exactBudget: 0, draws: 20000, seed: 3)
        #expect(exact.method == .exact && mc.method == .monteCarlo)
        #expect(abs(exact.value - mc.value) < 4 * (0.25 / 20000).squareRoot(), "exact \(exact.value) mc \(mc.value)")
    }

    @Test func bestOfNAndBorda() {
        #expect(Estimators.bestOfN(scores: [0.1, 0.9, 0.5], correct: [false, true, false]) == 1)
        #expect(Estimators.bestOfN(scores: [0.9, 0.9], correct: [false, true]) == 0.5)
        // Ranks: r1 (A) 3^.5, r2 (B) 2^.5, r3 (B) 1: B = 2.414 > A = 1.732.
        #expect(Estimators.bordaVote(scores: [3, 2, 1], classes: ["A", "B", "B"], correctClass: "B") == 1)
        #expect(Estimators.bordaVote(scores: [3, 2, 1], classes: ["A", "B", "B"], correctClass: "A", p: 3) == 1)  // 27 > 8 + 1
    }

    @Test func groupSignal() {
        #expect(Estimators.groupSignal(n: 8, c: 0).mixed == false)
        let g = Estimators.groupSignal(n: 8, c: 2)
        #expect(g.mixed && abs(g.variance - 0.1875) < 1e-12)
    }

    @Test func bootstrap() {
        let ci = Bootstrap.mean(Array(repeating: 0.4, count: 20))
        #expect(abs(ci.value - 0.4) < 1e-12 && abs(ci.low - 0.4) < 1e-12 && abs(ci.high - 0.4) < 1e-12)
        let xs = (0..<50).map { Double($0 % 2) }
        let c = Bootstrap.mean(xs, seed: 1)
        #expect(c.low < 0.5 && c.high > 0.5 && c.low > 0.25 && c.high < 0.75)
        #expect(Bootstrap.mean(xs, seed: 1) == c)      // seeded
        let d = Bootstrap.pairedDifference(xs, xs.map { $0 + 0.1 })
        #expect(abs(d.value - 0.1) < 1e-12)
    }

    /// The usual case the papers report: most problems saturate early, the dataset curve
    /// keeps rising because of a few, so M_D < 1 and the curse holds.
    @Test func curseOnATypicalDataset() {
        var pools: [(counts: [Int], correct: Int?)] = Array(repeating: ([16], 0), count: 6)   // easy
        pools += Array(repeating: ([9, 7], 0), count: 2)                                        // need large N
        let r = Overscaling.report(pools: pools, grid: Overscaling.grid(upTo: 16))
        #expect(r.datasetBudget == 16 && r.curse && r.overscalingIndex < 0.5 && r.overscalingIndex > 0)
    }

    @Test func overscalingOnHandMadePools() {
        let pools: [(counts: [Int], correct: Int?)] = [
            ([8], 0),          // always right
            ([8], nil),        // always wrong
            ([5, 3], 0),       // majority correct: rises with N
            ([3, 5], 0),       // minority correct: falls with N
        ]
        let r = Overscaling.report(pools: pools, grid: Overscaling.grid(upTo: 8))
        #expect(r.grid == [1, 2, 4, 8])
        #expect(r.sampleTypes == [.alwaysRight, .alwaysWrong, .increasing, .decreasing])
        #expect(r.sampleOptimal == [1, 1, 8, 1])
        // M_D = mean N*_x / N_D. It is not bounded by 1 in general: here the dataset curve
        // peaks at N = 1 while one problem needs N = 8, so M_D = (1 + 1 + 8 + 1) / 4 / N_D.
        #expect(abs(r.overscalingIndex - 2.75 / Double(r.datasetBudget)) < 1e-12)
        #expect(r.overscalingIndex > 0)
        #expect(r.curse == (Double(r.datasetBudget) > Double(r.sampleOptimal.reduce(0, +)) / 4))
        #expect(abs(r.redundancy - (1 - r.overscalingIndex)) < 1e-12)
    }
}

@Suite struct MajorityGridTests {
    @Test func gridIsEveryKWhenSmallAndLogarithmicWhenLarge() {
        #expect(RunAnalysis.majorityGrid(8) == Array(1...8))
        #expect(RunAnalysis.majorityGrid(64) == Array(1...64))
        #expect(RunAnalysis.majorityGrid(2000) == Array(1...16) + [32, 64, 128, 256, 512, 1024, 2000])
    }

    /// Large k falls to Monte Carlo at once (no exhausted enumeration first) and stays
    /// close to the exact value where both are computable.
    @Test func largeKMonteCarloAgreesWithExact() {
        let counts = [60, 50, 40]
        let exact = Estimators.majAtK(counts: counts, correct: 1, k: 40, exactBudget: 10_000_000)
        let mc = Estimators.majAtK(counts: counts, correct: 1, k: 40, exactBudget: 10, seed: 5)
        #expect(exact.method == .exact && mc.method == .monteCarlo)
        #expect(abs(exact.value - mc.value) < 0.05)
    }
}

@Suite struct CurveTests {
    /// The O(n) curves equal the per-k estimators.
    @Test(arguments: [(1, 0), (1, 1), (10, 3), (10, 10), (50, 1), (200, 37)])
    func curvesMatchPerKEstimators(n: Int, c: Int) {
        let pc = Estimators.passCurve(n: n, c: c), hc = Estimators.passHatCurve(n: n, c: c)
        #expect(pc.count == n && hc.count == n)
        for k in 1...n {
            #expect(abs(pc[k - 1] - Estimators.passAtK(n: n, c: c, k: k)) < 1e-12)
            #expect(abs(hc[k - 1] - Estimators.passHatK(n: n, c: c, k: k)) < 1e-12)
        }
    }
}
