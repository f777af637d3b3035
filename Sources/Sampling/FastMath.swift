#if ROLLBOOK_AVX2
import CIntrinsics
#endif

/// Which arithmetic a rollout is generated with. Part of a local rollout's key, so stores
/// made with one version are never silently extended or compared with another's bits.
public enum Numerics: Int, Sendable, Codable, CaseIterable, Comparable {
    /// Float dot products over dequantised weights, libm `exp` (every store made before
    /// numerics were versioned; still generated exactly when a plan pins `numerics: 1`).
    case v1 = 1
    /// 8-bit activations (per 32-value block, per sequence) with exact integer dot products,
    /// and the vectorised `FastMath.exp` in SiLU, attention, sampling, entropy and EGLR's KL.
    case v2 = 2
    /// Version 2's decoding; prompts are prefilled on the engine's own threads in fixed
    /// blocks (128 weight rows, 32 query tokens, each a one-thread sgemm; the grid does not
    /// depend on the thread count) instead of on OpenBLAS's threads, which took turns with
    /// the engine's for the same cores. The blocks change the last bits of the prefill.
    case v3 = 3

    /// What new plans get.
    public static let current = Numerics.v3

    /// Whether decoding uses the integer kernels and `FastMath` (versions 2 and later).
    public var fastDecoding: Bool { self >= .v2 }

    public static func < (a: Numerics, b: Numerics) -> Bool { a.rawValue < b.rawValue }
}

