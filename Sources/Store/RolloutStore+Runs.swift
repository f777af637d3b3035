import Foundation
import GRDB

/// A run as recorded: its plan (canonical text and hash), where the plan came from, the
/// model, task and grader, and its members, each graded against its problem's gold.
public struct RunRecord: Sendable {
    public var name: String
    public var plan: String
    public var planHash: String
    /// The plan file or notebook the run was defined in.
    public var source: String
    public var modelKey: String
    public var taskKey: String
    public var graderVersion: String
    public var blockCount: Int
    public var info: String
    public var members: [(key: String, goldHash: String)]
    /// What the source file is: "plan" (a plan or notebook Rollbook ran), "jsonl" or "lm-eval"
    /// (rollouts imported from elsewhere); and its sha256 when imported.
    public var sourceFormat = "plan"
    public var sourceSHA256 = ""

    public init(name: String, plan: String, source: String, modelKey: String, taskKey: String, graderVersion: String,
                blockCount: Int, info: String, members: [(key: String, goldHash: String)],
                sourceFormat: String = "plan", sourceSHA256: String = "") {
        self.sourceFormat = sourceFormat; self.sourceSHA256 = sourceSHA256
        self.name = name; self.plan = plan; planHash = Hash128.hex(plan); self.source = source
        self.modelKey = modelKey; self.taskKey = taskKey; self.graderVersion = graderVersion
        self.blockCount = blockCount; self.info = info; self.members = members
    }
}

extension RolloutStore {
    public struct RunInfo: Sendable {
        public var name: String
        public var plan: String
        public var planHash: String
        public var source: String
        public var modelKey: String
        public var taskKey: String
        public var graderVersion: String
        public var planned: Int
        public var info: String
        /// The model's decoder layer count (0 if unknown, e.g. a remote model).
        public var blockCount: Int
        /// "plan", "jsonl" or "lm-eval", and the imported file's sha256 ("" for plans).
        public var sourceFormat: String
        public var sourceSHA256: String
    }

    /// Records (or replaces) a run and its membership in one transaction.
    public func recordRun(_ record: RunRecord) throws {
        try write { db in try RolloutStore.putRun(db, record) }
    }

    static func putRun(_ db: Database, _ r: RunRecord) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO runs (name, plan, model_key, planned, updated_at, info, block_count, plan_hash,
                                         source, task_key, grader_version, source_format, source_sha256)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
            """, arguments: [r.name, r.plan, r.modelKey, r.members.count, Date().timeIntervalSince1970, r.info,
                             r.blockCount, r.planHash, r.source, r.taskKey, r.graderVersion, r.sourceFormat,
                             r.sourceSHA256])
        try db.execute(sql: "DELETE FROM run_members WHERE run = ?", arguments: [r.name])
        let stmt = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO run_members (run, key, gold_hash) VALUES (?, ?, ?)
            """)
        for m in r.members { try stmt.execute(arguments: [r.name, m.key, m.goldHash]) }
    }

    /// Points a run at another grader's verdicts (after re-grading).
    public func setGrader(run name: String, version: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE runs SET grader_version = ?, updated_at = ? WHERE name = ?",
                           arguments: [version, Date().timeIntervalSince1970, name])
        }
    }

    public func run(named name: String) throws -> RunInfo? {
        try read { db in
            try Row.fetchOne(db, sql: """
                SELECT name, plan, plan_hash, source, model_key, task_key, grader_version, planned, info, block_count,
                       source_format, source_sha256
                FROM runs WHERE name = ?
                """, arguments: [name]).map {
                RunInfo(name: $0[0], plan: $0[1], planHash: $0[2], source: $0[3], modelKey: $0[4], taskKey: $0[5],
                        graderVersion: $0[6], planned: $0[7], info: $0[8], blockCount: $0[9], sourceFormat: $0[10],
                        sourceSHA256: $0[11])
            }
        }
    }

    public func runNames() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT name FROM runs ORDER BY name") }
    }

    /// A run's members: rollout key, the gold hash it is graded against, and its problem.
    public func members(run name: String) throws -> [(key: String, goldHash: String, problemID: String)] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.key, m.gold_hash, r.problem_id FROM run_members m JOIN rollouts r ON r.key = m.key
                WHERE m.run = ? ORDER BY m.key
                """, arguments: [name]).map { ($0[0], $0[1], $0[2]) }
        }
    }

    // MARK: problems

    public struct ProblemRow: Sendable {
        public var id: String
        public var question: String
        public var gold: String
        public var tier: Int?
        public init(id: String, question: String, gold: String, tier: Int?) {
            self.id = id; self.question = question; self.gold = gold; self.tier = tier
        }
    }

    public func putProblems(taskKey: String, _ rows: [ProblemRow]) throws {
        try write { db in
            let stmt = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO problems (task_key, problem_id, gold_hash, question, gold, tier)
                VALUES (?,?,?,?,?,?)
                """)
            for r in rows {
                try stmt.execute(arguments: [taskKey, r.id, Hash128.hex(r.gold), r.question, r.gold, r.tier])
            }
        }
    }

    /// The problems of a run, each with the gold its members are graded against: id -> row.
    public func problems(run name: String) throws -> [String: ProblemRow] {
        try read { db in
            var out = [String: ProblemRow]()
            for row in try Row.fetchAll(db, sql: """
                SELECT DISTINCT p.problem_id, p.question, p.gold, p.tier
                FROM run_members m JOIN runs u ON u.name = m.run JOIN rollouts r ON r.key = m.key
                JOIN problems p ON p.task_key = u.task_key AND p.problem_id = r.problem_id AND p.gold_hash = m.gold_hash
                WHERE m.run = ?
                """, arguments: [name]) {
                out[row[0]] = ProblemRow(id: row[0], question: row[1], gold: row[2], tier: row[3])
            }
            return out
        }
    }

    public func golds(run name: String) throws -> [String: String] {
        try problems(run: name).mapValues(\.gold)
    }
}
