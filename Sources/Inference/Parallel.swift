import Foundation

/// Splits `0..<count` into contiguous chunks run on `threads` workers (the only level of
/// parallelism in the engine: rows of a matrix product, or heads).
enum Parallel {
    /// Worker count: ROLLBOOK_THREADS if set, else one per active core.
    nonisolated(unsafe) static var threads: Int = {
        if let v = ProcessInfo.processInfo.environment["ROLLBOOK_THREADS"], let n = Int(v), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    @inline(__always)
    static func forChunks(_ count: Int, minChunk: Int = 64, _ body: (Range<Int>) -> Void) {
        let t = min(threads, max(1, count / minChunk))
        if t <= 1 { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: t) { i in
            let lo = count * i / t, hi = count * (i + 1) / t
            if lo < hi { body(lo..<hi) }
        }
    }
}
