import Analysis
import Testing

/// The shared index and the one class-count function against copies of the code they
/// replaced: the per-caller class order and correct class must be exactly the old ones.
@Suite struct OutcomeIndexTests {
    struct Gen {
        var state: UInt64
        mutating func int(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    /// Random rollouts: up to 6 classes, sometimes two classes graded correct, sometimes none.
    static func samples(_ g: inout Gen) -> [(String, Bool)] {
        let names = ["b", "a", "no_answer", "1/2", "0.5", "c"]
        let m = 1 + g.int(6)
        return (0..<(1 + g.int(30))).map { _ in
            let i = g.int(m)
            return (names[i], i == 3 || (i == 4 && m > 5) || (i == 0 && m == 1 && g.int(2) == 0))
        }
    }

    // The old RunAnalysis.classCounts: first-appearance order, the last correct rollout's class.
    static func oldRunCounts(_ xs: [(String, Bool)]) -> (counts: [Int], correct: Int?) {
        var index = [String: Int](), counts = [Int](), correct: Int? = nil
        for (cls, ok) in xs {
            let i = index[cls] ?? { index[cls] = counts.count; counts.append(0); return counts.count - 1 }()
            counts[i] += 1
            if ok { correct = i }
        }
        return (counts, correct)
    }

    // The old RefineAnalysis counts: classes sorted, the first correct rollout's class.
    static func oldRefineCounts(_ xs: [(String, Bool)]) -> (counts: [Int], correct: Int?) {
        var counts = [String: Int]()
        for (cls, _) in xs { counts[cls, default: 0] += 1 }
        let classes = Array(counts.keys).sorted()
        let correctClass = xs.first(where: { $0.1 })?.0
        return (classes.map { counts[$0]! }, correctClass.flatMap { classes.firstIndex(of: $0) })
    }

    // The old Diversity.approaches.
    static func oldApproaches(_ xs: [(String, Bool)]) -> (pi: [Double], q: [Double]) {
        var order = [String](), count = [String: Int](), good = [String: Int]()
        for (z, c) in xs {
            if count[z] == nil { order.append(z) }
            count[z, default: 0] += 1
            if c { good[z, default: 0] += 1 }
        }
        let n = Double(max(xs.count, 1))
        return (order.map { Double(count[$0]!) / n }, order.map { Double(good[$0] ?? 0) / Double(count[$0]!) })
    }

    @Test func classCountsKeepEachCallersOrder() {
        var g = Gen(state: 3)
        for _ in 0..<500 {
            let xs = Self.samples(&g)
            let outcomes = xs.enumerated().map { i, x in
                Outcome(problem: "p", layers: 0, temperature: 1, sample: i, correct: x.1, answerClass: x.0)
            }
            let run = RunAnalysis.classCounts(outcomes), old = Self.oldRunCounts(xs)
            #expect(run.counts == old.counts && run.correct == old.correct)
            let shared = OutcomeIndex.classCounts(labels: xs)
            #expect(shared.counts == old.counts && shared.correct == old.correct)
            let refine = OutcomeIndex.classCounts(outcomes, order: .sorted, correctFrom: .first)
            let oldRefine = Self.oldRefineCounts(xs)
            #expect(refine.counts == oldRefine.counts && refine.correct == oldRefine.correct)
            #expect(refine.classes == refine.classes.sorted())
            let a = Diversity.approaches(labels: xs.map(\.0), correct: xs.map(\.1)), b = Self.oldApproaches(xs)
            #expect(a.pi == b.pi && a.q == b.q)
        }
    }

    @Test func indexGroupsByCellAndProblemInInputOrder() {
        let xs = [(0, 1.0, "q"), (2, 0.0, "p"), (0, 1.0, "p"), (0, 1.0, "q"), (0, 0.5, "q")].enumerated().map { i, x in
            Outcome(problem: x.2, layers: x.0, temperature: x.1, sample: i, correct: false, answerClass: "a")
        }
        let index = OutcomeIndex(xs)
        #expect(index.problems == ["p", "q"])
        #expect(index.cells == [Cell(layers: 0, temperature: 0.5), Cell(layers: 0, temperature: 1),
                                Cell(layers: 2, temperature: 0)])
        #expect(index.groups(Cell(layers: 0, temperature: 1))["q"]!.map(\.sample) == [0, 3])
        #expect(index.pooled("q", over: index.cells).map(\.sample) == [4, 0, 3])
        #expect(OutcomeIndex(xs) { $0.temperature > 0 }.cells.count == 2)
    }
}
