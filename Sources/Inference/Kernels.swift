#if ROLLBOOK_AVX2
import CIntrinsics
#endif
import GGUF

/// Fused dequantise-and-dot kernels over ggml blocks, read in place from the mapping.
///
/// Nibbles and bytes are extracted with shifts and masks on 32-bit lanes, and turned into
/// floats with the exponent trick ((2^23 + q) as bits, minus 2^23), so every step is a
/// plain same-width SIMD8 instruction. The lane order this produces is not the element
/// order, so the activation vector is permuted once per product (`permute`), which is
/// cheap because one x is shared by every row. The scalar twin is GGUF.Dequantize.
enum Kernels {
    @inline(__always) static var magic: SIMD8<UInt32> { SIMD8(repeating: 0x4B00_0000) }   // bits of 2^23
    @inline(__always) static var two23: SIMD8<Float> { SIMD8(repeating: 8_388_608) }

    @inline(__always) static func f16(_ p: UnsafeRawPointer, _ o: Int) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
    }
    @inline(__always) static func asFloat(_ v: SIMD8<UInt32>) -> SIMD8<Float> {
        unsafeBitCast(v | magic, to: SIMD8<Float>.self)
    }
    @inline(__always) static func x8(_ x: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
    }
    @inline(__always) static func halves(_ a: Float, _ b: Float) -> SIMD8<Float> {
        SIMD8<Float>(lowHalf: SIMD4(repeating: a), highHalf: SIMD4(repeating: b))
    }

    // MARK: activation layouts

    /// Rearranges x for the kernel of `type` (see each kernel for its lane order) and
    /// writes per-32-block sums of x when `sums` is given (the single-stream kernels' block minimum).
    static func permute(_ type: ActivationLayout, _ x: UnsafePointer<Float>, _ n: Int,
                        _ out: UnsafeMutablePointer<Float>, _ sums: UnsafeMutablePointer<Float>?) {
        if let sums { for b in 0..<(n / 32) {
            var s: Float = 0
            for j in 0..<32 { s += x[b * 32 + j] }
            sums[b] = s
        } }
        switch type {
        case .nibbles:
            // Pairs of blocks (A, B): for position p = 2*byte + nibble, lanes 0-3 hold
            // A's elements 4w + byte + 16*nibble (w = 0..3) and lanes 4-7 the same of B.
            let pairs = n / 64
            for pr in 0..<pairs {
                let o = out + pr * 64
                for byte in 0..<4 { for nib in 0..<2 {
                    let p = 2 * byte + nib
                    for w in 0..<4 {
                        o[p * 8 + w] = x[pr * 64 + 4 * w + byte + 16 * nib]
                        o[p * 8 + 4 + w] = x[pr * 64 + 32 + 4 * w + byte + 16 * nib]
                    }
                } }
            }
            for i in (pairs * 64)..<n { out[i] = x[i] }
        case .bytes:
            // One block: for byte position p (0..3), lane w holds element 4w + p.
            for b in 0..<(n / 32) {
                for p in 0..<4 { for w in 0..<8 { out[b * 32 + p * 8 + w] = x[b * 32 + 4 * w + p] } }
            }
        case .plain:
            out.update(from: x, count: n)
        }
    }

    /// Sum over the 8 nibble positions of a pair of 4-bit blocks: Σ q * x' (x' permuted).
    @inline(__always)
    static func nibbleDot(_ q: SIMD8<UInt32>, _ xp: UnsafePointer<Float>, bias: SIMD8<Float>) -> SIMD8<Float> {
        let mask = SIMD8<UInt32>(repeating: 0xF)
        var s = (asFloat(q & mask) - bias) * x8(xp, 0)
        s.addProduct(asFloat((q &>> 4) & mask) - bias, x8(xp, 8))
        s.addProduct(asFloat((q &>> 8) & mask) - bias, x8(xp, 16))
        s.addProduct(asFloat((q &>> 12) & mask) - bias, x8(xp, 24))
        s.addProduct(asFloat((q &>> 16) & mask) - bias, x8(xp, 32))
        s.addProduct(asFloat((q &>> 20) & mask) - bias, x8(xp, 40))
        s.addProduct(asFloat((q &>> 24) & mask) - bias, x8(xp, 48))
        s.addProduct(asFloat(q &>> 28) - bias, x8(xp, 56))
        return s
    }

    @inline(__always)
    static func load2(_ p: UnsafeRawPointer, _ a: Int, _ b: Int) -> SIMD8<UInt32> {
        SIMD8(lowHalf: p.loadUnaligned(fromByteOffset: a, as: SIMD4<UInt32>.self),
              highHalf: p.loadUnaligned(fromByteOffset: b, as: SIMD4<UInt32>.self))
    }

    /// Q4_1 block (20 bytes): d, m (f16), 16 bytes of nibbles; w = d*q + m; byte j holds
    /// elements j (low nibble) and j+16 (high nibble).
    @inline(__always)
    static func dotQ4_1(_ row: UnsafeRawPointer, _ xp: UnsafePointer<Float>, _ xsum: UnsafePointer<Float>,
                        _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var macc: Float = 0
        let nb = n / 32
        var b = 0
        while b + 1 < nb {
            let p = row + b * 20
            let q = load2(p, 4, 24)
            let da = f16(p, 0), db = f16(p, 20)
            acc.addProduct(nibbleDot(q, xp + b * 32, bias: two23), halves(da, db))
            macc += f16(p, 2) * xsum[b] + f16(p, 22) * xsum[b + 1]
            b += 2
        }
        var s = acc.sum() + macc
        if b < nb { s += tailBlock(.q4_1, row + b * 20, xp + b * 32) }
        return s
    }

    /// Two rows at once (more loads in flight, x' read once).
    @inline(__always)
    static func dotQ4_1x2(_ r0: UnsafeRawPointer, _ r1: UnsafeRawPointer, _ xp: UnsafePointer<Float>,
                          _ xsum: UnsafePointer<Float>, _ n: Int) -> (Float, Float) {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var m0: Float = 0, m1: Float = 0
        let nb = n / 32
        var b = 0
        while b + 1 < nb {
            let p0 = r0 + b * 20, p1 = r1 + b * 20
            acc0.addProduct(nibbleDot(load2(p0, 4, 24), xp + b * 32, bias: two23), halves(f16(p0, 0), f16(p0, 20)))
            acc1.addProduct(nibbleDot(load2(p1, 4, 24), xp + b * 32, bias: two23), halves(f16(p1, 0), f16(p1, 20)))
            m0 += f16(p0, 2) * xsum[b] + f16(p0, 22) * xsum[b + 1]
            m1 += f16(p1, 2) * xsum[b] + f16(p1, 22) * xsum[b + 1]
            b += 2
        }
        var s0 = acc0.sum() + m0, s1 = acc1.sum() + m1
        if b < nb {
            s0 += tailBlock(.q4_1, r0 + b * 20, xp + b * 32)
            s1 += tailBlock(.q4_1, r1 + b * 20, xp + b * 32)
        }
        return (s0, s1)
    }

    /// One row against `count` activation vectors (x'_s at xp + s*n, sums at xsum + s*n/32),
    /// writing out[s*outStride]. Per vector the floating-point operations are exactly those
    /// of `dotQ4_1` / `dotQ4_0`, so a result never depends on what else is in the batch.
    @inline(__always)
    static func dotNibblesMulti(_ row: UnsafeRawPointer, hasMin: Bool, _ xp: UnsafePointer<Float>,
                                _ xsum: UnsafePointer<Float>, _ n: Int, _ count: Int,
                                _ out: UnsafeMutablePointer<Float>, _ outStride: Int,
                                _ acc: UnsafeMutablePointer<SIMD8<Float>>, _ macc: UnsafeMutablePointer<Float>) {
        let bs = hasMin ? 20 : 18, qo = hasMin ? 4 : 2
        let bias = hasMin ? two23 : two23 + 8
        let nb = n / 32
        let mask = SIMD8<UInt32>(repeating: 0xF)
        for s in 0..<count { acc[s] = SIMD8(); macc[s] = 0 }
        var b = 0
        while b + 1 < nb {
            let p = row + b * bs
            let q = load2(p, qo, qo + bs)
            let f0 = asFloat(q & mask) - bias, f1 = asFloat((q &>> 4) & mask) - bias
            let f2 = asFloat((q &>> 8) & mask) - bias, f3 = asFloat((q &>> 12) & mask) - bias
            let f4 = asFloat((q &>> 16) & mask) - bias, f5 = asFloat((q &>> 20) & mask) - bias
            let f6 = asFloat((q &>> 24) & mask) - bias, f7 = asFloat(q &>> 28) - bias
            let scale = halves(f16(p, 0), f16(p, bs))
            let ma: Float = hasMin ? f16(p, 2) : 0, mb: Float = hasMin ? f16(p, bs + 2) : 0
            for s in 0..<count {
                let x = xp + s * n + b * 32
                var d = f0 * x8(x, 0)
                d.addProduct(f1, x8(x, 8)); d.addProduct(f2, x8(x, 16)); d.addProduct(f3, x8(x, 24))
                d.addProduct(f4, x8(x, 32)); d.addProduct(f5, x8(x, 40)); d.addProduct(f6, x8(x, 48))
                d.addProduct(f7, x8(x, 56))
                acc[s].addProduct(d, scale)
                if hasMin { macc[s] += ma * xsum[s * nb + b] + mb * xsum[s * nb + b + 1] }
            }
            b += 2
        }
        for s in 0..<count {
            var r = acc[s].sum() + macc[s]
            if b < nb { r += tailBlock(hasMin ? .q4_1 : .q4_0, row + b * bs, xp + s * n + b * 32) }
            out[s * outStride] = r
        }
    }

    /// Q8_0 against several vectors; per vector exactly the operations of `dotQ8_0`.
    @inline(__always)
    static func dotQ8_0Multi(_ row: UnsafeRawPointer, _ xp: UnsafePointer<Float>, _ n: Int, _ count: Int,
                             _ out: UnsafeMutablePointer<Float>, _ outStride: Int,
                             _ acc: UnsafeMutablePointer<SIMD8<Float>>) {
        let bias = two23 + 128
        let m8 = SIMD8<UInt32>(repeating: 0xFF)
        for s in 0..<count { acc[s] = SIMD8() }
        var p = row
        for b in 0..<(n / 32) {
            let q = p.loadUnaligned(fromByteOffset: 2, as: SIMD8<UInt32>.self) ^ SIMD8(repeating: 0x8080_8080)
            let f0 = asFloat(q & m8) - bias, f1 = asFloat((q &>> 8) & m8) - bias
            let f2 = asFloat((q &>> 16) & m8) - bias, f3 = asFloat(q &>> 24) - bias
            let d = SIMD8<Float>(repeating: f16(p, 0))
            for s in 0..<count {
                let xb = xp + s * n + b * 32
                var v = f0 * x8(xb, 0)
                v.addProduct(f1, x8(xb, 8)); v.addProduct(f2, x8(xb, 16)); v.addProduct(f3, x8(xb, 24))
                acc[s].addProduct(v, d)
            }
            p += 34
        }
        for s in 0..<count { out[s * outStride] = acc[s].sum() }
    }

    /// Q4_0 block (18 bytes): d (f16), 16 bytes of nibbles; w = d*(q-8).
    @inline(__always)
    static func dotQ4_0(_ row: UnsafeRawPointer, _ xp: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        let nb = n / 32
        let bias = two23 + 8
        var b = 0
        while b + 1 < nb {
            let p = row + b * 18
            acc.addProduct(nibbleDot(load2(p, 2, 20), xp + b * 32, bias: bias), halves(f16(p, 0), f16(p, 18)))
            b += 2
        }
        var s = acc.sum()
        if b < nb { s += tailBlock(.q4_0, row + b * 18, xp + b * 32) }
        return s
    }

    /// Q8_0 block (34 bytes): d (f16), 32 signed bytes; w = d*q. Bytes are biased by 128
    /// (xor 0x80) to extract them as unsigned lanes.
    @inline(__always)
    static func dotQ8_0(_ row: UnsafeRawPointer, _ xp: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        let bias = two23 + 128
        let m8 = SIMD8<UInt32>(repeating: 0xFF)
        var p = row
        for b in 0..<(n / 32) {
            let q = p.loadUnaligned(fromByteOffset: 2, as: SIMD8<UInt32>.self) ^ SIMD8(repeating: 0x8080_8080)
            let xb = xp + b * 32
            var s = (asFloat(q & m8) - bias) * x8(xb, 0)
            s.addProduct(asFloat((q &>> 8) & m8) - bias, x8(xb, 8))
            s.addProduct(asFloat((q &>> 16) & m8) - bias, x8(xb, 16))
            s.addProduct(asFloat(q &>> 24) - bias, x8(xb, 24))
            acc.addProduct(s, SIMD8(repeating: f16(p, 0)))
            p += 34
        }
        return acc.sum()
    }

    /// A last unpaired 4-bit block (rows of an odd number of blocks); x' is plain there.
    static func tailBlock(_ type: GGMLType, _ p: UnsafeRawPointer, _ x: UnsafePointer<Float>) -> Float {
        var w = [Float](repeating: 0, count: 32)
        try! w.withUnsafeMutableBufferPointer { try Dequantize.run(type, src: p, count: 32, into: $0.baseAddress!) }
        var s: Float = 0
        for i in 0..<32 { s += w[i] * x[i] }
        return s
    }

    @inline(__always)
    static func dotF32(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let w = row.assumingMemoryBound(to: Float.self)
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n { acc.addProduct(x8(w, i), x8(x, i)); i += 8 }
        var s = acc.sum()
        while i < n { s += w[i] * x[i]; i += 1 }
        return s
    }

    // MARK: row dequantisation for the sgemm path

    static func dequantQ4_1(_ row: UnsafeRawPointer, _ n: Int, _ out: UnsafeMutablePointer<Float>) {
        for b in 0..<(n / 32) {
            let p = row + b * 20
            let d = f16(p, 0), m = f16(p, 2)
            let o = out + b * 32
            for j in 0..<16 {
                let v = p.load(fromByteOffset: 4 + j, as: UInt8.self)
                o[j] = Float(v & 0xF) * d + m
                o[j + 16] = Float(v >> 4) * d + m
            }
        }
    }

    static func dequantQ8_0(_ row: UnsafeRawPointer, _ n: Int, _ out: UnsafeMutablePointer<Float>) {
        for b in 0..<(n / 32) {
            let p = row + b * 34
            let d = f16(p, 0)
            let o = out + b * 32
            for j in 0..<32 { o[j] = Float(p.load(fromByteOffset: 2 + j, as: Int8.self)) * d }
        }
    }
}

