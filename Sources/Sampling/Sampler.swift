import Foundation
@_exported import Seeds

/// Decoding parameters of the sampler chain.
public struct SamplerConfig: Sendable, Equatable, Codable {
    public var temperature: Float = 0      // 0 = greedy
    public var topK: Int = 0               // 0 = off
    public var topP: Float = 1             // 1 = off
    public var minP: Float = 0             // 0 = off
    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, minP: Float = 0) {
        self.temperature = temperature; self.topK = topK; self.topP = topP; self.minP = minP
    }
}

/// What the sampler saw and chose at one step.
public struct TokenChoice: Sendable, Equatable {
    public var id: Int
    /// log p(id) under the model's distribution (temperature 1, before truncation).
    public var logprob: Float
    /// Entropy of the model's distribution, nats.
    public var entropy: Float
    public init(id: Int, logprob: Float, entropy: Float) { self.id = id; self.logprob = logprob; self.entropy = entropy }
}

/// Logits in, token out: temperature, then top-k, top-p and min-p as successive
/// truncations of the candidate set, then a draw from the owning rollout's RNG.
public struct Sampler: Sendable {
    public var config: SamplerConfig
    public var rng: SplitMix64
    /// v2: the draw's exponentials through `FastMath.exp`.
    public var numerics: Numerics

    public init(config: SamplerConfig, seed: UInt64, numerics: Numerics = .v1) {
        self.config = config
        self.numerics = numerics
        rng = SplitMix64(seed: seed)
    }

    /// `stats` in the given numerics.
    public static func stats(_ logits: UnsafeBufferPointer<Float>, _ numerics: Numerics)
        -> (max: Float, lse: Float, entropy: Float) {
        numerics == .v1 ? stats(logits) : fastStats(logits)
    }

    /// Log-softmax statistics with `FastMath.exp`: Float sums in 8 lanes per chunk of 512,
    /// chunks accumulated in Double.
    public static func fastStats(_ logits: UnsafeBufferPointer<Float>) -> (max: Float, lse: Float, entropy: Float) {
        let n = logits.count
        guard let base = logits.baseAddress, n > 0 else { return (-.infinity, -.infinity, 0) }
        let mx = FastMath.max(base, n)
        let m = SIMD8<Float>(repeating: mx)
        var sum: Double = 0, wsum: Double = 0
        var i = 0
        while i < n {
            let end = min(n, i + 512)
            var s = SIMD8<Float>(), w = SIMD8<Float>()
            while i < end {
                let d = FastMath.load(base + i, min(8, end - i), fill: -.infinity) - m
                let e = FastMath.exp(d)
                s += e
                w.addProduct(e, FastMath.whereNonzero(d, e))
                i += 8
            }
            sum += Double(s.sum()); wsum += Double(w.sum())
        }
        let lse = Float(log(sum)) + mx
        return (mx, lse, Float(log(sum) - wsum / sum))
    }

    /// Log-softmax statistics of logits: (max, log-sum-exp, entropy).
    public static func stats(_ logits: UnsafeBufferPointer<Float>) -> (max: Float, lse: Float, entropy: Float) {
        var mx = -Float.infinity
        for v in logits { mx = max(mx, v) }
        var sum: Double = 0, wsum: Double = 0
        var i = 0
        let n = logits.count
        // Float exponentials, accumulated in Double per chunk of 64.
        while i < n {
            let end = min(n, i + 64)
            var s: Float = 0, w: Float = 0
            for j in i..<end { let d = logits[j] - mx; let e = expf(d); s += e; w += e * d }
            sum += Double(s); wsum += Double(w)
            i = end
        }
        let lse = Float(log(sum)) + mx
        // H = log Z - E[logit - max]  (in the shifted frame)
        let entropy = Float(log(sum) - wsum / sum)
        return (mx, lse, entropy)
    }

    /// Self-certainty KL(U || p) = log-sum-exp - mean(logits) - log V (Kang et al. 2025).
    /// The mean is Float sums of chunks of 64 in index order, added to a Double in chunk
    /// order; eight chunks are summed side by side (eight independent chains instead of one
    /// chain of n additions: the same operations, several at a time).
    public static func selfCertainty(_ logits: UnsafeBufferPointer<Float>, lse: Float) -> Float {
        var sum: Double = 0
        let n = logits.count
        let p = logits
        var i = 0
        while i + 8 * 64 <= n {
            var s = SIMD8<Float>()
            for j in 0..<64 {
                s += SIMD8(p[i + j], p[i + 64 + j], p[i + 128 + j], p[i + 192 + j],
                           p[i + 256 + j], p[i + 320 + j], p[i + 384 + j], p[i + 448 + j])
            }
            for c in 0..<8 { sum += Double(s[c]) }
            i += 8 * 64
        }
        while i < n {
            let end = min(n, i + 64)
            var s: Float = 0
            for j in i..<end { s += p[j] }
            sum += Double(s)
            i = end
        }
        return Float(Double(lse) - sum / Double(n) - log(Double(n)))
    }

