/// What a set of rollouts cost, summed: the compute axis of `analyze --json` (per cell and
/// for the run). A figure is known only when every rollout's is: `flops` is nil when any
/// rollout's FLOPs are unknown (remote, imported, or a v1 row), and `unknownFlops` counts
/// those rollouts, so a partial sum is never shown as the total.
public struct ComputeTotals: Sendable, Codable, Equatable {
    public var rollouts = 0
    public var promptTokens = 0
    public var generatedTokens = 0
    public var seconds = 0.0
    public var flops: Double? = 0
    /// Rollouts whose prompt tokens are unknown (not in `promptTokens`).
    public var unknownPromptTokens = 0
    public var unknownFlops = 0

    public init() {}

    public init<S: Sequence>(_ outcomes: S) where S.Element == Outcome {
        for x in outcomes { add(x) }
    }

    public mutating func add(_ x: Outcome) {
        rollouts += 1
        generatedTokens += x.tokens
        seconds += x.seconds
        if let p = x.promptTokens { promptTokens += p } else { unknownPromptTokens += 1 }
        if let f = x.flops, let sum = flops { flops = sum + f } else { flops = nil; unknownFlops += 1 }
    }
}

/// What one rollout costs on average, per cell and per oracle pool: the scale that turns a
/// curve over k rollouts into one over generated tokens or FLOPs (`x: tokens|flops`).
/// A curve point at k rollouts sits at k x the mean of the rollouts it draws from. FLOPs are
/// known for a cell or pool only when every one of its rollouts records them.
public struct ComputeProfile: Sendable, Equatable {
    public struct PerRollout: Sendable, Equatable {
        /// Mean generated tokens per rollout.
        public var tokens: Double
        /// Mean FLOPs per rollout (prompt prefill included), nil when any rollout's are unknown.
        public var flops: Double?
    }
    public var cells: [Cell: PerRollout]
    public var pools: [String: PerRollout]

    public init<S: Sequence>(_ outcomes: S) where S.Element == Outcome {
        let all = Array(outcomes)
        func mean(_ xs: [Outcome]) -> PerRollout? {
            guard !xs.isEmpty else { return nil }
            let n = Double(xs.count)
            let tokens = Double(xs.reduce(0) { $0 + $1.tokens }) / n
            let known = xs.allSatisfy { $0.flops != nil }
            return PerRollout(tokens: tokens, flops: known ? xs.reduce(0) { $0 + $1.flops! } / n : nil)
        }
        var byCell = [Cell: [Outcome]]()
        for x in all { byCell[Cell(layers: x.layers, temperature: x.temperature), default: []].append(x) }
        cells = byCell.compactMapValues(mean)
        var pools = [String: PerRollout]()
        for d in PoolsAnalysis.definitions {
            pools[d.name] = mean(all.filter { d.include(Cell(layers: $0.layers, temperature: $0.temperature)) })
        }
        self.pools = pools
    }

    /// Whether every cell's rollouts record generated tokens (a mean above 0).
    public var tokensKnown: Bool { !cells.isEmpty && cells.values.allSatisfy { $0.tokens > 0 } }

    /// Whether every rollout of the run records its FLOPs.
    public var flopsKnown: Bool { !cells.isEmpty && cells.values.allSatisfy { $0.flops != nil } }
}
