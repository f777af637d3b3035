import Foundation
import GRDB

extension RolloutStore {
    // MARK: features

    /// Stored features of the run's problems: problem id -> [layers][dim].
    public func featuresByProblem(run name: String) throws -> [String: [[Float]]] {
        let pairs = try read { db in
            try Row.fetchAll(db, sql: """
                SELECT DISTINCT r.problem_id, r.model_key, r.prompt_hash FROM rollouts r
                JOIN run_members m ON m.key = r.key WHERE m.run = ?
                """, arguments: [name]).map { ($0[0] as String, $0[1] as String, $0[2] as String) }
        }
        var out = [String: [[Float]]]()
        for (p, m, h) in pairs { if let f = try features(modelKey: m, promptHash: h) { out[p] = f } }
        return out
    }

    /// Stores the last prompt token's hidden state after every layer, as Float16.
    public func putFeatures(modelKey: String, promptHash: String, layers: Int, dim: Int, values: [Float]) throws {
        precondition(values.count == layers * dim)
        var bytes = [UInt8](repeating: 0, count: values.count * 2)
        for (i, v) in values.enumerated() {
            let h = Float16(v).bitPattern
            bytes[2 * i] = UInt8(h & 0xff); bytes[2 * i + 1] = UInt8(h >> 8)
        }
        try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO features VALUES (?,?,?,?,?)",
                           arguments: [modelKey, promptHash, layers, dim, Data(bytes)])
        }
    }

    public func hasFeatures(modelKey: String, promptHash: String) throws -> Bool {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT 1 FROM features WHERE model_key = ? AND prompt_hash = ?",
                             arguments: [modelKey, promptHash]) != nil
        }
    }

    /// Features as [layers][dim] Float arrays, or nil when not stored.
    public func features(modelKey: String, promptHash: String) throws -> [[Float]]? {
        try read { db in
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
        if let h = try read({ db in
            try String.fetchOne(db, sql: "SELECT sha256 FROM model_files WHERE path = ? AND size = ? AND mtime = ?",
                                arguments: [path, size, mtime]) }) { return h }
        let h = try RolloutStore.sha256(file: path)
        try write { db in
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
        let data = RolloutStore.readAll(out.fileHandleForReading)
        p.waitUntilExit()
        guard p.terminationStatus == 0, let s = String(data: data, encoding: .utf8),
              let h = s.split(separator: " ").first, h.count == 64 else {
            throw StoreError("\(file): could not compute its sha256")
        }
        return String(h)
    }

    /// A pipe's bytes until EOF, retrying reads a signal interrupted.
    static func readAll(_ handle: FileHandle) -> Data {
        var out = Data()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if n > 0 { out.append(contentsOf: buf[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            return out
        }
    }
}
