import Analysis
import Foundation

/// The x axis of the curve figures: rollouts (k), generated tokens or GFLOPs. A point at k
/// rollouts of a cell (or pool) is drawn at k x that cell's mean cost per rollout, so
/// strategies and runs are compared at equal compute; nil when the cost is unknown.
extension StandardFigures.Request {
    /// The axis label: the figure's own for rollouts, else what the compute axis counts.
    func xLabel(_ rollouts: String) -> String {
        switch x {
        case .rollouts: return rollouts
        case .tokens: return "generated tokens per problem"
        case .flops: return "GFLOPs per problem"
        }
    }

    /// What one rollout of `cell` costs on this axis (1 for rollouts).
    func scale(cell: Cell) -> Double? { scale(compute?.cells[cell]) }

    /// What one rollout of the oracle pool `pool` costs on this axis.
    func scale(pool: String) -> Double? { scale(compute?.pools[pool]) }

    private func scale(_ p: ComputeProfile.PerRollout?) -> Double? {
        switch x {
        case .rollouts: return 1
        case .tokens: return p.map(\.tokens).flatMap { $0 > 0 ? $0 : nil }
        case .flops: return p?.flops.flatMap { $0 > 0 ? $0 / 1e9 : nil }
        }
    }

    /// The CSV column the compute axis adds ("" for rollouts).
    var csvColumn: String {
        switch x {
        case .rollouts: return ""
        case .tokens: return ",tokens"
        case .flops: return ",gflops"
        }
    }

    /// The value of that column for a point.
    func csvValue(_ v: Double) -> String { x == .rollouts ? "" : "," + StandardFigures.num(v) }
}
