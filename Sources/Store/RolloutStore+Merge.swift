import Foundation
import GRDB

/// A row of a merged store whose key is stored in the target with other content. It is
/// reported and never overwritten: the same key with other content means two machines did
/// not compute the same thing (another CPU's kernels, another grader build), and the stored
/// row stays what every earlier analysis read.
public struct MergeConflict: Sendable, CustomStringConvertible {
    public var file: String
    /// "rollout", "verdict", "problem", "features" or "run member".
    public var row: String
    public var key: String
    public var fields: [String]
    public var description: String {
        "\(file): \(row) \(key) differs in \(fields.joined(separator: ", ")) (kept as stored)"
    }
}

/// What merging one store (or bundle) into another did.
public struct MergeSummary: Sendable {
    public var file: String
    /// Rollouts new to the target, and rollouts it already held.
    public var added = 0
    public var alreadyPresent = 0
    public var conflicts = [MergeConflict]()
    /// Runs added or united, each with the shards the target's record now holds.
    public var runs = [String]()
    /// Runs left as they were, each with why ("name: reason").
    public var skippedRuns = [String]()
}

/// A table merged row by row: its primary key, and the columns that are not content. A
/// rollout row keeps the task it was first generated for (another task with the same
/// prompt shares the rollout, its key has no task), and when and how fast it was made.
struct MergedTable {
    let name: String
    let row: String
    let key: [String]
    let ignored: Set<String>

    static let all = [
        MergedTable(name: "rollouts", row: "rollout", key: ["key"], ignored: ["task_key", "seconds", "created_at"]),
        MergedTable(name: "verdicts", row: "verdict", key: ["key", "gold_hash", "grader_version"], ignored: []),
        MergedTable(name: "problems", row: "problem", key: ["task_key", "problem_id", "gold_hash"], ignored: []),
        MergedTable(name: "features", row: "features", key: ["model_key", "prompt_hash"], ignored: []),
    ]
}

extension RolloutStore {
    /// Merges stores (or bundles) into the store at `target` (created when absent) in one
    /// transaction. Rows are matched by key: a new key is added, a stored key is kept as it
    /// is (reported when its content differs). Runs are united by `united`: the shards of
    /// one plan make the unsharded run. Every input is checked before the target is opened
    /// (another program's file, a newer schema and the target itself are refused), and an
    /// input that fails while being read rolls everything back: the target is as it was
    /// (and not created).
    public static func merge(_ inputs: [String], into target: String) throws -> [MergeSummary] {
        let targetPath = URL(fileURLWithPath: target).resolvingSymlinksInPath().path
        var sources = [RolloutStore]()
        for path in inputs {
            if URL(fileURLWithPath: path).resolvingSymlinksInPath().path == targetPath {
                throw StoreError("\(path): is the merge target itself")
            }
            sources.append(try RolloutStore(path: path, readOnly: true))
        }
        let existed = FileManager.default.fileExists(atPath: target)
        do {
            let store = try RolloutStore(path: target)
            defer { try? store.close() }
            return try store.write { db in try sources.map { try merge($0, into: db, target: target) } }
        } catch {
            if !existed {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
            }
            throw error
        }
    }

    /// One input's rows and runs, inside the target's transaction.
    static func merge(_ src: RolloutStore, into db: Database, target: String) throws -> MergeSummary {
        var s = MergeSummary(file: src.path)
        for table in MergedTable.all {
            let n = try copyRows(table, from: src, into: db, target: target, conflicts: &s.conflicts)
            if table.name == "rollouts" { (s.added, s.alreadyPresent) = n }
        }
        let runs = try src.read { sdb in
            try String.fetchAll(sdb, sql: "SELECT name FROM runs ORDER BY name").compactMap {
                try storedRun(sdb, name: $0)
            }
        }
        for run in runs { try onTarget(target) { try mergeRun(run, from: src.path, into: db, summary: &s) } }
        return s
    }

    /// Copies a table's rows the target lacks; returns how many were added and how many it had.
    static func copyRows(_ t: MergedTable, from src: RolloutStore, into db: Database, target: String,
                         conflicts: inout [MergeConflict]) throws -> (added: Int, present: Int) {
        let (cols, insert, lookup) = try onTarget(target) { () -> ([String], Statement, Statement) in
            let cols = try db.columns(in: t.name).map(\.name)
            let marks = Array(repeating: "?", count: cols.count).joined(separator: ",")
            let list = cols.joined(separator: ", ")
            let which = t.key.map { "\($0) = ?" }.joined(separator: " AND ")
            return (cols, try db.cachedStatement(sql: "INSERT OR IGNORE INTO \(t.name) (\(list)) VALUES (\(marks))"),
                    try db.cachedStatement(sql: "SELECT \(list) FROM \(t.name) WHERE \(which)"))
        }
        let keyAt = t.key.compactMap { cols.firstIndex(of: $0) }
        let contentAt = cols.indices.filter { !t.key.contains(cols[$0]) && !t.ignored.contains(cols[$0]) }
        var added = 0, present = 0
        try src.read { sdb in
            let cursor = try Row.fetchCursor(sdb, sql: "SELECT \(cols.joined(separator: ", ")) FROM \(t.name)")
            while let row = try cursor.next() {
                let values = (0..<row.count).map { row[$0] as DatabaseValue }
                try onTarget(target) {
                    try insert.execute(arguments: StatementArguments(values))
                    if db.changesCount > 0 { added += 1; return }
                    present += 1
                    let key = keyAt.map { values[$0] }
                    guard let mine = try Row.fetchOne(lookup, arguments: StatementArguments(key)) else { return }
                    let differ = contentAt.filter { (mine[$0] as DatabaseValue) != values[$0] }.map { cols[$0] }
                    if differ.isEmpty { return }
                    let name = key.map { String.fromDatabaseValue($0) ?? $0.description }.joined(separator: "/")
                    conflicts.append(MergeConflict(file: src.path, row: t.row, key: name, fields: differ))
                }
            }
        }
        return (added, present)
    }

