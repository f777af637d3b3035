import Foundation
import GRDB

public struct StoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// The SQLite rollout cache (GRDB, WAL). Rollouts are content-addressed and inserted with
/// `INSERT OR IGNORE`, so a rerun, a resumed run after SIGKILL, or two processes writing the
/// same plan never duplicate a row; each write is one transaction, so a killed process (or a
/// full disk) loses only what it had not yet committed.
public final class RolloutStore: @unchecked Sendable {
    public let path: String
    public let readOnly: Bool
    let db: any DatabaseWriter

    /// Opens (creating when absent, unless `readOnly`) and migrates a store. A file that is
    /// not a Rollbook store, or one written by a newer Rollbook, is refused untouched.
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        self.readOnly = readOnly
        let exists = FileManager.default.fileExists(atPath: path)
        if readOnly && !exists { throw StoreError("\(path): no such store") }
        if exists { try RolloutStore.checkIsStore(path, readOnly: readOnly) }
        if readOnly {
            // An older schema is migrated once when the file can be written; otherwise it is an error.
            if try RolloutStore.appliedMigrations(path) < RolloutStore.migrations.count
                && FileManager.default.isWritableFile(atPath: path) {
                try (RolloutStore.openWritable(path) as DatabasePool).close()
            }
            db = try RolloutStore.openReadOnly(path)
            return
        }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        db = try RolloutStore.openWritable(path)
    }

    /// Opening switches the file to WAL and migrates the schema; two processes doing that at
    /// once on a new file can get SQLITE_BUSY without a busy wait, or both try to create the
    /// tables or add the same column (each saw the migration unapplied before the other
    /// committed it). Each resolves itself on a retry, once the other has finished. (No flock on
    /// the database file: closing any descriptor of it would drop SQLite's own POSIX locks
    /// for the whole process.)
    static func openWritable(_ path: String) throws -> DatabasePool {
        var config = Configuration()
        config.busyMode = .timeout(60)
        var attempt = 0
        while true {
            do {
                let p = try DatabasePool(path: path, configuration: config)
                try migrator.migrate(p)
                return p
            } catch let e as DatabaseError {
                let transient = [.SQLITE_BUSY, .SQLITE_LOCKED].contains(e.resultCode)
                    || (e.resultCode == .SQLITE_ERROR && ["already exists", "duplicate column name"].contains {
                        (e.message ?? "").contains($0) })
                if transient && attempt < 100 {
                    attempt += 1
                    Thread.sleep(forTimeInterval: 0.05 * Double(min(attempt, 10)))
                    continue
                }
                throw storeError(path, e, doing: "open")
            }
        }
    }

    /// A read-only store is read as it is: a schema older than this code's is an error (it
    /// must be opened writable once to migrate).
    static func openReadOnly(_ path: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(60)
        do {
            let q = try DatabaseQueue(path: path, configuration: config)
            let applied = try q.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
            if applied.count < migrations.count {
                throw StoreError("\(path): the store is at schema v\(applied.count); open it once for writing "
                                 + "(e.g. `rollbook run`) to migrate it to v\(migrations.count)")
            }
            return q
        } catch let e as DatabaseError {
            throw storeError(path, e, doing: "open read-only")
        }
    }

    static func appliedMigrations(_ path: String) throws -> Int {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(60)
        do {
            let q = try DatabaseQueue(path: path, configuration: config)
            defer { try? q.close() }
            return try q.read { db in
                try db.tableExists("grdb_migrations")
                    ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations") ?? 0 : 0
            }
        } catch let e as DatabaseError {
            throw storeError(path, e, doing: "open read-only")
        }
    }

    /// Refuses a file that is not SQLite, a SQLite database of another program (tables but no
    /// Rollbook migrations), and a store written by a newer Rollbook, before anything is written.
    static func checkIsStore(_ path: String, readOnly: Bool) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        if size == 0 { return }
        var config = Configuration()
        config.readonly = true
        // Another process may be creating this store right now (switching it to WAL, then
        // migrating): wait for its locks rather than failing on SQLITE_BUSY.
        config.busyMode = .timeout(60)
        let (tables, applied): ([String], [String])
        do {
            let q = try DatabaseQueue(path: path, configuration: config)
            (tables, applied) = try q.read { db in
                let t = try String.fetchAll(db, sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name
                    """)
                let a = t.contains("grdb_migrations")
                    ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
                return (t, a)
            }
            try q.close()
        } catch let e as DatabaseError {
            throw StoreError("\(path): not a usable Rollbook store (\(e.message ?? "\(e.resultCode)"))")
        }
        if tables.isEmpty { return }
        // GRDB's migrator commits its bookkeeping table before the first migration's own
        // transaction: a store another process is creating right now looks like this.
        if applied.isEmpty && tables == ["grdb_migrations"] { return }
        guard applied.contains("v1") else {
            throw StoreError("\(path): not a Rollbook store (it is a SQLite database with tables "
                             + "\(tables.prefix(6).joined(separator: ", "))); nothing was changed")
        }
        if let unknown = applied.first(where: { !migrations.contains($0) }) {
            throw StoreError("\(path): written by a newer Rollbook (schema \(unknown)); this version knows up to "
                             + "v\(migrations.count); nothing was changed")
        }
    }

    /// SQLite's error in words, naming the store (a full disk says so).
    static func storeError(_ path: String, _ e: DatabaseError, doing what: String) -> StoreError {
        switch e.resultCode {
        case .SQLITE_FULL:
            return StoreError("\(path): the disk is full; the transaction was rolled back and nothing of it was "
                              + "stored (what was committed before is intact)")
        case .SQLITE_READONLY:
            return StoreError("\(path): the store is read-only (cannot \(what))")
        default:
            return StoreError("\(path): not a usable Rollbook store (\(e.message ?? "\(e.resultCode)"))")
        }
    }

    /// A read transaction.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try db.read(body) } catch let e as DatabaseError {
            throw RolloutStore.storeError(path, e, doing: "read")
        }
    }

    /// A write transaction: all or nothing; errors name the store.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        if readOnly { throw StoreError("\(path): opened read-only") }
        do { return try db.write(body) } catch let e as DatabaseError {
            throw RolloutStore.storeError(path, e, doing: "write")
        }
    }
}
