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

    /// What one call computes: groups `groups` of a packed matrix against n quantised vectors.
    public struct Job {
        public var data: UnsafeRawPointer
        public var nibbles: Bool, hasMin: Bool
        public var offset: Int32
        public var rows: Int, cols: Int, nb: Int, blockBytes: Int
        public var q: UnsafePointer<Int8>, d: UnsafePointer<Float>, sums: UnsafePointer<Float>
        public var isums: UnsafePointer<Int32>
        public var n: Int
        public var y: UnsafeMutablePointer<Float>
        public init(data: UnsafeRawPointer, nibbles: Bool, hasMin: Bool, offset: Int32, rows: Int, cols: Int, nb: Int,
                    blockBytes: Int, q: UnsafePointer<Int8>, d: UnsafePointer<Float>, sums: UnsafePointer<Float>,
                    isums: UnsafePointer<Int32>, n: Int, y: UnsafeMutablePointer<Float>) {
            self.data = data; self.nibbles = nibbles; self.hasMin = hasMin; self.offset = offset
            self.rows = rows; self.cols = cols; self.nb = nb; self.blockBytes = blockBytes
            self.q = q; self.d = d; self.sums = sums; self.isums = isums; self.n = n; self.y = y
        }
    }

    public static func run(_ j: Job, groups: Range<Int>) {
        #if ROLLBOOK_VNNI
        switch (j.nibbles, j.hasMin) {
        case (true, true): runKind(j, groups, nib: true, hasMin: true)
        case (true, false): runKind(j, groups, nib: true, hasMin: false)
        default: runKind(j, groups, nib: false, hasMin: false)
        }
        #else
        preconditionFailure("VNNI kernels not built")
        #endif
    }

    #if ROLLBOOK_VNNI
    typealias V = SIMD4<Int64>

    @inline(__always) static func bcast(_ p: UnsafePointer<Int8>, _ k: Int) -> V {
        unsafeBitCast(SIMD8<Int32>(repeating: UnsafeRawPointer(p + 4 * k).loadUnaligned(as: Int32.self)), to: V.self)
    }

    /// Exact S of eight rows (unsigned codes in t[0..<8], columns 4k..4k+3 in t[k]).
    @inline(__always) static func dot(_ t: UnsafePointer<V>, _ x: UnsafePointer<Int8>) -> V {
        var a = rb_dpbusd256(_mm256_setzero_si256(), t[0], bcast(x, 0))
        var b = rb_dpbusd256(_mm256_setzero_si256(), t[1], bcast(x, 1))
        a = rb_dpbusd256(a, t[2], bcast(x, 2)); b = rb_dpbusd256(b, t[3], bcast(x, 3))
        a = rb_dpbusd256(a, t[4], bcast(x, 4)); b = rb_dpbusd256(b, t[5], bcast(x, 5))
        a = rb_dpbusd256(a, t[6], bcast(x, 6)); b = rb_dpbusd256(b, t[7], bcast(x, 7))
        return _mm256_add_epi32(a, b)
    }

    @inline(__always)
    static func runKind(_ j: Job, _ gs: Range<Int>, nib: Bool, hasMin: Bool) {
        let nb = j.nb, cols = j.cols, rows = j.rows, bb = j.blockBytes
        let sOff = nib ? 128 : 256
        // Signed bytes are stored +128 in the tile (unsigned), S = S' - 128 sum(x).
        let off = nib ? j.offset : 128
        let offset = _mm256_set1_epi32(off)
        let tile = UnsafeMutablePointer<V>.allocate(capacity: nb * 8)
        defer { tile.deallocate() }
        let q = j.q, d = j.d, sums = j.sums, isums = j.isums, n = j.n, y = j.y
        let mask = V(repeating: 0x0F0F_0F0F_0F0F_0F0F), flip = V(repeating: Int64(bitPattern: 0x8080_8080_8080_8080))
        @inline(__always) func S(_ t: UnsafePointer<V>, _ v: Int, _ b: Int) -> SIMD8<Float> {
            var s = dot(t, q + v * cols + 32 * b)
            if off != 0 { s = _mm256_sub_epi32(s, _mm256_mullo_epi32(offset, _mm256_set1_epi32(isums[v * nb + b]))) }
            return _mm256_cvtepi32_ps(s)
        }
        for g in gs {
            let base = j.data + g * nb * bb
            for b in 0..<nb {
                let blk = base + b * bb, t = tile + b * 8
                if nib {
                    for k in 0..<4 {
                        let raw = blk.loadUnaligned(fromByteOffset: 32 * k, as: V.self)
                        t[k] = raw & mask; t[4 + k] = (raw &>> 4) & mask
                    }
                } else {
                    for k in 0..<8 { t[k] = blk.loadUnaligned(fromByteOffset: 32 * k, as: V.self) ^ flip }
                }
            }
            let live = min(8, rows - g * 8)
            @inline(__always) func put(_ acc: SIMD8<Float>, _ v: Int) {
                let yo = y + v * rows + g * 8
                if live == 8 { for r in 0..<8 { yo[r] = acc[r] } } else { for r in 0..<live { yo[r] = acc[r] } }
            }
            var v = 0
            while v + 4 <= n {
                var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
                for b in 0..<nb {
                    let blk = base + b * bb
                    let dw = blk.loadUnaligned(fromByteOffset: sOff, as: SIMD8<Float>.self)
                    let t = UnsafePointer(tile + b * 8)
                    c0 = c0.addingProduct(S(t, v, b), dw * d[v * nb + b])
                    c1 = c1.addingProduct(S(t, v + 1, b), dw * d[(v + 1) * nb + b])
                    c2 = c2.addingProduct(S(t, v + 2, b), dw * d[(v + 2) * nb + b])
                    c3 = c3.addingProduct(S(t, v + 3, b), dw * d[(v + 3) * nb + b])
                    if hasMin {
                        let mw = blk.loadUnaligned(fromByteOffset: sOff + 32, as: SIMD8<Float>.self)
                        c0 = c0.addingProduct(mw, SIMD8(repeating: sums[v * nb + b]))
                        c1 = c1.addingProduct(mw, SIMD8(repeating: sums[(v + 1) * nb + b]))
                        c2 = c2.addingProduct(mw, SIMD8(repeating: sums[(v + 2) * nb + b]))
                        c3 = c3.addingProduct(mw, SIMD8(repeating: sums[(v + 3) * nb + b]))
                    }
                }
                put(c0, v); put(c1, v + 1); put(c2, v + 2); put(c3, v + 3)
                v += 4
            }
            while v < n {
                var c0 = SIMD8<Float>()
                for b in 0..<nb {
                    let blk = base + b * bb
                    let dw = blk.loadUnaligned(fromByteOffset: sOff, as: SIMD8<Float>.self)
                    c0 = c0.addingProduct(S(UnsafePointer(tile + b * 8), v, b), dw * d[v * nb + b])
                    if hasMin {
                        let mw = blk.loadUnaligned(fromByteOffset: sOff + 32, as: SIMD8<Float>.self)
                        c0 = c0.addingProduct(mw, SIMD8(repeating: sums[v * nb + b]))
                    }
                }
                put(c0, v)
                v += 1
            }
        }
    }
    #endif
}
