import Foundation

/// One graded rollout, as analyses see it (no text).
public struct Outcome: Sendable {
    public var problem: String
    public var layers: Int
    public var temperature: Double
    public var sample: Int
    public var correct: Bool
    public var answerClass: String
    public var tokens: Int
    public var meanEntropy: Double
    public var meanLogprob: Double
    public var selfCertainty: Double
    public var gatedTokens: Int
    public var extraLayerApplications: Int
    /// The approach label under the run's clustering (answer class by default).
    public var approach: String
    /// Mean entropy of the early (approach-committing) tokens, when known.
    public var earlyEntropy: Double?
    /// What the rollout cost: prompt tokens read (nil: unknown), wall seconds, FLOPs (nil:
    /// unknown, e.g. a remote or imported rollout). Generated tokens are `tokens`.
    public var promptTokens: Int?
    public var seconds: Double = 0
    public var flops: Double?
    /// An external score (e.g. a reward model's), when the rollout has one.
    public var score: Double?

    public init(problem: String, layers: Int, temperature: Double, sample: Int, correct: Bool, answerClass: String,
                tokens: Int = 0, meanEntropy: Double = 0, meanLogprob: Double = 0, selfCertainty: Double = 0,
                gatedTokens: Int = 0, extraLayerApplications: Int = 0, approach: String? = nil,
                earlyEntropy: Double? = nil) {
        self.approach = approach ?? answerClass; self.earlyEntropy = earlyEntropy
        self.problem = problem; self.layers = layers; self.temperature = temperature; self.sample = sample
        self.correct = correct; self.answerClass = answerClass; self.tokens = tokens; self.meanEntropy = meanEntropy
        self.meanLogprob = meanLogprob; self.selfCertainty = selfCertainty; self.gatedTokens = gatedTokens
        self.extraLayerApplications = extraLayerApplications
    }

    /// The (layers, temperature) cell the rollout was sampled in.
    var cell: Cell { Cell(layers: layers, temperature: temperature) }
}

public struct Cell: Sendable, Codable, Hashable, Comparable {
    public var layers: Int
    public var temperature: Double
    public init(layers: Int, temperature: Double) { self.layers = layers; self.temperature = temperature }
    public static func < (a: Cell, b: Cell) -> Bool { (a.layers, a.temperature) < (b.layers, b.temperature) }
    /// The key of the cell in `RunReport.perProblemAccuracy`.
    public var label: String { CellsAnalysis.label(layers: layers, temperature: temperature) }
}

/// A run's outcomes indexed once for every analysis: the problems and cells, sorted, and
/// per cell and problem the outcomes in input order.
public struct OutcomeIndex: Sendable {
    /// Every problem with an indexed outcome, sorted.
    public let problems: [String]
    /// Every cell with an indexed outcome, sorted.
    public let cells: [Cell]
    /// cell -> problem -> outcomes, in input order.
    public let byCell: [Cell: [String: [Outcome]]]

    /// Indexes the outcomes that pass `include` (all by default).
    public init<S: Sequence>(_ outcomes: S, where include: (Outcome) -> Bool = { _ in true })
    where S.Element == Outcome {
        var byCell = [Cell: [String: [Outcome]]]()
        var problems = Set<String>()
        for x in outcomes where include(x) {
            byCell[x.cell, default: [:]][x.problem, default: []].append(x)
            problems.insert(x.problem)
        }
        self.byCell = byCell
        self.cells = byCell.keys.sorted()
        self.problems = problems.sorted()
    }

    /// The outcomes of each problem in `cell` (empty when the cell has none).
    public func groups(_ cell: Cell) -> [String: [Outcome]] { byCell[cell] ?? [:] }

    /// One problem's outcomes pooled over `cells`, cell after cell, each in input order.
    public func pooled(_ problem: String, over cells: [Cell]) -> [Outcome] {
        cells.flatMap { byCell[$0]?[problem] ?? [] }
    }
}

/// The answer (or approach) classes of a set of rollouts and their sizes.
public struct ClassCounts: Sendable, Equatable {
    public var classes: [String]
    public var counts: [Int]
    /// Correct rollouts per class.
    public var correctCounts: [Int]
    /// Index of the correct class; nil when no rollout is correct.
    public var correct: Int?
}

extension OutcomeIndex {
    /// The order classes are listed in. Exact maj@k sums its terms, and Monte Carlo maj@k
    /// lays out its pool, in this order, so each caller keeps the order it was recorded with.
    public enum ClassOrder: Sendable { case firstSeen, sorted }
    /// Which correct rollout names the correct class when several classes are graded correct.
    public enum CorrectRollout: Sendable { case first, last }

    /// Class sizes of (label, correct) pairs: the one class-count function of the module.
    public static func classCounts<S: Sequence>(labels xs: S, order: ClassOrder = .firstSeen,
                                                correctFrom pick: CorrectRollout = .last) -> ClassCounts
    where S.Element == (String, Bool) {
        var index = [String: Int](), classes = [String](), counts = [Int](), good = [Int]()
        var first: Int? = nil, last: Int? = nil
        for (label, ok) in xs {
            let i: Int
            if let j = index[label] {
                i = j
            } else {
                i = classes.count
                index[label] = i; classes.append(label); counts.append(0); good.append(0)
            }
            counts[i] += 1
            if ok { good[i] += 1; last = i; if first == nil { first = i } }
        }
        var correct = pick == .first ? first : last
        if order == .sorted {
            let perm = classes.indices.sorted { classes[$0] < classes[$1] }
            classes = perm.map { classes[$0] }; counts = perm.map { counts[$0] }; good = perm.map { good[$0] }
            correct = correct.map { c in perm.firstIndex(of: c)! }
        }
        return ClassCounts(classes: classes, counts: counts, correctCounts: good, correct: correct)
    }

    /// Answer-class sizes of outcomes (first-seen order, the last correct rollout's class correct).
    public static func classCounts<S: Sequence>(_ g: S, order: ClassOrder = .firstSeen,
                                                correctFrom pick: CorrectRollout = .last) -> ClassCounts
    where S.Element == Outcome {
        classCounts(labels: g.lazy.map { ($0.answerClass, $0.correct) }, order: order, correctFrom: pick)
    }
}
