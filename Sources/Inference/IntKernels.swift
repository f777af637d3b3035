#if ROLLBOOK_AVX2
import CIntrinsics
#endif
import GGUF

/// Single-stream decoding with 8-bit activations and integer dot products (the way llama.cpp
/// and ik_llama.cpp decode Q4/Q8 weights): the activation vector is quantised once per product
/// to int8 in blocks of 32 (scale max|x| / 127, round to nearest even), and each weight block's
/// integer dot product with it is computed exactly (AVX2 maddubs + madd), scaled by the two
/// block scales and accumulated in Float. Q4_1's block minimum takes the activation block's
/// sum (scale x sum of its int8 values). Used by the Transformer for one vector at a time; the
/// rollout engine's batch-invariant kernels are separate (their rollouts do not change).
enum IntKernels {
    #if ROLLBOOK_AVX2
    static let available = true
    #else
    static let available = false
    #endif

    /// Formats with an integer kernel.
    static func supports(_ type: GGMLType, cols: Int) -> Bool {
        cols % 32 == 0 && (type == .q4_1 || type == .q8_0)
    }

    /// x (n a multiple of 32) to int8 blocks: d[b] = max|x_b| / 127, q = round(x / d),
    /// sums[b] = d[b] * sum(q_b).
    static func quantize(_ x: UnsafePointer<Float>, _ n: Int, _ q: UnsafeMutablePointer<Int8>,
                         _ d: UnsafeMutablePointer<Float>, _ sums: UnsafeMutablePointer<Float>) {
        for b in 0..<(n / 32) {
            let xb = x + b * 32
            var amax: Float = 0, finite = true
            for j in 0..<32 {
                let a = abs(xb[j])
                if !a.isFinite { finite = false }
                amax = max(amax, a)
            }
            guard finite else {
                // A NaN or infinite activation (a corrupt model) propagates as NaN, as in Float.
                for j in 0..<32 { q[b * 32 + j] = 0 }
                d[b] = .nan; sums[b] = .nan
                continue
            }
            let inv: Float = amax > 0 ? 127 / amax : 0
            var s: Int32 = 0
            for j in 0..<32 {
                let v = Int32((xb[j] * inv).rounded(.toNearestOrEven))
                q[b * 32 + j] = Int8(truncatingIfNeeded: v)
                s &+= v
            }
            d[b] = amax / 127
            sums[b] = d[b] * Float(s)
        }
    }

    #if ROLLBOOK_AVX2
    typealias V = SIMD4<Int64>   // __m256i

    @inline(__always) static func load32(_ p: UnsafeRawPointer) -> V { p.loadUnaligned(as: V.self) }

