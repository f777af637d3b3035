import Foundation
import Sampling
/// Entropy-Gated Latent Recursion parameters (METHODS.md section 1). `layers` = 0 is plain
/// decoding.
public struct EGLRConfig: Sendable, Equatable, Hashable, Codable {
    public enum Divergence: String, Sendable, Codable, CaseIterable { case kl, js, argmax }
    public enum KVPolicy: String, Sendable, Codable, CaseIterable { case keepFirst = "keep-first", overwrite }

    public var layers: Int = 0
    public var kMax: Int = 4
    public var tau: Float = 2.0
    public var divergence: Divergence = .kl
    public var eps: Float = 1e-3
    public var kvPolicy: KVPolicy = .keepFirst
    /// Per-model rule: when set, tau becomes this percentile (0-100) of the token entropies
    /// of plain greedy decoding on the run's first prompts (the engine calibrates it once and
    /// records the resolved tau in each rollout's spec).
    public var tauPercentile: Float? = nil

    public init(layers: Int = 0, kMax: Int = 4, tau: Float = 2.0, divergence: Divergence = .kl,
                eps: Float = 1e-3, kvPolicy: KVPolicy = .keepFirst, tauPercentile: Float? = nil) {
        self.layers = layers; self.kMax = kMax; self.tau = tau; self.divergence = divergence
        self.eps = eps; self.kvPolicy = kvPolicy; self.tauPercentile = tauPercentile
    }

    /// D(p, q) between two next-token distributions given as logits.
    static func divergence(_ kind: Divergence, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                           _ n: Int, numerics: Numerics = .v1) -> Float {
        if kind == .kl && numerics.fastDecoding { return fastKL(a, b, n) }
        switch kind {
        case .argmax:
            var ia = 0, ib = 0
            for i in 1..<n { if a[i] > a[ia] { ia = i }; if b[i] > b[ib] { ib = i } }
            return ia == ib ? 0 : 1
        case .kl:
            let la = logSumExp(a, n), lb = logSumExp(b, n)
            var kl: Double = 0
            for i in 0..<n {
                let lpa = Double(a[i] - la), lpb = Double(b[i] - lb)
                kl += exp(lpa) * (lpa - lpb)
            }
            return Float(max(0, kl))
        case .js:
            let la = logSumExp(a, n), lb = logSumExp(b, n)
            var js: Double = 0
            for i in 0..<n {
                let pa = exp(Double(a[i] - la)), pb = exp(Double(b[i] - lb))
                let m = 0.5 * (pa + pb)
                if pa > 0 { js += 0.5 * pa * log(pa / m) }
                if pb > 0 { js += 0.5 * pb * log(pb / m) }
            }
            return Float(max(0, js))
        }
    }

    static func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = -Float.infinity
        for i in 0..<n { m = max(m, x[i]) }
        var s: Double = 0
        for i in 0..<n { s += exp(Double(x[i] - m)) }
        return m + Float(log(s))
    }

    /// KL(p_a || p_b) in numerics v2: log-sum-exps from `Sampler.fastStats`, the terms
    /// e^(lp_a) (lp_a - lp_b) in 8 Float lanes per chunk of 512, chunks summed in Double.
    /// `lseA`, `lseB`: those log-sum-exps when the caller has them (the same values).
    static func fastKL(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int,
                       lseA: Float? = nil, lseB: Float? = nil) -> Float {
        let la = lseA ?? Sampler.fastStats(UnsafeBufferPointer(start: a, count: n)).lse
        let lb = lseB ?? Sampler.fastStats(UnsafeBufferPointer(start: b, count: n)).lse
        let va = SIMD8<Float>(repeating: la), vb = SIMD8<Float>(repeating: lb)
        var kl: Double = 0
        var i = 0
        while i < n {
            let end = min(n, i + 512)
            var s = SIMD8<Float>()
            while i < end {
                let c = min(8, end - i)
                let lpa = FastMath.load(a + i, c, fill: -.infinity) - va
                let lpb = FastMath.load(b + i, c, fill: -.infinity) - vb
                let pa = FastMath.exp(lpa)
                s.addProduct(pa, FastMath.whereNonzero(lpa - lpb, pa))
                i += 8
            }
            kl += Double(s.sum())
        }
        return Float(max(0, kl))
    }
}
