#if ROLLBOOK_AVX2
import CIntrinsics
#endif
import GGUF

/// 8-bit activations for the integer kernels (`PackedKernels`), the way llama.cpp and
/// ik_llama.cpp decode Q4/Q8 weights: each vector is quantised to int8 in blocks of 32.
enum IntKernels {
    #if ROLLBOOK_AVX2
    static let available = true
    #else
    static let available = false
    #endif

    /// x (n a multiple of 32) to int8 blocks: d[b] = max|x_b| / 127, q = round(x / d) (ties
    /// to even), isums[b] = sum(q_b), sums[b] = d[b] * isums[b].
    static func quantize(_ x: UnsafePointer<Float>, _ n: Int, _ q: UnsafeMutablePointer<Int8>,
                         _ d: UnsafeMutablePointer<Float>, _ sums: UnsafeMutablePointer<Float>,
                         _ isums: UnsafeMutablePointer<Int32>, _ isumsLo: UnsafeMutablePointer<Int32>) {
        #if ROLLBOOK_AVX2
        quantizeAVX2(x, n, q, d, sums, isums, isumsLo)
        #else
        quantizeScalar(x, n, q, d, sums, isums, isumsLo)
        #endif
    }

    #if ROLLBOOK_AVX2
    /// `quantize` in 8 lanes: the same values (the scale's division and each product are
    /// the scalar path's; cvtps rounds to nearest even like `rounded(.toNearestOrEven)`).
    static func quantizeAVX2(_ x: UnsafePointer<Float>, _ n: Int, _ q: UnsafeMutablePointer<Int8>,
                             _ d: UnsafeMutablePointer<Float>, _ sums: UnsafeMutablePointer<Float>,
                             _ isums: UnsafeMutablePointer<Int32>, _ isumsLo: UnsafeMutablePointer<Int32>) {
        let absMask = _mm256_set1_epi32(0x7FFF_FFFF)
        let order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)
        for b in 0..<(n / 32) {
            let xb = UnsafeRawPointer(x + b * 32)
            let v0 = xb.loadUnaligned(as: SIMD8<Float>.self), v1 = xb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            let v2 = xb.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self), v3 = xb.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            // Non-negative float bit patterns order like the floats; NaN and inf sit above.
            let a0 = _mm256_and_si256(_mm256_castps_si256(v0), absMask), a1 = _mm256_and_si256(_mm256_castps_si256(v1), absMask)
            let a2 = _mm256_and_si256(_mm256_castps_si256(v2), absMask), a3 = _mm256_and_si256(_mm256_castps_si256(v3), absMask)
            let m = unsafeBitCast(_mm256_max_epi32(_mm256_max_epi32(a0, a1), _mm256_max_epi32(a2, a3)), to: SIMD8<Int32>.self)
            let mbits = m.max()
            guard mbits < 0x7F80_0000 else {
                for j in 0..<32 { q[b * 32 + j] = 0 }
                d[b] = .nan; sums[b] = .nan; isums[b] = 0; isumsLo[b] = 0
                continue
            }
            let amax = Float(bitPattern: UInt32(mbits))
            let inv = _mm256_set1_ps(amax > 0 ? 127 / amax : 0)
            let i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, inv)), i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, inv))
            let i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, inv)), i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, inv))
            let packed = _mm256_permutevar8x32_epi32(
                _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3)), order)
            UnsafeMutableRawPointer(q + b * 32).storeBytes(of: packed, as: SIMD4<Int64>.self)
            let lo = unsafeBitCast(_mm256_add_epi32(i0, i1), to: SIMD8<Int32>.self).wrappedSum()
            let total = lo &+ unsafeBitCast(_mm256_add_epi32(i2, i3), to: SIMD8<Int32>.self).wrappedSum()
            isumsLo[b] = lo
            d[b] = amax / 127
            isums[b] = total
            sums[b] = d[b] * Float(total)
        }
    }
    #endif

    static func quantizeScalar(_ x: UnsafePointer<Float>, _ n: Int, _ q: UnsafeMutablePointer<Int8>,
                               _ d: UnsafeMutablePointer<Float>, _ sums: UnsafeMutablePointer<Float>,
                               _ isums: UnsafeMutablePointer<Int32>, _ isumsLo: UnsafeMutablePointer<Int32>) {
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
                d[b] = .nan; sums[b] = .nan; isums[b] = 0; isumsLo[b] = 0
                continue
            }
            let inv: Float = amax > 0 ? 127 / amax : 0
            var s: Int32 = 0
            for j in 0..<32 {
                let v = Int32((xb[j] * inv).rounded(.toNearestOrEven))
                q[b * 32 + j] = Int8(truncatingIfNeeded: v)
                s &+= v
                if j == 15 { isumsLo[b] = s }
            }
            d[b] = amax / 127
            isums[b] = s
            sums[b] = d[b] * Float(s)
        }
    }
}
