import Foundation

/// Small per-row kernels shared by the single-sequence and batched forward passes.
enum Ops {
    @inline(__always)
    static func rmsnorm(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ n: Int, eps: Float) {
        var ss: Double = 0
        for i in 0..<n { ss += Double(x[i] * x[i]) }
        let scale = 1 / sqrtf(Float(ss / Double(n)) + eps)
        for i in 0..<n { out[i] = x[i] * scale * w[i] }
    }

    @inline(__always)
    static func addBias(_ y: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] += b[i] }
    }

    /// theta_i = base^(-2i/d), as llama.cpp computes them (repeated multiplication in Float).
    static func ropeInverseFrequencies(_ c: ModelConfig) -> [Float] {
        var f = [Float](); var theta: Float = 1
        let scale = powf(c.ropeFreqBase, -2.0 / Float(c.ropeDimensionCount))
        for _ in 0..<(c.ropeDimensionCount / 2) { f.append(theta); theta *= scale }
        return f
    }

    /// A zeroed buffer of n floats (the caller deallocates).
    static func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: n); p.initialize(repeating: 0, count: n); return p
    }

    /// RoPE angles for one position: cos/sin of pos * invFreq[i].
    @inline(__always)
    static func ropeAngles(pos: Int, invFreq: [Float], cos cs: UnsafeMutablePointer<Float>, sin sn: UnsafeMutablePointer<Float>) {
        for i in 0..<invFreq.count {
            let a = Float(pos) * invFreq[i]
            cs[i] = Foundation.cos(a); sn[i] = Foundation.sin(a)
        }
    }

    /// Rotates one head vector in place: adjacent pairs (Llama, GGUF-permuted weights) or
    /// pairs (i, i + d/2) (NeoX / Qwen2).
    @inline(__always)
    static func rope(_ v: UnsafeMutablePointer<Float>, _ cs: UnsafePointer<Float>, _ sn: UnsafePointer<Float>, half: Int, neox: Bool) {
        if neox {
            for i in 0..<half {
                let a = v[i], b = v[i + half]
                v[i] = a * cs[i] - b * sn[i]; v[i + half] = a * sn[i] + b * cs[i]
            }
        } else {
            for i in 0..<half {
                let a = v[2 * i], b = v[2 * i + 1]
                v[2 * i] = a * cs[i] - b * sn[i]; v[2 * i + 1] = a * sn[i] + b * cs[i]
            }
        }
    }

    @inline(__always)
    static func softmax(_ s: UnsafeMutablePointer<Float>, visible: Int, total: Int) {
        var mx = -Float.infinity
        for i in 0..<visible { mx = max(mx, s[i]) }
        var sum: Float = 0
        for i in 0..<visible { let e = expf(s[i] - mx); s[i] = e; sum += e }
        let inv = 1 / sum
        for i in 0..<visible { s[i] *= inv }
        for i in visible..<total { s[i] = 0 }
    }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            acc.addProduct(UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self),
                           UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self))
            i += 8
        }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    @inline(__always)
    static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let av = SIMD8<Float>(repeating: a)
        while i + 8 <= n {
            let yp = UnsafeMutableRawPointer(y + i)
            var yv = yp.loadUnaligned(as: SIMD8<Float>.self)
            yv.addProduct(av, UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self))
            yp.storeBytes(of: yv, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { y[i] += a * x[i]; i += 1 }
    }

    typealias Segment = (k: UnsafePointer<Float>, v: UnsafePointer<Float>, count: Int)

    /// One query head attending over up to two key/value segments (shared prefix, then own
    /// cache): scores in `s` (length ≥ total positions), output in `out` (headDim).
    @inline(__always)
    static func attend(q: UnsafePointer<Float>, segments a: Segment, _ b: Segment?,
                       stride: Int, headDim hd: Int, scale: Float,
                       scores s: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        for p in 0..<a.count { s[p] = dot(q, a.k + p * stride, hd) * scale }
        var total = a.count
        if let b { for p in 0..<b.count { s[total + p] = dot(q, b.k + p * stride, hd) * scale }; total += b.count }
        softmax(s, visible: total, total: total)
        out.initialize(repeating: 0, count: hd)
        for p in 0..<a.count { axpy(s[p], a.v + p * stride, out, hd) }
        if let b { for p in 0..<b.count { axpy(s[a.count + p], b.v + p * stride, out, hd) } }
    }
}
