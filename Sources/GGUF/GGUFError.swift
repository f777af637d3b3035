/// Everything that can be wrong with a GGUF file. Each case names the file position or
/// the key/tensor involved so the message is actionable.
public enum GGUFError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String)
    case cannotOpen(path: String, reason: String)
    case badMagic(path: String, found: String)
    case tooSmall(path: String, size: Int)
    case unsupportedVersion(path: String, version: UInt32)
    case truncated(path: String, at: Int, needed: Int, what: String)
    case badValueType(path: String, key: String, type: UInt32, at: Int)
    case implausibleCount(path: String, what: String, count: UInt64, at: Int)
    case badAlignment(path: String, alignment: String)
    case duplicateKey(path: String, key: String)
    case unknownTensorType(path: String, tensor: String, type: UInt32)
    case badTensorShape(path: String, tensor: String, dims: [UInt64])
    case tensorOutOfBounds(path: String, tensor: String, offset: UInt64, size: UInt64, dataSize: UInt64)
    case misalignedTensor(path: String, tensor: String, offset: UInt64)
    case unsupportedTensorType(tensor: String, type: String)
    case missingKey(path: String, key: String)
    case wrongKeyType(path: String, key: String, expected: String)

    public var description: String {
        switch self {
        case .fileNotFound(let p): return "\(p): no such file"
        case .cannotOpen(let p, let r): return "\(p): cannot open: \(r)"
        case .badMagic(let p, let f): return "\(p): not a GGUF file (magic at byte 0 is \(f), expected \"GGUF\")"
        case .tooSmall(let p, let n):
            return "\(p): not a GGUF file (\(n) bytes; a GGUF file starts with the 4-byte magic \"GGUF\")"
        case .unsupportedVersion(let p, let v): return "\(p): unsupported GGUF version \(v) (supported: 2, 3)"
        case .truncated(let p, let at, let n, let w):
            return "\(p): file is truncated: reading \(w) at byte \(at) needs \(n) bytes past the end of the file"
        case .badValueType(let p, let k, let t, let at):
            return "\(p): metadata key '\(k)' has unknown value type \(t) (byte \(at))"
        case .implausibleCount(let p, let w, let c, let at):
            return "\(p): \(w) \(c) at byte \(at) cannot fit in the file (truncated or corrupt)"
        case .badAlignment(let p, let a): return "\(p): general.alignment is \(a); it must be a non-zero power of two"
        case .duplicateKey(let p, let k): return "\(p): metadata key '\(k)' appears twice"
        case .unknownTensorType(let p, let t, let ty): return "\(p): tensor '\(t)' has unknown ggml type \(ty)"
        case .badTensorShape(let p, let t, let d): return "\(p): tensor '\(t)' has invalid shape \(d)"
        case .tensorOutOfBounds(let p, let t, let o, let s, let ds):
            return "\(p): tensor '\(t)' data [\(o), \(o &+ s)) lies outside the data section of \(ds) bytes "
                + "(truncated or corrupt file)"
        case .misalignedTensor(let p, let t, let o): return "\(p): tensor '\(t)' offset \(o) is not aligned"
        case .unsupportedTensorType(let t, let ty):
            return "tensor '\(t)' uses quantisation type \(ty), which Rollbook cannot dequantise"
        case .missingKey(let p, let k): return "\(p): required metadata key '\(k)' is missing"
        case .wrongKeyType(let p, let k, let e): return "\(p): metadata key '\(k)' should be \(e)"
        }
    }
}
