import Foundation
import Testing
import GGUF

/// Dequantisation against the `gguf` Python package (scripts/make_gguf_fixtures.py).
/// Tolerance: 1e-6 relative + 1e-7 absolute (both compute in Float32; only the order of
/// multiply and add may differ).
@Suite struct DequantizeTests {
    static let types = ["F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q4_K", "Q5_K", "Q6_K"]

    @Test(arguments: types)
    func matchesReference(_ name: String) throws {
        let golden = try Fixture.json("quant_goldens.json")
        let entry = (golden["types"] as! [String: Any])[name] as! [String: Any]
        let expected = (entry["values"] as! [NSNumber]).map { $0.floatValue }
        let raw = try Data(contentsOf: Fixture.url("quant_\(name).bin"))
        let type = GGMLType.allCases.first { $0.name == name }!
        #expect(type.byteCount(elements: UInt64(expected.count)) == UInt64(raw.count))
        var out = [Float](repeating: .nan, count: expected.count)
        try raw.withUnsafeBytes { src in
            try out.withUnsafeMutableBufferPointer { try Dequantize.run(type, src: src.baseAddress!, count: expected.count, into: $0.baseAddress!) }
        }
        var worst: (Int, Float, Float)? = nil
        for i in expected.indices where abs(out[i] - expected[i]) > 1e-7 + 1e-6 * abs(expected[i]) {
            worst = worst ?? (i, out[i], expected[i])
        }
        #expect(worst == nil, "first mismatch \(String(describing: worst))")
    }

    @Test func unsupportedTypeIsAnError() {
        var out = [Float](repeating: 0, count: 256)
        let raw = [UInt8](repeating: 0, count: 84)
        #expect(throws: GGUFError.self) {
            try raw.withUnsafeBytes { src in try out.withUnsafeMutableBufferPointer { try Dequantize.run(.q2_K, src: src.baseAddress!, count: 256, into: $0.baseAddress!) } }
        }
    }
}
