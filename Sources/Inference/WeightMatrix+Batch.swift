import InferenceVNNI
import GGUF

/// Batched products for decoding many sequences: tiles of 4 weight rows are decoded to
/// Float32 (in the activation layout of the format, scale folded in) into an L1-sized
/// buffer, then multiplied with every sequence's activation. Each (row, sequence) result
/// is computed by the same operations whatever the batch holds, so rollouts are
/// bit-identical alone or in company.
extension WeightMatrix {
    /// Decodes row r to Float32 in `layout` order into w (cols floats): d * q (+ m for Q4_1,
    /// as one fused multiply-add), exactly the values `fusedSingle` forms in registers.
    func decodeRow(_ r: Int, _ w: UnsafeMutablePointer<Float>) {
        let p = data + r * rowBytes
        let nb = cols / 32
        let raw = UnsafeMutableRawPointer(w)
        switch (type, layout) {
        case (.q4_1, .nibbles), (.q4_0, .nibbles):
            let hasMin = type == .q4_1
            let bs = hasMin ? 20 : 18, qo = hasMin ? 4 : 2
            let bias = hasMin ? Kernels.two23 : Kernels.two23 + 8
            let mask = SIMD8<UInt32>(repeating: 0xF)
            var b = 0
            while b + 1 < nb {
                let blk = p + b * bs
                let q = Kernels.load2(blk, qo, qo + bs)
                let scale = Kernels.halves(Kernels.f16(blk, 0), Kernels.f16(blk, bs))
                let m = hasMin ? Kernels.halves(Kernels.f16(blk, 2), Kernels.f16(blk, bs + 2)) : SIMD8<Float>()
                for k in 0..<8 {
                    let nib = k == 7 ? q &>> 28 : (q &>> UInt32(4 * k)) & mask
                    let v = hasMin ? m.addingProduct(Kernels.asFloat(nib) - bias, scale)
                                   : (Kernels.asFloat(nib) - bias) * scale
                    raw.storeBytes(of: v, toByteOffset: (b * 32 + 8 * k) * 4, as: SIMD8<Float>.self)
                }
                b += 2
            }
            if b < nb {   // an unpaired last block: plain order (as `permute` leaves it)
                try! Dequantize.run(type, src: p + b * bs, count: 32, into: w + b * 32)
            }
        case (.q8_0, _):
            let bias = Kernels.two23 + 128
            let m8 = SIMD8<UInt32>(repeating: 0xFF)
            for b in 0..<nb {
                let blk = p + b * 34
                let q = blk.loadUnaligned(fromByteOffset: 2, as: SIMD8<UInt32>.self) ^ SIMD8(repeating: 0x8080_8080)
                let d = SIMD8<Float>(repeating: Kernels.f16(blk, 0))
                for k in 0..<4 {
                    let byte = k == 3 ? q &>> 24 : (q &>> UInt32(8 * k)) & m8
                    raw.storeBytes(of: (Kernels.asFloat(byte) - bias) * d, toByteOffset: (b * 32 + 8 * k) * 4,
                                   as: SIMD8<Float>.self)
                }
            }
        default:
            dequantize(rows: r..<(r + 1), into: w)
        }
    }

    /// Rows decoded together into the tile buffer: eight while they fit in L1 beside the
    /// vectors being read, else four.
    var tileRows: Int { cols <= 768 ? 8 : 4 }

