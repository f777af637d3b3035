import Foundation
import GRDB

extension RolloutStore {
    /// The responses of the stored rollouts among `keys`.
    public func responses(_ keys: [String]) throws -> [String: String] {
        var found = [String: String]()
        try read { db in
            for part in RolloutStore.chunks(keys) {
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                for row in try Row.fetchAll(db, sql: "SELECT key, response FROM rollouts WHERE key IN (\(marks))",
                                            arguments: StatementArguments(part)) { found[row[0]] = row[1] }
            }
        }
        return found
    }

    /// The subset of `keys` already stored.
    public func existing(_ keys: [String]) throws -> Set<String> {
        var found = Set<String>()
        try read { db in
            for part in RolloutStore.chunks(keys) {
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                for k in try String.fetchAll(db, sql: "SELECT key FROM rollouts WHERE key IN (\(marks))",
                                             arguments: StatementArguments(part)) { found.insert(k) }
            }
        }
        return found
    }

    static func chunks(_ keys: [String]) -> [[String]] {
        stride(from: 0, to: keys.count, by: 500).map { Array(keys[$0..<min(keys.count, $0 + 500)]) }
    }

    /// Inserts rollouts and their verdicts in one transaction (rows whose key exists are left
    /// as they are), and with the first batch of a run its record, so a run's membership
    /// changes only together with work it committed. Returns how many rollouts were new.
    @discardableResult
    public func insert(_ rollouts: [StoredRollout], record: RunRecord? = nil) throws -> Int {
        if rollouts.isEmpty && record == nil { return 0 }
        let now = Date().timeIntervalSince1970
        return try write { db in
            let added = try RolloutStore.putRollouts(db, rollouts, at: now)
            try RolloutStore.putVerdicts(db, rollouts.map(\.verdict))
            if let record { try RolloutStore.putRun(db, record) }
            return added
        }
    }

