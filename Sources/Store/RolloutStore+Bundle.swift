import Foundation
import GRDB

/// A bundle is a Rollbook store holding exactly one notebook's runs (their rollouts,
/// verdicts, problems and features, never model weights), plus the notebook text, the
/// templates it renders with, and provenance, in two more tables. Being a store, it renders
/// offline with `--store`, merges into another store by rollout key, and is readable by any
/// SQLite client.
public struct BundleContents: Sendable {
    /// Files by path relative to the bundle root ("notebook.md", "templates/report/report.css", ...).
    public var files: [String: String]
    /// Provenance and model identity ("rollbook", "created", "machine", "model.sha256", ...).
    public var info: [String: String]
    public init(files: [String: String], info: [String: String]) { self.files = files; self.info = info }
}

extension RolloutStore {
    /// The bundle format this code writes (bundle_info "format").
    public static let bundleFormat = "rollbook-bundle/1"

    /// Writes a new bundle at `path` holding the runs `runs` of this store and `contents`.
    public func writeBundle(runs: [String], to path: String, contents: BundleContents) throws {
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let bundle = try RolloutStore(path: path)
        try bundle.writeAttached(self.path) { db in
            for run in runs { try RolloutStore.copyRun(db, run) }
            try RolloutStore.createBundleTables(db)
            for (name, text) in contents.files.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: "INSERT INTO bundle_files VALUES (?, ?)", arguments: [name, text])
            }
            var info = contents.info
            info["format"] = RolloutStore.bundleFormat
            for (k, v) in info.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: "INSERT INTO bundle_info VALUES (?, ?)", arguments: [k, v])
            }
        }
        try bundle.close()
    }

    static func createBundleTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE bundle_files (name TEXT PRIMARY KEY NOT NULL, text TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE bundle_info (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
            """)
    }

    /// One run's rows from the attached `src` into this database.
    static func copyRun(_ db: Database, _ run: String) throws {
        let args: StatementArguments = [run]
        try db.execute(sql: "INSERT OR IGNORE INTO runs SELECT * FROM src.runs WHERE name = ?", arguments: args)
        try db.execute(sql: "INSERT OR IGNORE INTO run_members SELECT * FROM src.run_members WHERE run = ?",
                       arguments: args)
        try db.execute(sql: """
            INSERT OR IGNORE INTO rollouts SELECT r.* FROM src.rollouts r JOIN src.run_members m ON m.key = r.key
            WHERE m.run = ?
            """, arguments: args)
        try db.execute(sql: """
            INSERT OR IGNORE INTO verdicts SELECT v.* FROM src.verdicts v JOIN src.run_members m ON m.key = v.key
            AND m.gold_hash = v.gold_hash JOIN src.runs u ON u.name = m.run AND u.grader_version = v.grader_version
            WHERE m.run = ?
            """, arguments: args)
        try db.execute(sql: """
            INSERT OR IGNORE INTO problems SELECT DISTINCT p.* FROM src.problems p
            JOIN src.runs u ON u.task_key = p.task_key
            JOIN src.run_members m ON m.run = u.name JOIN src.rollouts r ON r.key = m.key
            AND r.problem_id = p.problem_id AND p.gold_hash = m.gold_hash WHERE u.name = ?
            """, arguments: args)
        try db.execute(sql: """
            INSERT OR IGNORE INTO features SELECT DISTINCT f.* FROM src.features f JOIN src.rollouts r
            ON r.model_key = f.model_key AND r.prompt_hash = f.prompt_hash JOIN src.run_members m ON m.key = r.key
            WHERE m.run = ?
            """, arguments: args)
    }

    /// The bundle tables of this store, or nil when it is a plain store.
    public func bundleContents() throws -> BundleContents? {
        try read { db in
            guard try db.tableExists("bundle_files"), try db.tableExists("bundle_info") else { return nil }
            var files = [String: String](), info = [String: String]()
            for row in try Row.fetchAll(db, sql: "SELECT name, text FROM bundle_files") { files[row[0]] = row[1] }
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM bundle_info") { info[row[0]] = row[1] }
            return BundleContents(files: files, info: info)
        }
    }

    /// One transaction with another database attached as `src` (ATTACH cannot run inside one).
    func writeAttached(_ other: String, _ body: (Database) throws -> Void) throws {
        if readOnly { throw StoreError("\(path): opened read-only") }
        do {
            try db.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [other])
                defer { try? db.execute(sql: "DETACH DATABASE src") }
                try db.inTransaction {
                    try body(db)
                    return .commit
                }
            }
        } catch let e as DatabaseError {
            throw RolloutStore.storeError(path, e, doing: "write")
        }
    }

    public func close() throws { try (db as? DatabasePool)?.close(); try (db as? DatabaseQueue)?.close() }
}
