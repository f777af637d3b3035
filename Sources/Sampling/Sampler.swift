import Foundation

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
}

/// Logits in, token out: temperature, then top-k, top-p and min-p as successive
/// truncations of the candidate set, then a draw from the owning rollout's RNG.
public struct Sampler: Sendable {
    public var config: SamplerConfig
    public var rng: SplitMix64

    public init(config: SamplerConfig, seed: UInt64) {
        self.config = config
        rng = SplitMix64(seed: seed)
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

    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int {
        var best = 0, bv = -Float.infinity
        for (i, v) in logits.enumerated() where v > bv { bv = v; best = i }
        return best
    }

    public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> TokenChoice {
        sample(logits, stats: Sampler.stats(logits))
    }

    /// Samples with statistics already computed for these logits.
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>, stats st: (max: Float, lse: Float, entropy: Float)) -> TokenChoice {
        let id: Int
        if config.temperature <= 0 {
            id = Sampler.argmax(logits)
        } else {
            id = draw(logits)
        }
        return TokenChoice(id: id, logprob: logits[id] - st.lse, entropy: st.entropy)
    }

    mutating func draw(_ logits: UnsafeBufferPointer<Float>) -> Int {
        let t = config.temperature
        var cand = [(id: Int, logit: Float)]()
        cand.reserveCapacity(logits.count)
        for (i, v) in logits.enumerated() { cand.append((i, v / t)) }
        // Stable order: by logit descending, then id ascending (deterministic ties).
        let needSort = config.topK > 0 || config.topP < 1 || config.minP > 0
        if config.topK > 0 && config.topK < cand.count {
            cand.sort { $0.logit != $1.logit ? $0.logit > $1.logit : $0.id < $1.id }
            cand.removeLast(cand.count - config.topK)
        } else if needSort {
            cand.sort { $0.logit != $1.logit ? $0.logit > $1.logit : $0.id < $1.id }
        }
        let mx = cand.reduce(-Float.infinity) { max($0, $1.logit) }
        var probs = cand.map { expf($0.logit - mx) }
        var total = probs.reduce(0, +)
        if config.minP > 0 {
            // keep p >= minP * p_max  (p_max has weight 1 here)
            let keep = probs.firstIndex { $0 < config.minP } ?? probs.count
            probs.removeLast(probs.count - max(1, keep)); cand.removeLast(cand.count - probs.count)
            total = probs.reduce(0, +)
        }
        if config.topP < 1 {
            var acc: Float = 0, cut = probs.count
            for (i, p) in probs.enumerated() { acc += p / total; if acc >= config.topP { cut = i + 1; break } }
            probs.removeLast(probs.count - cut); cand.removeLast(cand.count - cut)
            total = probs.reduce(0, +)
        }
        let r = rng.nextUnitFloat() * total
        var acc: Float = 0
        for (i, p) in probs.enumerated() { acc += p; if r < acc { return cand[i].id } }
        return cand[cand.count - 1].id
    }
}
