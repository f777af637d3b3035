import Foundation
import Testing
import Sampling

/// The sampler's vectorised scans against the one-by-one loops they replace: the same index,
/// the same value, bit for bit, on vocabulary-sized rows with ties, NaN, infinities and
/// signed zeros.
@Suite struct SamplerScanTests {
    /// Rows of a given width: random logits, many tied (a coarse grid), with special values.
    static func rows(seed: UInt64) -> [[Float]] {
        var g = SplitMix64(seed: seed)
        var out = [[Float]]()
        for n in [1, 7, 8, 9, 63, 64, 65, 300, 511, 513, 4_099, 49_152] {
            for kind in 0..<6 {
                var r = (0..<n).map { _ in Float(Int(g.next() % 41) - 20) / 4 }
                switch kind {
                case 1: r = r.map { $0 - 40 }                                  // all negative
                case 2: if n > 3 { r[Int(g.next() % UInt64(n))] = .nan }       // a NaN
                case 3: r = r.map { $0 > 0 ? -.infinity : $0 }                  // -inf among them
                case 4: r = r.map { $0 > 0 ? (g.next() & 1 == 0 ? 0 : -0.0) : $0 }  // max is a signed zero
                case 5: r = [Float](repeating: -.infinity, count: n)
                default: break
                }
                out.append(r)
            }
        }
        return out
    }

    @Test func argmaxIsTheFirstLargest() {
        for r in Self.rows(seed: 7) {
            var best = 0, bv = -Float.infinity
            for (i, v) in r.enumerated() where v > bv { bv = v; best = i }
            #expect(r.withUnsafeBufferPointer { Sampler.argmax($0) } == best, "width \(r.count)")
        }
    }

    @Test func selfCertaintySumsInChunkOrder() {
        for r in Self.rows(seed: 8) {
            var sum: Double = 0
            var i = 0
            while i < r.count {
                let end = min(r.count, i + 64)
                var s: Float = 0
                for j in i..<end { s += r[j] }
                sum += Double(s)
                i = end
            }
            let want = Float(Double(1.5) - sum / Double(r.count) - log(Double(r.count)))
            let got = r.withUnsafeBufferPointer { Sampler.selfCertainty($0, lse: 1.5) }
            #expect(got.bitPattern == want.bitPattern || (got.isNaN && want.isNaN), "width \(r.count)")
        }
    }

    /// Untruncated temperature draws: the running-sum scan against the draw, same RNG state.
    /// Many draws per row, and rows of equal logits (running sums that are whole numbers,
    /// which a draw can land on exactly: where `<` and `<=` part).
    @Test func drawIsTheScansIndex() {
        let rows = Self.rows(seed: 9) + [64, 65, 4_096, 49_152].map { [Float](repeating: 0.25, count: $0) }
        for numerics in [Numerics.v1, .current] {
            for (k, r) in rows.enumerated() {
                for seed in 0..<8 {
                    var s = Sampler(config: SamplerConfig(temperature: 0.7), seed: UInt64(k * 8 + seed), numerics: numerics)
                    var rng = s.rng
                    let want = Self.scan(r, temperature: 0.7, numerics: numerics, &rng)
                    let got = r.withUnsafeBufferPointer { s.sample($0) }.id
                    #expect(got == want, "numerics \(numerics.rawValue), row \(k), seed \(seed), width \(r.count)")
                }
            }
        }
    }

    /// The draw as it was: exponentials, their total, a uniform draw times the total, then the
    /// first index whose running sum exceeds it.
    static func scan(_ r: [Float], temperature t: Float, numerics: Numerics, _ rng: inout SplitMix64) -> Int {
        let p = r.map { $0 / t }
        var m = -Float.infinity
        for v in p { m = max(m, v) }
        var e = [Float](repeating: 0, count: p.count)
        var total: Float = 0
        if numerics.fastDecoding {
            e = p
            _ = e.withUnsafeMutableBufferPointer { FastMath.expShifted($0.baseAddress!, p.count, minus: m) }
            for v in e { total += v }
        } else {
            for i in p.indices { e[i] = expf(p[i] - m); total += e[i] }
        }
        let u = rng.nextUnitFloat() * total
        var acc: Float = 0
        for i in e.indices { acc += e[i]; if u < acc { return i } }
        return p.count - 1
    }
}
