import Foundation
import GGUF
import Inference
import Sampling
import Testing

/// The default model re-quantised by llama.cpp's own quantiser (scripts/requantize.py, run
/// here through llama-cpp-python in .venv-server when a file is missing) to the formats
/// people download, against llama.cpp's greedy continuations of the same files
/// (scripts/make_format_fixtures.py): identical until a step where llama.cpp's own top-2
/// margin is below LlamaGoldenTests' near-tie tolerance. Every K-quant tensor decodes through
/// the integer kernels, which compute the stated arithmetic exactly.
@Suite(.serialized) struct FormatGoldenTests {
    struct Case: Decodable { var name: String; var ids: [Int]; var continuation: [Int]; var margins: [Double] }
    struct Format: Decodable { var format: String; var file: String; var sha256: String; var prompts: [Case] }
    struct File: Decodable { var formats: [Format] }

    static let file: File = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: Fixture.path("format_goldens.json")))
        return try! JSONDecoder().decode(File.self, from: data)
    }()

    /// The re-quantised file, made by llama.cpp's quantiser if missing, checked by sha256.
    static func model(_ f: Format) throws -> String {
        let path = TestModels.repoRoot.appendingPathComponent("data/models/requant/\(f.file)").path
        if !FileManager.default.fileExists(atPath: path) {
            let p = Process()
            p.executableURL = TestModels.repoRoot.appendingPathComponent(".venv-server/bin/python")
            p.arguments = [TestModels.repoRoot.appendingPathComponent("scripts/requantize.py").path, f.format]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            try #require(p.terminationStatus == 0, "scripts/requantize.py \(f.format) failed (is .venv-server installed?)")
        }
        let sum = Process(), pipe = Pipe()
        sum.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sum.arguments = [path]
        sum.standardOutput = pipe
        try sum.run()
        let hex = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        sum.waitUntilExit()
        try #require(hex == f.sha256, "\(path): sha256 \(hex), the fixture was made from \(f.sha256)")
        return path
    }

    @Test(arguments: ["Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16"])
    func greedyMatchesLlamaCpp(_ name: String) throws {
        let f = try #require(Self.file.formats.first { $0.format == name })
        let m = try Model(path: try Self.model(f))
        for c in f.prompts {
            let out = try TestModels.greedy(m, prompt: c.ids, count: c.continuation.count)
            if let k = zip(out, c.continuation).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                #expect(c.margins[k] < LlamaGoldenTests.marginTolerance,
                        "\(name) \(c.name): diverged at step \(k) where llama.cpp's top-2 margin is \(c.margins[k])")
                print("format \(name) \(c.name): diverged at step \(k), llama.cpp margin \(c.margins[k])")
            } else {
                print("format \(name) \(c.name): 64 greedy tokens identical")
            }
        }
    }

    /// Q4_K, Q5_K, Q6_K tensors and the Q5_0 / Q5_1 that K-quant files use for rows whose
    /// width is not a multiple of 256: the codes and scales the packer reads give back GGML's
    /// dequantised weights exactly, and the integer kernels compute the stated arithmetic
    /// (VNNI and AVX2 alike, a vector alone as in a batch).
    @Test(arguments: [("Q4_K_M", GGMLType.q4_K), ("Q4_K_M", .q6_K), ("Q4_K_M", .q5_0), ("Q5_K_M", .q5_K),
                      ("Q5_K_M", .q5_1)])
    func kQuantKernels(_ format: String, _ type: GGMLType) throws {
        let f = try #require(Self.file.formats.first { $0.format == format })
        let gguf = try GGUFFile(path: try Self.model(f))
        let t = try #require(gguf.tensors.first { $0.type == type && $0.dims.count == 2 })
        let tensor = t.name
        let w = try WeightMatrix(t)
        let all = try Dequantize.tensor(t)
        let rows = stride(from: 0, to: w.rows, by: max(1, w.rows / 37)).map { $0 } + [w.rows - 1]
        for r in rows {
            for b in 0..<(w.cols / 32) {
                let blk = try #require(w.integerBlock(row: r, block: b), "\(t.type) has no integer kernel")
                for j in 0..<32 {
                    let d = j < 16 || t.type != .q6_K ? blk.d : blk.dHi
                    let v = d * Float(blk.codes[j]) + blk.m
                    #expect(v == all[r * w.cols + b * 32 + j], "\(tensor) row \(r) col \(b * 32 + j)")
                }
            }
        }
        try IntegerKernelTests.check(w, name: "\(format) \(tensor)", rows: rows) { _, r, x in
            // The stated arithmetic over the packer's codes.
            var acc: Float = 0
            let xs = Array(x)
            for b in 0..<(w.cols / 32) {
                let blk = w.integerBlock(row: r, block: b)!
                let xb = IntegerKernelTests.quantise(xs[(b * 32)..<(b * 32 + 32)])
                let split = t.type == .q6_K, hasMin = [.q4_K, .q5_K, .q5_1].contains(t.type)
                var lo: Int32 = 0, hi: Int32 = 0
                for j in 0..<32 { let p = blk.codes[j] * Int32(xb.q[j]); if j < 16 { lo += p } else { hi += p } }
                if split {
                    acc = acc.addingProduct(Float(lo), blk.d * xb.d[0])
                    acc = acc.addingProduct(Float(hi), blk.dHi * xb.d[0])
                } else {
                    acc = acc.addingProduct(Float(lo + hi), blk.d * xb.d[0])
                }
                if hasMin { acc = acc.addingProduct(blk.m, xb.d[0] * Float(xb.isum[0])) }
            }
            return acc
        }
    }

    /// F16 rows through the interleaved copy (groups of eight rows, eight columns at a time):
    /// each product is the stated arithmetic (one 8-lane accumulator over the exactly widened
    /// weights, column order, then the lanes summed), bit for bit, alone (the single-stream path
    /// and the batched path at n = 1) and in a batch of 5 (the tiled path, in each instruction
    /// set's register blocks: AVX2 4 x 2, AVX-512 4 x 4). The fixture's 4 x 64 `w.f16` fills
    /// only half of its one group; views of 13 rows end in a group of 5 (a 4-row block and a
    /// row alone).
    @Test func f16Kernel() throws {
        let f = try #require(Self.file.formats.first { $0.format == "F16" })
        let gguf = try GGUFFile(path: try Self.model(f)), tiny = try GGUFFile(path: TestModels.fixture("tiny.gguf"))
        var cases = [(String, WeightMatrix, [Float])]()
        for name in ["blk.0.attn_q.weight", "blk.3.ffn_down.weight", "blk.7.attn_k.weight"] {
            let t = try #require(gguf.tensors.first { $0.name == name && $0.type == .f16 })
            cases.append((name, try WeightMatrix(t), try Dequantize.tensor(t)))
        }
        let t = try #require(tiny.tensors.first { $0.name == "w.f16" })
        cases.append(("w.f16", try WeightMatrix(t), try Dequantize.tensor(t)))
        let q = cases[0]
        for r in [0..<13, 3..<16] {
            cases.append(("\(q.0)[\(r)]", q.1.rows(r), Array(q.2[(r.lowerBound * q.1.cols)..<(r.upperBound * q.1.cols)])))
        }
        for (name, w, all) in cases {
            let n = 5
            var rng = SystemRandomNumberGenerator()
            let x = (0..<(w.cols * n)).map { _ in Float.random(in: -2...2, using: &rng) }
            // Every instruction set's batched kernel (AVX2 4 x 2 blocks, AVX-512 4 x 4).
            let perISA = WeightMatrix.integerISAs.map { w.multiplyDecoding(rowsOf: x, n: n, numerics: .v2, isa: $0) }
            #expect(!perISA.isEmpty)
            var wrong = [String]()
            for s in 0..<n {
                let xs = Array(x[(s * w.cols)..<((s + 1) * w.cols)])
                let single = w.multiply(xs), alone = w.multiplyDecoding(rowsOf: xs, n: 1, numerics: .v2)
                all.withUnsafeBufferPointer { wp in
                    xs.withUnsafeBufferPointer { xp in
                        for r in 0..<w.rows {
                            var acc = SIMD8<Float>()
                            for j in stride(from: 0, to: w.cols, by: 8) {
                                acc.addProduct(UnsafeRawPointer(wp.baseAddress! + r * w.cols + j).loadUnaligned(as: SIMD8<Float>.self),
                                               UnsafeRawPointer(xp.baseAddress! + j).loadUnaligned(as: SIMD8<Float>.self))
                            }
                            let want = acc.sum().bitPattern
                            if single[r].bitPattern != want || alone[r].bitPattern != want
                                || perISA.contains(where: { $0[s * w.rows + r].bitPattern != want }) {
                                wrong.append("\(name) vector \(s) row \(r)")
                            }
                        }
                    }
                }
            }
            #expect(wrong.isEmpty, "not the stated arithmetic: \(wrong.prefix(5))")
        }
    }
}