    /// Y[s, r] for rows `range`, all `count` vectors (x'_s at xp + s*cols, Y at y + s*rows).
    /// Rows are decoded a tile at a time into a small buffer; each pair of vectors then
    /// meets the tile in register blocks of 4 rows x 2 vectors (the leftovers 1 x 1), or
    /// with AVX-512's 32 registers 4 x 4 (`VNNIKernels.floatTile`). Every block computes
    /// each (row, vector) pair with one accumulator in the same order, so the result does
    /// not depend on which block, which batch or which instruction set it fell in.
    /// `wide`: the 4 x 4 blocks (AVX-512 builds and CPUs only).
    func dotRowsTiled(_ range: Range<Int>, xp: UnsafePointer<Float>, count: Int, y: UnsafeMutablePointer<Float>,
                      wide: Bool) {
        let R = tileRows, f16 = interleaved()
        let w = UnsafeMutablePointer<Float>.allocate(capacity: R * cols)
        defer { w.deallocate() }
        var r0 = range.lowerBound
        while r0 < range.upperBound {
            let tr = min(R, range.upperBound - r0)
            if let f16 {
                f16.decodeTile(r0, tr, w)
            } else {
                for i in 0..<tr { decodeRow(r0 + i, w + i * cols) }
            }
            if wide {
                VNNIKernels.floatTile(w, cols: cols, tileRows: tr, xp, count: count, y, rows: rows, r0: r0)
                r0 += tr
                continue
            }
            let quads = tr / 4
            var s = 0
            while s + 1 < count {
                let x0 = xp + s * cols, x1 = x0 + cols
                for g in 0..<quads {
                    let (d0, d1) = Self.dot4x2(w + 4 * g * cols, cols, x0, x1)
                    for i in 0..<4 { y[s * rows + r0 + 4 * g + i] = d0[i]; y[(s + 1) * rows + r0 + 4 * g + i] = d1[i] }
                }
                for i in (4 * quads)..<tr {
                    y[s * rows + r0 + i] = Self.dot1(w + i * cols, cols, x0)
                    y[(s + 1) * rows + r0 + i] = Self.dot1(w + i * cols, cols, x1)
                }
                s += 2
            }
            if s < count {
                for i in 0..<tr { y[s * rows + r0 + i] = Self.dot1(w + i * cols, cols, xp + s * cols) }
            }
            r0 += tr
        }
    }

    @inline(__always)
    static func dot4x2(_ w: UnsafePointer<Float>, _ n: Int, _ x: UnsafePointer<Float>, _ z: UnsafePointer<Float>)
        -> (SIMD4<Float>, SIMD4<Float>) {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
        var p0 = UnsafeRawPointer(w), p1 = UnsafeRawPointer(w + n),
            p2 = UnsafeRawPointer(w + 2 * n), p3 = UnsafeRawPointer(w + 3 * n)
        var px = UnsafeRawPointer(x), pz = UnsafeRawPointer(z)
        for _ in 0..<(n / 8) {
            let xv = px.loadUnaligned(as: SIMD8<Float>.self), zv = pz.loadUnaligned(as: SIMD8<Float>.self)
            let w0 = p0.loadUnaligned(as: SIMD8<Float>.self), w1 = p1.loadUnaligned(as: SIMD8<Float>.self)
            let w2 = p2.loadUnaligned(as: SIMD8<Float>.self), w3 = p3.loadUnaligned(as: SIMD8<Float>.self)
            a0.addProduct(w0, xv); a1.addProduct(w1, xv); a2.addProduct(w2, xv); a3.addProduct(w3, xv)
            c0.addProduct(w0, zv); c1.addProduct(w1, zv); c2.addProduct(w2, zv); c3.addProduct(w3, zv)
            p0 += 32; p1 += 32; p2 += 32; p3 += 32; px += 32; pz += 32
        }
        return (SIMD4(a0.sum(), a1.sum(), a2.sum(), a3.sum()), SIMD4(c0.sum(), c1.sum(), c2.sum(), c3.sum()))
    }

    @inline(__always)
    static func dot1(_ w: UnsafePointer<Float>, _ n: Int, _ x: UnsafePointer<Float>) -> Float {
        var a = SIMD8<Float>()
        var pw = UnsafeRawPointer(w), px = UnsafeRawPointer(x)
        for _ in 0..<(n / 8) {
            a.addProduct(pw.loadUnaligned(as: SIMD8<Float>.self), px.loadUnaligned(as: SIMD8<Float>.self))
            pw += 32; px += 32
        }
        return a.sum()
    }
}