    /// Exact integer dot product of 32 unsigned 4-bit (or 7-bit) weights with 32 int8
    /// activations, as 8 int32 lanes converted to Float.
    @inline(__always) static func udot(_ w: V, _ x: V) -> SIMD8<Float> {
        let ones = _mm256_set1_epi16(1)
        return _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(w, x), ones))
    }

    /// The 32 nibbles of a Q4_1/Q4_0 block (16 bytes at p) in element order: low nibbles
    /// (elements 0-15) in the low half, high nibbles (16-31) in the high half.
    @inline(__always) static func nibbles(_ p: UnsafeRawPointer) -> V {
        let raw = p.loadUnaligned(as: SIMD2<Int64>.self)
        let mask = V(repeating: 0x0F0F_0F0F_0F0F_0F0F)
        return V(lowHalf: raw, highHalf: raw &>> 4) & mask
    }

    /// Q4_1 rows r0, r1 (20-byte blocks: d, m, 16 bytes of nibbles) against the quantised x.
    @inline(__always)
    static func dotQ4_1x2(_ r0: UnsafeRawPointer, _ r1: UnsafeRawPointer, _ q: UnsafePointer<Int8>,
                          _ d: UnsafePointer<Float>, _ sums: UnsafePointer<Float>, _ nb: Int) -> (Float, Float) {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
        var m0: Float = 0, m1: Float = 0
        for b in 0..<nb {
            let p0 = r0 + b * 20, p1 = r1 + b * 20
            let x = load32(UnsafeRawPointer(q + b * 32))
            let db = d[b], sb = sums[b]
            a0.addProduct(udot(nibbles(p0 + 4), x), SIMD8(repeating: Kernels.f16(p0, 0) * db))
            a1.addProduct(udot(nibbles(p1 + 4), x), SIMD8(repeating: Kernels.f16(p1, 0) * db))
            m0 += Kernels.f16(p0, 2) * sb
            m1 += Kernels.f16(p1, 2) * sb
        }
        return (a0.sum() + m0, a1.sum() + m1)
    }

    @inline(__always)
    static func dotQ4_1(_ r: UnsafeRawPointer, _ q: UnsafePointer<Int8>, _ d: UnsafePointer<Float>,
                        _ sums: UnsafePointer<Float>, _ nb: Int) -> Float {
        var a = SIMD8<Float>()
        var m: Float = 0
        for b in 0..<nb {
            let p = r + b * 20
            a.addProduct(udot(nibbles(p + 4), load32(UnsafeRawPointer(q + b * 32))), SIMD8(repeating: Kernels.f16(p, 0) * d[b]))
            m += Kernels.f16(p, 2) * sums[b]
        }
        return a.sum() + m
    }

    /// Signed x signed: |w| (unsigned) times x with w's sign.
    @inline(__always) static func sdot(_ w: V, _ x: V) -> SIMD8<Float> {
        udot(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w))
    }

    /// Q8_0 rows (34-byte blocks: d, 32 int8) against the quantised x.
    @inline(__always)
    static func dotQ8_0x2(_ r0: UnsafeRawPointer, _ r1: UnsafeRawPointer, _ q: UnsafePointer<Int8>,
                          _ d: UnsafePointer<Float>, _ nb: Int) -> (Float, Float) {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
        for b in 0..<nb {
            let p0 = r0 + b * 34, p1 = r1 + b * 34
            let x = load32(UnsafeRawPointer(q + b * 32))
            let db = d[b]
            a0.addProduct(sdot(load32(p0 + 2), x), SIMD8(repeating: Kernels.f16(p0, 0) * db))
            a1.addProduct(sdot(load32(p1 + 2), x), SIMD8(repeating: Kernels.f16(p1, 0) * db))
        }
        return (a0.sum(), a1.sum())
    }

    @inline(__always)
    static func dotQ8_0(_ r: UnsafeRawPointer, _ q: UnsafePointer<Int8>, _ d: UnsafePointer<Float>, _ nb: Int) -> Float {
        var a = SIMD8<Float>()
        for b in 0..<nb {
            let p = r + b * 34
            a.addProduct(sdot(load32(p + 2), load32(UnsafeRawPointer(q + b * 32))), SIMD8(repeating: Kernels.f16(p, 0) * d[b]))
        }
        return a.sum()
    }
    #endif

    /// y[r] = W[r, :] · x for rows `range` of a Q4_1 or Q8_0 matrix, x quantised by `quantize`.
    static func dotRows(_ type: GGMLType, _ data: UnsafeRawPointer, rowBytes: Int, cols: Int, _ range: Range<Int>,
                        q: UnsafePointer<Int8>, d: UnsafePointer<Float>, sums: UnsafePointer<Float>,
                        y: UnsafeMutablePointer<Float>) {
        #if ROLLBOOK_AVX2
        let nb = cols / 32
        var r = range.lowerBound
        if type == .q4_1 {
            while r + 1 < range.upperBound {
                (y[r], y[r + 1]) = dotQ4_1x2(data + r * rowBytes, data + (r + 1) * rowBytes, q, d, sums, nb)
                r += 2
            }
            if r < range.upperBound { y[r] = dotQ4_1(data + r * rowBytes, q, d, sums, nb) }
        } else {
            while r + 1 < range.upperBound {
                (y[r], y[r + 1]) = dotQ8_0x2(data + r * rowBytes, data + (r + 1) * rowBytes, q, d, nb)
                r += 2
            }
            if r < range.upperBound { y[r] = dotQ8_0(data + r * rowBytes, q, d, nb) }
        }
        #else
        preconditionFailure("integer kernels need AVX2")
        #endif
    }
}
