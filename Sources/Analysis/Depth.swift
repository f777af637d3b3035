import Foundation

/// One child of a prefix-branching depth trial.
public struct DepthOutcome: Sendable {
    public var problem: String
    public var layers: Int
    public var temperature: Double
    public var signal: String
    public var trial: Int
    public var correct: Bool
    public var answerClass: String
    public var tokens: Int
    public init(problem: String, layers: Int, temperature: Double, signal: String, trial: Int,
                correct: Bool, answerClass: String, tokens: Int) {
        self.problem = problem; self.layers = layers; self.temperature = temperature; self.signal = signal
        self.trial = trial; self.correct = correct; self.answerClass = answerClass; self.tokens = tokens
    }
}

/// Breadth against measured depth at an equal budget of B rollouts per problem, for one
/// cell and one selection signal (METHODS.md section 3).
public struct DepthComparison: Sendable, Codable, Equatable {
    public var layers: Int
    public var temperature: Double
    public var signal: String
    /// Rollouts per problem on both sides: breadth samples B; depth b0 prefixes + B - b0 children.
    public var budget: Int
    public var b0: Int
    public var problems: Int
    public var trials: Int
    /// Any of B independent rollouts correct (the problem's n = B breadth samples).
    public var breadthPass: Interval
    /// Plurality answer of the B breadth samples correct (ties share credit).
    public var breadthMajority: Interval
    /// Any child of a trial correct, averaged over trials, then problems.
    public var depthPass: Interval
    /// Plurality answer among a trial's children correct.
    public var depthMajority: Interval
    /// (depth - breadth) / breadth; nil when breadth is 0.
    public var passLift: Double?
    public var majorityLift: Double?
    /// Generated tokens per problem: breadth's B rollouts; depth's b0 prefixes (at their
    /// full prefix_tokens length) plus each child's tokens after the prefix.
    public var breadthTokens: Double
    public var depthTokens: Double
}

public enum DepthAnalysis {
    /// Plurality correctness of a set of answers: 1 if the correct class wins outright,
    /// 1/#tied if it ties for the lead, else 0 (the maj@k credit rule).
    /// (The correct class is the last correct answer's; class order does not change the credit.)
    static func majority(_ xs: [(cls: String, correct: Bool)]) -> Double {
        let t = OutcomeIndex.classCounts(labels: xs.lazy.map { ($0.cls, $0.correct) })
        guard let c = t.correct else { return 0 }
        return Estimators.credit(t.counts, correct: c)
    }

    /// Rounds away floating-point dust (a lift of -2e-16 is 0).
    static func tidy(_ x: Double) -> Double { (x * 1e9).rounded() / 1e9 }

    /// Compares each (cell, signal) of the depth children with the same cell's breadth
    /// rollouts. Only problems present on both sides count; breadth uses the first B samples.
    public static func compare(breadth: [Outcome], depth: [DepthOutcome], b0: Int, prefixTokens: Int,
                               resamples: Int = 1000, level: Double = 0.95, seed: UInt64 = 0) -> [DepthComparison] {
        let broad = OutcomeIndex(breadth) { $0.temperature > 0 }.byCell
        struct Key: Hashable, Comparable {
            var cell: Cell; var signal: String
            static func < (a: Key, b: Key) -> Bool { (a.cell, a.signal) < (b.cell, b.signal) }
        }
        var deep = [Key: [String: [Int: [DepthOutcome]]]]()
        for x in depth {
            let key = Key(cell: Cell(layers: x.layers, temperature: x.temperature), signal: x.signal)
            deep[key, default: [:]][x.problem, default: [:]][x.trial, default: []].append(x)
        }
        var rows = [DepthComparison]()
        for (ki, key) in deep.keys.sorted().enumerated() {
            let byProblem = deep[key]!
            guard let wide = broad[key.cell] else { continue }
            let problems = byProblem.keys.filter { wide[$0] != nil }.sorted()
            guard !problems.isEmpty else { continue }
            let children = byProblem[problems[0]]!.values.first?.count ?? 0
            let budget = children + b0
            var bp = [Double](), bm = [Double](), dp = [Double](), dm = [Double]()
            var bt = [Double](), dt = [Double]()
            var trials = 0
            for p in problems {
                let b = wide[p]!.sorted { $0.sample < $1.sample }.prefix(budget)
                bp.append(b.contains { $0.correct } ? 1 : 0)
                bm.append(majority(b.map { ($0.answerClass, $0.correct) }))
                bt.append(Double(b.reduce(0) { $0 + $1.tokens }))
                let ts = byProblem[p]!
                trials = max(trials, ts.count)
                let perTrial = ts.keys.sorted().map { ts[$0]! }.map { kids -> (Double, Double, Double) in
                    (kids.contains { $0.correct } ? 1 : 0, majority(kids.map { ($0.answerClass, $0.correct) }),
                     Double(b0 * prefixTokens + kids.reduce(0) { $0 + max(0, $1.tokens - prefixTokens) }))
                }
                let m = Double(perTrial.count)
                dp.append(perTrial.reduce(0) { $0 + $1.0 } / m)
                dm.append(perTrial.reduce(0) { $0 + $1.1 } / m)
                dt.append(perTrial.reduce(0) { $0 + $1.2 } / m)
            }
            func ci(_ xs: [Double], _ salt: UInt64) -> Interval {
                Bootstrap.mean(xs, resamples: resamples, level: level, seed: seed &+ UInt64(ki) &* 7 &+ salt)
            }
            let bpI = ci(bp, 1), bmI = ci(bm, 2), dpI = ci(dp, 3), dmI = ci(dm, 4)
            rows.append(DepthComparison(
                layers: key.cell.layers, temperature: key.cell.temperature, signal: key.signal, budget: budget, b0: b0,
                problems: problems.count, trials: trials, breadthPass: bpI, breadthMajority: bmI, depthPass: dpI,
                depthMajority: dmI,
                passLift: bpI.value > 0 ? tidy((dpI.value - bpI.value) / bpI.value) : nil,
                majorityLift: bmI.value > 0 ? tidy((dmI.value - bmI.value) / bmI.value) : nil,
                breadthTokens: bt.reduce(0, +) / Double(bt.count), depthTokens: dt.reduce(0, +) / Double(dt.count)))
        }
        return rows
    }
}

