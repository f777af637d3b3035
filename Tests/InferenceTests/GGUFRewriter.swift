import Foundation
import GGUF

/// Writes a GGUF file (v3) from an existing one with its metadata changed: the tensors
/// (infos and data section) are copied as they are. Bad-model tests build their inputs with
/// it from the fixture models, so no Python is needed to make a broken file.
enum GGUFRewriter {
    /// `edit` receives the keys in file order with their values and returns the new list.
    static func rewrite(_ source: String, to dest: String,
                        edit: ([(String, GGUFValue)]) -> [(String, GGUFValue)]) throws {
        let f = try GGUFFile(path: source)
        let kvs = edit(f.keys.map { ($0, f.metadata[$0]!) })
        var out = Data()
        out.append(contentsOf: Array("GGUF".utf8))
        put(&out, UInt32(3))
        put(&out, UInt64(f.tensors.count))
        put(&out, UInt64(kvs.count))
        for (k, v) in kvs {
            putString(&out, k)
            put(&out, kind(v).rawValue)
            putValue(&out, v)
        }
        for t in f.tensors {
            putString(&out, t.name)
            put(&out, UInt32(t.dims.count))
            for d in t.dims { put(&out, UInt64(d)) }
            put(&out, t.type.rawValue)
            put(&out, UInt64(t.offset))
        }
        let alignment = kvs.first { $0.0 == "general.alignment" }?.1.intValue ?? 32
        while out.count % alignment != 0 { out.append(0) }
        let original = try Data(contentsOf: URL(fileURLWithPath: source))
        out.append(original[f.dataOffset...])
        try out.write(to: URL(fileURLWithPath: dest))
    }

    /// Sets (or adds) one key.
    static func setting(_ key: String, _ value: GGUFValue) -> ([(String, GGUFValue)]) -> [(String, GGUFValue)] {
        { kvs in
            var kvs = kvs
            if let i = kvs.firstIndex(where: { $0.0 == key }) { kvs[i].1 = value } else { kvs.append((key, value)) }
            return kvs
        }
    }

    static func kind(_ v: GGUFValue) -> GGUFValue.Kind {
        switch v {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .uint64: return .uint64
        case .int64: return .int64
        case .float32: return .float32
        case .float64: return .float64
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        }
    }

    static func put<T: FixedWidthInteger>(_ d: inout Data, _ v: T) {
        withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) }
    }
    static func putString(_ d: inout Data, _ s: String) {
        put(&d, UInt64(s.utf8.count))
        d.append(contentsOf: Array(s.utf8))
    }
    static func putValue(_ d: inout Data, _ v: GGUFValue) {
        switch v {
        case .uint8(let x): put(&d, x)
        case .int8(let x): put(&d, x)
        case .uint16(let x): put(&d, x)
        case .int16(let x): put(&d, x)
        case .uint32(let x): put(&d, x)
        case .int32(let x): put(&d, x)
        case .uint64(let x): put(&d, x)
        case .int64(let x): put(&d, x)
        case .float32(let x): put(&d, x.bitPattern)
        case .float64(let x): put(&d, x.bitPattern)
        case .bool(let b): put(&d, UInt8(b ? 1 : 0))
        case .string(let s): putString(&d, s)
        case .array(let items):
            put(&d, (items.first.map(kind) ?? .uint8).rawValue)
            put(&d, UInt64(items.count))
            for i in items { putValue(&d, i) }
        }
    }
}
