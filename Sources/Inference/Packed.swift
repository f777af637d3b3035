#if ROLLBOOK_AVX2
import CIntrinsics
#endif
import Foundation
import Synchronization
import GGUF
import InferenceVNNI

/// Weights repacked for the integer kernels (numerics v2): rows in groups of eight,
/// interleaved per block of 32 columns so that one 32-byte vector holds four consecutive
/// weights of each of the eight rows, and one integer multiply-add against four broadcast
/// activation bytes advances all eight rows' dot products (the layout ik_llama.cpp calls
/// row-interleaved). Each block of a group holds the eight rows' codes, then Float scales:
///   - nibbles (Q4_0, Q4_1, Q4_K): 4 x 32 bytes (vector g: columns 4g..4g+3 in the low
///     nibbles, 16+4g..16+4g+3 in the high), codes 0..15;
///   - bytes (Q8_0, Q5_0, Q5_1, Q5_K, Q6_K): 8 x 32 signed bytes (vector k: columns 4k..4k+3);
///   - direct (the VNNI kernel's layout, any format): 8 x 32 unsigned bytes, code + 128 for
///     formats with signed codes (the bias joins Q4_0's 8 in `offset`);
///   then d (8 Floats); with `split` (Q6_K, a scale per 16 columns) d for columns 16..31;
///   with `hasMin` (Q4_1, Q4_K, Q5_K) the minima m (8 Floats). A K-quant's sub-block scale
///   and minimum are folded into d and m exactly (an f16 times a 6- or 8-bit integer).
/// Rows past the last are zero.
///
/// The arithmetic, per (row, sequence), in block order from acc = 0:
///   S   = exact integer dot product of the block's weight codes and the activation's int8
///         codes (Q4_0: S - 8 * sum(x codes)); with `split`, S_lo and S_hi over the halves;
///   acc = fma(Float(S), d_w * d_x, acc)    (split: the two halves in turn, low first)
///   acc = fma(m_w, d_x * sum(x codes), acc)    (with a minimum)
/// so a result depends only on the row and the sequence's own activation, never on the
/// batch, the thread split or the instruction set used for S.
final class PackedWeights: @unchecked Sendable {
    enum Kind { case nibbles, bytes }
    let kind: Kind
    let hasMin: Bool
    let split: Bool
    /// Subtracted from every weight code (Q4_0's 8).
    let offset: Int32
    let rows: Int, cols: Int, nb: Int, groups: Int
    let blockBytes: Int
    /// Byte offsets within a block: scales d, the high half's scales (split), minima.
    let dOff: Int, hiOff: Int, mOff: Int
    let data: UnsafeMutableRawPointer

    static func supports(_ type: GGMLType, cols: Int) -> Bool {
        switch type {
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0: return cols % 32 == 0
        case .q4_K, .q5_K, .q6_K: return cols % 256 == 0
        default: return false
        }
    }

    /// Codes stored as unsigned bytes (code + bias) for the VNNI kernel, which multiplies
    /// them straight from memory: no unpacking, at one byte per weight.
    let direct: Bool

