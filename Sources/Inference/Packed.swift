#if ROLLBOOK_AVX2
import CIntrinsics
#endif
import Foundation
import GGUF
import InferenceVNNI

/// Weights repacked for the integer kernels (numerics v2): rows in groups of eight,
/// interleaved per block of 32 columns so that one 32-byte vector holds four consecutive
/// weights of each of the eight rows, and one integer multiply-add against four broadcast
/// activation bytes advances all eight rows' dot products (the layout ik_llama.cpp calls
/// row-interleaved). Each block of a group is
///   - 4-bit formats (Q4_0, Q4_1): 4 x 32 bytes of nibbles (vector g: columns 4g..4g+3 in
///     the low nibbles, 16+4g..16+4g+3 in the high), the eight rows' scales d (Float), and
///     for Q4_1 their minima m (Float);
///   - Q8_0: 8 x 32 signed bytes (vector k: columns 4k..4k+3), then the eight scales.
/// Rows past the last are zero.
///
/// The arithmetic, per (row, sequence), in block order from acc = 0:
///   S   = exact integer dot product of the block's weight codes and the activation's int8
///         codes (Q4_0: codes 0..15 and S - 8 * sum(x codes));
///   acc = fma(Float(S), d_w * d_x, acc)          (then, Q4_1: acc = fma(m_w, d_x * sum(x codes), acc))
/// so a result depends only on the row and the sequence's own activation, never on the
/// batch, the thread split or the instruction set used for S.
final class PackedWeights: @unchecked Sendable {
    enum Kind { case nibbles, bytes }
    let kind: Kind
    let hasMin: Bool
    /// Subtracted from every weight code (Q4_0's 8).
    let offset: Int32
    let rows: Int, cols: Int, nb: Int, groups: Int
    let blockBytes: Int
    let data: UnsafeMutableRawPointer

    static func supports(_ type: GGMLType, cols: Int) -> Bool {
        cols % 32 == 0 && (type == .q4_0 || type == .q4_1 || type == .q8_0)
    }

