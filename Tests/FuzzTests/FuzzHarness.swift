import Foundation
import Testing
import Seeds
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The fuzz budget and seed. `make test` runs a small fixed budget; `make fuzz` a large one.
/// - ROLLBOOK_FUZZ_ITERATIONS: inputs per target (default 1000)
/// - ROLLBOOK_FUZZ_SEED: base seed (default fixed, so every run tries the same inputs)
/// - ROLLBOOK_FUZZ_ONLY: one iteration alone (with the seed of the report)
enum FuzzConfig {
    static let env = ProcessInfo.processInfo.environment
    static let iterations = env["ROLLBOOK_FUZZ_ITERATIONS"].flatMap { Int($0) }.map { max($0, 1) } ?? 1000
    static let seed = env["ROLLBOOK_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5EED_F022
    /// ROLLBOOK_FUZZ_ONLY=N runs iteration N alone (to reproduce a reported input).
    static let indices: [Int] = env["ROLLBOOK_FUZZ_ONLY"].flatMap { Int($0) }.map { [$0] } ?? Array(0..<iterations)
    /// Per-input time bound (generous: a loaded 2-core machine, debug builds).
    static let perInputSeconds = 2.0
    /// A single input running this long is a hang: the watchdog reports it and aborts.
    static let hangSeconds = 120.0
    /// Peak-RSS growth during one input that counts as unbounded allocation.
    static let maxGrowthBytes = 1 << 30
    static let tempDir: URL = {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("rollbook-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }()
}

/// What is being run right now, kept where a signal handler can read it without allocating:
/// on a crash (a Swift trap is SIGILL or SIGTRAP) the handler prints the target, seed and
/// input (hex) and saves the input to a file, then restores the previous handler (Swift's
/// backtracer) and returns, so the fault repeats and kills the process as before.
enum CrashReport {
    nonisolated(unsafe) static let header = UnsafeMutablePointer<CChar>.allocate(capacity: 1024)
    nonisolated(unsafe) static let savePath = UnsafeMutablePointer<CChar>.allocate(capacity: 1024)
    nonisolated(unsafe) static let hexDigits: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)
        for (i, c) in "0123456789abcdef".utf8.enumerated() { p[i] = c }
        return p
    }()
    nonisolated(unsafe) static let hexLine = UnsafeMutablePointer<UInt8>.allocate(capacity: 130)
    nonisolated(unsafe) static let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    nonisolated(unsafe) static var input = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    nonisolated(unsafe) static var inputCapacity = 1
    nonisolated(unsafe) static var inputCount = 0
    nonisolated(unsafe) static var active = false
    nonisolated(unsafe) static var owner = pthread_self()
    nonisolated(unsafe) static var startedAt: Double = 0
    static let signals = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE]

    static let installed: Bool = {
        _ = hexDigits
        for sig in signals {
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = { sig in
                CrashReport.emit(signal: sig)
                CrashReport.active = false
                sigaction(sig, CrashReport.previous + Int(sig), nil)
                if sig == SIGABRT { raise(sig) }          // abort() re-raises by itself; be sure
            }
            sigaction(sig, &sa, previous + Int(sig))
        }
        // Watchdog: an input that never finishes is reported instead of hanging CI.
        let t = Thread {
            while true {
                sleep(1)
                if CrashReport.active && now() - CrashReport.startedAt > FuzzConfig.hangSeconds {
                    CrashReport.emit(signal: 0)
                    abort()
                }
            }
        }
        t.start()
        return true
    }()

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func begin(target: String, seed: UInt64, iteration: Int, bytes: [UInt8]) {
        _ = installed
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("rollbook-fuzz-crash-\(target)-\(getpid()).bin").path
        let h = "\nFUZZ CRASH in target '\(target)': seed \(seed), iteration \(iteration), \(bytes.count) bytes "
            + "(reproduce: ROLLBOOK_FUZZ_SEED=\(FuzzConfig.seed) ROLLBOOK_FUZZ_ONLY=\(iteration)); input saved to \(file); hex:\n"
        strncpy(header, h, 1023); header[1023] = 0
        strncpy(savePath, file, 1023); savePath[1023] = 0
        if bytes.count > inputCapacity {
            input.deallocate()
            inputCapacity = bytes.count
            input = .allocate(capacity: inputCapacity)
        }
        bytes.withUnsafeBufferPointer { b in if let p = b.baseAddress { input.update(from: p, count: b.count) } }
        inputCount = bytes.count
        owner = pthread_self()
        startedAt = now()
        active = true
    }

