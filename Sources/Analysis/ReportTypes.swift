/// The Codable reports of a run's analyses: one struct per analysis, and RunReport, which
/// holds them all. Field order is the JSON's (Codable synthesis follows declaration order).

public struct CellReport: Sendable, Codable {
    public var layers: Int
    public var temperature: Double
    public var samples: Int
    public var accuracy: Interval
    /// pass@k for k = 1..samples, mean over problems.
    public var passAtK: [Double]
    /// maj@k at k = majK (every k up to 64 samples; beyond, k = 1..16, then powers of two and n).
    public var majAtK: [Double]
    public var majK: [Int]
    public var passHatK: [Double]
    public var majMethod: String
    public var meanTokens: Double
    public var gateRate: Double
    public var extraPerToken: Double
    /// Extra layer applications / baseline layer applications (needs blockCount).
    public var costOverhead: Double?
    public var iterationHistogram: [Int]?
    /// Paired comparison with plain decoding (L = 0) at the same temperature on the same
    /// problems: mean per-problem accuracy difference (this cell - L=0), bootstrap CI.
    public var vsPlain: Interval? = nil
    /// Prompt and generated tokens, wall seconds and FLOPs of the cell's rollouts.
    public var compute: ComputeTotals? = nil
    /// Pointwise 95% bootstrap bands (over problems) of pass@k and maj@k.
    public var passBand: CurveBand? = nil
    public var majBand: CurveBand? = nil
}

public struct PoolSummary: Sendable, Codable {
    public var name: String
    public var rolloutsPerProblem: Int
    public var oracle: Interval
    /// pass@k vs pool size k = 1..rolloutsPerProblem (matched-size comparison).
    public var curve: [Double]
    public var solved: [String]
}

public struct Overlap: Sendable, Codable {
    public var both: Int
    public var tOnlyExclusive: Int
    public var lOnlyExclusive: Int
    public var neither: Int
    public var jaccard: Double
}

public struct PoolsReport: Sendable, Codable {
    public var pools: [PoolSummary]
    public var jointMinusTOnlyPP: Double?
    public var jointMinusLOnlyPP: Double?
    public var overlap: Overlap?
}

public struct AuditRow: Sendable, Codable {
    public var problem: String
    public var spent: Int
    public var needed: Int
    public var wastedRollouts: Int
    public var wastedTokens: Double
    public var meanTokens: Double
    public var accuracyAtDatasetBudget: Double
    public var accuracyAtOwnBudget: Double
    public var type: String
}

public struct AuditReport: Sendable, Codable {
    public var cell: Cell
    public var datasetBudget: Int
    public var meanSampleOptimal: Double
    public var overscalingIndex: Double
    public var redundancy: Double
    public var curse: Bool
    public var grid: [Int]
    public var datasetCurve: [Double]
    /// Simultaneous 95% band of A_D(N) over the grid (bootstrap over problems): a budget read
    /// off the curve after looking at it is covered at every N at once.
    public var datasetBand: CurveBand? = nil
    /// Simultaneous 95% bands of A_x(N) for up to 8 problems, the most wasteful first among
    /// those whose curve varies with N: the problem's rollouts resampled with replacement, the
    /// whole curve recomputed.
    public var problemBands: [String: CurveBand]? = nil

    /// The audit's row of each problem.
    public var rowsByProblem: [String: AuditRow] {
        Dictionary(rows.map { ($0.problem, $0) }, uniquingKeysWith: { a, _ in a })
    }
    public var sampleTypes: [String: Int]
    public var accuracyAtDatasetBudget: Interval
    public var accuracyAtOracleBudgets: Interval
    public var rolloutsAtDatasetBudget: Int
    public var rolloutsAtOracleBudgets: Int
    public var tokensWasted: Double
    public var savedFraction: Double
    /// Problems ranked by wasted tokens, most wasteful first.
    public var rows: [AuditRow]
    public var sampleOptimal: [String: Int]
    public var curves: [String: [Double]]
    /// The smallest and largest pool (rollouts per problem in the cell). With unequal pools
    /// the grid runs up to the smallest, and each A_x(N) is maj@N over problem x's whole pool.
    public var poolMin: Int = 0
    public var poolMax: Int = 0
    /// The same audit cross-fitted: budgets decided on one half of each problem's rollouts,
    /// scored on the other (nil with fewer than 2 rollouts per problem).
    public var heldOut: HeldOutAudit? = nil
    /// The audit under each aggregator (majority vote, best-of-N by a score, weighted
    /// majority, the oracle), over subsets of the pool drawn without replacement.
    public var aggregators: [AggregatorAudit] = []
}

public struct SelectionReport: Sendable, Codable {
    public var cell: Cell
    public var meanAccuracy: Interval
    public var majority: Interval
    public var bestOfNSelfCertainty: Interval
    public var bestOfNLogprob: Interval
    public var bordaSelfCertainty: Interval
    public var oracle: Interval
}

public struct SignalReport: Sendable, Codable {
    public var pool: String
    public var groupSize: Int
    public var mixedFraction: Double
    public var meanVariance: Double
}

public struct DiversityReport: Sendable, Codable {
    public var cell: Cell
    public var clustering: String
    public var medianEffectiveApproaches: Double
    public var regime: String
    public var threshold: Double
    public var effectiveApproaches: [Double]
    public var meanEntropy: Double
    public var varianceForm: Decomposition
    public var entropyForm: Decomposition
    /// Per temperature (L = 0): median K_eff.
    public var byTemperature: [String: Double]
    /// Mean entropy (nats) of the first `prefixTokens` generated tokens, and of the rest.
    public var earlyTokenEntropy: Double?
    public var laterTokenEntropy: Double?
    public var prefixTokens: Int
    public var recommendation: String
    public var evidence: String
}

public struct RunReport: Sendable, Codable {
    public var problems: Int
    public var rollouts: Int
    public var options: AnalysisOptions
    public var cells: [CellReport]
    public var pools: PoolsReport
    public var audit: AuditReport?
    public var selection: SelectionReport?
    public var trainingSignal: [SignalReport]
    public var diversity: DiversityReport?
    public var budgetPredictor: BudgetPrediction?
    public var perProblemAccuracy: [String: [String: Double]]
    /// Measured breadth vs prefix-branching depth (runs with strategy: depth).
    public var depth: [DepthComparison]? = nil
    /// Self-refinement rounds against breadth at equal rollouts (runs with strategy: refine).
    public var refinement: [RefineComparison]? = nil
    /// Prompt and generated tokens, wall seconds and FLOPs of every analysed rollout.
    public var compute: ComputeTotals? = nil
}
