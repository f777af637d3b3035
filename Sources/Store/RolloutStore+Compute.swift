import Foundation
import GRDB

/// What a local rollout stored before schema v4 needs for its FLOPs to be computed now:
/// its prompt tokens, EGLR layer span and packed per-token records (iteration counts).
public struct ComputeGap: Sendable {
    public var key: String
    public var promptTokens: Int
    public var layers: Int
    public var tokens: Data
}

extension RolloutStore {
    /// The local rollouts among `keys` with unknown FLOPs and known prompt tokens (rows from
    /// before v1's prompt-token column stay unknown: their prompts would need re-tokenizing).
    public func computeGaps(_ keys: [String]) throws -> [ComputeGap] {
        try read { db in
            var out = [ComputeGap]()
            for part in RolloutStore.chunks(keys) {
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                let rows = try Row.fetchAll(db, sql: """
                    SELECT key, prompt_tokens, layers, tokens FROM rollouts
                    WHERE key IN (\(marks)) AND flops IS NULL AND source = 'local' AND prompt_tokens IS NOT NULL
                    """, arguments: StatementArguments(part))
                out += rows.map { ComputeGap(key: $0[0], promptTokens: $0[1], layers: $0[2], tokens: $0[3]) }
            }
            return out
        }
    }

    /// Fills in FLOPs of rollouts whose FLOPs are unknown, in one transaction (a known value
    /// is never overwritten). Returns how many rows changed.
    @discardableResult
    public func fillFLOPs(_ values: [String: Double]) throws -> Int {
        if values.isEmpty { return 0 }
        return try write { db in
            let stmt = try db.cachedStatement(sql: "UPDATE rollouts SET flops = ? WHERE key = ? AND flops IS NULL")
            var changed = 0
            for (key, flops) in values.sorted(by: { $0.key < $1.key }) {
                try stmt.execute(arguments: [flops, key])
                changed += db.changesCount
            }
            return changed
        }
    }
}
