import Foundation
import Testing
import GGUF
import Inference
import Sampling

/// The fused SIMD kernels and the dequantise+sgemm path against the scalar reference
/// dequantiser followed by a Double-accumulated dot product.
@Suite struct KernelTests {
    static func reference(_ w: WeightMatrix, _ t: GGUFTensor, _ x: [Float]) throws -> [Double] {
        let all = try Dequantize.tensor(t)
        return (0..<w.rows).map { r in (0..<w.cols).reduce(0.0) { $0 + Double(all[r * w.cols + $1]) * Double(x[$1]) } }
    }

    static let cases: [(String, String)] = [
        ("micro_llama.gguf", "blk.0.attn_q.weight"),   // Q4_1
        ("micro_llama.gguf", "blk.0.attn_v.weight"),   // Q4_0
        ("micro_llama.gguf", "blk.0.attn_output.weight"), // Q8_0
        ("micro_llama.gguf", "blk.0.ffn_up.weight"),   // Q5_0 (generic path)
        ("micro_llama.gguf", "blk.0.ffn_down.weight"), // F32
    ]

    @Test(arguments: 0..<cases.count)
    func fusedKernelMatchesReference(_ i: Int) throws {
        let (file, name) = Self.cases[i]
        let f = try GGUFFile(path: TestModels.fixture(file))
        let t = try #require(f.tensor(named: name))
        let w = try WeightMatrix(t)
        var rng = SplitMix64(seed: 7)
        let x = (0..<w.cols).map { _ in rng.nextUnitFloat() * 2 - 1 }
        let ref = try Self.reference(w, t, x)
        let y = w.multiply(x)
        for r in 0..<w.rows { #expect(abs(Double(y[r]) - ref[r]) <= 1e-4 * max(1, abs(ref[r])), "\(name) row \(r)") }
        // Several rows at once (dequantise + sgemm) agree with the single-row kernel.
        let x3 = x + x.reversed() + x.map { -$0 }
        let y3 = w.multiply(rowsOf: x3, n: 3)
        for r in 0..<w.rows { #expect(abs(y3[r] - y[r]) <= 1e-4 * max(1, abs(y[r])), "\(name) batched row \(r)") }
    }

    /// The integer kernels (8-bit activations) against the same arithmetic in Double: x
    /// quantised per 32-block (scale max|x| / 127, round half to even), weight blocks as stored.
    /// Tight against that (1e-5 relative), and within the activation-rounding bound
    /// sum |w| * scale / 2 of the exact Float product.
    @Test(arguments: [("micro_llama.gguf", "blk.0.attn_q.weight"),      // Q4_1
                      ("micro_llama.gguf", "blk.0.attn_output.weight"), // Q8_0
                      ("", "blk.5.ffn_down.weight"), ("", "token_embd.weight")])
    func int8KernelMatchesQuantisedArithmetic(file: String, name: String) throws {
        let f = file.isEmpty ? TestModels.smollm.file : try GGUFFile(path: TestModels.fixture(file))
        let t = try #require(f.tensor(named: name))
        let w = try WeightMatrix(t)
        var rng = SplitMix64(seed: 5)
        let x = (0..<w.cols).map { _ in rng.nextUnitFloat() * 2 - 1 }
        let all = try Dequantize.tensor(t)
        // x quantised as the kernel does, independently.
        var xq = [Double](), xs = [Double]()
        for b in 0..<(w.cols / 32) {
            let blk = x[(b * 32)..<(b * 32 + 32)]
            let amax = Double(blk.map { abs($0) }.max()!)
            let d = Double(Float(amax) / 127), inv = amax > 0 ? Double(127 / Float(amax)) : 0
            for v in blk { xq.append((Double(Float(Double(v) * inv))).rounded(.toNearestOrEven) * d) }
            xs.append(d)
        }
        let y = w.multiply(x, int8: true)
        for r in stride(from: 0, to: w.rows, by: max(1, w.rows / 64)) {
            let row = all[(r * w.cols)..<((r + 1) * w.cols)]
            let want = zip(row, xq).reduce(0.0) { $0 + Double($1.0) * $1.1 }
            let exact = zip(row, x).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let bound = (0..<w.cols).reduce(0.0) { $0 + abs(Double(row[row.startIndex + $1])) * xs[$1 / 32] / 2 }
            #expect(abs(Double(y[r]) - want) <= 1e-5 * max(1, abs(want)), "\(name) row \(r): \(y[r]) vs \(want)")
            #expect(abs(Double(y[r]) - exact) <= bound + 1e-4, "\(name) row \(r): beyond the rounding bound")
        }
    }

    @Test func defaultModelKernels() throws {
        let m = TestModels.smollm
        for name in ["blk.3.ffn_down.weight", "token_embd.weight"] {
            let t = try #require(m.file.tensor(named: name))
            let w = try #require(m.weightMatrix(named: name))
            var rng = SplitMix64(seed: 11)
            let x = (0..<w.cols).map { _ in rng.nextUnitFloat() - 0.5 }
            let y = w.multiply(x)
            let all = try Dequantize.tensor(t)
            for r in stride(from: 0, to: w.rows, by: max(1, w.rows / 97)) {
                let ref = (0..<w.cols).reduce(0.0) { $0 + Double(all[r * w.cols + $1]) * Double(x[$1]) }
                #expect(abs(Double(y[r]) - ref) <= 1e-4 * max(1, abs(ref)), "\(name) row \(r)")
            }
        }
    }
}

/// Numerics v2: the integer kernels compute exactly the arithmetic the documentation states
/// (exact integer block sums, then acc = fma(Float(S), d_w * d_x, acc) per block, Q4_1's
/// minimum as a second fma), for every vector of a batch as for the vector alone, with
/// AVX-512 VNNI and with AVX2.
@Suite struct IntegerKernelTests {
    struct Quantised { var q: [Int8]; var d: [Float]; var isum: [Int32] }

    static func quantise(_ x: ArraySlice<Float>) -> Quantised {
        var out = Quantised(q: [], d: [], isum: [])
        let xs = Array(x)
        for b in 0..<(xs.count / 32) {
            let blk = xs[(b * 32)..<(b * 32 + 32)]
            let amax = blk.map { abs($0) }.max()!
            let inv: Float = amax > 0 ? 127 / amax : 0
            var s: Int32 = 0
            for v in blk { let c = Int32((v * inv).rounded(.toNearestOrEven)); out.q.append(Int8(c)); s += c }
            out.d.append(amax / 127); out.isum.append(s)
        }
        return out
    }

    static func f16(_ p: UnsafeRawPointer, _ o: Int) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
    }

    /// One row against one quantised vector, written out as specified.
    static func reference(_ t: GGUFTensor, row r: Int, _ a: Quantised) -> Float {
        let cols = t.dims[0], nb = cols / 32
        let rowBytes = t.byteCount / (t.elementCount / cols)
        let p = t.data + r * rowBytes
        var acc: Float = 0
        for b in 0..<nb {
            var S: Int32 = 0
            let dw: Float
            var mw: Float? = nil
            switch t.type {
            case .q8_0:
                let blk = p + b * 34
                dw = f16(blk, 0)
                for j in 0..<32 { S += Int32(blk.load(fromByteOffset: 2 + j, as: Int8.self)) * Int32(a.q[b * 32 + j]) }
            case .q4_0, .q4_1:
                let hasMin = t.type == .q4_1
                let blk = p + b * (hasMin ? 20 : 18), qo = hasMin ? 4 : 2
                dw = f16(blk, 0)
                if hasMin { mw = f16(blk, 2) }
                for j in 0..<16 {
                    let byte = blk.load(fromByteOffset: qo + j, as: UInt8.self)
                    S += Int32(byte & 0xF) * Int32(a.q[b * 32 + j]) + Int32(byte >> 4) * Int32(a.q[b * 32 + 16 + j])
                }
                if !hasMin { S -= 8 * a.isum[b] }
            default: fatalError("no integer kernel for \(t.type)")
            }
            acc = acc.addingProduct(Float(S), dw * a.d[b])
            if let mw { acc = acc.addingProduct(mw, a.d[b] * Float(a.isum[b])) }
        }
        return acc
    }

    /// Six vectors through the integer kernels, with each instruction set: every checked
    /// row's result equals `reference(vector, row, x)` bit for bit, and the vector alone.
    static func check(_ w: WeightMatrix, name: String, rows: [Int],
                      reference: (Int, Int, ArraySlice<Float>) -> Float) throws {
        var rng = SplitMix64(seed: 19)
        let n = 6
        let x = (0..<(w.cols * n)).map { i in (rng.nextUnitFloat() * 2 - 1) * (1 + Float(i % 7)) }
        var results = [String: [Float]]()
        #expect(WeightMatrix.integerISAs.contains(WeightMatrix.integerISA))
        for isa in WeightMatrix.integerISAs {
            let all = w.multiplyDecoding(rowsOf: x, n: n, numerics: .v2, isa: isa)
            results[isa] = all
            for v in 0..<n {
                let xv = x[(v * w.cols)..<((v + 1) * w.cols)]
                let alone = w.multiplyDecoding(rowsOf: Array(xv), n: 1, numerics: .v2, isa: isa)
                for r in rows {
                    let want = reference(v, r, xv)
                    #expect(all[v * w.rows + r].bitPattern == want.bitPattern, "\(isa) \(name) vector \(v) row \(r)")
                    #expect(alone[r].bitPattern == all[v * w.rows + r].bitPattern, "\(isa) \(name) alone, row \(r)")
                }
            }
        }
        if let a = results["avx2"], let b = results["vnni"] { #expect(a == b, "VNNI and AVX2 disagree on \(name)") }
    }

    @Test(arguments: [("micro_llama.gguf", "blk.0.attn_q.weight"),      // Q4_1
                      ("micro_llama.gguf", "blk.0.attn_v.weight"),      // Q4_0
                      ("micro_llama.gguf", "blk.0.attn_output.weight"), // Q8_0
                      ("", "blk.5.ffn_down.weight"), ("", "token_embd.weight")])
    func integerKernelsFollowTheStatedArithmetic(file: String, name: String) throws {
        let f = file.isEmpty ? TestModels.smollm.file : try GGUFFile(path: TestModels.fixture(file))
        let t = try #require(f.tensor(named: name))
        let w = try WeightMatrix(t)
        let rows = stride(from: 0, to: w.rows, by: max(1, w.rows / 97)).map { $0 } + [w.rows - 1]
        try Self.check(w, name: name, rows: rows) { _, r, x in Self.reference(t, row: r, Self.quantise(x)) }
    }
}
