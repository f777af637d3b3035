/// Fused dequantise-and-dot kernels over ggml blocks, on SIMD types. Each has a scalar
/// twin in GGUF.Dequantize that tests compare against.
enum Kernels {
    @inline(__always) static func f16(_ p: UnsafeRawPointer, _ o: Int) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
    }
    @inline(__always) static func lo(_ v: SIMD16<UInt8>) -> SIMD16<Float> { SIMD16<Float>(v & 0x0F) }
    @inline(__always) static func hi(_ v: SIMD16<UInt8>) -> SIMD16<Float> { SIMD16<Float>(v &>> 4) }
    @inline(__always) static func x16(_ x: UnsafePointer<Float>, _ i: Int) -> SIMD16<Float> {
        UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// Sums of x over consecutive blocks of 32 (for formats with a block minimum).
    static func blockSums(_ x: UnsafePointer<Float>, _ n: Int, _ out: UnsafeMutablePointer<Float>) {
        for b in 0..<(n / 32) { out[b] = (x16(x, b * 32) + x16(x, b * 32 + 16)).sum() }
    }

    /// Q4_1 block (32 weights, 20 bytes): d, m (f16), 16 bytes of nibbles; w = d*q + m,
    /// low nibbles are elements 0..15, high nibbles 16..31.
    @inline(__always)
    static func dotQ4_1(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ xsum: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var macc: Float = 0
        var p = row
        for b in 0..<(n / 32) {
            let v = p.loadUnaligned(fromByteOffset: 4, as: SIMD16<UInt8>.self)
            let s = lo(v) * x16(x, b * 32) + hi(v) * x16(x, b * 32 + 16)
            acc.addProduct(s, f16(p, 0))
            macc += f16(p, 2) * xsum[b]
            p += 20
        }
        return acc.sum() + macc
    }

    /// Q4_0 block (18 bytes): d (f16), 16 bytes of nibbles; w = d*(q-8).
    @inline(__always)
    static func dotQ4_0(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var p = row
        let eight = SIMD16<Float>(repeating: 8)
        for b in 0..<(n / 32) {
            let v = p.loadUnaligned(fromByteOffset: 2, as: SIMD16<UInt8>.self)
            let s = (lo(v) - eight) * x16(x, b * 32) + (hi(v) - eight) * x16(x, b * 32 + 16)
            acc.addProduct(s, f16(p, 0))
            p += 18
        }
        return acc.sum()
    }

    /// Q8_0 block (34 bytes): d (f16), 32 signed bytes; w = d*q.
    @inline(__always)
    static func dotQ8_0(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var p = row
        for b in 0..<(n / 32) {
            let q0 = SIMD16<Float>(p.loadUnaligned(fromByteOffset: 2, as: SIMD16<Int8>.self))
            let q1 = SIMD16<Float>(p.loadUnaligned(fromByteOffset: 18, as: SIMD16<Int8>.self))
            let s = q0 * x16(x, b * 32) + q1 * x16(x, b * 32 + 16)
            acc.addProduct(s, f16(p, 0))
            p += 34
        }
        return acc.sum()
    }

    @inline(__always)
    static func dotF32(_ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let w = row.assumingMemoryBound(to: Float.self)
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= n { acc.addProduct(x16(w, i), x16(x, i)); i += 16 }
        var s = acc.sum()
        while i < n { s += w[i] * x[i]; i += 1 }
        return s
    }

    static func dequantQ4_1(_ row: UnsafeRawPointer, _ n: Int, _ out: UnsafeMutablePointer<Float>) {
        var p = row
        let o = UnsafeMutableRawPointer(out)
        for b in 0..<(n / 32) {
            let v = p.loadUnaligned(fromByteOffset: 4, as: SIMD16<UInt8>.self)
            let d = SIMD16<Float>(repeating: f16(p, 0)), m = SIMD16<Float>(repeating: f16(p, 2))
            o.storeBytes(of: lo(v) * d + m, toByteOffset: b * 128, as: SIMD16<Float>.self)
            o.storeBytes(of: hi(v) * d + m, toByteOffset: b * 128 + 64, as: SIMD16<Float>.self)
            p += 20
        }
    }

    static func dequantQ4_0(_ row: UnsafeRawPointer, _ n: Int, _ out: UnsafeMutablePointer<Float>) {
        var p = row
        let o = UnsafeMutableRawPointer(out)
        let eight = SIMD16<Float>(repeating: 8)
        for b in 0..<(n / 32) {
            let v = p.loadUnaligned(fromByteOffset: 2, as: SIMD16<UInt8>.self)
            let d = SIMD16<Float>(repeating: f16(p, 0))
            o.storeBytes(of: (lo(v) - eight) * d, toByteOffset: b * 128, as: SIMD16<Float>.self)
            o.storeBytes(of: (hi(v) - eight) * d, toByteOffset: b * 128 + 64, as: SIMD16<Float>.self)
            p += 18
        }
    }

    static func dequantQ8_0(_ row: UnsafeRawPointer, _ n: Int, _ out: UnsafeMutablePointer<Float>) {
        var p = row
        let o = UnsafeMutableRawPointer(out)
        for b in 0..<(n / 32) {
            let d = SIMD16<Float>(repeating: f16(p, 0))
            let q0 = SIMD16<Float>(p.loadUnaligned(fromByteOffset: 2, as: SIMD16<Int8>.self))
            let q1 = SIMD16<Float>(p.loadUnaligned(fromByteOffset: 18, as: SIMD16<Int8>.self))
            o.storeBytes(of: q0 * d, toByteOffset: b * 128, as: SIMD16<Float>.self)
            o.storeBytes(of: q1 * d, toByteOffset: b * 128 + 64, as: SIMD16<Float>.self)
            p += 34
        }
    }
}
