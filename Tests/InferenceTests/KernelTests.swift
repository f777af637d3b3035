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