    init(_ w: WeightMatrix) {
        rows = w.rows; cols = w.cols; nb = w.cols / 32; groups = (w.rows + 7) / 8
        switch w.type {
        case .q8_0: kind = .bytes; hasMin = false; offset = 0
        case .q4_1: kind = .nibbles; hasMin = true; offset = 0
        default: kind = .nibbles; hasMin = false; offset = 8
        }
        blockBytes = (kind == .bytes ? 256 : 128) + 32 + (hasMin ? 32 : 0)
        let total = groups * nb * blockBytes
        data = .allocate(byteCount: total, alignment: 64)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: total)
        let nb = self.nb, kind = self.kind, hasMin = self.hasMin, bb = blockBytes
        let dst = data
        Parallel.forChunks(groups, minChunk: 8) { gs in
            for g in gs {
                for r in 0..<8 where g * 8 + r < w.rows {
                    let src = w.data + (g * 8 + r) * w.rowBytes
                    for b in 0..<nb {
                        let out = dst + (g * nb + b) * bb
                        let scales = (out + (kind == .bytes ? 256 : 128)).assumingMemoryBound(to: Float.self)
                        switch kind {
                        case .bytes:
                            let blk = src + b * 34
                            scales[r] = Kernels.f16(blk, 0)
                            for k in 0..<8 {
                                for i in 0..<4 {
                                    out.storeBytes(of: blk.load(fromByteOffset: 2 + 4 * k + i, as: UInt8.self),
                                                   toByteOffset: 32 * k + 4 * r + i, as: UInt8.self)
                                }
                            }
                        case .nibbles:
                            let bs = hasMin ? 20 : 18, qo = hasMin ? 4 : 2
                            let blk = src + b * bs
                            scales[r] = Kernels.f16(blk, 0)
                            if hasMin { scales[8 + r] = Kernels.f16(blk, 2) }
                            // GGML's nibble order: byte j holds element j (low) and j + 16 (high).
                            for gq in 0..<4 {
                                for i in 0..<4 {
                                    let byte = blk.load(fromByteOffset: qo + 4 * gq + i, as: UInt8.self)
                                    out.storeBytes(of: byte, toByteOffset: 32 * gq + 4 * r + i, as: UInt8.self)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    deinit { data.deallocate() }

    var byteCount: Int { groups * nb * blockBytes }
}

/// Activation vectors quantised for the integer kernels: per vector and block of 32,
/// d = max|x| / 127, codes round(x / d) (ties to even), their integer sum, and d * sum.
/// A vector's codes depend on that vector alone.
struct QuantizedActivations {
    let q: UnsafeMutablePointer<Int8>
    let d: UnsafeMutablePointer<Float>
    let sums: UnsafeMutablePointer<Float>
    let isums: UnsafeMutablePointer<Int32>

    static func quantize(_ x: UnsafePointer<Float>, _ n: Int, into a: QuantizedActivations, at v: Int) {
        let nb = n / 32
        IntKernels.quantize(x, n, a.q + v * n, a.d + v * nb, a.sums + v * nb, a.isums + v * nb)
    }
}

enum PackedKernels {
    /// The instruction set the integer kernels run on: "vnni" where the CPU and the build
    /// have AVX-512 VNNI, else "avx2". `ROLLBOOK_ISA=avx2` forces the AVX2 kernels (the two
    /// give identical bits; tests compare them).
    static let isa: String = {
        let forced = ProcessInfo.processInfo.environment["ROLLBOOK_ISA"]
        if forced == "avx2" || !VNNIKernels.compiled { return IntKernels.available ? "avx2" : "none" }
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let ok = ["avx512_vnni", "avx512vl", "avx512bw"].allSatisfy { info.contains(" " + $0) }
        return ok ? "vnni" : (IntKernels.available ? "avx2" : "none")
    }()
    nonisolated(unsafe) static var useVNNI = isa == "vnni"

    #if ROLLBOOK_AVX2
    typealias V = SIMD4<Int64>   // __m256i

    @inline(__always) static func ld(_ p: UnsafeRawPointer) -> V { p.loadUnaligned(as: V.self) }
    @inline(__always) static func bcast(_ p: UnsafePointer<Int8>, _ k: Int) -> V {
        unsafeBitCast(SIMD8<Int32>(repeating: UnsafeRawPointer(p + 4 * k).loadUnaligned(as: Int32.self)), to: V.self)
    }
    @inline(__always) static func i32(_ v: V) -> SIMD8<Int32> { unsafeBitCast(v, to: SIMD8<Int32>.self) }
    @inline(__always) static func float(_ v: SIMD8<Int32>) -> SIMD8<Float> {
        _mm256_cvtepi32_ps(unsafeBitCast(v, to: V.self))
    }

    /// Exact S for eight rows: 4-bit codes (eight unpacked vectors w[k], columns 4k..4k+3)
    /// against one block of activation codes. Pair sums of maddubs are at most 2 * 15 * 127
    /// and eight of them fit int16, so the int16 sums are exact before widening.
    @inline(__always)
    static func dotNib(_ w: UnsafePointer<V>, _ x: UnsafePointer<Int8>) -> SIMD8<Int32> {
        var s = _mm256_maddubs_epi16(w[0], bcast(x, 0))
        for k in 1..<8 { s = _mm256_add_epi16(s, _mm256_maddubs_epi16(w[k], bcast(x, k))) }
        return i32(_mm256_madd_epi16(s, _mm256_set1_epi16(1)))
    }

    /// Exact S for eight rows of signed 8-bit codes (|w| unsigned times x with w's sign;
    /// each maddubs pair is at most 2 * 128 * 127, widened to int32 before summing).
    @inline(__always)
    static func dotByte(_ w: UnsafePointer<V>, _ a: UnsafePointer<V>, _ x: UnsafePointer<Int8>) -> SIMD8<Int32> {
        let ones = _mm256_set1_epi16(1)
        var s = i32(_mm256_madd_epi16(_mm256_maddubs_epi16(a[0], _mm256_sign_epi8(bcast(x, 0), w[0])), ones))
        for k in 1..<8 {
            s &+= i32(_mm256_madd_epi16(_mm256_maddubs_epi16(a[k], _mm256_sign_epi8(bcast(x, k), w[k])), ones))
        }
        return s
    }

    /// Unpacks block data of one group into 8 vectors (nibbles) or 8 signed + 8 absolute
    /// vectors (bytes) at t.
    @inline(__always)
    static func unpack(_ nib: Bool, _ blk: UnsafeRawPointer, _ t: UnsafeMutablePointer<V>) {
        if nib {
            let mask = V(repeating: 0x0F0F_0F0F_0F0F_0F0F)
            for g in 0..<4 {
                let raw = ld(blk + 32 * g)
                t[g] = raw & mask
                t[4 + g] = (raw &>> 4) & mask
            }
        } else {
            for k in 0..<8 {
                let raw = ld(blk + 32 * k)
                t[k] = raw
                t[8 + k] = _mm256_abs_epi8(raw)
            }
        }
    }
    #endif

    /// y[s * rows + r] for groups `gs`, all n vectors.
    static func run(_ p: PackedWeights, _ gs: Range<Int>, _ a: QuantizedActivations, n: Int,
                    y: UnsafeMutablePointer<Float>) {
        if useVNNI {
            let j = VNNIKernels.Job(data: UnsafeRawPointer(p.data), nibbles: p.kind == .nibbles, hasMin: p.hasMin,
                                    offset: p.offset, rows: p.rows, cols: p.cols, nb: p.nb, blockBytes: p.blockBytes,
                                    q: a.q, d: a.d, sums: a.sums, isums: a.isums, n: n, y: y)
            VNNIKernels.run(j, groups: gs)
            return
        }
        #if ROLLBOOK_AVX2
        switch (p.kind, p.hasMin) {
        case (.nibbles, true): runKind(p, gs, a, n: n, y: y, nib: true, hasMin: true, off: false)
        case (.nibbles, false): runKind(p, gs, a, n: n, y: y, nib: true, hasMin: false, off: true)
        case (.bytes, _): runKind(p, gs, a, n: n, y: y, nib: false, hasMin: false, off: false)
        }
        #else
        preconditionFailure("integer kernels need AVX2")
        #endif
    }

    #if ROLLBOOK_AVX2
    /// The kernel for one format (the flags are literals at every call, so their branches
    /// fold away): each group's blocks unpacked once into a tile, then four vectors at a time
    /// (the rest one at a time) meet it.
    @inline(__always)
    static func runKind(_ p: PackedWeights, _ gs: Range<Int>, _ a: QuantizedActivations, n: Int,
                        y: UnsafeMutablePointer<Float>, nib: Bool, hasMin: Bool, off: Bool) {
        let nb = p.nb, cols = p.cols, rows = p.rows, bb = p.blockBytes
        let perBlock = nib ? 8 : 16
        let sOff = nib ? 128 : 256
        let offset = SIMD8<Int32>(repeating: p.offset)
        let tile = UnsafeMutablePointer<V>.allocate(capacity: nb * perBlock)
        defer { tile.deallocate() }
        let data = UnsafeRawPointer(p.data)
        let q = UnsafePointer(a.q), d = UnsafePointer(a.d), sums = UnsafePointer(a.sums), isums = UnsafePointer(a.isums)
        @inline(__always) func S(_ t: UnsafePointer<V>, _ v: Int, _ b: Int) -> SIMD8<Float> {
            let x = q + v * cols + 32 * b
            var s = nib ? dotNib(t, x) : dotByte(t, t + 8, x)
            if off { s &-= offset &* SIMD8(repeating: isums[v * nb + b]) }
            return float(s)
        }
        for g in gs {
            let base = data + g * nb * bb
            for b in 0..<nb { unpack(nib, base + b * bb, tile + b * perBlock) }
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
                    let t = UnsafePointer(tile + b * perBlock)
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
                    c0 = c0.addingProduct(S(UnsafePointer(tile + b * perBlock), v, b), dw * d[v * nb + b])
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

/// The lazily built packed copy of a weight matrix (shared by every copy of the struct).
final class PackBox: @unchecked Sendable {
    private let lock = NSLock()
    private var packed: PackedWeights?
    func get(_ w: WeightMatrix) -> PackedWeights {
        lock.lock(); defer { lock.unlock() }
        if let p = packed { return p }
        let p = PackedWeights(w)
        packed = p
        return p
    }
}