    /// The first index of the largest logit (NaN never counts; 0 when nothing exceeds
    /// -infinity). Eight lanes each keep their first strict maximum, then the lanes' largest
    /// value at its smallest index: the index the one-by-one scan finds.
    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int {
        let n = logits.count
        guard let p = logits.baseAddress else { return 0 }
        var top = SIMD8<Float>(repeating: -.infinity)
        var at = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7), idx = at
        var i = 0
        while i + 8 <= n {
            let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
            let more = v .> top
            top.replace(with: v, where: more)
            at.replace(with: idx, where: more)
            idx &+= 8
            i += 8
        }
        var best = 0, bv = -Float.infinity
        for lane in 0..<8 where top[lane] > bv || (top[lane] == bv && Int(at[lane]) < best) {
            bv = top[lane]; best = Int(at[lane])
        }
        while i < n { if p[i] > bv { bv = p[i]; best = i }; i += 1 }
        return best
    }

    public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> TokenChoice {
        sample(logits, stats: Sampler.stats(logits, numerics))
    }

    /// Samples with statistics already computed for these logits.
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>,
                                stats st: (max: Float, lse: Float, entropy: Float)) -> TokenChoice {
        let id: Int
        if config.temperature <= 0 {
            id = Sampler.argmax(logits)
        } else {
            id = draw(logits)
        }
        return TokenChoice(id: id, logprob: logits[id] - st.lse, entropy: st.entropy)
    }

    /// The candidate set after llama.cpp's default chain order: top-k, top-p, min-p, then
    /// temperature; returns ids and their temperature-scaled logits (softmax gives the
    /// sampling distribution). Ties in logit order by id.
    public func candidates(_ logits: UnsafeBufferPointer<Float>) -> (ids: [Int], logits: [Float]) {
        let n = logits.count
        var mx = -Float.infinity
        for v in logits { mx = max(mx, v) }
        var ids: [Int]
        var sorted = false
        func descending(_ a: Int, _ b: Int) -> Bool { logits[a] != logits[b] ? logits[a] > logits[b] : a < b }
        /// Indices of the `count` largest logits in descending order, via the tokens within
        /// `margin` of the maximum (everything outside ranks below everything inside).
        func top(_ pool: [Int]?, minCount: Int, margin: Float) -> [Int] {
            let src = pool ?? Array(0..<n)
            var near = src.filter { logits[$0] >= mx - margin }
            if near.count < minCount { near = src }
            near.sort(by: descending)
            return near
        }
        if config.topK > 0 && config.topK < n {
            ids = Array(top(nil, minCount: config.topK, margin: 30).prefix(config.topK))
            sorted = true
        } else {
            ids = Array(0..<n)
        }
        if config.topP < 1 {
            // As llama.cpp: Float probabilities over the current candidates, in descending
            // order, cut where the running sum first reaches p.
            var order = sorted ? ids : top(ids, minCount: 1, margin: 30)
            let rest = order.count < ids.count ? ids.filter { logits[$0] < mx - 30 } : []
            var z: Float = 0
            for i in order { z += expf(logits[i] - mx) }
            for i in rest { z += expf(logits[i] - mx) }
            var cut: Int? = nil
            var acc: Float = 0
            for pass in 0..<2 where cut == nil {
                if pass == 1 {       // the nucleus reaches past the margin: rank the rest too
                    if rest.isEmpty { break }
                    order += rest.sorted(by: descending)
                }
                acc = 0
                for (j, i) in order.enumerated() {
                    acc += expf(logits[i] - mx) / z
                    if acc >= config.topP { cut = j + 1; break }
                }
            }
            let cutAt = cut ?? order.count
            ids = Array(order.prefix(cutAt))
            sorted = true
        }
        if config.minP > 0 {
            let thr = mx + logf(config.minP)
            let kept = ids.filter { logits[$0] >= thr }
            ids = kept.isEmpty ? [ids.max(by: { descending($1, $0) })!] : kept
        }
        _ = sorted
        let t = config.temperature
        return (ids, ids.map { logits[$0] / t })
    }

    /// Whether the chain keeps every token (temperature only).
    var untruncated: Bool { config.topK == 0 && config.topP >= 1 && config.minP <= 0 }

    mutating func draw(_ logits: UnsafeBufferPointer<Float>) -> Int {
        if untruncated {
            // The whole vocabulary, without building candidate arrays.
            let n = logits.count, t = config.temperature
            let scaled = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
            defer { scaled.deallocate() }
            for i in 0..<n { scaled[i] = logits[i] / t }
            return pick(scaled)
        }
        let (ids, weights) = candidates(logits)
        var scaled = weights
        return ids[scaled.withUnsafeMutableBufferPointer { pick($0) }]
    }

    /// Draws an index of temperature-scaled logits: their exponentials shifted by the
    /// maximum (libm in numerics 1, `FastMath.exp` in 2), then a running Float sum in index
    /// order against a uniform draw times the total: the first index whose running sum
    /// exceeds it. The running sums are written in place as they are made (the total is
    /// the last); they never decrease (every term is >= 0), so with a finite total the index
    /// is found by bisection: the same index as the scan, without a second pass.
    mutating func pick(_ w: UnsafeMutableBufferPointer<Float>) -> Int {
        let n = w.count, p = w.baseAddress!
        var total: Float = 0
        if numerics.fastDecoding {
            // The maximum is the same value in any order (a signed zero aside, whose
            // exponential shift gives the same 1).
            _ = FastMath.expShifted(p, n, minus: FastMath.max(p, n))
            for i in 0..<n { total += p[i]; p[i] = total }
        } else {
            var m = -Float.infinity
            for i in 0..<n { m = max(m, p[i]) }
            for i in 0..<n { total += expf(p[i] - m); p[i] = total }
        }
        let r = rng.nextUnitFloat() * total
        guard total.isFinite else {
            for i in 0..<n where r < p[i] { return i }
            return n - 1
        }
        guard r < total else { return n - 1 }
        var lo = 0, hi = n - 1      // r < p[hi]
        while lo < hi {
            let mid = (lo + hi) / 2
            if r < p[mid] { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