extension WeightMatrix {
    /// Whether `fusedSingle` applies: the formats `decodeRow` decodes itself, rows of whole
    /// block pairs for the nibble formats.
    var hasFusedSingle: Bool {
        switch (type, layout) {
        case (.q4_0, .nibbles), (.q4_1, .nibbles): return (cols / 32) % 2 == 0
        case (.q8_0, _): return true
        default: return false
        }
    }

    /// One vector through rows `range`, decoding weights in registers instead of through
    /// the tile buffer, four rows at a time. Per row it performs exactly the operations of
    /// `dotRowsTiled` (the same decoded values, one accumulator in the same order), so
    /// results are bit-identical to the batched path.
    func fusedSingle(_ range: Range<Int>, xp: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        // Four rows at a time keep four independent accumulator chains in flight; each
        // row's own sequence of operations is the same in a group or alone.
        var r = range.lowerBound
        while r + 4 <= range.upperBound {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            let p0 = data + r * rowBytes
            let rb = rowBytes
            if type == .q8_0 {
                for b in 0..<(cols / 32) {
                    let xb = xp + b * 32, o = b * 34
                    Self.q8Step(&a0, p0 + o, xb); Self.q8Step(&a1, p0 + rb + o, xb)
                    Self.q8Step(&a2, p0 + 2 * rb + o, xb); Self.q8Step(&a3, p0 + 3 * rb + o, xb)
                }
            } else if type == .q4_1 {
                Self.rows4Q4(&a0, &a1, &a2, &a3, p0, rb, xp, cols / 32, hasMin: true)
            } else {
                Self.rows4Q4(&a0, &a1, &a2, &a3, p0, rb, xp, cols / 32, hasMin: false)
            }
            y[r] = a0.sum(); y[r + 1] = a1.sum(); y[r + 2] = a2.sum(); y[r + 3] = a3.sum()
            r += 4
        }
        while r < range.upperBound {
            var a = SIMD8<Float>()
            let p0 = data + r * rowBytes
            if type == .q8_0 {
                for b in 0..<(cols / 32) { Self.q8Step(&a, p0 + b * 34, xp + b * 32) }
            } else {
                let hasMin = type == .q4_1
                let bs = hasMin ? 20 : 18
                var b = 0
                while b < cols / 32 { Self.q4Step(&a, p0 + b * bs, xp + b * 32, hasMin); b += 2 }
            }
            y[r] = a.sum()
            r += 1
        }
    }

    /// Four rows of 4-bit blocks (row stride rb) against x', one accumulator per row; with
    /// `hasMin` a literal at each call site so the format's branches fold away.
    @inline(__always)
    static func rows4Q4(_ a0: inout SIMD8<Float>, _ a1: inout SIMD8<Float>,
                        _ a2: inout SIMD8<Float>, _ a3: inout SIMD8<Float>,
                        _ p0: UnsafeRawPointer, _ rb: Int, _ xp: UnsafePointer<Float>, _ nb: Int, hasMin: Bool) {
        let bs = hasMin ? 20 : 18
        var b = 0
        while b < nb {
            let xb = xp + b * 32, o = b * bs
            q4Step(&a0, p0 + o, xb, hasMin); q4Step(&a1, p0 + rb + o, xb, hasMin)
            q4Step(&a2, p0 + 2 * rb + o, xb, hasMin); q4Step(&a3, p0 + 3 * rb + o, xb, hasMin)
            b += 2
        }
    }

