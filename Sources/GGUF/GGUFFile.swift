#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One tensor's description and a view of its bytes inside the mapped file.
public struct GGUFTensor: @unchecked Sendable {
    public let name: String
    /// ggml order: dims[0] is the fastest-varying (row length).
    public let dims: [Int]
    public let type: GGMLType
    /// Offset relative to the start of the data section.
    public let offset: Int
    public let byteCount: Int
    public let data: UnsafeRawPointer

    public var elementCount: Int { dims.reduce(1, *) }
    public var rowLength: Int { dims.first ?? 1 }
    public var rowCount: Int { elementCount / max(rowLength, 1) }
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: data, count: byteCount) }
}

/// A GGUF file (versions 2 and 3), memory-mapped read-only. Every count, offset and size is
/// validated in order (magic, version, counts, keys, alignment, tensor infos, data bounds);
/// tensor data is viewed through the mapping, never copied.
public final class GGUFFile: @unchecked Sendable {
    public let path: String
    public let version: UInt32
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let keys: [String]
    public let tensors: [GGUFTensor]
    public let alignment: Int
    public let dataOffset: Int
    public let fileSize: Int
    private let tensorIndex: [String: Int]
    private let base: UnsafeMutableRawPointer?

    public init(path: String) throws {
        self.path = path
        var st = stat()
        guard stat(path, &st) == 0 else { throw GGUFError.fileNotFound(path: path) }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw GGUFError.cannotOpen(path: path, reason: "not a regular file")
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let size = Int(st.st_size)
        fileSize = size
        var mapped: UnsafeMutableRawPointer? = nil
        if size > 0 {
            let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
            guard let p, p != MAP_FAILED else {
                throw GGUFError.cannotOpen(path: path, reason: "mmap failed: " + String(cString: strerror(errno)))
            }
            mapped = p
        }
        base = mapped
        do {
            var r = ByteReader(base: UnsafeRawPointer(mapped), size: size, path: path)
            let parsed = try GGUFFile.parse(&r)
            version = parsed.version
            metadata = parsed.metadata
            keys = parsed.keys
            alignment = parsed.alignment
            dataOffset = parsed.dataOffset
            tensors = parsed.tensors
        } catch {
            if let mapped { munmap(mapped, size) }
            throw error
        }
        var idx = [String: Int]()
        for (i, t) in tensors.enumerated() { idx[t.name] = i }
        tensorIndex = idx
    }

    deinit { if let base { munmap(base, fileSize) } }

    public func tensor(named name: String) -> GGUFTensor? { tensorIndex[name].map { tensors[$0] } }

    // MARK: typed metadata accessors

    public func int(_ key: String) throws -> Int {
        guard let v = metadata[key] else { throw GGUFError.missingKey(path: path, key: key) }
        guard let i = v.intValue else { throw GGUFError.wrongKeyType(path: path, key: key, expected: "an integer") }
        return i
    }
    public func int(_ key: String, default d: Int) throws -> Int { metadata[key] == nil ? d : try int(key) }
    public func double(_ key: String, default d: Double? = nil) throws -> Double {
        guard let v = metadata[key] else {
            if let d { return d }
            throw GGUFError.missingKey(path: path, key: key)
        }
        guard let x = v.doubleValue else { throw GGUFError.wrongKeyType(path: path, key: key, expected: "a number") }
        return x
    }
    public func string(_ key: String) throws -> String {
        guard let v = metadata[key] else { throw GGUFError.missingKey(path: path, key: key) }
        guard let s = v.stringValue else { throw GGUFError.wrongKeyType(path: path, key: key, expected: "a string") }
        return s
    }
    public func strings(_ key: String) throws -> [String] {
        guard let v = metadata[key] else { throw GGUFError.missingKey(path: path, key: key) }
        guard let a = v.arrayValue else {
            throw GGUFError.wrongKeyType(path: path, key: key, expected: "an array of strings")
        }
        return try a.map {
            guard let s = $0.stringValue else {
                throw GGUFError.wrongKeyType(path: path, key: key, expected: "an array of strings")
            }
            return s
        }
    }
    public func ints(_ key: String) throws -> [Int] {
        guard let v = metadata[key] else { throw GGUFError.missingKey(path: path, key: key) }
        guard let a = v.arrayValue else {
            throw GGUFError.wrongKeyType(path: path, key: key, expected: "an array of integers")
        }
        return try a.map {
            guard let s = $0.intValue else {
                throw GGUFError.wrongKeyType(path: path, key: key, expected: "an array of integers")
            }
            return s
        }
    }

    // MARK: parsing

    private struct Parsed {
        var version: UInt32; var metadata: [String: GGUFValue]; var keys: [String]
        var alignment: Int; var dataOffset: Int; var tensors: [GGUFTensor]
    }

    /// A tensor-info record as read from the file, before it is checked against the data section.
    private struct TensorInfo { var name: String; var dims: [UInt64]; var type: UInt32; var offset: UInt64 }