/// One self-refinement round (>= 1) of one breadth sample.
public struct RefineOutcome: Sendable {
    public var problem: String
    public var layers: Int
    public var temperature: Double
    public var sample: Int
    public var round: Int
    public var correct: Bool
    public var answerClass: String
    public var tokens: Int
    public init(problem: String, layers: Int, temperature: Double, sample: Int, round: Int, correct: Bool,
                answerClass: String, tokens: Int) {
        self.problem = problem; self.layers = layers; self.temperature = temperature; self.sample = sample
        self.round = round; self.correct = correct; self.answerClass = answerClass; self.tokens = tokens
    }
}

/// Self-refinement after r rounds against breadth at the same number of rollouts (r + 1).
public struct RefineComparison: Sendable, Codable, Equatable {
    public var layers: Int
    public var temperature: Double
    public var round: Int
    /// Rollouts per chain after `round` rounds: round + 1.
    public var budget: Int
    public var problems: Int
    /// Accuracy of the round's answer, mean over samples then problems.
    public var refined: Interval
    /// Breadth at budget + 1 rollouts: majority vote and pass (unbiased pass@k).
    public var breadthMajority: Interval
    public var breadthPass: Interval
    /// (refined - breadth maj) / breadth maj; nil when breadth maj is 0.
    public var liftOverMajority: Double?
    /// Mean generated tokens per chain up to this round, and per breadth set of the same size.
    public var refineTokens: Double
    public var breadthTokens: Double
}

public enum RefineAnalysis {
    public static func compare(breadth: [Outcome], refine: [RefineOutcome], resamples: Int = 1000, level: Double = 0.95,
                               seed: UInt64 = 0) -> [RefineComparison] {
        let broad = OutcomeIndex(breadth).byCell
        struct Key: Hashable, Comparable {
            var cell: Cell; var round: Int
            static func < (a: Key, b: Key) -> Bool { (a.cell, a.round) < (b.cell, b.round) }
        }
        var byKey = [Key: [String: [RefineOutcome]]]()
        var tokensUpTo = [String: Int]()   // "problem|L|T|sample|round" -> tokens of rounds 1...round
        for x in refine {
            let key = Key(cell: Cell(layers: x.layers, temperature: x.temperature), round: x.round)
            byKey[key, default: [:]][x.problem, default: []].append(x)
        }
        for x in refine.sorted(by: { $0.round < $1.round }) {
            let prev = tokensUpTo["\(x.problem)|\(x.layers)|\(x.temperature)|\(x.sample)|\(x.round - 1)"] ?? 0
            tokensUpTo["\(x.problem)|\(x.layers)|\(x.temperature)|\(x.sample)|\(x.round)"] = prev + x.tokens
        }
        var rows = [RefineComparison]()
        for (ki, key) in byKey.keys.sorted().enumerated() {
            guard let wide = broad[key.cell] else { continue }
            let budget = key.round + 1
            let problems = byKey[key]!.keys.filter { (wide[$0]?.count ?? 0) >= budget }.sorted()
            guard !problems.isEmpty else { continue }
            var acc = [Double](), maj = [Double](), pass = [Double](), rt = [Double](), bt = [Double]()
            for p in problems {
                let chains = byKey[key]![p]!
                acc.append(Double(chains.filter(\.correct).count) / Double(chains.count))
                let g = wide[p]!
                // Classes in sorted order, the first correct rollout's class correct.
                let classes = OutcomeIndex.classCounts(g, order: .sorted, correctFrom: .first)
                maj.append(Estimators.majAtK(counts: classes.counts, correct: classes.correct,
                                             k: budget, seed: seed &+ UInt64(ki)).value)
                pass.append(Estimators.passAtK(n: g.count, c: g.filter(\.correct).count, k: budget))
                let meanBreadth = Double(g.reduce(0) { $0 + $1.tokens }) / Double(g.count)
                bt.append(meanBreadth * Double(budget))
                let own = chains.map { c -> Double in
                    let base = g.first { $0.sample == c.sample }.map { Double($0.tokens) } ?? meanBreadth
                    let key = "\(c.problem)|\(c.layers)|\(c.temperature)|\(c.sample)|\(c.round)"
                    return base + Double(tokensUpTo[key] ?? 0)
                }
                rt.append(own.reduce(0, +) / Double(own.count))
            }
            func ci(_ xs: [Double], _ salt: UInt64) -> Interval {
                Bootstrap.mean(xs, resamples: resamples, level: level, seed: seed &+ UInt64(ki) &* 11 &+ salt)
            }
            let a = ci(acc, 1), m = ci(maj, 2)
            rows.append(RefineComparison(layers: key.cell.layers, temperature: key.cell.temperature, round: key.round,
                                         budget: budget, problems: problems.count, refined: a, breadthMajority: m,
                                         breadthPass: ci(pass, 3),
                                         liftOverMajority: m.value > 0
                                            ? DepthAnalysis.tidy((a.value - m.value) / m.value) : nil,
                                         refineTokens: rt.reduce(0, +) / Double(rt.count),
                                         breadthTokens: bt.reduce(0, +) / Double(bt.count)))
        }
        return rows
    }
}