    /// One Q8_0 block (34 bytes) decoded in registers, as `decodeRow` decodes it, and
    /// accumulated against x' (byte layout).
    @inline(__always)
    static func q8Step(_ a: inout SIMD8<Float>, _ blk: UnsafeRawPointer, _ x: UnsafePointer<Float>) {
        let bias = Kernels.two23 + 128
        let m8 = SIMD8<UInt32>(repeating: 0xFF)
        let q = blk.loadUnaligned(fromByteOffset: 2, as: SIMD8<UInt32>.self) ^ SIMD8(repeating: 0x8080_8080)
        let d = SIMD8<Float>(repeating: Kernels.f16(blk, 0))
        a.addProduct((Kernels.asFloat(q & m8) - bias) * d, Kernels.x8(x, 0))
        a.addProduct((Kernels.asFloat((q &>> 8) & m8) - bias) * d, Kernels.x8(x, 8))
        a.addProduct((Kernels.asFloat((q &>> 16) & m8) - bias) * d, Kernels.x8(x, 16))
        a.addProduct((Kernels.asFloat(q &>> 24) - bias) * d, Kernels.x8(x, 24))
    }

    /// A pair of Q4_0/Q4_1 blocks decoded in registers, as `decodeRow` decodes them, and
    /// accumulated against x' (nibble layout).
    @inline(__always)
    static func q4Step(_ a: inout SIMD8<Float>, _ blk: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ hasMin: Bool) {
        let bs = hasMin ? 20 : 18, qo = hasMin ? 4 : 2
        let bias = hasMin ? Kernels.two23 : Kernels.two23 + 8
        let mask = SIMD8<UInt32>(repeating: 0xF)
        let q = Kernels.load2(blk, qo, qo + bs)
        let scale = Kernels.halves(Kernels.f16(blk, 0), Kernels.f16(blk, bs))
        if hasMin {
            let m = Kernels.halves(Kernels.f16(blk, 2), Kernels.f16(blk, bs + 2))
            a.addProduct(m.addingProduct(Kernels.asFloat(q & mask) - bias, scale), Kernels.x8(x, 0))
            a.addProduct(m.addingProduct(Kernels.asFloat((q &>> 4) & mask) - bias, scale), Kernels.x8(x, 8))
            a.addProduct(m.addingProduct(Kernels.asFloat((q &>> 8) & mask) - bias, scale), Kernels.x8(x, 16))
            a.addProduct(m.addingProduct(Kernels.asFloat((q &>> 12) & mask) - bias, scale), Kernels.x8(x, 24))
            a.addProduct(m.addingProduct(Kernels.asFloat((q &>> 16) & mask) - bias, scale), Kernels.x8(x, 32))
            a.addProduct(m.addingProduct(Kernels.asFloat((q &>> 20) & mask) - bias, scale), Kernels.x8(x, 40))
            a.addProduct(m.addingProduct(Kernels.asFloat((q &>> 24) & mask) - bias, scale), Kernels.x8(x, 48))
            a.addProduct(m.addingProduct(Kernels.asFloat(q &>> 28) - bias, scale), Kernels.x8(x, 56))
        } else {
            a.addProduct((Kernels.asFloat(q & mask) - bias) * scale, Kernels.x8(x, 0))
            a.addProduct((Kernels.asFloat((q &>> 4) & mask) - bias) * scale, Kernels.x8(x, 8))
            a.addProduct((Kernels.asFloat((q &>> 8) & mask) - bias) * scale, Kernels.x8(x, 16))
            a.addProduct((Kernels.asFloat((q &>> 12) & mask) - bias) * scale, Kernels.x8(x, 24))
            a.addProduct((Kernels.asFloat((q &>> 16) & mask) - bias) * scale, Kernels.x8(x, 32))
            a.addProduct((Kernels.asFloat((q &>> 20) & mask) - bias) * scale, Kernels.x8(x, 40))
            a.addProduct((Kernels.asFloat((q &>> 24) & mask) - bias) * scale, Kernels.x8(x, 48))
            a.addProduct((Kernels.asFloat(q &>> 28) - bias) * scale, Kernels.x8(x, 56))
        }
    }
}
