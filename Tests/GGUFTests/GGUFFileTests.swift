import Foundation
import Testing
import GGUF

@Suite struct GGUFFileTests {
    @Test func readsEveryMetadataType() throws {
        let f = try GGUFFile(path: Fixture.path("tiny.gguf"))
        #expect(f.version == 3)
        #expect(f.metadata["t.u8"] == .uint8(200))
        #expect(f.metadata["t.i8"] == .int8(-100))
        #expect(f.metadata["t.u16"] == .uint16(60000))
        #expect(f.metadata["t.i16"] == .int16(-30000))
        #expect(f.metadata["t.u32"] == .uint32(4_000_000_000))
        #expect(f.metadata["t.i32"] == .int32(-2_000_000_000))
        #expect(f.metadata["t.u64"] == .uint64(1 << 63 + 5))
        #expect(f.metadata["t.i64"] == .int64(-(1 << 62)))
        #expect(f.metadata["t.f32"] == .float32(1.5))
        #expect(f.metadata["t.f64"] == .float64(-2.25))
        #expect(f.metadata["t.bool"] == .bool(true))
        #expect(f.metadata["t.str"] == .string("héllo wörld ✓"))
        #expect(try f.ints("t.arr_i32") == [1, -2, 3])
        #expect(try f.strings("t.arr_str") == ["a", "bc", ""])
        #expect(f.metadata["t.nested"] == .array([.array([.int32(1), .int32(2)]), .array([.int32(3), .int32(4), .int32(5)])]))
        #expect(f.metadata["t.arr_f32"] == .array([.float32(0.5), .float32(0.25)]))
        #expect(try f.string("general.architecture") == "llama")
    }

    @Test func tensorsMatchTheWriter() throws {
        let f = try GGUFFile(path: Fixture.path("tiny.gguf"))
        let exp = try Fixture.json("tiny_expected.json")
        let tensors = exp["tensors"] as! [String: [String: Any]]
        let first = exp["first_values"] as! [String: [NSNumber]]
        #expect(f.tensors.count == tensors.count)
        for (name, info) in tensors {
            let t = try #require(f.tensor(named: name))
            #expect(t.type.name == info["type"] as! String)
            #expect(t.dims == (info["dims"] as! [Int]))
            #expect(t.offset % f.alignment == 0)
            let values = try Dequantize.tensor(t)
            for (i, v) in first[name]!.enumerated() { #expect(abs(values[i] - v.floatValue) <= 1e-6, "\(name)[\(i)]") }
        }
    }

    @Test func badMagic() {
        #expect { try GGUFFile(path: Fixture.path("bad_magic.gguf")) } throws: { e in
            guard case GGUFError.badMagic(let p, _) = e else { return false }
            return p.hasSuffix("bad_magic.gguf") && "\(e)".contains("not a GGUF file")
        }
    }

    @Test func missingFile() {
        #expect(throws: GGUFError.fileNotFound(path: "/nonexistent/model.gguf")) { try GGUFFile(path: "/nonexistent/model.gguf") }
    }

    @Test func truncatedDataIsOutOfBounds() {
        #expect { try GGUFFile(path: Fixture.path("truncated_data.gguf")) } throws: { e in
            guard case GGUFError.tensorOutOfBounds(_, let name, _, _, _) = e else { return false }
            return name == "w.k"
        }
    }

    /// Every prefix of a valid file is rejected with an error, never a crash.
    @Test func everyTruncationIsAnError() throws {
        let data = try Data(contentsOf: Fixture.url("tiny.gguf"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rollbook-trunc-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cuts = Array(stride(from: 0, to: data.count - 1, by: 7)) + [data.count - 1]
        for cut in cuts {
            let u = dir.appendingPathComponent("t\(cut).gguf")
            try data.prefix(cut).write(to: u)
            #expect(throws: GGUFError.self, "cut at \(cut)") { try GGUFFile(path: u.path) }
        }
    }

    @Test func corruptTensorTypeNamesTheTensor() throws {
        // Patch the type field of the first tensor info to an unknown code.
        var data = try Data(contentsOf: Fixture.url("tiny.gguf"))
        let name = Array("w.f32".utf8)
        let at = try #require(data.firstRange(of: Data(name)))
        let typeOffset = at.upperBound + 4 + 2 * 8   // n_dims u32, two u64 dims
        data[typeOffset] = 99
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("rollbook-badtype-\(getpid()).gguf")
        try data.write(to: u)
        defer { try? FileManager.default.removeItem(at: u) }
        #expect(throws: GGUFError.unknownTensorType(path: u.path, tensor: "w.f32", type: 99)) { try GGUFFile(path: u.path) }
    }

    /// An array count that the remaining bytes cannot hold at the element's size is refused
    /// before anything is reserved (a count up to the file size used to be accepted).
    @Test func arrayCountIsBoundedByElementSize() throws {
        var data = try Data(contentsOf: Fixture.url("tiny.gguf"))
        let at = try #require(data.firstRange(of: Data("t.arr_i32".utf8)))
        let countOffset = at.upperBound + 4 + 4          // value type u32, element type u32
        let remaining = data.count - (countOffset + 8)
        let n = UInt64(remaining / 4 + 1)                // fits as bytes, not as int32s
        for i in 0..<8 { data[countOffset + i] = UInt8(truncatingIfNeeded: n >> (8 * UInt64(i))) }
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("rollbook-arrcount-\(getpid()).gguf")
        try data.write(to: u)
        defer { try? FileManager.default.removeItem(at: u) }
        #expect { try GGUFFile(path: u.path) } throws: { e in
            guard case GGUFError.implausibleCount(_, let what, let c, _) = e else { return false }
            return what.contains("t.arr_i32") && c == n
        }
    }
}