    init(_ w: WeightMatrix, direct: Bool) {
        rows = w.rows; cols = w.cols; nb = w.cols / 32; groups = (w.rows + 7) / 8
        self.direct = direct
        let nibbleFormat = [.q4_0, .q4_1, .q4_K].contains(w.type)
        let signedCodes = [.q8_0, .q5_0, .q6_K].contains(w.type)
        kind = nibbleFormat && !direct ? .nibbles : .bytes
        hasMin = [.q4_1, .q4_K, .q5_1, .q5_K].contains(w.type)
        split = w.type == .q6_K
        let bias: Int32 = direct && signedCodes ? 128 : 0
        offset = (w.type == .q4_0 ? 8 : 0) + bias
        dOff = kind == .bytes ? 256 : 128
        hiOff = dOff + 32
        mOff = dOff + (split ? 64 : 32)
        blockBytes = mOff + (hasMin ? 32 : 0)
        let total = groups * nb * blockBytes
        data = HugePages.allocate(total)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: total)
        let nb = self.nb, kind = self.kind, hasMin = self.hasMin, split = self.split, bb = blockBytes
        let dOff = self.dOff, hiOff = self.hiOff, mOff = self.mOff
        let dst = data
        Parallel.forChunks(groups, minChunk: 8) { gs in
            var codes = [Int32](repeating: 0, count: 32)
            for g in gs {
                for r in 0..<8 where g * 8 + r < w.rows {
                    let src = w.data + (g * 8 + r) * w.rowBytes
                    for b in 0..<nb {
                        let out = dst + (g * nb + b) * bb
                        let f = out.assumingMemoryBound(to: UInt8.self)
                        let s = PackedWeights.blockCodes(w.type, src, b, &codes)
                        (out + dOff).assumingMemoryBound(to: Float.self)[r] = s.d
                        if split { (out + hiOff).assumingMemoryBound(to: Float.self)[r] = s.dHi }
                        if hasMin { (out + mOff).assumingMemoryBound(to: Float.self)[r] = s.m }
                        if kind == .bytes {
                            for k in 0..<8 {
                                for i in 0..<4 {
                                    f[32 * k + 4 * r + i] = UInt8(truncatingIfNeeded: codes[4 * k + i] &+ bias)
                                }
                            }
                        } else {
                            for gq in 0..<4 {
                                for i in 0..<4 {
                                    f[32 * gq + 4 * r + i] = UInt8(codes[4 * gq + i]) | UInt8(codes[16 + 4 * gq + i]) << 4
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    deinit { HugePages.free(data) }

    var byteCount: Int { groups * nb * blockBytes }

    /// Block b (32 columns) of a row: its integer codes and the Float scale(s) and minimum
    /// such that weight = d * code + m (split: dHi for codes 16..31), exactly as GGML
    /// dequantises them.
    static func blockCodes(_ type: GGMLType, _ row: UnsafeRawPointer, _ b: Int, _ codes: inout [Int32])
        -> (d: Float, dHi: Float, m: Float) {
        func byte(_ p: UnsafeRawPointer, _ o: Int) -> UInt8 { p.load(fromByteOffset: o, as: UInt8.self) }
        switch type {
        case .q8_0:
            let blk = row + b * 34
            for j in 0..<32 { codes[j] = Int32(Int8(bitPattern: byte(blk, 2 + j))) }
            return (Kernels.f16(blk, 0), 0, 0)
        case .q4_0, .q4_1:
            let hasMin = type == .q4_1
            let blk = row + b * (hasMin ? 20 : 18), qo = hasMin ? 4 : 2
            for j in 0..<16 { let v = byte(blk, qo + j); codes[j] = Int32(v & 0xF); codes[16 + j] = Int32(v >> 4) }
            return (Kernels.f16(blk, 0), 0, hasMin ? Kernels.f16(blk, 2) : 0)
        case .q5_0, .q5_1:
            // d, (m), 32 fifth bits, 16 bytes of nibbles: element j low nibble of byte j,
            // element j + 16 the high one; Q5_0's codes are centred (q - 16).
            let hasMin = type == .q5_1
            let blk = row + b * (hasMin ? 24 : 22), qo = hasMin ? 4 : 2
            let qh = blk.loadUnaligned(fromByteOffset: qo, as: UInt32.self).littleEndian
            for j in 0..<16 {
                let v = byte(blk, qo + 4 + j)
                let q0 = Int32(v & 0xF) | Int32((qh >> UInt32(j)) & 1) << 4
                let q1 = Int32(v >> 4) | Int32((qh >> UInt32(j + 16)) & 1) << 4
                codes[j] = hasMin ? q0 : q0 - 16; codes[16 + j] = hasMin ? q1 : q1 - 16
            }
            return (Kernels.f16(blk, 0), 0, hasMin ? Kernels.f16(blk, 2) : 0)
        case .q4_K, .q5_K:
            // 256-value superblocks: d, dmin, 12 bytes of 6-bit scales and minima, (Q5_K: 32
            // bytes of fifth bits), 128 bytes of nibbles; sub-block j uses the low nibbles of
            // bytes 32(j/2).. when j is even, the high ones when odd.
            let five = type == .q5_K
            let sb = row + (b / 8) * (five ? 176 : 144), j = b % 8
            let (sc, mn) = Dequantize.scaleMinK4(j, sb + 4)
            let ql = sb + (five ? 48 : 16) + 32 * (j / 2), qh = sb + 16
            for l in 0..<32 {
                var q = j % 2 == 0 ? byte(ql, l) & 0xF : byte(ql, l) >> 4
                if five && byte(qh, l) & (1 << UInt8(j)) != 0 { q += 16 }
                codes[l] = Int32(q)
            }
            return (Kernels.f16(sb, 0) * Float(sc), 0, -(Kernels.f16(sb, 2) * Float(mn)))
        case .q6_K:
            // 256-value superblocks: 128 bytes of low nibbles, 64 of high 2-bit pairs, 16 int8
            // scales (one per 16 values), d. Value 128h + 32k + l (h half, k quarter) takes
            // bits from ql[64h + l + 32(k % 2)] (low nibble for k < 2) and qh[32h + l] >> 2k.
            let sb = row + (b / 8) * 210
            let bi = b % 8, h = bi / 4, k = bi % 4
            let ql = sb + 64 * h + 32 * (k % 2), qh = sb + 128 + 32 * h
            for l in 0..<32 {
                let lo = k < 2 ? byte(ql, l) & 0xF : byte(ql, l) >> 4
                let hi = (byte(qh, l) >> UInt8(2 * k)) & 3
                codes[l] = Int32(lo | hi << 4) - 32
            }
            let d = Kernels.f16(sb, 208)
            let s0 = Float(Int8(bitPattern: byte(sb, 192 + 8 * h + 2 * k)))
            let s1 = Float(Int8(bitPattern: byte(sb, 192 + 8 * h + 2 * k + 1)))
            return (d * s0, d * s1, 0)
        default:
            preconditionFailure("no integer kernel for \(type)")
        }
    }
}

/// Activation vectors quantised for the integer kernels: per vector and block of 32,
/// d = max|x| / 127, codes round(x / d) (ties to even), their integer sum, and d * sum.
/// A vector's codes depend on that vector alone.
struct QuantizedActivations {
    let q: UnsafeMutablePointer<Int8>
    let d: UnsafeMutablePointer<Float>
    let sums: UnsafeMutablePointer<Float>
    let isums: UnsafeMutablePointer<Int32>
    /// Sum of the codes of each block's first 16 values.
    let isumsLo: UnsafeMutablePointer<Int32>

    static func quantize(_ x: UnsafePointer<Float>, _ n: Int, into a: QuantizedActivations, at v: Int) {
        let nb = n / 32
        IntKernels.quantize(x, n, a.q + v * n, a.d + v * nb, a.sums + v * nb, a.isums + v * nb, a.isumsLo + v * nb)
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
    static let useVNNI = isa == "vnni"

    #if ROLLBOOK_AVX2
    typealias V = SIMD4<Int64>   // __m256i

    /// A layout's kernel variant as a type, so each is compiled with its flags as constants.
    protocol Variant { static var nib: Bool { get }; static var hasMin: Bool { get }; static var off: Bool { get }
                       static var split: Bool { get } }
    enum NibMin: Variant { static let nib = true, hasMin = true, off = false, split = false }
    enum NibOffset: Variant { static let nib = true, hasMin = false, off = true, split = false }
    enum ByteSplit: Variant { static let nib = false, hasMin = false, off = false, split = true }
    enum ByteMin: Variant { static let nib = false, hasMin = true, off = false, split = false }
    enum BytePlain: Variant { static let nib = false, hasMin = false, off = false, split = false }

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

    /// Exact S for eight rows of signed 8-bit codes, over vectors k in `ks` (|w| unsigned
    /// times x with w's sign; each maddubs pair is at most 2 * 128 * 127, widened to int32
    /// before summing).
    @inline(__always)
    static func dotByte(_ w: UnsafePointer<V>, _ a: UnsafePointer<V>, _ x: UnsafePointer<Int8>, _ ks: Range<Int>)
        -> SIMD8<Int32> {
        let ones = _mm256_set1_epi16(1)
        var s = SIMD8<Int32>()
        for k in ks {
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
        if p.direct {   // the layout decides the kernel (the ISA switch is read once, at packing)
            let j = VNNIKernels.Job(data: UnsafeRawPointer(p.data), hasMin: p.hasMin,
                                    split: p.split, offset: p.offset, rows: p.rows, cols: p.cols, nb: p.nb,
                                    blockBytes: p.blockBytes, dOff: p.dOff, hiOff: p.hiOff, mOff: p.mOff,
                                    q: a.q, d: a.d, sums: a.sums, isums: a.isums, isumsLo: a.isumsLo, n: n, y: y)
            VNNIKernels.run(j, groups: gs)
            return
        }
        #if ROLLBOOK_AVX2
        switch (p.kind, p.hasMin, p.split) {
        case (.nibbles, true, _): runKind(p, gs, a, n: n, y: y, NibMin.self)
        case (.nibbles, false, _): runKind(p, gs, a, n: n, y: y, NibOffset.self)
        case (.bytes, _, true): runKind(p, gs, a, n: n, y: y, ByteSplit.self)
        case (.bytes, true, false): runKind(p, gs, a, n: n, y: y, ByteMin.self)
        case (.bytes, false, false): runKind(p, gs, a, n: n, y: y, BytePlain.self)
        }
        #else
        preconditionFailure("integer kernels need AVX2")
        #endif
    }

    #if ROLLBOOK_AVX2
    /// The kernel for one format (the flags are literals at every call, so their branches
    /// fold away): each group's blocks unpacked once into a tile, then four vectors at a time
    /// (the rest one at a time) meet it.
    static func runKind<F: Variant>(_ p: PackedWeights, _ gs: Range<Int>, _ a: QuantizedActivations, n: Int,
                                    y: UnsafeMutablePointer<Float>, _: F.Type) {
        let nib = F.nib, hasMin = F.hasMin, off = F.off, split = F.split
        let nb = p.nb, cols = p.cols, rows = p.rows, bb = p.blockBytes
        let perBlock = nib ? 8 : 16
        let dOff = p.dOff, hiOff = p.hiOff, mOff = p.mOff
        let offset = p.offset
        // The unpacked tile on the stack where it fits (claims come a few groups at a time).
        withUnsafeTemporaryAllocation(of: V.self, capacity: nb * perBlock) { buffer in
            let tile = buffer.baseAddress!
            let data = UnsafeRawPointer(p.data)
            let q = UnsafePointer(a.q), d = UnsafePointer(a.d), sums = UnsafePointer(a.sums), isums = UnsafePointer(a.isums)
            /// One block of vector v into acc, with the block's scales loaded by the caller.
            @inline(__always) func step(_ acc: inout SIMD8<Float>, _ t: UnsafePointer<V>, _ v: Int, _ b: Int,
                                        _ dw: SIMD8<Float>, _ dhi: SIMD8<Float>, _ mw: SIMD8<Float>) {
                let x = q + v * cols + 32 * b
                let dx = d[v * nb + b]
                if split {
                    acc = acc.addingProduct(float(dotByte(t, t + 8, x, 0..<4)), dw * dx)
                    acc = acc.addingProduct(float(dotByte(t, t + 8, x, 4..<8)), dhi * dx)
                } else {
                    var s = nib ? dotNib(t, x) : dotByte(t, t + 8, x, 0..<8)
                    if off { s &-= SIMD8(repeating: offset &* isums[v * nb + b]) }
                    acc = acc.addingProduct(float(s), dw * dx)
                }
                if hasMin { acc = acc.addingProduct(mw, SIMD8(repeating: sums[v * nb + b])) }
            }
            for g in gs {
                let base = data + g * nb * bb
                for b in 0..<nb { unpack(nib, base + b * bb, tile + b * perBlock) }
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
                        let t = UnsafePointer(tile + b * perBlock)
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
                        step(&c0, UnsafePointer(tile + b * perBlock), v, b, dw, dhi, mw)
                    }
                    put(c0, v)
                    v += 1
                }
            }
        }
    }
    #endif
}

/// The lazily built packed copies of a weight matrix (shared by every copy of the struct):
/// the AVX2 kernel's layout and the VNNI kernel's (`direct`), each built on first use.
final class PackBox: @unchecked Sendable {
    private let lock = NSLock()
    private var packed: [Bool: PackedWeights] = [:]
    private var f16: InterleavedF16?
    /// The interleaved F16 copy (built on first use).
    func interleaved(_ w: WeightMatrix) -> InterleavedF16 {
        lock.lock(); defer { lock.unlock() }
        if let p = f16 { return p }
        let p = InterleavedF16(w)
        f16 = p
        return p
    }
    func get(_ w: WeightMatrix, direct: Bool) -> PackedWeights {
        lock.lock(); defer { lock.unlock() }
        if let p = packed[direct] { return p }
        let p = PackedWeights(w, direct: direct)
        packed[direct] = p
        return p
    }
}

/// Repacked weights on 2 MiB pages where the kernel gives them (transparent huge pages in
/// `madvise` mode): streaming a model's weights then needs one TLB entry per 2 MiB instead
/// of per 4 KiB. Matrices are cut from shared 2 MiB-aligned chunks of at least 32 MiB (most
/// are far smaller than a huge page); a chunk is returned when its last matrix is freed.
enum HugePages {
    /// `ROLLBOOK_HUGE_PAGES=0`: ordinary allocations (for comparisons).
    static let enabled = ProcessInfo.processInfo.environment["ROLLBOOK_HUGE_PAGES"] != "0"
    static let page = 1 << 21, chunkBytes = 32 << 20

    final class Chunk: @unchecked Sendable {
        let base: UnsafeMutableRawPointer, size: Int
        var used = 0, live = 0
        init(size: Int) {
            var p: UnsafeMutableRawPointer?
            guard posix_memalign(&p, HugePages.page, size) == 0, let p else { fatalError("out of memory (\(size) bytes)") }
            _ = madvise(p, size, 14 /* MADV_HUGEPAGE */)
            base = p; self.size = size
        }
    }
    private static let state = Mutex<(current: Chunk?, owners: [UnsafeMutableRawPointer: Chunk])>((nil, [:]))

    static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        guard enabled else { return .allocate(byteCount: max(bytes, 1), alignment: 64) }
        let need = (max(bytes, 1) + 63) & ~63
        return state.withLock { st in
            var chunk = st.current
            if chunk == nil || chunk!.used + need > chunk!.size {
                chunk = Chunk(size: max(chunkBytes, (need + page - 1) / page * page))
                if need < chunkBytes {
                    if let old = st.current, old.live == 0 { Foundation.free(old.base) }
                    st.current = chunk
                }
            }
            let c = chunk!
            let p = c.base + c.used
            c.used += need; c.live += 1
            st.owners[p] = c
            return p
        }
    }

    static func free(_ p: UnsafeMutableRawPointer) {
        guard enabled else { p.deallocate(); return }
        state.withLock { st in
            guard let c = st.owners.removeValue(forKey: p) else { return }
            c.live -= 1
            if c.live == 0 && st.current !== c { Foundation.free(c.base) }
        }
    }
}