    private static func parse(_ r: inout ByteReader) throws -> Parsed {
        let version = try parseHeader(&r)
        let (tensorCount, kvCount) = try parseCounts(&r)
        let (metadata, keys) = try parseMetadata(&r, count: kvCount)
        let alignment = try parseAlignment(metadata, path: r.path)
        let infos = try parseTensorInfos(&r, count: tensorCount)
        let dataOffset = (r.pos + alignment - 1) / alignment * alignment
        let tensors = try checkTensors(infos, r: r, alignment: alignment, dataOffset: dataOffset)
        return Parsed(version: version, metadata: metadata, keys: keys, alignment: alignment,
                      dataOffset: dataOffset, tensors: tensors)
    }

    /// Magic and version.
    private static func parseHeader(_ r: inout ByteReader) throws -> UInt32 {
        let path = r.path
        guard r.size >= 4 else { throw GGUFError.tooSmall(path: path, size: r.size) }
        let magic = try r.bytes(4, what: "magic")
        guard magic == Array("GGUF".utf8) else {
            let shown = magic.map {
                (32..<127).contains($0) ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16)
            }.joined()
            throw GGUFError.badMagic(path: path, found: "\"\(shown)\"")
        }
        let version = try r.u32("version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(path: path, version: version) }
        return version
    }

    /// The tensor and metadata counts, each bounded by the file size.
    private static func parseCounts(_ r: inout ByteReader) throws -> (tensors: UInt64, kvs: UInt64) {
        let path = r.path
        let tensorCountAt = r.pos
        let tensorCount = try r.u64("tensor count")
        let kvCountAt = r.pos
        let kvCount = try r.u64("metadata count")
        // Each entry needs at least a few bytes, which bounds plausible counts by the file size.
        // A tensor record is at least 32 bytes (name length, one dimension, type, offset).
        guard tensorCount <= UInt64(r.size / 32) else {
            throw GGUFError.implausibleCount(path: path, what: "tensor count", count: tensorCount, at: tensorCountAt)
        }
        guard kvCount <= UInt64(r.size / 12) else {
            throw GGUFError.implausibleCount(path: path, what: "metadata count", count: kvCount, at: kvCountAt)
        }
        return (tensorCount, kvCount)
    }

    /// The metadata key/value pairs, in file order; keys must be unique.
    private static func parseMetadata(
        _ r: inout ByteReader, count kvCount: UInt64
    ) throws -> (metadata: [String: GGUFValue], keys: [String]) {
        let path = r.path
        var metadata = [String: GGUFValue]()
        var keys = [String]()
        for _ in 0..<kvCount {
            let key = try r.string("metadata key")
            let typeAt = r.pos
            let t = try r.u32("type of '\(key)'")
            guard let kind = GGUFValue.Kind(rawValue: t) else {
                throw GGUFError.badValueType(path: path, key: key, type: t, at: typeAt)
            }
            let v = try r.value(kind, key: key, depth: 0)
            guard metadata[key] == nil else { throw GGUFError.duplicateKey(path: path, key: key) }
            metadata[key] = v
            keys.append(key)
        }
        return (metadata, keys)
    }

    /// `general.alignment` if present (a non-zero power of two), else 32.
    private static func parseAlignment(_ metadata: [String: GGUFValue], path: String) throws -> Int {
        var alignment = 32
        if let a = metadata["general.alignment"] {
            guard let ai = a.intValue, ai > 0, ai & (ai - 1) == 0 else {
                throw GGUFError.badAlignment(path: path, alignment: a.summary)
            }
            alignment = ai
        }
        return alignment
    }

    /// The tensor-info records (name, dimensions, type, offset), unchecked beyond the dimension count.
    private static func parseTensorInfos(_ r: inout ByteReader, count tensorCount: UInt64) throws -> [TensorInfo] {
        let path = r.path
        var infos = [TensorInfo]()
        infos.reserveCapacity(Int(min(tensorCount, 4096)))    // grows as records actually parse
        for _ in 0..<tensorCount {
            let name = try r.string("tensor name")
            let ndAt = r.pos
            let nd = try r.u32("dimension count of '\(name)'")
            guard nd >= 1 && nd <= 4 else {
                throw GGUFError.implausibleCount(
                    path: path, what: "dimension count of tensor '\(name)'", count: UInt64(nd), at: ndAt)
            }
            var dims = [UInt64]()
            for _ in 0..<nd { dims.append(try r.u64("dimensions of '\(name)'")) }
            let type = try r.u32("type of '\(name)'")
            let offset = try r.u64("offset of '\(name)'")
            infos.append(TensorInfo(name: name, dims: dims, type: type, offset: offset))
        }
        return infos
    }