    static func end() { active = false }

    /// Async-signal-safe: write(2), open(2) and close(2) on preallocated buffers only.
    static func emit(signal sig: Int32) {
        guard active, sig == 0 || pthread_equal(owner, pthread_self()) != 0 else { return }
        _ = write(2, header, strlen(header))
        let fd = open(savePath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd >= 0 { _ = write(fd, input, inputCount); close(fd) }
        var n = 0
        for i in 0..<min(inputCount, 1 << 16) {
            hexLine[n] = hexDigits[Int(input[i] >> 4)]; hexLine[n + 1] = hexDigits[Int(input[i] & 15)]; n += 2
            if n == 128 { hexLine[n] = 0x0A; _ = write(2, hexLine, n + 1); n = 0 }
        }
        hexLine[n] = 0x0A
        _ = write(2, hexLine, n + 1)
    }
}

/// One fuzz target: `iterations` inputs, each made from its own seed (so any one can be
/// regenerated alone), run in-process with a time and memory check. Thrown errors are the
/// expected outcome for bad input; a trap kills the test process (a failure, with the input
/// printed by `CrashReport`).
struct Fuzzer {
    let target: String
    var binary = true
    var failures = 0

    init(_ target: String, binary: Bool = true) { self.target = target; self.binary = binary }

    func seed(_ iteration: Int) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in target.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return SplitMix64.derive([FuzzConfig.seed, h, UInt64(iteration)])
    }

    /// Runs `body` on `input`; records an issue (with the input) if it is too slow or grows
    /// memory without bound.
    mutating func run(iteration: Int, input: [UInt8], _ body: () throws -> Void) {
        CrashReport.begin(target: target, seed: seed(iteration), iteration: iteration, bytes: input)
        let rss0 = peakRSS()
        var t0 = CrashReport.now()
        do { try body() } catch { /* rejected with an error: fine */ }
        var secs = CrashReport.now() - t0
        if secs > FuzzConfig.perInputSeconds {
            // Once more before calling it slow: the machine is shared, a stall is not the parser's.
            t0 = CrashReport.now()
            do { try body() } catch {}
            secs = min(secs, CrashReport.now() - t0)
        }
        let grew = peakRSS() - rss0
        CrashReport.end()
        if secs > FuzzConfig.perInputSeconds || grew > FuzzConfig.maxGrowthBytes {
            failures += 1
            if failures <= 3 {
                Issue.record("""
                    fuzz target '\(target)', seed \(seed(iteration)) (reproduce: ROLLBOOK_FUZZ_SEED=\
                    \(FuzzConfig.seed) ROLLBOOK_FUZZ_ONLY=\(iteration)): \(String(format: "%.2f", secs)) s, peak RSS +\(grew >> 20) MiB; input \
                    (\(input.count) bytes):
                    \(show(input))
                    """)
            }
        }
    }

    func show(_ input: [UInt8]) -> String {
        if !binary, let s = String(bytes: input, encoding: .utf8) { return s.debugDescription }
        let hex = input.prefix(8192).map { String(format: "%02x", $0) }.joined()
        return input.count > 8192 ? hex + "… (first 8192 bytes)" : hex
    }

    func peakRSS() -> Int {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Int(u.ru_maxrss) * 1024
    }
}

extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    mutating func chance(_ oneIn: Int) -> Bool { below(oneIn) == 0 }
    mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }
}

/// Generic mutations of a byte string.
enum Mutate {
    static let interesting64: [UInt64] = [0, 1, 2, 3, 4, 7, 8, 12, 16, 31, 32, 255, 256, 4095, 4096, 65535, 65536,
                                          0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 1 << 40,
                                          0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, .max, .max - 1]

