import Foundation
import GRDB

extension RolloutStore {
    /// Stores an imported run whole, in one transaction: its problems, its rollouts (a key
    /// already stored is left as it is), every verdict given, and the run's record. Returns how
    /// many rollouts were new. Either all of it is committed or none of it.
    @discardableResult
    public func importRun(taskKey: String, problems: [ProblemRow], rollouts: [StoredRollout],
                          verdicts: [StoredVerdict], record: RunRecord) throws -> Int {
        let now = Date().timeIntervalSince1970
        return try write { db in
            let p = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO problems (task_key, problem_id, gold_hash, question, gold, tier)
                VALUES (?,?,?,?,?,?)
                """)
            for r in problems {
                try p.execute(arguments: [taskKey, r.id, Hash128.hex(r.gold), r.question, r.gold, r.tier])
            }
            let added = try RolloutStore.putRollouts(db, rollouts, at: now)
            try RolloutStore.putVerdicts(db, verdicts)
            try RolloutStore.writeRun(db, record)
            return added
        }
    }
}
