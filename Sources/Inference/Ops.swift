import InferenceVNNI
import Sampling
import Foundation
import LinAlg

/// Small per-row kernels shared by the single-sequence and batched forward passes.
/// One way of rotating: the inverse frequency of each rotated pair, and the factor on cos
/// and sin (YaRN's magnitude; 1 otherwise).
public struct RopeTable: Equatable, Sendable {
    public let invFreq: [Float]
    public let magnitude: Float
}

enum Ops {
    /// sgemm on OpenBLAS's own threads (prefill in numerics 1 and 2): the worker pool stops
    /// spinning first, so it does not take a core from them.
    static func sgemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      transB: Bool, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float = 1) {
        Parallel.pool.quiesce()
        BLAS.sgemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, transB: transB, c: c, ldc: ldc, alpha: alpha)
    }

    @inline(__always)
    static func rmsnorm(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                        _ n: Int, eps: Float) {
        var ss: Double = 0
        for i in 0..<n { ss += Double(x[i] * x[i]) }
        let scale = 1 / sqrtf(Float(ss / Double(n)) + eps)
        for i in 0..<n { out[i] = x[i] * scale * w[i] }
    }

    @inline(__always)
    static func addBias(_ y: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { y[i] += b[i] }
    }

    /// theta_i = base^(-2i/d), as llama.cpp computes them (repeated multiplication in Float),
    /// divided by the model's per-pair frequency factors (Llama 3.1/3.2 `rope_freqs`) and
    /// times the linear scaling's 1 / factor, as ggml's rope applies them.
    /// With `yarnContext` (YaRN, ggml's `rope_yarn`): pair i's angle blends the scaled and the
    /// unscaled one by a ramp over the pairs between the correction dimensions of beta_fast 32
    /// and beta_slow 1, and `mscale` (1 + 0.1 ln(1 / scale)) multiplies cos and sin.
    static func ropeTable(_ c: ModelConfig, base: Float, scale freqScale: Float,
                          factors: [Float]?, yarnContext: Int? = nil) -> RopeTable {
        var f = [Float](); var theta: Float = 1
        let dims = c.ropeDimensionCount
        let scale = powf(base, -2.0 / Float(dims))
        var low: Float = 0, high: Float = 0
        if let n = yarnContext {
            func corr(_ beta: Float) -> Float {
                Float(dims) * logf(Float(n) / (beta * 2 * Float.pi)) / (2 * logf(base))
            }
            low = max(0, floorf(corr(32))); high = min(Float(dims - 1), ceilf(corr(1)))
        }
        for i in 0..<(dims / 2) {
            var t = theta
            if let ff = factors { t /= ff[i] }
            if yarnContext != nil {
                let y = (Float(i) - low) / max(0.001, high - low)
                let mix = 1 - min(1, max(0, y))
                f.append(t * freqScale * (1 - mix) + t * mix)
            } else {
                f.append(t * freqScale)
            }
            theta *= scale
        }
        return RopeTable(invFreq: f, magnitude: yarnContext == nil ? 1 : 1 + 0.1 * logf(1 / freqScale))
    }

    /// GeGLU in place: g = gelu(g) * u, GELU in its tanh form (Gemma).
    static func geglu(_ g: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n {
            let x = g[i]
            g[i] = 0.5 * x * (1 + tanhf(0.7978845608028654 * x * (1 + 0.044715 * x * x))) * u[i]
        }
    }

    /// Soft-capping in place: v = cap * tanh(v / cap).
    static func softCap(_ v: UnsafeMutablePointer<Float>, _ n: Int, cap: Float) {
        let inv = 1 / cap
        for i in 0..<n { v[i] = cap * tanhf(v[i] * inv) }
    }

    /// Drops the first `drop` positions of the two key/value segments (a sliding window).
    static func trim(_ a: Segment, _ b: Segment?, drop: Int, stride: Int) -> (Segment, Segment?) {
        guard drop > 0 else { return (a, b) }
        if drop < a.count { return ((a.k + drop * stride, a.v + drop * stride, a.count - drop), b) }
        let b = b!, d = drop - a.count
        return ((b.k + d * stride, b.v + d * stride, b.count - d), nil)
    }

    /// RMSNorm of queries or keys in place: each group of `w.count` floats of the `width`
    /// normalised with the weights `w` (per head for Qwen3, the whole width for OLMo 2).
    @inline(__always)
    static func groupNorm(_ v: UnsafeMutablePointer<Float>, width: Int, _ w: UnsafeMutableBufferPointer<Float>,
                          eps: Float) {
        let g = w.count
        for h in 0..<(width / g) { rmsnorm(v + h * g, v + h * g, w.baseAddress!, g, eps: eps) }
    }

    /// `out` = rmsnorm(x) * w, or a copy of x where the layer has no such norm.
    @inline(__always)
    static func normOrCopy(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                           _ w: UnsafeMutableBufferPointer<Float>?, _ n: Int, eps: Float) {
        if let w { rmsnorm(out, x, w.baseAddress!, n, eps: eps) } else { out.update(from: x, count: n) }
    }

    /// The rows of `v` normalised in place by `w` (post-norms), nothing when `w` is nil.
    @inline(__always)
    static func postNorm(_ v: UnsafeMutablePointer<Float>, rows: Int, _ w: UnsafeMutableBufferPointer<Float>?,
                         _ n: Int, eps: Float) {
        guard let w else { return }
        for r in 0..<rows { rmsnorm(v + r * n, v + r * n, w.baseAddress!, n, eps: eps) }
    }

    /// A buffer of n Floats starting on a cache line, so the kernels' 32-byte vector loads
    /// never straddle two lines (large plain allocations start 16 bytes into a page); not
    /// written (a KV cache's pages are touched only as its positions fill). The caller
    /// deallocates.
    static func alignedBuffer(_ n: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(1, n) * 4, alignment: 64).bindMemory(to: Float.self, capacity: n)
    }

    /// `alignedBuffer`, zeroed.
    static func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
        let p = alignedBuffer(n); p.initialize(repeating: 0, count: n); return p
    }

    /// RoPE angles for one position: cos/sin of pos * invFreq[i].
    @inline(__always)
    static func ropeAngles(pos: Int, _ t: RopeTable, cos cs: UnsafeMutablePointer<Float>,
                           sin sn: UnsafeMutablePointer<Float>) {
        for i in 0..<t.invFreq.count {
            let a = Float(pos) * t.invFreq[i]
            cs[i] = Foundation.cos(a) * t.magnitude; sn[i] = Foundation.sin(a) * t.magnitude
        }
    }

    /// Rotates one head vector in place: adjacent pairs (Llama, GGUF-permuted weights) or
    /// pairs (i, i + d/2) (NeoX / Qwen2).
    @inline(__always)
    static func rope(_ v: UnsafeMutablePointer<Float>, _ cs: UnsafePointer<Float>, _ sn: UnsafePointer<Float>,
                     half: Int, neox: Bool) {
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
    static func softmax(_ s: UnsafeMutablePointer<Float>, visible: Int, total: Int, fast: Bool = false) {
        if fast {
            // Numerics v2: FastMath.exp in 8 lanes; the sum in lane order.
            let sum = FastMath.expShifted(s, visible, minus: FastMath.max(s, visible))
            let inv = 1 / sum
            for i in 0..<visible { s[i] *= inv }
            for i in visible..<total { s[i] = 0 }
            return
        }
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
    /// Scores are computed eight positions at a time (eight independent accumulators) and
    /// the weighted values with the output held in registers; every position's and lane's
    /// arithmetic is the same wherever it falls, so the result depends only on the sequence.
    @inline(__always)
    static func attend(q: UnsafePointer<Float>, segments a: Segment, _ b: Segment?,
                       stride: Int, headDim hd: Int, scale: Float,
                       scores s: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, fast: Bool = false,
                       cap: Float = 0) {
        guard hd % 8 == 0 else {
            for p in 0..<a.count { s[p] = dot(q, a.k + p * stride, hd) * scale }
            var total = a.count
            if let b { for p in 0..<b.count { s[total + p] = dot(q, b.k + p * stride, hd) * scale }; total += b.count }
            if cap > 0 { softCap(s, total, cap: cap) }
            softmax(s, visible: total, total: total, fast: fast)
            out.initialize(repeating: 0, count: hd)
            for p in 0..<a.count { axpy(s[p], a.v + p * stride, out, hd) }
            if let b { for p in 0..<b.count { axpy(s[a.count + p], b.v + p * stride, out, hd) } }
            return
        }
        scoreRows(q, a.k, a.count, stride, hd, scale, s)
        var total = a.count
        if let b { scoreRows(q, b.k, b.count, stride, hd, scale, s + total); total += b.count }
        if cap > 0 { softCap(s, total, cap: cap) }
        softmax(s, visible: total, total: total, fast: fast)
        var c = 0
        while c + 64 <= hd {
            var o0 = SIMD8<Float>(), o1 = SIMD8<Float>(), o2 = SIMD8<Float>(), o3 = SIMD8<Float>()
            var o4 = SIMD8<Float>(), o5 = SIMD8<Float>(), o6 = SIMD8<Float>(), o7 = SIMD8<Float>()
            for seg in 0..<2 {
                let (v, n, w): (UnsafePointer<Float>, Int, UnsafePointer<Float>)
                if seg == 0 {
                    (v, n, w) = (a.v, a.count, UnsafePointer(s))
                } else if let b {
                    (v, n, w) = (b.v, b.count, UnsafePointer(s + a.count))
                } else {
                    break
                }
                var r = v + c
                for p in 0..<n {
                    let wp = SIMD8<Float>(repeating: w[p])
                    o0.addProduct(wp, Kernels.x8(r, 0)); o1.addProduct(wp, Kernels.x8(r, 8))
                    o2.addProduct(wp, Kernels.x8(r, 16)); o3.addProduct(wp, Kernels.x8(r, 24))
                    o4.addProduct(wp, Kernels.x8(r, 32)); o5.addProduct(wp, Kernels.x8(r, 40))
                    o6.addProduct(wp, Kernels.x8(r, 48)); o7.addProduct(wp, Kernels.x8(r, 56))
                    r += stride
                }
            }
            let d = out + c
            store8(o0, d, 0); store8(o1, d, 8); store8(o2, d, 16); store8(o3, d, 24)
            store8(o4, d, 32); store8(o5, d, 40); store8(o6, d, 48); store8(o7, d, 56)
            c += 64
        }
        while c < hd {     // head sizes not a multiple of 64: eight lanes at a time, same per-lane order
            var o = SIMD8<Float>()
            for p in 0..<a.count { o.addProduct(SIMD8(repeating: s[p]), Kernels.x8(a.v + p * stride, c)) }
            if let b {
                for p in 0..<b.count { o.addProduct(SIMD8(repeating: s[a.count + p]), Kernels.x8(b.v + p * stride, c)) }
            }
            store8(o, out, c)
            c += 8
        }
    }

    /// Attention of `heads` query heads sharing one key/value head (grouped-query attention):
    /// head i's query at q + i * hd, its scores at s + i * sStride, its output at out + i * hd.
    /// Each head's result is exactly `attend`'s; with AVX-512 three heads at a time share each
    /// key and value load (`VNNIKernels.scores3`, `values3`).
    static func attendGroup(q: UnsafePointer<Float>, heads: Int, segments a: Segment, _ b: Segment?,
                            stride: Int, headDim hd: Int, scale: Float, scores s: UnsafeMutablePointer<Float>,
                            sStride: Int, out: UnsafeMutablePointer<Float>, fast: Bool, cap: Float) {
        var h = 0
        if PackedKernels.useVNNI && hd % 32 == 0 {
            let total = a.count + (b?.count ?? 0)
            while h + 3 <= heads {
                let qh = q + h * hd, sh = s + h * sStride, oh = out + h * hd
                @inline(__always) func scores(_ seg: Segment, at: Int) {
                    let done = VNNIKernels.scores3(qh, seg.k, seg.count, stride, hd, scale, sh + at, sStride)
                    for i in 0..<3 {
                        scoreRows(qh + i * hd, seg.k + done * stride, seg.count - done, stride, hd, scale,
                                  sh + i * sStride + at + done)
                    }
                }
                scores(a, at: 0)
                if let b { scores(b, at: a.count) }
                for i in 0..<3 {
                    if cap > 0 { softCap(sh + i * sStride, total, cap: cap) }
                    softmax(sh + i * sStride, visible: total, total: total, fast: fast)
                }
                oh.initialize(repeating: 0, count: 3 * hd)
                VNNIKernels.values3(sh, sStride, a.v, a.count, stride, hd, oh)
                if let b { VNNIKernels.values3(sh + a.count, sStride, b.v, b.count, stride, hd, oh) }
                h += 3
            }
        }
        while h < heads {
            attend(q: q + h * hd, segments: a, b, stride: stride, headDim: hd, scale: scale, scores: s + h * sStride,
                   out: out + h * hd, fast: fast, cap: cap)
            h += 1
        }
    }

    @inline(__always)
    static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// Sum of a vector's lanes as a fixed pairwise tree, the order `VNNIKernels.sum8` uses per lane.
    @inline(__always)
    static func treeSum(_ a: SIMD8<Float>) -> Float {
        ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
    }

    /// s[p] = scale * q · k_p for `count` key rows (hd % 8 == 0), eight rows at a time.
    @inline(__always)
    static func scoreRows(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ count: Int, _ stride: Int, _ hd: Int,
                          _ scale: Float, _ s: UnsafeMutablePointer<Float>) {
        var p = 0
        while p + 8 <= count {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>()
            let r0 = k + p * stride
            let r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride, r4 = r3 + stride,
                r5 = r4 + stride, r6 = r5 + stride, r7 = r6 + stride
            var j = 0
            while j < hd {
                let qv = Kernels.x8(q, j)
                a0.addProduct(Kernels.x8(r0, j), qv); a1.addProduct(Kernels.x8(r1, j), qv)
                a2.addProduct(Kernels.x8(r2, j), qv); a3.addProduct(Kernels.x8(r3, j), qv)
                a4.addProduct(Kernels.x8(r4, j), qv); a5.addProduct(Kernels.x8(r5, j), qv)
                a6.addProduct(Kernels.x8(r6, j), qv); a7.addProduct(Kernels.x8(r7, j), qv)
                j += 8
            }
            store8(VNNIKernels.sum8(a0, a1, a2, a3, a4, a5, a6, a7) * scale, s, p)
            p += 8
        }
        while p < count {
            var a = SIMD8<Float>()
            var j = 0
            while j < hd {
                a.addProduct(Kernels.x8(k + p * stride, j), Kernels.x8(q, j))
                j += 8
            }
            s[p] = treeSum(a) * scale
            p += 1
        }
    }
}
