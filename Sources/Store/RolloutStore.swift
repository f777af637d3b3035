import Foundation
import GRDB

public struct StoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// The SQLite rollout cache (GRDB, WAL). Rollouts are content-addressed and inserted with
/// `INSERT OR IGNORE`, so a rerun, a resumed run after SIGKILL, or two processes writing the
/// same plan never duplicate a row; each `insert` is one transaction, so a killed process
/// loses only what it had not yet committed.
public final class RolloutStore: @unchecked Sendable {
    public let path: String
    let pool: DatabasePool

    public init(path: String) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var config = Configuration()
        config.busyMode = .timeout(60)
        // Opening switches the file to WAL and migrates the schema; two processes doing that
        // at once on a new file can get SQLITE_BUSY without a busy wait, or both try to
        // create the tables. Either resolves itself on a retry, once the other has finished.
        // (No flock on the database file: closing any descriptor of it would drop SQLite's
        // own POSIX locks for the whole process.)
        var attempt = 0
        while true {
            do {
                let p = try DatabasePool(path: path, configuration: config)
                try RolloutStore.migrator.migrate(p)
                pool = p
                break
            } catch let e as DatabaseError {
                let transient = [.SQLITE_BUSY, .SQLITE_LOCKED].contains(e.resultCode)
                    || (e.resultCode == .SQLITE_ERROR && (e.message ?? "").contains("already exists"))
                if transient && attempt < 100 {
                    attempt += 1
                    Thread.sleep(forTimeInterval: 0.05 * Double(min(attempt, 10)))
                    continue
                }
                throw StoreError("\(path): not a usable Rollbook store (\(e.message ?? "\(e.resultCode)"))")
            }
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
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
        // v2: what travelled inside the params text and the run's info string becomes real
        // columns (strategy, round, trial, signal, child, depth shape; the run's block count),
        // plus provenance and prompt tokens. v1 rows are filled in from their params text.
        m.registerMigration("v2") { db in
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
                try db.execute(sql: "UPDATE runs SET block_count = ? WHERE name = ?",
                               arguments: [blocks, row[0] as String])
            }
        }
        return m
    }

    /// The schema this code writes (the newest migration's number).
    public static let schemaVersion = 2

    /// The role columns (strategy, round, trial, signal, child, depth_b0, depth_prefix_tokens,
    /// refine_instruction) of a role.
    static func roleColumns(_ role: RolloutRole) -> [DatabaseValueConvertible?] {
        switch role {
        case .breadth: return ["breadth", 0, 0, nil, 0, 0, 0, nil]
        case let .depthChild(b0, pl, signal, trial, child): return ["depth", 0, trial, signal, child, b0, pl, nil]
        case let .refine(round, instruction): return ["refine", round, 0, nil, 0, 0, 0, instruction]
        }
    }

    /// The role a row's columns describe.
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

    // MARK: rollouts

    /// The subset of `keys` already stored.
    /// The responses of the stored rollouts among `keys`.
    public func responses(_ keys: [String]) throws -> [String: String] {
        var found = [String: String]()
        try pool.read { db in
            for chunk in stride(from: 0, to: keys.count, by: 500) {
                let part = Array(keys[chunk..<min(keys.count, chunk + 500)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                for row in try Row.fetchAll(db, sql: "SELECT key, response FROM rollouts WHERE key IN (\(marks))",
                                            arguments: StatementArguments(part)) { found[row[0]] = row[1] }
            }
        }
        return found
    }

    public func existing(_ keys: [String]) throws -> Set<String> {
        var found = Set<String>()
        try pool.read { db in
            for chunk in stride(from: 0, to: keys.count, by: 500) {
                let part = Array(keys[chunk..<min(keys.count, chunk + 500)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                for k in try String.fetchAll(db, sql: "SELECT key FROM rollouts WHERE key IN (\(marks))",
                                             arguments: StatementArguments(part)) { found.insert(k) }
            }
        }
        return found
    }

    /// Inserts rollouts in one transaction; rows whose key exists are left as they are.
    /// Returns how many were new.
    @discardableResult
    public func insert(_ rollouts: [StoredRollout]) throws -> Int {
        if rollouts.isEmpty { return 0 }
        let now = Date().timeIntervalSince1970
        return try pool.write { db in
            var added = 0
            let marks = Array(repeating: "?", count: RolloutStore.columnCount + 1).joined(separator: ",")
            let stmt = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO rollouts (\(RolloutStore.columns), created_at) VALUES (\(marks))
                """)
            for r in rollouts {
                let base: [DatabaseValueConvertible?] = [
                    r.key, r.modelKey, r.promptHash, r.taskKey, r.problemID, r.layers, r.temperature,
                    r.sampleIndex, Int64(bitPattern: r.seed), r.params, r.response, r.tokenCount,
                    r.finishReason, r.meanEntropy, r.meanLogprob, r.selfCertainty, r.gatedTokens,
                    r.extraLayerApplications, r.extracted, r.answerClass, r.correct ? 1 : 0, r.rule,
                    r.graderVersion, r.tokens, r.seconds]
                let args = base + RolloutStore.roleColumns(r.role) + [r.promptTokens, r.source, now]
                try stmt.execute(arguments: StatementArguments(args))
                added += db.changesCount
            }
            return added
        }
    }

    static let columns = """
        key, model_key, prompt_hash, task_key, problem_id, layers, temperature, sample_index, seed, params,
        response, token_count, finish_reason, mean_entropy, mean_logprob, self_certainty, gated_tokens,
        extra_layer_applications, extracted, answer_class, correct, rule, grader_version, tokens, seconds,
        \(roleColumnNames), prompt_tokens, source
        """
    static let columnCount = 35

    static func decode(_ row: Row) -> StoredRollout {
        StoredRollout(key: row[0], modelKey: row[1], promptHash: row[2], taskKey: row[3], problemID: row[4],
                      layers: row[5], temperature: row[6], sampleIndex: row[7],
                      seed: UInt64(bitPattern: row[8] as Int64), params: row[9], response: row[10],
                      tokenCount: row[11], finishReason: row[12], meanEntropy: row[13], meanLogprob: row[14],
                      selfCertainty: row[15], gatedTokens: row[16], extraLayerApplications: row[17],
                      extracted: row[18], answerClass: row[19], correct: (row[20] as Int) != 0, rule: row[21],
                      graderVersion: row[22], tokens: row[23], seconds: row[24], role: role(row, from: 25),
                      promptTokens: row[33], source: row[34])
    }

    /// Every stored rollout that belongs to run `name`, ordered by problem, axes and sample.
    public func rollouts(run name: String, withTokens: Bool = true) throws -> [StoredRollout] {
        let cols = withTokens ? RolloutStore.columns
            : RolloutStore.columns.replacingOccurrences(of: "grader_version, tokens,",
                                                        with: "grader_version, x'' AS tokens,")
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(cols) FROM rollouts r JOIN run_members m ON m.key = r.key WHERE m.run = ?
                ORDER BY problem_id, layers, temperature, sample_index
                """, arguments: [name]).map(RolloutStore.decode)
        }
    }

    /// Calls `body` for each rollout of a run with only the columns analyses need (no text,
    /// no token records): problem, layers, temperature, sample, correct, class, tokens, signals, role.
    public func forEachOutcome(run name: String, text: Bool = false, prefixTokens: Int = 0,
                               _ body: (OutcomeRow) throws -> Void) throws {
        let prefix = prefixTokens > 0 ? "substr(tokens, 1, \(prefixTokens * TokenRecord.size))" : "NULL"
        try pool.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT problem_id, layers, temperature, sample_index, correct, answer_class, token_count,
                       mean_entropy, mean_logprob, self_certainty, gated_tokens, extra_layer_applications,
                       \(text ? "response" : "NULL"), \(prefix), \(RolloutStore.roleColumnNames)
                FROM rollouts r JOIN run_members m ON m.key = r.key WHERE m.run = ?
                """, arguments: [name])
            while let row = try cursor.next() {
                try body(OutcomeRow(problemID: row[0], layers: row[1], temperature: row[2], sampleIndex: row[3],
                                    correct: (row[4] as Int) != 0, answerClass: row[5], tokenCount: row[6],
                                    meanEntropy: row[7], meanLogprob: row[8], selfCertainty: row[9],
                                    gatedTokens: row[10], extraLayerApplications: row[11], response: row[12],
                                    tokenPrefix: (row[13] as Data?).map(TokenRecord.unpack),
                                    role: RolloutStore.role(row, from: 14)))
            }
        }
    }

    /// Stored features of the run's problems: problem id -> [layers][dim].
    public func featuresByProblem(run name: String) throws -> [String: [[Float]]] {
        let pairs = try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT DISTINCT r.problem_id, r.model_key, r.prompt_hash FROM rollouts r
                JOIN run_members m ON m.key = r.key WHERE m.run = ?
                """, arguments: [name]).map { ($0[0] as String, $0[1] as String, $0[2] as String) }
        }
        var out = [String: [[Float]]]()
        for (p, m, h) in pairs { if let f = try features(modelKey: m, promptHash: h) { out[p] = f } }
        return out
    }

    /// EGLR iterations per gated token, histogrammed per (layers, temperature) cell, for the
    /// run's rollouts with layers > 0, in cell order.
    public func iterationCounts(run name: String) throws -> [IterationHistogram] {
        try pool.read { db in
            var out = [IterationHistogram]()
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT layers, temperature, tokens FROM rollouts r JOIN run_members m ON m.key = r.key
                WHERE m.run = ? AND layers > 0 ORDER BY layers, temperature
                """, arguments: [name])
            while let row = try cursor.next() {
                let layers: Int = row[0], temperature: Double = row[1]
                if out.last.map({ $0.layers != layers || $0.temperature != temperature }) ?? true {
                    out.append(IterationHistogram(layers: layers, temperature: temperature, counts: [0, 0, 0, 0, 0]))
                }
                for t in TokenRecord.unpack(row[2]) where t.gated {
                    let i = Int(t.iterations)
                    if i >= out[out.count - 1].counts.count {
                        out[out.count - 1].counts += [Int](repeating: 0, count: i - out[out.count - 1].counts.count + 1)
                    }
                    out[out.count - 1].counts[i] += 1
                }
            }
            return out
        }
    }

    public var rolloutCount: Int {
        get throws { try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rollouts") ?? 0 } }
    }

    // MARK: runs

    public struct RunInfo: Sendable {
        public var name: String
        public var plan: String
        public var modelKey: String
        public var planned: Int
        public var info: String
        /// The model's decoder layer count (0 if unknown, e.g. a remote model).
        public var blockCount: Int
    }

    /// Records (or replaces) a run and its planned membership in one transaction.
    public func recordRun(name: String, plan: String, modelKey: String, keys: [String], info: String,
                          blockCount: Int = 0) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO runs (name, plan, model_key, planned, updated_at, info, block_count)
                VALUES (?,?,?,?,?,?,?)
                """, arguments: [name, plan, modelKey, keys.count, Date().timeIntervalSince1970, info, blockCount])
            try db.execute(sql: "DELETE FROM run_members WHERE run = ?", arguments: [name])
            let stmt = try db.cachedStatement(sql: "INSERT OR IGNORE INTO run_members VALUES (?, ?)")
            for k in keys { try stmt.execute(arguments: [name, k]) }
        }
    }

    public func run(named name: String) throws -> RunInfo? {
        try pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT name, plan, model_key, planned, info, block_count FROM runs WHERE name = ?
                """, arguments: [name])
                .map { RunInfo(name: $0[0], plan: $0[1], modelKey: $0[2], planned: $0[3], info: $0[4],
                               blockCount: $0[5]) }
        }
    }

    public func runNames() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM runs ORDER BY name") }
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
        try pool.write { db in
            let stmt = try db.cachedStatement(sql: "INSERT OR REPLACE INTO problems VALUES (?,?,?,?,?)")
            for r in rows { try stmt.execute(arguments: [taskKey, r.id, r.question, r.gold, r.tier]) }
        }
    }

    /// The problems of a run's rollouts: id -> row.
    public func problems(run name: String) throws -> [String: ProblemRow] {
        try pool.read { db in
            var out = [String: ProblemRow]()
            for row in try Row.fetchAll(db, sql: """
                SELECT p.problem_id, p.question, p.gold, p.tier FROM problems p
                WHERE EXISTS (SELECT 1 FROM rollouts r JOIN run_members m ON m.key = r.key
                              WHERE m.run = ? AND r.task_key = p.task_key AND r.problem_id = p.problem_id)
                """, arguments: [name]) {
                out[row[0]] = ProblemRow(id: row[0], question: row[1], gold: row[2], tier: row[3])
            }
            return out
        }
    }

    public func golds(run name: String) throws -> [String: String] {
        try problems(run: name).mapValues(\.gold)
    }

    // MARK: features

    /// Stores the last prompt token's hidden state after every layer, as Float16.
    public func putFeatures(modelKey: String, promptHash: String, layers: Int, dim: Int, values: [Float]) throws {
        precondition(values.count == layers * dim)
        var bytes = [UInt8](repeating: 0, count: values.count * 2)
        for (i, v) in values.enumerated() {
            let h = Float16(v).bitPattern
            bytes[2 * i] = UInt8(h & 0xff); bytes[2 * i + 1] = UInt8(h >> 8)
        }
        try pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO features VALUES (?,?,?,?,?)",
                           arguments: [modelKey, promptHash, layers, dim, Data(bytes)])
        }
    }

    public func hasFeatures(modelKey: String, promptHash: String) throws -> Bool {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT 1 FROM features WHERE model_key = ? AND prompt_hash = ?",
                             arguments: [modelKey, promptHash]) != nil
        }
    }

    /// Features as [layers][dim] Float arrays, or nil when not stored.
    public func features(modelKey: String, promptHash: String) throws -> [[Float]]? {
        try pool.read { db in
            let sql = "SELECT layers, dim, data FROM features WHERE model_key = ? AND prompt_hash = ?"
            guard let row = try Row.fetchOne(db, sql: sql,
                                             arguments: [modelKey, promptHash]) else { return nil }
            let layers: Int = row[0], dim: Int = row[1], data: Data = row[2]
            let b = [UInt8](data)
            guard b.count == layers * dim * 2 else { return nil }
            return (0..<layers).map { l in
                (0..<dim).map { j in
                    let o = 2 * (l * dim + j)
                    return Float(Float16(bitPattern: UInt16(b[o]) | UInt16(b[o + 1]) << 8))
                }
            }
        }
    }

    // MARK: model identity

    /// The sha256 of a model file, computed once per (path, size, mtime) and remembered.
    public func modelHash(path: String) throws -> String {
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attrs[.size] as? NSNumber)?.int64Value ?? 0
        let mtime = (attrs[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        if let h = try pool.read({ db in
            try String.fetchOne(db, sql: "SELECT sha256 FROM model_files WHERE path = ? AND size = ? AND mtime = ?",
                                arguments: [path, size, mtime]) }) { return h }
        let h = try RolloutStore.sha256(file: path)
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO model_files VALUES (?,?,?,?)", arguments: [path, size, mtime,
                                                                                                   h])
        }
        return h
    }

    /// sha256 through coreutils' `sha256sum` (present on every Debian machine).
    public static func sha256(file: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [file]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let s = String(data: data, encoding: .utf8),
              let h = s.split(separator: " ").first, h.count == 64 else {
            throw StoreError("\(file): could not compute its sha256")
        }
        return String(h)
    }
}

/// The analysis-relevant columns of a stored rollout.
public struct OutcomeRow: Sendable {
    public var problemID: String
    public var layers: Int
    public var temperature: Double
    public var sampleIndex: Int
    public var correct: Bool
    public var answerClass: String
    public var tokenCount: Int
    public var meanEntropy: Double
    public var meanLogprob: Double
    public var selfCertainty: Double
    public var gatedTokens: Int
    public var extraLayerApplications: Int
    /// The response text, when asked for.
    public var response: String?
    /// The first per-token records, when asked for.
    public var tokenPrefix: [TokenRecord]?
    /// Breadth sample, depth child or refinement round.
    public var role: RolloutRole = .breadth
}

/// EGLR iteration counts of one (layers, temperature) cell: counts[i] = gated tokens that
/// ran i recursion iterations.
public struct IterationHistogram: Sendable, Equatable {
    public var layers: Int
    public var temperature: Double
    public var counts: [Int]
}
