#if ROLLBOOK_VNNI
import CIntrinsics
#endif

/// The integer kernel of `PackedKernels` on CPUs with AVX-512 VNNI (vpdpbusd on 256-bit
/// vectors): the same packed layout, the same exact integer block sums S and the same Float
/// operations in the same order, so results are bit-identical to the AVX2 kernel's. Built
/// with its own CPU flags and called only after a run-time check (`available`).
public enum VNNIKernels {
    #if ROLLBOOK_VNNI
    public static let compiled = true
    #else
    public static let compiled = false
    #endif

    /// What one call computes: groups `groups` of a packed matrix against n quantised vectors
    /// (the layout and arithmetic of `PackedWeights`).
    public struct Job {
        public var data: UnsafeRawPointer
        public var hasMin: Bool, split: Bool
        public var offset: Int32
        public var rows: Int, cols: Int, nb: Int, blockBytes: Int
        public var dOff: Int, hiOff: Int, mOff: Int
        public var q: UnsafePointer<Int8>, d: UnsafePointer<Float>, sums: UnsafePointer<Float>
        public var isums: UnsafePointer<Int32>, isumsLo: UnsafePointer<Int32>
        public var n: Int
        public var y: UnsafeMutablePointer<Float>
        public init(data: UnsafeRawPointer, hasMin: Bool, split: Bool, offset: Int32, rows: Int,
                    cols: Int, nb: Int, blockBytes: Int, dOff: Int, hiOff: Int, mOff: Int,
                    q: UnsafePointer<Int8>, d: UnsafePointer<Float>, sums: UnsafePointer<Float>,
                    isums: UnsafePointer<Int32>, isumsLo: UnsafePointer<Int32>, n: Int, y: UnsafeMutablePointer<Float>) {
            self.data = data; self.hasMin = hasMin; self.split = split; self.offset = offset
            self.rows = rows; self.cols = cols; self.nb = nb; self.blockBytes = blockBytes
            self.dOff = dOff; self.hiOff = hiOff; self.mOff = mOff
            self.q = q; self.d = d; self.sums = sums; self.isums = isums; self.isumsLo = isumsLo; self.n = n; self.y = y
        }
    }

    public static func run(_ j: Job, groups: Range<Int>) {
        #if ROLLBOOK_VNNI
        switch (j.hasMin, j.split) {
        case (_, true): runKind(j, groups, Split.self)
        case (true, false): runKind(j, groups, WithMin.self)
        case (false, false): runKind(j, groups, Plain.self)
        }
        #else
        preconditionFailure("VNNI kernels not built")
        #endif
    }

    #if ROLLBOOK_VNNI
    typealias V = SIMD4<Int64>

    /// A format's kernel variant as a type, so each variant is compiled (specialised) with its
    /// flags as constants.
    protocol Variant { static var hasMin: Bool { get }; static var split: Bool { get } }
    enum Plain: Variant { static let hasMin = false; static let split = false }
    enum WithMin: Variant { static let hasMin = true; static let split = false }
    enum Split: Variant { static let hasMin = false; static let split = true }

    @inline(__always) static func bcast(_ p: UnsafePointer<Int8>, _ k: Int) -> V {
        unsafeBitCast(SIMD8<Int32>(repeating: UnsafeRawPointer(p + 4 * k).loadUnaligned(as: Int32.self)), to: V.self)
    }

    /// Exact S' of eight rows over vectors ks (unsigned codes; columns 4k..4k+3 in t[k]).
    @inline(__always) static func dot(_ t: UnsafePointer<V>, _ x: UnsafePointer<Int8>, _ k0: Int, _ count: Int) -> V {
        var a = rb_dpbusd256(_mm256_setzero_si256(), t[k0], bcast(x, k0))
        var b = rb_dpbusd256(_mm256_setzero_si256(), t[k0 + 1], bcast(x, k0 + 1))
        var k = k0 + 2
        while k < k0 + count {
            a = rb_dpbusd256(a, t[k], bcast(x, k)); b = rb_dpbusd256(b, t[k + 1], bcast(x, k + 1))
            k += 2
        }
        return _mm256_add_epi32(a, b)
    }

