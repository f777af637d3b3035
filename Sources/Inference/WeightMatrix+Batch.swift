import GGUF

/// Batched products for decoding many sequences: tiles of 4 weight rows are decoded to
/// Float32 (in the activation layout of the format, scale folded in) into an L1-sized
/// buffer, then multiplied with every sequence's activation. Each (row, sequence) result
/// is computed by the same operations whatever the batch holds, so rollouts are
/// bit-identical alone or in company.
extension WeightMatrix {
    static let tileRows = 4

    /// Decodes row r to Float32 in `layout` order into w (cols floats); block minimums
    /// (Q4_1) into mins (cols/32 floats, zero otherwise).
    func decodeRow(_ r: Int, _ w: UnsafeMutablePointer<Float>, _ mins: UnsafeMutablePointer<Float>) {
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
                for k in 0..<8 {
                    let nib = k == 7 ? q &>> 28 : (q &>> UInt32(4 * k)) & mask
                    raw.storeBytes(of: (Kernels.asFloat(nib) - bias) * scale, toByteOffset: (b * 32 + 8 * k) * 4, as: SIMD8<Float>.self)
                }
                if hasMin { mins[b] = Kernels.f16(blk, 2); mins[b + 1] = Kernels.f16(blk, bs + 2) } else { mins[b] = 0; mins[b + 1] = 0 }
                b += 2
            }
            if b < nb {   // an unpaired last block: plain order (as `permute` leaves it)
                try! Dequantize.run(type, src: p + b * bs, count: 32, into: w + b * 32)
                mins[b] = 0
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
                    raw.storeBytes(of: (Kernels.asFloat(byte) - bias) * d, toByteOffset: (b * 32 + 8 * k) * 4, as: SIMD8<Float>.self)
                }
                mins[b] = 0
            }
        default:
            try! Dequantize.run(type, src: p, count: cols, into: w)
            for b in 0..<nb { mins[b] = 0 }
        }
    }

    /// Y[s, r] for rows `range`, all `count` vectors (x'_s at xp + s*cols, block sums at
    /// xsum + s*cols/32, Y at y + s*rows).
    func dotRowsTiled(_ range: Range<Int>, xp: UnsafePointer<Float>, xsum: UnsafePointer<Float>, count: Int,
                      y: UnsafeMutablePointer<Float>) {
        let R = Self.tileRows
        let nb = cols / 32
        let w = UnsafeMutablePointer<Float>.allocate(capacity: R * cols)
        let mins = UnsafeMutablePointer<Float>.allocate(capacity: R * max(nb, 1))
        defer { w.deallocate(); mins.deallocate() }
        let hasMin = type == .q4_1
        var r0 = range.lowerBound
        while r0 < range.upperBound {
            let tr = min(R, range.upperBound - r0)
            for i in 0..<tr { decodeRow(r0 + i, w + i * cols, mins + i * nb) }
            var s = 0
            if tr == 4 {
                while s + 1 < count {
                    let (d0, d1) = Self.dot4x2(w, cols, xp + s * cols, xp + (s + 1) * cols)
                    for i in 0..<4 {
                        y[s * rows + r0 + i] = d0[i] + (hasMin ? Self.minTerm(mins + i * nb, xsum + s * nb, nb) : 0)
                        y[(s + 1) * rows + r0 + i] = d1[i] + (hasMin ? Self.minTerm(mins + i * nb, xsum + (s + 1) * nb, nb) : 0)
                    }
                    s += 2
                }
            }
            while s < count {
                for i in 0..<tr {
                    y[s * rows + r0 + i] = Self.dot1(w + i * cols, cols, xp + s * cols) + (hasMin ? Self.minTerm(mins + i * nb, xsum + s * nb, nb) : 0)
                }
                s += 1
            }
            r0 += tr
        }
    }

    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> { UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self) }

    /// Four rows against two vectors, one accumulator per (row, vector) pair; `dot1`
    /// performs the identical operations for a single pair (cols % 8 == 0).
    @inline(__always)
    static func dot4x2(_ w: UnsafePointer<Float>, _ n: Int, _ x: UnsafePointer<Float>, _ z: UnsafePointer<Float>)
        -> (SIMD4<Float>, SIMD4<Float>) {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
        var p0 = UnsafeRawPointer(w), p1 = UnsafeRawPointer(w + n), p2 = UnsafeRawPointer(w + 2 * n), p3 = UnsafeRawPointer(w + 3 * n)
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

    @inline(__always)
    static func minTerm(_ m: UnsafePointer<Float>, _ xs: UnsafePointer<Float>, _ nb: Int) -> Float {
        var s: Float = 0
        for b in 0..<nb { s += m[b] * xs[b] }
        return s
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
    /// `dotRowsTiled` (the same decoded values, one accumulator in the same order, the same
    /// minimum term), so results are bit-identical to the batched path.
    func fusedSingle(_ range: Range<Int>, xp: UnsafePointer<Float>, xsum: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        var r = range.lowerBound
        while r < range.upperBound {
            let tr = min(4, range.upperBound - r)
            var acc = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
            let nb = cols / 32
            if type == .q8_0 {
                let bias = Kernels.two23 + 128
                let m8 = SIMD8<UInt32>(repeating: 0xFF)
                for b in 0..<nb {
                    let xb = UnsafeRawPointer(xp + b * 32)
                    for i in 0..<tr {
                        let blk = data + (r + i) * rowBytes + b * 34
                        let q = blk.loadUnaligned(fromByteOffset: 2, as: SIMD8<UInt32>.self) ^ SIMD8(repeating: 0x8080_8080)
                        let d = SIMD8<Float>(repeating: Kernels.f16(blk, 0))
                        var a = i == 0 ? acc.0 : i == 1 ? acc.1 : i == 2 ? acc.2 : acc.3
                        a.addProduct((Kernels.asFloat(q & m8) - bias) * d, xb.loadUnaligned(as: SIMD8<Float>.self))
                        a.addProduct((Kernels.asFloat((q &>> 8) & m8) - bias) * d, xb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
                        a.addProduct((Kernels.asFloat((q &>> 16) & m8) - bias) * d, xb.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self))
                        a.addProduct((Kernels.asFloat(q &>> 24) - bias) * d, xb.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self))
                        switch i { case 0: acc.0 = a; case 1: acc.1 = a; case 2: acc.2 = a; default: acc.3 = a }
                    }
                }
                for i in 0..<tr { y[r + i] = (i == 0 ? acc.0 : i == 1 ? acc.1 : i == 2 ? acc.2 : acc.3).sum() }
            } else {
                let hasMin = type == .q4_1
                let bs = hasMin ? 20 : 18, qo = hasMin ? 4 : 2
                let bias = hasMin ? Kernels.two23 : Kernels.two23 + 8
                let mask = SIMD8<UInt32>(repeating: 0xF)
                var mt = SIMD4<Float>()     // minimum terms, summed in block order as `minTerm`
                var b = 0
                while b < nb {
                    let xb = UnsafeRawPointer(xp + b * 32)
                    for i in 0..<tr {
                        let blk = data + (r + i) * rowBytes + b * bs
                        let q = Kernels.load2(blk, qo, qo + bs)
                        let scale = Kernels.halves(Kernels.f16(blk, 0), Kernels.f16(blk, bs))
                        if hasMin {
                            mt[i] += Kernels.f16(blk, 2) * xsum[b]
                            mt[i] += Kernels.f16(blk, bs + 2) * xsum[b + 1]
                        }
                        var a = i == 0 ? acc.0 : i == 1 ? acc.1 : i == 2 ? acc.2 : acc.3
                        a.addProduct((Kernels.asFloat(q & mask) - bias) * scale, xb.loadUnaligned(as: SIMD8<Float>.self))
                        a.addProduct((Kernels.asFloat((q &>> 4) & mask) - bias) * scale, xb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
                        a.addProduct((Kernels.asFloat((q &>> 8) & mask) - bias) * scale, xb.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self))
                        a.addProduct((Kernels.asFloat((q &>> 12) & mask) - bias) * scale, xb.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self))
                        a.addProduct((Kernels.asFloat((q &>> 16) & mask) - bias) * scale, xb.loadUnaligned(fromByteOffset: 128, as: SIMD8<Float>.self))
                        a.addProduct((Kernels.asFloat((q &>> 20) & mask) - bias) * scale, xb.loadUnaligned(fromByteOffset: 160, as: SIMD8<Float>.self))
                        a.addProduct((Kernels.asFloat((q &>> 24) & mask) - bias) * scale, xb.loadUnaligned(fromByteOffset: 192, as: SIMD8<Float>.self))
                        a.addProduct((Kernels.asFloat(q &>> 28) - bias) * scale, xb.loadUnaligned(fromByteOffset: 224, as: SIMD8<Float>.self))
                        switch i { case 0: acc.0 = a; case 1: acc.1 = a; case 2: acc.2 = a; default: acc.3 = a }
                    }
                    b += 2
                }
                for i in 0..<tr {
                    y[r + i] = (i == 0 ? acc.0 : i == 1 ? acc.1 : i == 2 ? acc.2 : acc.3).sum() + (hasMin ? mt[i] : 0)
                }
            }
            r += tr
        }
    }
}
