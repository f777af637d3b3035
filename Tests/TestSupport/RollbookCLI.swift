import Foundation

/// The `rollbook` executable as users and scripts call it (`make test` builds it first).
public enum RollbookCLI {
    public static let root = FixtureDir.repoRoot
    public static let binary = root.appendingPathComponent(".build/release/rollbook").path
    public static let defaultModel = root.appendingPathComponent("data/models/SmolLM2-135M-Instruct.Q4_1.gguf").path

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs the CLI to completion in the repository root.
    /// `environment` adds to (or overrides) this process's variables for the child.
    public static func run(_ args: [String], stdin: String? = nil, directory: URL? = nil,
                           environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        p.currentDirectoryURL = directory ?? root
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        let inPipe = Pipe()
        if stdin != nil { p.standardInput = inPipe }
        try p.run()
        if let stdin {
            inPipe.fileHandleForWriting.write(Data(stdin.utf8))
            try inPipe.fileHandleForWriting.close()
        }
        // Read both pipes concurrently so neither fills up and blocks the child.
        nonisolated(unsafe) var e = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { e = readAll(err.fileHandleForReading); group.leave() }
        let o = readAll(out.fileHandleForReading)
        group.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Starts the CLI without waiting (output discarded); the caller signals or waits.
    public static func start(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.currentDirectoryURL = root
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    public static func json(_ s: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(s.utf8)) as! [String: Any]
    }

    /// A fresh temporary directory, removed by the caller.
    public static func tempDir(_ tag: String) throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("rollbook-\(tag)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}

/// Everything a pipe delivers until EOF. A POSIX read loop that retries on EINTR: tests run
/// in parallel and start child processes, whose SIGCHLD can interrupt a read, which
/// Foundation's `readDataToEndOfFile` turns into a crash.
public func readAll(_ handle: FileHandle) -> Data {
    var out = Data()
    var buf = [UInt8](repeating: 0, count: 65536)
    let fd = handle.fileDescriptor
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n > 0 { out.append(contentsOf: buf[0..<n]); continue }
        if n < 0 && errno == EINTR { continue }
        return out
    }
}
