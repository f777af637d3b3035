/// Reference dequantisation of ggml block formats to Float (block layouts as in ggml-common.h).
/// Scalar and straightforward on purpose: tests compare it with the `gguf` Python package,
/// and the fast kernels in Inference are checked against it.
public enum Dequantize {
    @inline(__always) static func h(_ p: UnsafeRawPointer, _ o: Int) -> Float {
        Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt16.self))))
    }
    @inline(__always) static func b(_ p: UnsafeRawPointer, _ o: Int) -> UInt8 {
        p.load(fromByteOffset: o, as: UInt8.self)
    }

    /// Dequantises `count` elements (a whole number of blocks) from `src` into `dst`.
    public static func run(
        _ type: GGMLType, src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>
    ) throws {
        let (qk, bs) = type.blockGeometry
        precondition(count % qk == 0, "dequantize: count \(count) not a multiple of block size \(qk)")
        let nb = count / qk
        switch type {
        case .f32: f32(src, count: count, into: dst)
        case .f16: f16(src, count: count, into: dst)
        case .bf16: bf16(src, count: count, into: dst)
        case .q4_0, .q4_1: q4(src, blocks: nb, blockSize: bs, hasMin: type == .q4_1, into: dst)
        case .q5_0, .q5_1: q5(src, blocks: nb, blockSize: bs, hasMin: type == .q5_1, into: dst)
        case .q8_0: q8_0(src, blocks: nb, blockSize: bs, into: dst)
        case .q4_K, .q5_K: q4q5K(src, blocks: nb, blockSize: bs, five: type == .q5_K, into: dst)
        case .q6_K: q6K(src, blocks: nb, blockSize: bs, into: dst)
        default:
            throw GGUFError.unsupportedTensorType(tensor: "?", type: type.name)
        }
    }

    static func f32(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        }
    }

    static func f16(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        for i in 0..<count { dst[i] = h(src, 2 * i) }
    }

    static func bf16(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian:
                src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
        }
    }

    /// Q4_0 (`hasMin` false) and Q4_1 (`hasMin` true).
    static func q4(_ src: UnsafeRawPointer, blocks nb: Int, blockSize bs: Int, hasMin: Bool,
                   into dst: UnsafeMutablePointer<Float>) {
        for blk in 0..<nb {
            let p = src + blk * bs
            let d = h(p, 0), m = hasMin ? h(p, 2) : 0
            let qs = hasMin ? 4 : 2
            let y = dst + blk * 32
            for j in 0..<16 {
                let v = b(p, qs + j)
                if hasMin {
                    y[j] = Float(v & 0xF) * d + m
                    y[j + 16] = Float(v >> 4) * d + m
                } else {
                    y[j] = Float(Int(v & 0xF) - 8) * d
                    y[j + 16] = Float(Int(v >> 4) - 8) * d
                }
            }
        }
    }

    /// Q5_0 (`hasMin` false) and Q5_1 (`hasMin` true).
    static func q5(_ src: UnsafeRawPointer, blocks nb: Int, blockSize bs: Int, hasMin: Bool,
                   into dst: UnsafeMutablePointer<Float>) {
        for blk in 0..<nb {
            let p = src + blk * bs
            let d = h(p, 0), m = hasMin ? h(p, 2) : 0
            let qhOff = hasMin ? 4 : 2
            let qh = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: qhOff, as: UInt32.self))
            let y = dst + blk * 32
            for j in 0..<16 {
                let v = b(p, qhOff + 4 + j)
                let xh0 = UInt8(truncatingIfNeeded: ((qh >> UInt32(j)) << 4) & 0x10)
                let xh1 = UInt8(truncatingIfNeeded: (qh >> UInt32(j + 12)) & 0x10)
                let q0 = Int((v & 0xF) | xh0), q1 = Int((v >> 4) | xh1)
                if hasMin {
                    y[j] = Float(q0) * d + m
                    y[j + 16] = Float(q1) * d + m
                } else {
                    y[j] = Float(q0 - 16) * d
                    y[j + 16] = Float(q1 - 16) * d
                }
            }
        }
    }

    static func q8_0(_ src: UnsafeRawPointer, blocks nb: Int, blockSize bs: Int,
                     into dst: UnsafeMutablePointer<Float>) {
        for blk in 0..<nb {
            let p = src + blk * bs
            let d = h(p, 0)
            for j in 0..<32 { dst[blk * 32 + j] = Float(Int8(bitPattern: b(p, 2 + j))) * d }
        }
    }

    /// Q4_K (`five` false) and Q5_K (`five` true).
    static func q4q5K(_ src: UnsafeRawPointer, blocks nb: Int, blockSize bs: Int, five: Bool,
                      into dst: UnsafeMutablePointer<Float>) {
        for blk in 0..<nb {
            let p = src + blk * bs
            let d = h(p, 0), dmin = h(p, 2)
            let sc = p + 4                       // 12 bytes of packed 6-bit scales and mins
            let qh = p + 16                      // Q5_K only: 32 bytes of high bits
            var ql = p + (five ? 48 : 16)        // 128 bytes of low nibbles
            var y = dst + blk * 256
            var isub = 0
            var u1: UInt8 = 1, u2: UInt8 = 2
            for _ in stride(from: 0, to: 256, by: 64) {
                let (s1, m1) = scaleMinK4(isub, sc), (s2, m2) = scaleMinK4(isub + 1, sc)
                let d1 = d * Float(s1), mm1 = dmin * Float(m1)
                let d2 = d * Float(s2), mm2 = dmin * Float(m2)
                for l in 0..<32 {
                    let hi: UInt8 = five && (b(qh, l) & u1) != 0 ? 16 : 0
                    y[l] = d1 * Float((b(ql, l) & 0xF) + hi) - mm1
                }
                for l in 0..<32 {
                    let hi: UInt8 = five && (b(qh, l) & u2) != 0 ? 16 : 0
                    y[l + 32] = d2 * Float((b(ql, l) >> 4) + hi) - mm2
                }
                ql += 32; y += 64; isub += 2
                u1 <<= 2; u2 <<= 2
            }
        }
    }

    static func q6K(_ src: UnsafeRawPointer, blocks nb: Int, blockSize bs: Int,
                    into dst: UnsafeMutablePointer<Float>) {
        for blk in 0..<nb {
            let p = src + blk * bs
            var ql = p, qh = p + 128
            var sc = p + 192
            let d = h(p, 208)
            var y = dst + blk * 256
            for _ in 0..<2 {
                for l in 0..<32 {
                    let isub = l / 16
                    let q1 = Int((b(ql, l) & 0xF) | ((b(qh, l) >> 0) & 3) << 4) - 32
                    let q2 = Int((b(ql, l + 32) & 0xF) | ((b(qh, l) >> 2) & 3) << 4) - 32
                    let q3 = Int((b(ql, l) >> 4) | ((b(qh, l) >> 4) & 3) << 4) - 32
                    let q4 = Int((b(ql, l + 32) >> 4) | ((b(qh, l) >> 6) & 3) << 4) - 32
                    let s = { (k: Int) in Float(Int8(bitPattern: b(sc, isub + k))) }
                    y[l] = d * s(0) * Float(q1)
                    y[l + 32] = d * s(2) * Float(q2)
                    y[l + 64] = d * s(4) * Float(q3)
                    y[l + 96] = d * s(6) * Float(q4)
                }
                y += 128; ql += 64; qh += 32; sc += 8
            }
        }
    }

    /// The 6-bit scale and min of sub-block `j` in a K-quant's 12-byte scale array.
    @inline(__always) public static func scaleMinK4(_ j: Int, _ q: UnsafeRawPointer) -> (UInt8, UInt8) {
        if j < 4 { return (b(q, j) & 63, b(q, j + 4) & 63) }
        let d = (b(q, j + 4) & 0xF) | ((b(q, j - 4) >> 6) << 4)
        let m = (b(q, j + 4) >> 4) | ((b(q, j) >> 6) << 4)
        return (d, m)
    }

    /// Dequantises a whole tensor (convenience for tests and tools).
    public static func tensor(_ t: GGUFTensor) throws -> [Float] {
        guard t.type.isSupported else { throw GGUFError.unsupportedTensorType(tensor: t.name, type: t.type.name) }
        var out = [Float](repeating: 0, count: t.elementCount)
        try out.withUnsafeMutableBufferPointer {
            try run(t.type, src: t.data, count: t.elementCount, into: $0.baseAddress!)
        }
        return out
    }
}