    /// Work on the target inside an input's read: the target's SQLite errors name the target.
    static func onTarget<T>(_ target: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as DatabaseError { throw storeError(target, e, doing: "write") }
    }

    /// Adds an input's run, or unites it with the target's run of that name.
    static func mergeRun(_ incoming: RunRecord, from file: String, into db: Database,
                         summary s: inout MergeSummary) throws {
        guard let here = try storedRun(db, name: incoming.name) else {
            try writeRun(db, incoming)
            s.runs.append(label(incoming))
            return
        }
        switch united(here, incoming) {
        case let .united(u, goldConflicts):
            try writeRun(db, u)
            s.runs.append(label(u))
            s.conflicts += goldConflicts.map {
                MergeConflict(file: file, row: "run member", key: "\(incoming.name)/\($0)", fields: ["gold_hash"])
            }
        case let .incompatible(why):
            s.skippedRuns.append("\(incoming.name): \(why)")
        }
    }

    static func label(_ r: RunRecord) -> String { r.shards.map { "\(r.name) (\($0))" } ?? r.name }

    /// A run's record and members as stored.
    static func storedRun(_ db: Database, name: String) throws -> RunRecord? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT plan, plan_hash, source, model_key, task_key, grader_version, block_count, info, source_format,
                   source_sha256
            FROM runs WHERE name = ?
            """, arguments: [name]) else { return nil }
        let members = try Row.fetchAll(db, sql: "SELECT key, gold_hash FROM run_members WHERE run = ? ORDER BY key",
                                       arguments: [name]).map { (key: $0[0] as String, goldHash: $0[1] as String) }
        let (info, shards) = ShardSet.decode(info: row[7])
        var r = RunRecord(name: name, plan: row[0], source: row[2], modelKey: row[3], taskKey: row[4],
                          graderVersion: row[5], blockCount: row[6], info: info, members: members,
                          sourceFormat: row[8], sourceSHA256: row[9], shards: shards)
        r.planHash = row[1]
        return r
    }

    enum Union {
        case united(RunRecord, goldConflicts: [String])
        case incompatible(String)
    }

    /// The record two records of one run make together, with `a`'s fields, and `a`'s gold
    /// where a member is graded against another gold in `b`. They unite when they record
    /// the same plan, model, task and grader, and either both are shards of one split (the
    /// union of all N is the unsharded record, whose members are exactly the union of the
    /// shards' members) or one covers the other. Anything else is another run under the
    /// same name, left as it is.
    static func united(_ a: RunRecord, _ b: RunRecord) -> Union {
        if a.planHash != b.planHash { return .incompatible("a run of that name here has another plan") }
        for (what, x, y) in [("model", a.modelKey, b.modelKey), ("task", a.taskKey, b.taskKey),
                             ("grader", a.graderVersion, b.graderVersion)] where x != y {
            let hint = what == "grader" ? "; run `rollbook regrade` on one side first" : ""
            return .incompatible("its \(what) is \(y) there and \(x) here\(hint)")
        }
        let aKeys = Set(a.members.map(\.key)), bKeys = Set(b.members.map(\.key))
        let other = Union.incompatible("the same plan has other members here (did its task file change?)")
        var shards: ShardSet? = nil
        switch (a.shards, b.shards) {
        case (nil, nil): if aKeys != bKeys { return other }
        case (nil, .some): if !bKeys.isSubset(of: aKeys) { return other }
        case (.some, nil): if !aKeys.isSubset(of: bKeys) { return other }
        case let (x?, y?):
            guard let u = x.union(y) else { return .incompatible("it is split \(y.count) ways there, \(x.count) here") }
            shards = u.isComplete ? nil : u
        }
        var gold = Dictionary(b.members.map { ($0.key, $0.goldHash) }, uniquingKeysWith: { x, _ in x })
        var conflicts = [String]()
        for m in a.members {
            if let g = gold[m.key], g != m.goldHash { conflicts.append(m.key) }
            gold[m.key] = m.goldHash
        }
        var u = a
        u.members = gold.keys.sorted().map { ($0, gold[$0]!) }
        u.shards = shards
        return .united(u, goldConflicts: conflicts.sorted())
    }
}