    /// Inserts rollouts (a key already stored is left as it is); returns how many were new.
    static func putRollouts(_ db: Database, _ rollouts: [StoredRollout], at now: Double) throws -> Int {
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
                r.extraLayerApplications, r.tokens, r.seconds]
            let args = base + RolloutStore.roleColumns(r.role) + [r.promptTokens, r.source, r.flops, r.score, now]
            try stmt.execute(arguments: StatementArguments(args))
            added += db.changesCount
        }
        return added
    }

    /// Stores verdicts (a verdict for the same rollout, gold and grader is kept as it was).
    public func insert(verdicts: [StoredVerdict]) throws {
        if verdicts.isEmpty { return }
        try write { db in try RolloutStore.putVerdicts(db, verdicts) }
    }

    static func putVerdicts(_ db: Database, _ verdicts: [StoredVerdict]) throws {
        let stmt = try db.cachedStatement(sql: "INSERT OR IGNORE INTO verdicts VALUES (?,?,?,?,?,?,?,?)")
        for v in verdicts {
            try stmt.execute(arguments: [v.key, v.goldHash, v.graderVersion, v.extracted, v.answerClass,
                                         v.correct ? 1 : 0, v.rule, v.reason])
        }
    }

    /// Which of `wanted` (rollout key, gold hash) pairs have no verdict by `grader`.
    public func missingVerdicts(_ wanted: [(key: String, goldHash: String)], grader: String) throws
        -> [(key: String, goldHash: String)] {
        var have = Set<String>()
        try read { db in
            for part in RolloutStore.chunks(Array(Set(wanted.map(\.key)))) {
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                for row in try Row.fetchAll(db, sql: """
                    SELECT key, gold_hash FROM verdicts WHERE grader_version = ? AND key IN (\(marks))
                    """, arguments: StatementArguments([grader] + part)) {
                    have.insert("\(row[0] as String)\u{1}\(row[1] as String)")
                }
            }
        }
        return wanted.filter { !have.contains("\($0.key)\u{1}\($0.goldHash)") }
    }

    static let columns = """
        key, model_key, prompt_hash, task_key, problem_id, layers, temperature, sample_index, seed, params,
        response, token_count, finish_reason, mean_entropy, mean_logprob, self_certainty, gated_tokens,
        extra_layer_applications, tokens, seconds, \(roleColumnNames), prompt_tokens, source, flops, score
        """
    static let columnCount = 32

    /// The rollout columns (prefixed r.) followed by the run's verdict columns, for a run's members.
    static let memberColumns = columns.split(separator: ",")
        .map { "r." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        .joined(separator: ", ") + ", v.extracted, v.answer_class, v.correct, v.rule, v.grader_version, m.gold_hash"

    /// A run's members with their rollout and the verdict under the run's gold and grader.
    static let memberJoin = """
        FROM run_members m JOIN runs u ON u.name = m.run JOIN rollouts r ON r.key = m.key
        JOIN verdicts v ON v.key = m.key AND v.gold_hash = m.gold_hash AND v.grader_version = u.grader_version
        WHERE m.run = ?
        """

    static func decode(_ row: Row) -> StoredRollout {
        StoredRollout(key: row[0], modelKey: row[1], promptHash: row[2], taskKey: row[3], problemID: row[4],
                      layers: row[5], temperature: row[6], sampleIndex: row[7],
                      seed: UInt64(bitPattern: row[8] as Int64), params: row[9], response: row[10],
                      tokenCount: row[11], finishReason: row[12], meanEntropy: row[13], meanLogprob: row[14],
                      selfCertainty: row[15], gatedTokens: row[16], extraLayerApplications: row[17],
                      extracted: row[32], answerClass: row[33], correct: (row[34] as Int) != 0, rule: row[35],
                      graderVersion: row[36], tokens: row[18], seconds: row[19], role: role(row, from: 20),
                      promptTokens: row[28], source: row[29], goldHash: row[37], flops: row[30], score: row[31])
    }

    /// Every rollout of run `name` with the run's verdict, ordered by problem, axes and sample.
    public func rollouts(run name: String, withTokens: Bool = true) throws -> [StoredRollout] {
        let cols = withTokens ? RolloutStore.memberColumns
            : RolloutStore.memberColumns.replacingOccurrences(of: "r.tokens,", with: "x'' AS tokens,")
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(cols) \(RolloutStore.memberJoin)
                ORDER BY r.problem_id, r.layers, r.temperature, r.sample_index
                """, arguments: [name]).map(RolloutStore.decode)
        }
    }

    /// Calls `body` for each rollout of a run with only the columns analyses need (no text,
    /// no token records): problem, layers, temperature, sample, correct, class, tokens, signals, role.
    public func forEachOutcome(run name: String, text: Bool = false, prefixTokens: Int = 0,
                               _ body: (OutcomeRow) throws -> Void) throws {
        let prefix = prefixTokens > 0 ? "substr(r.tokens, 1, \(prefixTokens * TokenRecord.size))" : "NULL"
        let roles = RolloutStore.roleColumnNames.split(separator: ",")
            .map { "r." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        try read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT r.problem_id, r.layers, r.temperature, r.sample_index, v.correct, v.answer_class,
                       r.token_count, r.mean_entropy, r.mean_logprob, r.self_certainty, r.gated_tokens,
                       r.extra_layer_applications, \(text ? "r.response" : "NULL"), \(prefix), \(roles),
                       r.prompt_tokens, r.seconds, r.flops, r.score
                \(RolloutStore.memberJoin)
                """, arguments: [name])
            while let row = try cursor.next() {
                try body(OutcomeRow(problemID: row[0], layers: row[1], temperature: row[2], sampleIndex: row[3],
                                    correct: (row[4] as Int) != 0, answerClass: row[5], tokenCount: row[6],
                                    meanEntropy: row[7], meanLogprob: row[8], selfCertainty: row[9],
                                    gatedTokens: row[10], extraLayerApplications: row[11], response: row[12],
                                    tokenPrefix: (row[13] as Data?).map(TokenRecord.unpack),
                                    role: RolloutStore.role(row, from: 14), promptTokens: row[22],
                                    seconds: row[23], flops: row[24], score: row[25]))
            }
        }
    }

    /// EGLR iterations per gated token, histogrammed per (layers, temperature) cell, for the
    /// run's rollouts with layers > 0, in cell order.
    public func iterationCounts(run name: String) throws -> [IterationHistogram] {
        try read { db in
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
                var counts = out[out.count - 1].counts
                for t in TokenRecord.unpack(row[2]) where t.gated {
                    let i = Int(t.iterations)
                    if i >= counts.count { counts += [Int](repeating: 0, count: i - counts.count + 1) }
                    counts[i] += 1
                }
                out[out.count - 1].counts = counts
            }
            return out
        }
    }

    public var rolloutCount: Int {
        get throws { try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rollouts") ?? 0 } }
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
    /// Prompt tokens read (nil when not known).
    public var promptTokens: Int?
    /// Wall seconds the rollout took (its share of a batch's time).
    public var seconds: Double = 0
    /// FLOPs the rollout cost, when known.
    public var flops: Double?
    /// External score (e.g. a reward model's), when imported with one.
    public var score: Double?
}

/// EGLR iteration counts of one (layers, temperature) cell: counts[i] = gated tokens that
/// ran i recursion iterations.
public struct IterationHistogram: Sendable, Equatable {
    public var layers: Int
    public var temperature: Double
    public var counts: [Int]
}
