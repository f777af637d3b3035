import Foundation
import GRDB

/// The store's schema, as migrations. v1: rollouts (with their first verdict), features,
/// runs, run members, problems, model files. v2: a rollout's role in its strategy, its
/// source and prompt tokens, and the run's block count, as columns. v3: verdicts apart from
/// rollouts, keyed by (rollout, gold, grader), so a rollout shared by two tasks, or graded
/// again after the gold or the grader changed, is never served a stale verdict; runs record
/// their plan's hash, source file, task and grader. v4: the compute a rollout cost (FLOPs,
/// when the engine knows the model's shape) and an external score (e.g. a reward model's, from
/// an imported file); a run's source format (plan, jsonl, lm-eval) and the source file's sha256.
extension RolloutStore {
    /// Every migration this code knows, oldest first; a store that has applied one not in
    /// this list was written by a newer Rollbook.
    static let migrations = ["v1", "v2", "v3", "v4"]

    /// The schema this code writes (the newest migration's number).
    public static var schemaVersion: Int { migrations.count }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1", migrate: migrateV1)
        m.registerMigration("v2", migrate: migrateV2)
        m.registerMigration("v3", migrate: migrateV3)
        m.registerMigration("v4", migrate: migrateV4)
        return m
    }

    static func migrateV1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE rollouts (
              key TEXT PRIMARY KEY NOT NULL,
              model_key TEXT NOT NULL, prompt_hash TEXT NOT NULL, task_key TEXT NOT NULL,
              problem_id TEXT NOT NULL, layers INTEGER NOT NULL, temperature REAL NOT NULL,
              sample_index INTEGER NOT NULL, seed INTEGER NOT NULL, params TEXT NOT NULL,
              response TEXT NOT NULL, token_count INTEGER NOT NULL, finish_reason TEXT NOT NULL,
              mean_entropy REAL NOT NULL, mean_logprob REAL NOT NULL, self_certainty REAL NOT NULL,
              gated_tokens INTEGER NOT NULL, extra_layer_applications INTEGER NOT NULL,
              extracted TEXT, answer_class TEXT NOT NULL, correct INTEGER NOT NULL, rule TEXT NOT NULL,
              grader_version TEXT NOT NULL, tokens BLOB NOT NULL, seconds REAL NOT NULL,
              created_at REAL NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE features (
              model_key TEXT NOT NULL, prompt_hash TEXT NOT NULL, layers INTEGER NOT NULL,
              dim INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (model_key, prompt_hash)
            ) WITHOUT ROWID;
            CREATE TABLE runs (
              name TEXT PRIMARY KEY NOT NULL, plan TEXT NOT NULL, model_key TEXT NOT NULL,
              planned INTEGER NOT NULL, updated_at REAL NOT NULL, info TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE run_members (
              run TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (run, key)
            ) WITHOUT ROWID;
            CREATE TABLE problems (
              task_key TEXT NOT NULL, problem_id TEXT NOT NULL, question TEXT NOT NULL, gold TEXT NOT NULL,
              tier INTEGER, PRIMARY KEY (task_key, problem_id)
            ) WITHOUT ROWID;
            CREATE TABLE model_files (
              path TEXT NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL, sha256 TEXT NOT NULL,
              PRIMARY KEY (path, size, mtime)
            ) WITHOUT ROWID;
            """)
    }

    /// What travelled inside the params text and the run's info string becomes real columns
    /// (strategy, round, trial, signal, child, depth shape; the run's block count), plus
    /// provenance and prompt tokens. v1 rows are filled in from their params text.
    static func migrateV2(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE rollouts ADD COLUMN strategy TEXT NOT NULL DEFAULT 'breadth';
            ALTER TABLE rollouts ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE rollouts ADD COLUMN trial INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE rollouts ADD COLUMN signal TEXT;
            ALTER TABLE rollouts ADD COLUMN child INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE rollouts ADD COLUMN depth_b0 INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE rollouts ADD COLUMN depth_prefix_tokens INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE rollouts ADD COLUMN refine_instruction TEXT;
            ALTER TABLE rollouts ADD COLUMN prompt_tokens INTEGER;
            ALTER TABLE rollouts ADD COLUMN source TEXT NOT NULL DEFAULT 'local';
            ALTER TABLE runs ADD COLUMN block_count INTEGER NOT NULL DEFAULT 0;
            UPDATE rollouts SET source = 'openai' WHERE model_key LIKE 'openai:%';
            """)
        for row in try Row.fetchAll(db, sql: "SELECT key, params FROM rollouts WHERE instr(params, ';S=') > 0") {
            let role = RolloutRole.parse(params: row[1])
            try db.execute(sql: """
                UPDATE rollouts SET strategy = ?, round = ?, trial = ?, signal = ?, child = ?, depth_b0 = ?,
                  depth_prefix_tokens = ?, refine_instruction = ? WHERE key = ?
                """, arguments: StatementArguments(RolloutStore.roleColumns(role) + [row[0] as String]))
        }
        for row in try Row.fetchAll(db, sql: "SELECT name, info FROM runs") {
            let info: String = row[1]
            guard let r = info.range(of: "blocks ") else { continue }
            let blocks = Int(info[r.upperBound...].prefix(while: \.isNumber)) ?? 0
            try db.execute(sql: "UPDATE runs SET block_count = ? WHERE name = ?", arguments: [blocks, row[0] as String])
        }
    }

    /// Verdicts move to their own table, keyed by (rollout, gold hash, grader version); each
    /// run member names the gold it is graded against; runs record their plan's hash, source,
    /// task and grader. The rollouts keep only what generation produced.
    static func migrateV3(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE verdicts (
              key TEXT NOT NULL, gold_hash TEXT NOT NULL, grader_version TEXT NOT NULL,
              extracted TEXT, answer_class TEXT NOT NULL, correct INTEGER NOT NULL, rule TEXT NOT NULL,
              reason TEXT, PRIMARY KEY (key, gold_hash, grader_version)
            ) WITHOUT ROWID;
            ALTER TABLE run_members ADD COLUMN gold_hash TEXT NOT NULL DEFAULT '';
            ALTER TABLE runs ADD COLUMN plan_hash TEXT NOT NULL DEFAULT '';
            ALTER TABLE runs ADD COLUMN source TEXT NOT NULL DEFAULT '';
            ALTER TABLE runs ADD COLUMN task_key TEXT NOT NULL DEFAULT '';
            ALTER TABLE runs ADD COLUMN grader_version TEXT NOT NULL DEFAULT '';
            """)
        // A v1/v2 verdict was graded against the gold its task held then: the stored problem.
        var goldHash = [String: String]()
        for row in try Row.fetchAll(db, sql: "SELECT task_key, problem_id, gold FROM problems") {
            goldHash["\(row[0] as String)\u{1}\(row[1] as String)"] = Hash128.hex(row[2] as String)
        }
        let verdict = try db.makeStatement(sql: "INSERT OR IGNORE INTO verdicts VALUES (?,?,?,?,?,?,?,NULL)")
        let rows = try Row.fetchAll(db, sql: """
            SELECT key, task_key, problem_id, grader_version, extracted, answer_class, correct, rule FROM rollouts
            """)
        var memberGold = [String: String]()
        for row in rows {
            let key: String = row[0]
            let gold = goldHash["\(row[1] as String)\u{1}\(row[2] as String)"] ?? ""
            memberGold[key] = gold
            try verdict.execute(arguments: [key, gold, row[3], row[4], row[5], row[6], row[7]])
        }
        let member = try db.makeStatement(sql: "UPDATE run_members SET gold_hash = ? WHERE key = ?")
        for (key, gold) in memberGold { try member.execute(arguments: [gold, key]) }
        for row in try Row.fetchAll(db, sql: "SELECT name, plan FROM runs") {
            let name: String = row[0]
            let first = try Row.fetchOne(db, sql: """
                SELECT r.task_key, r.grader_version FROM run_members m JOIN rollouts r ON r.key = m.key
                WHERE m.run = ? LIMIT 1
                """, arguments: [name])
            try db.execute(sql: "UPDATE runs SET plan_hash = ?, task_key = ?, grader_version = ? WHERE name = ?",
                           arguments: [Hash128.hex(row[1] as String), first?[0] as String? ?? "",
                                       first?[1] as String? ?? "", name])
        }
        // Problems keep every gold a task has had (a corrected gold is a new row, so a run's
        // export shows the gold its verdicts were graded against).
        try db.execute(sql: """
            CREATE TABLE problems_v3 (
              task_key TEXT NOT NULL, problem_id TEXT NOT NULL, gold_hash TEXT NOT NULL, question TEXT NOT NULL,
              gold TEXT NOT NULL, tier INTEGER, PRIMARY KEY (task_key, problem_id, gold_hash)
            ) WITHOUT ROWID
            """)
        let problem = try db.makeStatement(sql: "INSERT INTO problems_v3 VALUES (?,?,?,?,?,?)")
        for row in try Row.fetchAll(db, sql: "SELECT task_key, problem_id, question, gold, tier FROM problems") {
            try problem.execute(arguments: [row[0], row[1], Hash128.hex(row[3] as String), row[2], row[3], row[4]])
        }
        try db.execute(sql: "DROP TABLE problems; ALTER TABLE problems_v3 RENAME TO problems")
        for column in ["extracted", "answer_class", "correct", "rule", "grader_version"] {
            try db.execute(sql: "ALTER TABLE rollouts DROP COLUMN \(column)")
        }
    }

    /// Compute and provenance columns. Rows written before v4 have no FLOPs (NULL: unknown)
    /// and no score; runs written before v4 came from plans.
    static func migrateV4(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE rollouts ADD COLUMN flops REAL;
            ALTER TABLE rollouts ADD COLUMN score REAL;
            ALTER TABLE runs ADD COLUMN source_format TEXT NOT NULL DEFAULT 'plan';
            ALTER TABLE runs ADD COLUMN source_sha256 TEXT NOT NULL DEFAULT '';
            """)
    }

    /// The role columns (strategy, round, trial, signal, child, depth_b0, depth_prefix_tokens,
    /// refine_instruction) of a role.
    static func roleColumns(_ role: RolloutRole) -> [DatabaseValueConvertible?] {
        switch role {
        case .breadth: return ["breadth", 0, 0, nil, 0, 0, 0, nil]
        case let .depthChild(b0, pl, signal, trial, child): return ["depth", 0, trial, signal, child, b0, pl, nil]
        case let .refine(round, instruction): return ["refine", round, 0, nil, 0, 0, 0, instruction]
        }
    }

    /// The role a row's columns describe, starting at column i.
    static func role(_ row: Row, from i: Int) -> RolloutRole {
        switch row[i] as String {
        case "depth":
            return .depthChild(b0: row[i + 5], prefixTokens: row[i + 6], signal: (row[i + 3] as String?) ?? "?",
                               trial: row[i + 2], child: row[i + 4])
        case "refine": return .refine(round: row[i + 1], instruction: (row[i + 7] as String?) ?? "")
        default: return .breadth
        }
    }

    static let roleColumnNames =
        "strategy, round, trial, signal, child, depth_b0, depth_prefix_tokens, refine_instruction"
}