/// Vectorised elementary functions with a fixed sequence of IEEE operations (FMA where
/// written), so every lane, every call and every machine with FMA gives the same bits.
public enum FastMath {
    /// e^x for 8 lanes, relative error below 2 ulp on [-87, 88]; e^x = 0 below -87.3 (and
    /// for -inf), +inf above 88.7, NaN for NaN. The AVX2 and portable paths perform the same
    /// IEEE operations (selections are exact), so they agree bit for bit.
    @inline(__always)
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        #if ROLLBOOK_AVX2
        let lo = _mm256_set1_ps(-87.3), hi = _mm256_set1_ps(88.7)
        let xc = _mm256_min_ps(_mm256_max_ps(x, lo), hi)
        let shifter = _mm256_set1_ps(12_582_912)
        let t = _mm256_fmadd_ps(xc, _mm256_set1_ps(1.442_695_04), shifter)
        let n = _mm256_sub_ps(t, shifter)
        var r = _mm256_fmadd_ps(n, _mm256_set1_ps(-0.693_359_375), xc)
        r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.121_944_4e-4), r)
        var p = _mm256_set1_ps(1.987_569_1e-4)
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.398_199_9e-3))
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.333_452e-3))
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.166_579_6e-2))
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.166_666_65))
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5))
        let r2 = _mm256_mul_ps(r, r)
        let y = _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, _mm256_set1_ps(1)))
        let bits = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(0x4B40_0000))
        let nLow = _mm256_min_epi32(_mm256_max_epi32(bits, _mm256_set1_epi32(-126)), _mm256_set1_epi32(127))
        let scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(nLow, _mm256_set1_epi32(127)), 23))
        var out = _mm256_mul_ps(y, scale)
        let big = _mm256_castsi256_ps(_mm256_cmpgt_epi32(bits, _mm256_set1_epi32(127)))
        out = _mm256_blendv_ps(out, _mm256_mul_ps(out, _mm256_set1_ps(2)), big)
        out = _mm256_andnot_ps(rb_cmplt_ps(x, lo), out)
        out = _mm256_blendv_ps(out, _mm256_set1_ps(.infinity), rb_cmpgt_ps(x, hi))
        return _mm256_blendv_ps(out, x, rb_cmpunord_ps(x, x))
        #else
        let lo: Float = -87.3, hi: Float = 88.7
        var xc = x
        for i in 0..<8 { xc[i] = Swift.min(Swift.max(x[i].isNaN ? lo : x[i], lo), hi) }
        let shifter = SIMD8<Float>(repeating: 12_582_912)
        let t = shifter.addingProduct(xc, SIMD8(repeating: 1.442_695_04))
        let n = t - shifter
        var r = xc.addingProduct(n, SIMD8(repeating: -0.693_359_375))
        r = r.addingProduct(n, SIMD8(repeating: 2.121_944_4e-4))
        var p = SIMD8<Float>(repeating: 1.987_569_1e-4)
        p = SIMD8(repeating: 1.398_199_9e-3).addingProduct(p, r)
        p = SIMD8(repeating: 8.333_452e-3).addingProduct(p, r)
        p = SIMD8(repeating: 4.166_579_6e-2).addingProduct(p, r)
        p = SIMD8(repeating: 0.166_666_65).addingProduct(p, r)
        p = SIMD8(repeating: 0.5).addingProduct(p, r)
        let y = (r + 1).addingProduct(p, r * r)
        let bits = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
        var out = SIMD8<Float>()
        for i in 0..<8 {
            let e = Swift.min(Swift.max(bits[i], -126), 127)
            var v = y[i] * Float(bitPattern: UInt32(e + 127) << 23)
            if bits[i] > 127 { v = v * 2 }
            if x[i] < lo { v = 0 }
            if x[i] > hi { v = .infinity }
            if x[i].isNaN { v = x[i] }
            out[i] = v
        }
        return out
        #endif
    }

    /// Lane-wise maximum (inputs without NaN).
    @inline(__always)
    public static func vmax(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        #if ROLLBOOK_AVX2
        return _mm256_max_ps(a, b)
        #else
        var m = a
        for i in 0..<8 where b[i] > a[i] { m[i] = b[i] }
        return m
        #endif
    }

    /// d where e != 0, else 0 (the terms of an entropy whose probability underflowed).
    @inline(__always)
    public static func whereNonzero(_ d: SIMD8<Float>, _ e: SIMD8<Float>) -> SIMD8<Float> {
        #if ROLLBOOK_AVX2
        return _mm256_andnot_ps(rb_cmpeq_ps(e, _mm256_setzero_ps()), d)
        #else
        var m = d
        for i in 0..<8 where e[i] == 0 { m[i] = 0 }
        return m
        #endif
    }

    /// e^x for one value, the lane computation of `exp(SIMD8)`.
    @inline(__always)
    public static func exp(_ x: Float) -> Float { exp(SIMD8(repeating: x))[0] }

    /// Eight values from p (the first `count`, the rest `fill`).
    @inline(__always)
    public static func load(_ p: UnsafePointer<Float>, _ count: Int, fill: Float = 0) -> SIMD8<Float> {
        if count >= 8 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
        var v = SIMD8<Float>(repeating: fill)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    @inline(__always)
    public static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        if count >= 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self); return }
        for i in 0..<count { p[i] = v[i] }
    }

    /// y[i] = silu(g[i]) * u[i] = g / (1 + e^-g) * u, in place in g.
    public static func swiglu(_ g: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i < n {
            let c = min(8, n - i)
            let gv = load(g + i, c), uv = load(u + i, c)
            store(gv / (1 + exp(-gv)) * uv, g + i, c)
            i += 8
        }
    }

    /// Largest of x[0..<n] (-inf for n = 0; NaN-free inputs).
    public static func max(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = SIMD8<Float>(repeating: -.infinity)
        var i = 0
        while i < n {
            let v = load(x + i, Swift.min(8, n - i), fill: -.infinity)
            m = vmax(m, v)
            i += 8
        }
        return m.max()
    }

    /// s[i] = e^(s[i] - mx) for i < n; returns their sum (8 lanes, summed in lane order).
    public static func expShifted(_ s: UnsafeMutablePointer<Float>, _ n: Int, minus mx: Float) -> Float {
        var acc = SIMD8<Float>()
        let m = SIMD8<Float>(repeating: mx)
        var i = 0
        while i < n {
            let c = Swift.min(8, n - i)
            let e = exp(load(s + i, c, fill: -.infinity) - m)
            store(e, s + i, c)
            acc += e
            i += 8
        }
        return acc.sum()
    }
}