    static func bytes(_ input: [UInt8], _ g: inout SplitMix64, dictionary: [[UInt8]] = [],
                      splice: [[UInt8]] = []) -> [UInt8] {
        var b = input
        for _ in 0..<(1 + g.below(4)) {
            switch g.below(9) {
            case 0:                                    // truncate
                b = Array(b.prefix(g.below(b.count + 1)))
            case 1:                                    // flip bits
                if !b.isEmpty { for _ in 0..<(1 + g.below(8)) { b[g.below(b.count)] ^= UInt8(1 << g.below(8)) } }
            case 2:                                    // random bytes
                if !b.isEmpty { for _ in 0..<(1 + g.below(8)) { b[g.below(b.count)] = UInt8(truncatingIfNeeded: g.next()) } }
            case 3:                                    // an interesting integer, 1/2/4/8 bytes, little-endian
                if b.count >= 8 {
                    let at = g.below(b.count - 7), v = g.pick(interesting64), w = g.pick([1, 2, 4, 8])
                    for i in 0..<w { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
                }
            case 4:                                    // delete a chunk
                if !b.isEmpty {
                    let at = g.below(b.count), n = min(1 + g.below(64), b.count - at)
                    b.removeSubrange(at..<(at + n))
                }
            case 5:                                    // duplicate a chunk
                if !b.isEmpty && b.count < 1 << 20 {
                    let at = g.below(b.count), n = min(1 + g.below(64), b.count - at)
                    b.insert(contentsOf: b[at..<(at + n)], at: g.below(b.count + 1))
                }
            case 6:                                    // insert a dictionary token
                if !dictionary.isEmpty { b.insert(contentsOf: g.pick(dictionary), at: g.below(b.count + 1)) }
            case 7:                                    // splice with another seed
                if !splice.isEmpty {
                    let o = g.pick(splice)
                    let cut = g.below(b.count + 1), from = g.below(o.count + 1)
                    b = Array(b.prefix(cut)) + Array(o.suffix(from: from))
                }
            default:                                   // overwrite a run with one byte
                if !b.isEmpty {
                    let at = g.below(b.count), n = min(1 + g.below(32), b.count - at)
                    let v = UInt8(truncatingIfNeeded: g.next())
                    for i in at..<(at + n) { b[i] = v }
                }
            }
        }
        return b
    }

    /// Line-level mutations for text formats (delete, duplicate, swap, re-indent lines).
    static func lines(_ text: String, _ g: inout SplitMix64, tokens: [String]) -> String {
        var ls = text.components(separatedBy: "\n")
        for _ in 0..<(1 + g.below(3)) {
            guard !ls.isEmpty else { break }
            let i = g.below(ls.count)
            switch g.below(7) {
            case 0: ls.remove(at: i)
            case 1: ls.insert(ls[i], at: g.below(ls.count + 1))
            case 2: ls.swapAt(i, g.below(ls.count))
            case 3: ls[i] = String(repeating: " ", count: g.below(9)) + ls[i].drop { $0 == " " }
            case 4: ls.insert(g.pick(tokens), at: g.below(ls.count + 1))
            case 5:                                    // replace a value after a colon
                if let c = ls[i].firstIndex(of: ":") { ls[i] = String(ls[i][...c]) + " " + g.pick(tokens) }
            default: ls[i] += g.pick(tokens)
            }
        }
        return ls.joined(separator: g.chance(8) ? "\r\n" : "\n")
    }
}

func readSeeds(_ dirs: [URL], ext: String) -> [(String, [UInt8])] {
    var out = [(String, [UInt8])]()
    for d in dirs {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? []).sorted()
        for n in names where n.hasSuffix(ext) {
            if let data = FileManager.default.contents(atPath: d.appendingPathComponent(n).path) {
                out.append((n, [UInt8](data)))
            }
        }
    }
    return out
}

let repoRoot = FixtureDir.repoRoot