    /// Checks each tensor (unique name, known type, shape, alignment, bounds within the data
    /// section) and makes its view into the mapping.
    private static func checkTensors(
        _ infos: [TensorInfo], r: ByteReader, alignment: Int, dataOffset: Int
    ) throws -> [GGUFTensor] {
        let path = r.path
        let dataSize = UInt64(max(r.size - dataOffset, 0))
        var tensors = [GGUFTensor]()
        var seen = Set<String>()
        for info in infos {
            guard seen.insert(info.name).inserted else {
                throw GGUFError.duplicateKey(path: path, key: "tensor " + info.name)
            }
            guard let type = GGMLType(rawValue: info.type) else {
                throw GGUFError.unknownTensorType(path: path, tensor: info.name, type: info.type)
            }
            var count: UInt64 = 1
            for d in info.dims {
                let (m, o) = count.multipliedReportingOverflow(by: d)
                guard d > 0, !o, m < (1 << 40) else {
                    throw GGUFError.badTensorShape(path: path, tensor: info.name, dims: info.dims)
                }
                count = m
            }
            guard info.dims[0] % UInt64(type.blockGeometry.elements) == 0,
                  let bytes = type.byteCount(elements: count) else {
                throw GGUFError.badTensorShape(path: path, tensor: info.name, dims: info.dims)
            }
            guard info.offset % UInt64(alignment) == 0 else {
                throw GGUFError.misalignedTensor(path: path, tensor: info.name, offset: info.offset)
            }
            let (end, o) = info.offset.addingReportingOverflow(bytes)
            guard !o, end <= dataSize else {
                throw GGUFError.tensorOutOfBounds(
                    path: path, tensor: info.name, offset: info.offset, size: bytes, dataSize: dataSize)
            }
            tensors.append(GGUFTensor(name: info.name, dims: info.dims.map { Int($0) }, type: type,
                                      offset: Int(info.offset), byteCount: Int(bytes),
                                      data: r.base! + dataOffset + Int(info.offset)))
        }
        return tensors
    }
}

/// Bounds-checked little-endian reader over the mapping.
struct ByteReader {
    let base: UnsafeRawPointer?
    let size: Int
    let path: String
    var pos = 0

    init(base: UnsafeRawPointer?, size: Int, path: String) { self.base = base; self.size = size; self.path = path }

    mutating func need(_ n: Int, _ what: String) throws {
        guard n >= 0, n <= size - pos else { throw GGUFError.truncated(path: path, at: pos, needed: n, what: what) }
    }
    mutating func load<T: FixedWidthInteger>(_ t: T.Type, _ what: String) throws -> T {
        try need(MemoryLayout<T>.size, what)
        let v = base!.loadUnaligned(fromByteOffset: pos, as: T.self)
        pos += MemoryLayout<T>.size
        return T(littleEndian: v)
    }
    mutating func u32(_ what: String) throws -> UInt32 { try load(UInt32.self, what) }
    mutating func u64(_ what: String) throws -> UInt64 { try load(UInt64.self, what) }
    mutating func bytes(_ n: Int, what: String) throws -> [UInt8] {
        try need(n, what)
        let out = Array(UnsafeRawBufferPointer(start: base! + pos, count: n))
        pos += n
        return out
    }
    mutating func string(_ what: String) throws -> String {
        let at = pos
        let n = try u64("length of " + what)
        guard n <= UInt64(size - pos) else {
            throw GGUFError.truncated(path: path, at: at, needed: Int(min(n, UInt64(Int.max / 2))), what: what)
        }
        let s = String(decoding: UnsafeRawBufferPointer(start: base! + pos, count: Int(n)), as: UTF8.self)
        pos += Int(n)
        return s
    }
    mutating func value(_ kind: GGUFValue.Kind, key: String, depth: Int) throws -> GGUFValue {
        switch kind {
        case .uint8: return .uint8(try load(UInt8.self, key))
        case .int8: return .int8(try load(Int8.self, key))
        case .uint16: return .uint16(try load(UInt16.self, key))
        case .int16: return .int16(try load(Int16.self, key))
        case .uint32: return .uint32(try load(UInt32.self, key))
        case .int32: return .int32(try load(Int32.self, key))
        case .uint64: return .uint64(try load(UInt64.self, key))
        case .int64: return .int64(try load(Int64.self, key))
        case .float32: return .float32(Float(bitPattern: try load(UInt32.self, key)))
        case .float64: return .float64(Double(bitPattern: try load(UInt64.self, key)))
        case .bool:
            let at = pos
            let b = try load(UInt8.self, key)
            guard b <= 1 else { throw GGUFError.badValueType(path: path, key: key, type: UInt32(b), at: at) }
            return .bool(b == 1)
        case .string: return .string(try string("value of '\(key)'"))
        case .array:
            let typeAt = pos
            let t = try u32("element type of '\(key)'")
            guard let et = GGUFValue.Kind(rawValue: t), depth < 8 else {
                throw GGUFError.badValueType(path: path, key: key, type: t, at: typeAt)
            }
            let countAt = pos
            let n = try u64("length of '\(key)'")
            // Each element takes at least its minimal encoded size, which bounds the count.
            guard n <= UInt64((size - pos) / et.minimumEncodedSize) else {
                throw GGUFError.implausibleCount(path: path, what: "array length of '\(key)'", count: n, at: countAt)
            }
            var items = [GGUFValue]()
            items.reserveCapacity(Int(n))
            for _ in 0..<n { items.append(try value(et, key: key, depth: depth + 1)) }
            return .array(items)
        }
    }
}
