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
                put4x4(y, rows: rows, s: s, base: base, (a00, a01, a02, a03), (a10, a11, a12, a13),
                       (a20, a21, a22, a23), (a30, a31, a32, a33))
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
        // Eight halves widened (h), eight Floats (f), at a byte offset from a pointer.
        @inline(__always) func h(_ p: UnsafeRawPointer, _ at: Int) -> SIMD8<Float> {
            _mm256_cvtph_ps(p.loadUnaligned(fromByteOffset: at, as: SIMD2<Int64>.self))
        }
        @inline(__always) func f(_ p: UnsafeRawPointer, _ at: Int) -> SIMD8<Float> {
            p.loadUnaligned(fromByteOffset: at, as: SIMD8<Float>.self)
        }
        @inline(__always) func wv(_ i: Int, _ o: Int) -> SIMD8<Float> { h(g, 16 * o + 16 * i) }
        @inline(__always) func ld(_ p: UnsafePointer<Float>, _ o: Int) -> SIMD8<Float> { f(UnsafeRawPointer(p), 4 * o) }
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
                // Pointers stepped through the columns (no offsets recomputed per step); the
                // vectors' four rows at fixed distances from one pointer.
                var pw = g + 16 * i0, px = UnsafeRawPointer(x0)
                let c1 = 4 * cols, c2 = 8 * cols, c3 = 12 * cols
                for _ in 0..<(cols / 8) {
                    if left > 0 { rb_prefetch_l2(pf); pf += 64; left &-= 1 }
                    let v0 = f(px, 0), v1 = f(px, c1), v2 = f(px, c2), v3 = f(px, c3)
                    let r = h(pw, 0)
                    a00.addProduct(r, v0); a01.addProduct(r, v1); a02.addProduct(r, v2); a03.addProduct(r, v3)
                    let r1 = h(pw, 16)
                    a10.addProduct(r1, v0); a11.addProduct(r1, v1); a12.addProduct(r1, v2); a13.addProduct(r1, v3)
                    let r2 = h(pw, 32)
                    a20.addProduct(r2, v0); a21.addProduct(r2, v1); a22.addProduct(r2, v2); a23.addProduct(r2, v3)
                    let r3 = h(pw, 48)
                    a30.addProduct(r3, v0); a31.addProduct(r3, v1); a32.addProduct(r3, v2); a33.addProduct(r3, v3)
                    pw += 128; px += 32
                }
                let base = r0 + i0
                put4x4(y, rows: rows, s: s, base: base, (a00, a01, a02, a03), (a10, a11, a12, a13),
                       (a20, a21, a22, a23), (a30, a31, a32, a33))
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

    /// Lane i = the pairwise tree sum of v_i, ((v0 + v1) + (v2 + v3)) + ((v4 + v5) + (v6 + v7)),
    /// through even/odd shuffles. Inlined into each caller (and compiled with its flags): the
    /// Inference module's scores use it too.
    @inlinable @inline(__always)
    public static func sum8(_ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, _ v3: SIMD8<Float>,
                            _ v4: SIMD8<Float>, _ v5: SIMD8<Float>, _ v6: SIMD8<Float>, _ v7: SIMD8<Float>) -> SIMD8<Float> {
        @inline(__always) func pair(_ x: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> {
            let z = SIMD16<Float>(lowHalf: x, highHalf: y)
            return z.evenHalf + z.oddHalf
        }
        return pair(pair(pair(v0, v1), pair(v2, v3)), pair(pair(v4, v5), pair(v6, v7)))
    }

    typealias Four = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)

    /// A 4 x 4 block's results: y[(s + v) * rows + base + i] = the lane sum of rows i's
    /// accumulator for vector v (a, b, c, d: rows 0 to 3, each vectors 0 to 3), summed in
    /// `.sum()`'s order eight at a time (`rb_lane_sums8`: vectors v and v + 1's four rows).
    @inline(__always)
    static func put4x4(_ y: UnsafeMutablePointer<Float>, rows: Int, s: Int, base: Int,
                       _ a: Four, _ b: Four, _ c: Four, _ d: Four) {
        #if ROLLBOOK_VNNI
        @inline(__always) func two(_ v: Int, _ r: SIMD8<Float>) {
            UnsafeMutableRawPointer(y + (s + v) * rows + base).storeBytes(of: r.lowHalf, as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(y + (s + v + 1) * rows + base).storeBytes(of: r.highHalf, as: SIMD4<Float>.self)
        }
        two(0, rb_lane_sums8(a.0, b.0, c.0, d.0, a.1, b.1, c.1, d.1))
        two(2, rb_lane_sums8(a.2, b.2, c.2, d.2, a.3, b.3, c.3, d.3))
        #else
        @inline(__always) func row(_ r: Four, _ i: Int) {
            y[s * rows + base + i] = r.0.sum(); y[(s + 1) * rows + base + i] = r.1.sum()
            y[(s + 2) * rows + base + i] = r.2.sum(); y[(s + 3) * rows + base + i] = r.3.sum()
        }
        row(a, 0); row(b, 1); row(c, 2); row(d, 3)
        #endif
    }

    /// Attention scores of three query heads (q, q + hd, q + 2 hd) against key rows `stride`
    /// apart, eight keys at a time: s[i * sStride + p] = scale * (q_i . k_p). Per (head, key)
    /// one 8-lane accumulator over the head dimension in order, its lanes summed as a pairwise
    /// tree: `Ops.scoreRows`'s operations, each key load shared by the three heads (24
    /// accumulators in AVX-512's 32 registers). Returns how many keys it did (a multiple of 8;
    /// the caller scores the rest).
    public static func scores3(_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ count: Int, _ stride: Int,
                               _ hd: Int, _ scale: Float, _ s: UnsafeMutablePointer<Float>, _ sStride: Int) -> Int {
        #if ROLLBOOK_VNNI
        @inline(__always) func ld(_ p: UnsafePointer<Float>, _ o: Int) -> SIMD8<Float> {
            UnsafeRawPointer(p + o).loadUnaligned(as: SIMD8<Float>.self)
        }
        let q1 = q + hd, q2 = q1 + hd
        var p = 0
        while p + 8 <= count {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>()
            var b0 = SIMD8<Float>(), b1 = SIMD8<Float>(), b2 = SIMD8<Float>(), b3 = SIMD8<Float>()
            var b4 = SIMD8<Float>(), b5 = SIMD8<Float>(), b6 = SIMD8<Float>(), b7 = SIMD8<Float>()
            var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
            var c4 = SIMD8<Float>(), c5 = SIMD8<Float>(), c6 = SIMD8<Float>(), c7 = SIMD8<Float>()
            let r0 = k + p * stride
            // Key rows three blocks ahead asked for while this block is scored, one row per
            // step (the rows come from memory: a block's work is shorter than its latency).
            var j = 0
            while j < hd {
                if j < 64 && p + 24 + j / 8 < count {
                    prefetchRow(r0 + (24 + j / 8) * stride, hd)
                }
                let x = ld(q, j), y = ld(q1, j), z = ld(q2, j)
                var r = ld(r0, j)
                a0.addProduct(r, x); b0.addProduct(r, y); c0.addProduct(r, z)
                r = ld(r0 + stride, j); a1.addProduct(r, x); b1.addProduct(r, y); c1.addProduct(r, z)
                r = ld(r0 + 2 * stride, j); a2.addProduct(r, x); b2.addProduct(r, y); c2.addProduct(r, z)
                r = ld(r0 + 3 * stride, j); a3.addProduct(r, x); b3.addProduct(r, y); c3.addProduct(r, z)
                r = ld(r0 + 4 * stride, j); a4.addProduct(r, x); b4.addProduct(r, y); c4.addProduct(r, z)
                r = ld(r0 + 5 * stride, j); a5.addProduct(r, x); b5.addProduct(r, y); c5.addProduct(r, z)
                r = ld(r0 + 6 * stride, j); a6.addProduct(r, x); b6.addProduct(r, y); c6.addProduct(r, z)
                r = ld(r0 + 7 * stride, j); a7.addProduct(r, x); b7.addProduct(r, y); c7.addProduct(r, z)
                j += 8
            }
            let sc = SIMD8<Float>(repeating: scale)
            UnsafeMutableRawPointer(s + p).storeBytes(of: sum8(a0, a1, a2, a3, a4, a5, a6, a7) * sc, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(s + sStride + p).storeBytes(of: sum8(b0, b1, b2, b3, b4, b5, b6, b7) * sc,
                                                                as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(s + 2 * sStride + p).storeBytes(of: sum8(c0, c1, c2, c3, c4, c5, c6, c7) * sc,
                                                                    as: SIMD8<Float>.self)
            p += 8
        }
        return p
        #else
        preconditionFailure("VNNI kernels not built")
        #endif
    }

    /// out[i * hd + c] += sum over p of w[i * wStride + p] * v_p[c] for three heads, value rows
    /// `stride` apart (hd a multiple of 32). Per (head, 8-lane slice of the head) one
    /// accumulator, loaded from `out`, a fused multiply-add per position in order, stored
    /// back: `Ops.attend`'s operations, each value load shared by the three heads.
    public static func values3(_ w: UnsafePointer<Float>, _ wStride: Int, _ v: UnsafePointer<Float>, _ count: Int,
                               _ stride: Int, _ hd: Int, _ out: UnsafeMutablePointer<Float>) {
        #if ROLLBOOK_VNNI
        @inline(__always) func ld(_ p: UnsafePointer<Float>, _ o: Int) -> SIMD8<Float> {
            UnsafeRawPointer(p + o).loadUnaligned(as: SIMD8<Float>.self)
        }
        @inline(__always) func st(_ x: SIMD8<Float>, _ o: Int) {
            UnsafeMutableRawPointer(out + o).storeBytes(of: x, as: SIMD8<Float>.self)
        }
        let w1 = w + wStride, w2 = w1 + wStride
        var c = 0
        while c + 32 <= hd {
            var a0 = ld(out, c), a1 = ld(out, c + 8), a2 = ld(out, c + 16), a3 = ld(out, c + 24)
            var b0 = ld(out, hd + c), b1 = ld(out, hd + c + 8), b2 = ld(out, hd + c + 16), b3 = ld(out, hd + c + 24)
            var d0 = ld(out, 2 * hd + c), d1 = ld(out, 2 * hd + c + 8)
            var d2 = ld(out, 2 * hd + c + 16), d3 = ld(out, 2 * hd + c + 24)
            var r = UnsafePointer(v + c)
            for p in 0..<count {
                if c == 0 && p + 16 < count {
                    // The head's whole row (every pass), sixteen positions ahead.
                    prefetchRow(r + 16 * stride, hd)
                }
                let x = SIMD8<Float>(repeating: w[p]), y = SIMD8<Float>(repeating: w1[p]), z = SIMD8<Float>(repeating: w2[p])
                var t = ld(r, 0); a0.addProduct(x, t); b0.addProduct(y, t); d0.addProduct(z, t)
                t = ld(r, 8); a1.addProduct(x, t); b1.addProduct(y, t); d1.addProduct(z, t)
                t = ld(r, 16); a2.addProduct(x, t); b2.addProduct(y, t); d2.addProduct(z, t)
                t = ld(r, 24); a3.addProduct(x, t); b3.addProduct(y, t); d3.addProduct(z, t)
                r += stride
            }
            st(a0, c); st(a1, c + 8); st(a2, c + 16); st(a3, c + 24)
            st(b0, hd + c); st(b1, hd + c + 8); st(b2, hd + c + 16); st(b3, hd + c + 24)
            st(d0, 2 * hd + c); st(d1, 2 * hd + c + 8); st(d2, 2 * hd + c + 16); st(d3, 2 * hd + c + 24)
            c += 32
        }
        #else
        preconditionFailure("VNNI kernels not built")
        #endif
    }

    #if ROLLBOOK_VNNI
    /// Asks for the n Floats of a row (a head's keys or values) into every cache level.
    @inline(__always)
    static func prefetchRow(_ p: UnsafePointer<Float>, _ n: Int) {
        var o = 0
        while o < 4 * n { rb_prefetch(UnsafeRawPointer(p) + o); o += 64 }
    }

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