/// Which activation layout a weight format's kernel wants.
enum ActivationLayout { case nibbles, bytes, plain }

extension Kernels {
    /// A read prefetch hint (nothing where not built for x86).
    @inline(__always)
    static func prefetch(_ p: UnsafeRawPointer) {
        #if ROLLBOOK_AVX2
        rb_prefetch(p)
        #endif
    }

    /// The same hint into L2 (data wanted a little later, after other work).
    @inline(__always)
    static func prefetchL2(_ p: UnsafeRawPointer) {
        #if ROLLBOOK_AVX2
        rb_prefetch_l2(p)
        #endif
    }

    /// Asks for `bytes` bytes at the start of each of `count` rows `stride` floats apart.
    @inline(__always)
    static func prefetchRows(_ p: UnsafePointer<Float>, count: Int, stride: Int, bytes: Int) {
        for r in 0..<count {
            let row = UnsafeRawPointer(p + r * stride)
            var o = 0
            while o < bytes { prefetchL2(row + o); o += 64 }
        }
    }

    /// Eight F16 values widened to Float (exactly; F16C where built for AVX2).
    @inline(__always)
    static func f16x8(_ src: UnsafeRawPointer) -> SIMD8<Float> {
        #if ROLLBOOK_AVX2
        return _mm256_cvtph_ps(src.loadUnaligned(as: SIMD2<Int64>.self))
        #else
        var v = SIMD8<Float>()
        for i in 0..<8 { v[i] = f16(src, 2 * i) }
        return v
        #endif
    }

    /// n half-precision values to Float: exact conversions, eight at a time with F16C.
    static func f16Row(_ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutablePointer<Float>) {
        var i = 0
        #if ROLLBOOK_AVX2
        while i + 8 <= n {
            let h = src.loadUnaligned(fromByteOffset: 2 * i, as: SIMD2<Int64>.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: _mm256_cvtph_ps(h), as: SIMD8<Float>.self)
            i += 8
        }
        #endif
        while i < n { dst[i] = f16(src, 2 * i); i += 1 }
    }
}
