#if ROLLBOOK_AVX2
import CIntrinsics
#endif
import Foundation
import LinAlg
import Synchronization

/// A spin-wait hint (x86 `pause`).
@inline(__always) func spinPause() {
    #if ROLLBOOK_AVX2
    rb_pause()
    #endif
}

/// Splits `0..<count` into contiguous chunks run on `threads` workers (the only level of
/// parallelism in the engine: rows of a matrix product, or heads).
///
/// Decoding one token runs about 200 matrix products of a few hundred microseconds each, so
/// waking threads per product (a dispatch queue: futex wake-ups, tens of microseconds each)
/// cost more than the second core gave. The pool keeps its workers spinning on a generation
/// counter for a while after each job (then they sleep on a semaphore), the calling thread
/// takes chunk 0 itself, and the chunk boundaries are `count * i / t` as before, so results
/// do not depend on the pool.
public enum Parallel {
    /// Worker count: ROLLBOOK_THREADS if set, else one per active core.
    nonisolated(unsafe) static var threads: Int = {
        if let v = ProcessInfo.processInfo.environment["ROLLBOOK_THREADS"], let n = Int(v), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    static let pool = SpinPool(workers: max(0, threads - 1))

    /// Threads used from now on (at most the pool's size plus the caller), and OpenBLAS's.
    public static func use(threads n: Int) {
        _ = pool
        threads = max(1, min(n, pool.workers + 1))
        BLAS.threads = threads
    }

    /// The most threads `use(threads:)` can give (ROLLBOOK_THREADS, else one per core).
    public static var maxThreads: Int { pool.workers + 1 }

    @inline(__always)
    static func forChunks(_ count: Int, minChunk: Int = 64, _ body: (Range<Int>) -> Void) {
        let t = min(threads, max(1, count / minChunk), pool.workers + 1)
        if t <= 1 { body(0..<count); return }
        pool.run(participants: t) { i in
            let lo = count * i / t, hi = count * (i + 1) / t
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Like `forChunks`, but the items are claimed `grain` at a time, so a thread that
    /// finishes its share first takes over the rest of another's (`SpinPool.runShared`).
    @inline(__always)
    static func forShared(_ count: Int, minChunk: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        let t = min(threads, max(1, count / minChunk), pool.workers + 1)
        if t <= 1 { body(0..<count); return }
        pool.runShared(participants: t, count: count, grain: max(1, grain), body)
    }
}

/// Persistent worker threads that spin briefly between jobs. One job at a time: `run` is
/// called by one thread at a time (a nested or concurrent call runs its chunks inline).
final class SpinPool: @unchecked Sendable {
    let workers: Int
    /// (job counter << 8) | participants: one word, so a worker never pairs a job with
    /// another job's participant count.
    private let generation = Atomic<Int>(0)
    private let remaining = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// A worker's sleep flag and wake-up semaphore.
    final class Slot: Sendable {
        let sleeping = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }
    private let slots: [Slot]
    /// The current job and its participant count, published before `generation` moves.
    nonisolated(unsafe) private var job: ((Int) -> Void)?
    /// Nanoseconds a worker spins (with `pause`) after its last job before it sleeps.
    private let spinNanos: UInt64 = 1_000_000
    /// Set while another thread pool (OpenBLAS's sgemm) needs the cores: workers sleep at once.
    private let quiet = Atomic<Bool>(false)

    /// Workers stop spinning (sleep) until the next job: call before handing the cores to
    /// another library's threads.
    func quiesce() { quiet.store(true, ordering: .relaxed) }

    init(workers: Int) {
        self.workers = workers
        slots = (0..<workers).map { _ in Slot() }
        shares = (0...workers).map { _ in Share() }
        for w in 0..<workers {
            let t = Thread { [unowned self] in self.loop(index: w + 1) }
            t.stackSize = 1 << 20
            t.start()
        }
    }

    /// Runs body(0..<participants), body(0) on the calling thread.
    func run(participants t: Int, _ body: (Int) -> Void) {
        guard acquire(t) else {
            for i in 0..<t { body(i) }
            return
        }
        dispatch(t, body)
    }

    /// One participant's share of a `runShared` job: the items still unclaimed, front and
    /// back in one word (front << 32 | back). Padded so two shares never sit in one cache line.
    final class Share: Sendable {
        let word = Atomic<Int>(0)
        let pad: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        /// Claims up to `grain` items from the front (the share's owner) or the back (a
        /// participant that finished its own).
        @inline(__always)
        func claim(_ grain: Int, front: Bool) -> Range<Int>? {
            var w = word.load(ordering: .relaxed)
            while true {
                let lo = w >> 32, hi = w & 0xFFFF_FFFF
                if lo >= hi { return nil }
                let take = min(grain, hi - lo)
                let next = front ? (lo + take) << 32 | hi : lo << 32 | (hi - take)
                let (done, seen) = word.compareExchange(expected: w, desired: next, ordering: .relaxed)
                if done { return front ? lo..<(lo + take) : (hi - take)..<hi }
                w = seen
            }
        }
    }
    private let shares: [Share]

    /// body over chunks of 0..<count, each item once: participant i starts on the i-th of t
    /// equal shares, `grain` items at a time from its front, then takes what is left of the
    /// others' shares from their backs. A participant that runs slow (a busier core) is
    /// helped instead of waited for; `body` must give the same results for an item whoever
    /// runs it and whatever chunk it comes in.
    func runShared(participants t: Int, count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        precondition(count < 1 << 31, "runShared: \(count) items")
        guard t <= shares.count, acquire(t) else {
            body(0..<count)
            return
        }
        for i in 0..<t { shares[i].word.store((count * i / t) << 32 | (count * (i + 1) / t), ordering: .relaxed) }
        dispatch(t) { i in
            while let r = self.shares[i].claim(grain, front: true) { body(r) }
            for k in 1..<t {
                let other = self.shares[(i + k) % t]
                while let r = other.claim(grain, front: false) { body(r) }
            }
        }
    }

    /// Takes the pool for one job (false: it is busy, a nested or concurrent call).
    private func acquire(_ t: Int) -> Bool {
        t > 1 && t < 256 && busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    /// Runs body(0..<t) on the acquired pool, body(0) here, and releases it.
    private func dispatch(_ t: Int, _ body: (Int) -> Void) {
        quiet.store(false, ordering: .relaxed)
        withoutActuallyEscaping(body) { esc in
            job = esc
            remaining.store(t - 1, ordering: .relaxed)
            let g = generation.load(ordering: .relaxed)
            generation.store(((g >> 8) + 1) << 8 | t, ordering: .sequentiallyConsistent)
            for w in 0..<(t - 1) where slots[w].sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                slots[w].wake.signal()
            }
            esc(0)
            while remaining.load(ordering: .acquiring) > 0 { spinPause() }
            job = nil
        }
        busy.store(false, ordering: .releasing)
    }

    private func loop(index: Int) {
        var seen = 0
        while true {
            var spins = 0
            var since = DispatchTime.now().uptimeNanoseconds
            var g = generation.load(ordering: .acquiring)
            while g == seen {
                spinPause()
                spins += 1
                if spins & 255 == 0,
                   quiet.load(ordering: .relaxed) || DispatchTime.now().uptimeNanoseconds - since > spinNanos {
                    let slot = slots[index - 1]
                    slot.sleeping.store(true, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) == seen { slot.wake.wait() }
                    slot.sleeping.store(false, ordering: .sequentiallyConsistent)
                    since = DispatchTime.now().uptimeNanoseconds
                }
                g = generation.load(ordering: .acquiring)
            }
            seen = g
            if index < g & 0xFF {
                job?(index)
                remaining.subtract(1, ordering: .releasing)
            }
        }
    }
}

/// The machine's memory read bandwidth as the decoder sees it: a buffer much larger than the
/// caches summed with SIMD loads by the same worker pool (best of `repeats`), in bytes/s.
/// Single-stream decoding reads every weight once per token, so bandwidth / weight bytes is
/// its ceiling in tokens/s.
public enum MemoryBandwidth {
    public static func measure(bytes: Int = 512 << 20, repeats: Int = 3) -> Double {
        let n = bytes / MemoryLayout<SIMD8<Float>>.stride
        let buf = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: n)
        defer { buf.deallocate() }
        buf.initialize(repeating: SIMD8(repeating: 1), count: n)
        let sink = UnsafeMutablePointer<Float>.allocate(capacity: 64)
        defer { sink.deallocate() }
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            Parallel.forChunks(n, minChunk: 1 << 16) { r in
                var a = SIMD8<Float>(), b = SIMD8<Float>(), c = SIMD8<Float>(), d = SIMD8<Float>()
                var i = r.lowerBound
                while i + 4 <= r.upperBound {
                    a += buf[i]; b += buf[i + 1]; c += buf[i + 2]; d += buf[i + 3]
                    i += 4
                }
                while i < r.upperBound { a += buf[i]; i += 1 }
                sink[(r.lowerBound / max(1, r.count)) % 64] = (a + b + c + d).sum()
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return Double(n * MemoryLayout<SIMD8<Float>>.stride) / best
    }
}
