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
}