    /// Codes are unsigned bytes in memory (`PackedWeights.direct`): each block's eight
    /// vectors are read straight into vpdpbusd, and S = S' - offset * sum(x codes).
    static func runKind<F: Variant>(_ j: Job, _ gs: Range<Int>, _: F.Type) {
        let hasMin = F.hasMin, split = F.split
        let nb = j.nb, cols = j.cols, rows = j.rows, bb = j.blockBytes
        let dOff = j.dOff, hiOff = j.hiOff, mOff = j.mOff
        let off = j.offset
        let q = j.q, d = j.d, sums = j.sums, isums = j.isums, isumsLo = j.isumsLo, n = j.n, y = j.y
        @inline(__always) func corrected(_ s: V, _ xsum: Int32) -> SIMD8<Float> {
            _mm256_cvtepi32_ps(off == 0 ? s : _mm256_sub_epi32(s, _mm256_set1_epi32(off &* xsum)))
        }
        @inline(__always) func step(_ acc: inout SIMD8<Float>, _ t: UnsafePointer<V>, _ v: Int, _ b: Int,
                                    _ dw: SIMD8<Float>, _ dhi: SIMD8<Float>, _ mw: SIMD8<Float>) {
            let x = q + v * cols + 32 * b
            let dx = d[v * nb + b]
            if split {
                let lo = isumsLo[v * nb + b]
                acc = acc.addingProduct(corrected(dot(t, x, 0, 4), lo), dw * dx)
                acc = acc.addingProduct(corrected(dot(t, x, 4, 4), isums[v * nb + b] &- lo), dhi * dx)
            } else {
                acc = acc.addingProduct(corrected(dot(t, x, 0, 8), isums[v * nb + b]), dw * dx)
            }
            if hasMin { acc = acc.addingProduct(mw, SIMD8(repeating: sums[v * nb + b])) }
        }
        for g in gs {
            let base = j.data + g * nb * bb
            @inline(__always) func codes(_ b: Int) -> UnsafePointer<V> {
                (base + b * bb).assumingMemoryBound(to: V.self)
            }
            let live = min(8, rows - g * 8)
            @inline(__always) func put(_ acc: SIMD8<Float>, _ v: Int) {
                let yo = y + v * rows + g * 8
                if live == 8 { for r in 0..<8 { yo[r] = acc[r] } } else { for r in 0..<live { yo[r] = acc[r] } }
            }
            @inline(__always) func scales(_ blk: UnsafeRawPointer) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
                (blk.loadUnaligned(fromByteOffset: dOff, as: SIMD8<Float>.self),
                 split ? blk.loadUnaligned(fromByteOffset: hiOff, as: SIMD8<Float>.self) : SIMD8(),
                 hasMin ? blk.loadUnaligned(fromByteOffset: mOff, as: SIMD8<Float>.self) : SIMD8())
            }
            var v = 0
            while v + 4 <= n {
                var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
                for b in 0..<nb {
                    let (dw, dhi, mw) = scales(base + b * bb)
                    let t = codes(b)
                    step(&c0, t, v, b, dw, dhi, mw); step(&c1, t, v + 1, b, dw, dhi, mw)
                    step(&c2, t, v + 2, b, dw, dhi, mw); step(&c3, t, v + 3, b, dw, dhi, mw)
                }
                put(c0, v); put(c1, v + 1); put(c2, v + 2); put(c3, v + 3)
                v += 4
            }
            while v < n {
                var c0 = SIMD8<Float>()
                for b in 0..<nb {
                    let (dw, dhi, mw) = scales(base + b * bb)
                    step(&c0, codes(b), v, b, dw, dhi, mw)
                }
                put(c0, v)
                v += 1
            }
        }
    }
    #endif

    /// Float weight rows (a tile decoded to Float, `cols` apart) against `count` vectors
    /// (`cols` apart): Y[s * rows + r0 + i]. With 32 vector registers the pairs go in blocks
    /// of 4 rows x 4 vectors (16 accumulators; leftovers 4 x 1 and 1 x 1). Each (row, vector)
    /// pair is one 8-lane accumulator over the columns in order, then its lanes summed: the
    /// operations of the AVX2 path's 4 x 2 blocks, so the bits are the same.
    public static func floatTile(_ w: UnsafePointer<Float>, cols: Int, tileRows tr: Int, _ x: UnsafePointer<Float>,
                                 count: Int, _ y: UnsafeMutablePointer<Float>, rows: Int, r0: Int) {
        #if ROLLBOOK_VNNI
        @inline(__always) func ld(_ p: UnsafePointer<Float>, _ o: Int) -> SIMD8<Float> {
            UnsafeRawPointer(p + o).loadUnaligned(as: SIMD8<Float>.self)
        }
        let quads = tr / 4
        var s = 0
        while s + 4 <= count {
            let x0 = x + s * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols
            for g in 0..<quads {
                let w0 = w + 4 * g * cols, w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols
                var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a02 = SIMD8<Float>(), a03 = SIMD8<Float>()
                var a10 = SIMD8<Float>(), a11 = SIMD8<Float>(), a12 = SIMD8<Float>(), a13 = SIMD8<Float>()
                var a20 = SIMD8<Float>(), a21 = SIMD8<Float>(), a22 = SIMD8<Float>(), a23 = SIMD8<Float>()
                var a30 = SIMD8<Float>(), a31 = SIMD8<Float>(), a32 = SIMD8<Float>(), a33 = SIMD8<Float>()
                var o = 0
                while o + 8 <= cols {
                    let v0 = ld(x0, o), v1 = ld(x1, o), v2 = ld(x2, o), v3 = ld(x3, o)
                    let r = ld(w0, o)
                    a00.addProduct(r, v0); a01.addProduct(r, v1); a02.addProduct(r, v2); a03.addProduct(r, v3)
                    let r1 = ld(w1, o)
                    a10.addProduct(r1, v0); a11.addProduct(r1, v1); a12.addProduct(r1, v2); a13.addProduct(r1, v3)
                    let r2 = ld(w2, o)
                    a20.addProduct(r2, v0); a21.addProduct(r2, v1); a22.addProduct(r2, v2); a23.addProduct(r2, v3)
                    let r3 = ld(w3, o)
                    a30.addProduct(r3, v0); a31.addProduct(r3, v1); a32.addProduct(r3, v2); a33.addProduct(r3, v3)
                    o += 8
                }
                let base = r0 + 4 * g
                y[s * rows + base] = a00.sum(); y[(s + 1) * rows + base] = a01.sum()
                y[(s + 2) * rows + base] = a02.sum(); y[(s + 3) * rows + base] = a03.sum()
                y[s * rows + base + 1] = a10.sum(); y[(s + 1) * rows + base + 1] = a11.sum()
                y[(s + 2) * rows + base + 1] = a12.sum(); y[(s + 3) * rows + base + 1] = a13.sum()
                y[s * rows + base + 2] = a20.sum(); y[(s + 1) * rows + base + 2] = a21.sum()
                y[(s + 2) * rows + base + 2] = a22.sum(); y[(s + 3) * rows + base + 2] = a23.sum()
                y[s * rows + base + 3] = a30.sum(); y[(s + 1) * rows + base + 3] = a31.sum()
                y[(s + 2) * rows + base + 3] = a32.sum(); y[(s + 3) * rows + base + 3] = a33.sum()
            }
            for i in (4 * quads)..<tr { for v in 0..<4 { y[(s + v) * rows + r0 + i] = dot1(w + i * cols, x + (s + v) * cols, cols) } }
            s += 4
        }
        while s < count {
            let xs = x + s * cols
            for g in 0..<quads {
                let w0 = w + 4 * g * cols, w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                var o = 0
                while o + 8 <= cols {
                    let v = ld(xs, o)
                    a0.addProduct(ld(w0, o), v); a1.addProduct(ld(w1, o), v)
                    a2.addProduct(ld(w2, o), v); a3.addProduct(ld(w3, o), v)
                    o += 8
                }
                let base = s * rows + r0 + 4 * g
                y[base] = a0.sum(); y[base + 1] = a1.sum(); y[base + 2] = a2.sum(); y[base + 3] = a3.sum()
            }
            for i in (4 * quads)..<tr { y[s * rows + r0 + i] = dot1(w + i * cols, xs, cols) }
            s += 1
        }
        #else
        preconditionFailure("VNNI kernels not built")
        #endif
    }

    /// One group of eight F16 rows in the interleaved layout (row i's columns o..<o+8 at byte
    /// 16 * o + 16 * i from `g`; the first `tr` rows real) against `count` vectors, the halves
    /// widened in registers as they are used: the operations of `floatTile` over the widened
    /// tile (4 x 4 blocks, each (row, vector) pair one 8-lane accumulator over the columns in
    /// order, then its lanes summed), so the same bits, without writing the tile out.
    /// `prefetch`: `lines` cache lines from there (the next group) are asked into L2 one per
    /// step of the blocks, so they arrive while this group is multiplied.
    public static func f16Group(_ g: UnsafeRawPointer, cols: Int, tileRows tr: Int, _ x: UnsafePointer<Float>,
                                count: Int, _ y: UnsafeMutablePointer<Float>, rows: Int, r0: Int,
                                prefetch: UnsafeRawPointer?, lines: Int) {
        #if ROLLBOOK_VNNI
        @inline(__always) func ld(_ p: UnsafePointer<Float>, _ o: Int) -> SIMD8<Float> {
            UnsafeRawPointer(p + o).loadUnaligned(as: SIMD8<Float>.self)
        }
        @inline(__always) func wv(_ i: Int, _ o: Int) -> SIMD8<Float> {
            _mm256_cvtph_ps(g.loadUnaligned(fromByteOffset: 16 * o + 16 * i, as: SIMD2<Int64>.self))
        }
        var pf = prefetch ?? g, left = prefetch == nil ? 0 : lines
        let quads = tr / 4
        var s = 0
        while s + 4 <= count {
            let x0 = x + s * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols
            for q in 0..<quads {
                let i0 = 4 * q
                var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a02 = SIMD8<Float>(), a03 = SIMD8<Float>()
                var a10 = SIMD8<Float>(), a11 = SIMD8<Float>(), a12 = SIMD8<Float>(), a13 = SIMD8<Float>()
                var a20 = SIMD8<Float>(), a21 = SIMD8<Float>(), a22 = SIMD8<Float>(), a23 = SIMD8<Float>()
                var a30 = SIMD8<Float>(), a31 = SIMD8<Float>(), a32 = SIMD8<Float>(), a33 = SIMD8<Float>()
                var o = 0
                while o + 8 <= cols {
                    if left > 0 { rb_prefetch_l2(pf); pf += 64; left -= 1 }
                    let v0 = ld(x0, o), v1 = ld(x1, o), v2 = ld(x2, o), v3 = ld(x3, o)
                    let r = wv(i0, o)
                    a00.addProduct(r, v0); a01.addProduct(r, v1); a02.addProduct(r, v2); a03.addProduct(r, v3)
                    let r1 = wv(i0 + 1, o)
                    a10.addProduct(r1, v0); a11.addProduct(r1, v1); a12.addProduct(r1, v2); a13.addProduct(r1, v3)
                    let r2 = wv(i0 + 2, o)
                    a20.addProduct(r2, v0); a21.addProduct(r2, v1); a22.addProduct(r2, v2); a23.addProduct(r2, v3)
                    let r3 = wv(i0 + 3, o)
                    a30.addProduct(r3, v0); a31.addProduct(r3, v1); a32.addProduct(r3, v2); a33.addProduct(r3, v3)
                    o += 8
                }
                let base = r0 + i0
                y[s * rows + base] = a00.sum(); y[(s + 1) * rows + base] = a01.sum()
                y[(s + 2) * rows + base] = a02.sum(); y[(s + 3) * rows + base] = a03.sum()
                y[s * rows + base + 1] = a10.sum(); y[(s + 1) * rows + base + 1] = a11.sum()
                y[(s + 2) * rows + base + 1] = a12.sum(); y[(s + 3) * rows + base + 1] = a13.sum()
                y[s * rows + base + 2] = a20.sum(); y[(s + 1) * rows + base + 2] = a21.sum()
                y[(s + 2) * rows + base + 2] = a22.sum(); y[(s + 3) * rows + base + 2] = a23.sum()
                y[s * rows + base + 3] = a30.sum(); y[(s + 1) * rows + base + 3] = a31.sum()
                y[(s + 2) * rows + base + 3] = a32.sum(); y[(s + 3) * rows + base + 3] = a33.sum()
            }
            s += 4
        }
        // Leftover vectors (count % 4) four rows at a time; leftover rows (tr % 4) alone.
        while s < count {
            let xs = x + s * cols
            for q in 0..<quads {
                let i0 = 4 * q
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                var o = 0
                while o + 8 <= cols {
                    let v = ld(xs, o)
                    a0.addProduct(wv(i0, o), v); a1.addProduct(wv(i0 + 1, o), v)
                    a2.addProduct(wv(i0 + 2, o), v); a3.addProduct(wv(i0 + 3, o), v)
                    o += 8
                }
                let base = s * rows + r0 + i0
                y[base] = a0.sum(); y[base + 1] = a1.sum(); y[base + 2] = a2.sum(); y[base + 3] = a3.sum()
            }
            s += 1
        }
        for i in (4 * quads)..<tr {
            for s in 0..<count {
                let xs = x + s * cols
                var a = SIMD8<Float>()
                var o = 0
                while o + 8 <= cols { a.addProduct(wv(i, o), ld(xs, o)); o += 8 }
                y[s * rows + r0 + i] = a.sum()
            }
        }
        #else
        preconditionFailure("VNNI kernels not built")
        #endif
    }

    #if ROLLBOOK_VNNI
    @inline(__always)
    static func dot1(_ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var a = SIMD8<Float>()
        var o = 0
        while o + 8 <= n {
            a.addProduct(UnsafeRawPointer(w + o).loadUnaligned(as: SIMD8<Float>.self),
                         UnsafeRawPointer(x + o).loadUnaligned(as: SIMD8<Float>.self))
            o += 8
        }
        return a.sum()
    }
    #endif
}
