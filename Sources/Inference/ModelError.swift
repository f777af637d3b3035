import Tokenizers

public enum ModelError: Error, CustomStringConvertible {
    case unknownArchitecture(path: String, architecture: String)
    case missingTensor(path: String, name: String)
    case tensorShapeMismatch(path: String, name: String, expected: [Int], found: [Int])
    case badHyperparameter(path: String, key: String, value: String)
    case modelNotFound(String)
    case tokenizer(path: String, TokenizerError)
    case unsupportedTensorType(path: String, name: String, type: String)
    case contextOverflow(needed: Int, limit: Int)
    /// A tensor or hyperparameter whose architecture defines behaviour Rollbook does not implement.
    case unsupportedFeature(path: String, name: String, what: String)

    public var description: String {
        switch self {
        case .unknownArchitecture(let p, let a):
            return "\(p): unknown architecture '\(a)' (general.architecture); "
                + "supported: \(Arch.supported.joined(separator: ", "))"
        case .missingTensor(let p, let n): return "\(p): required tensor '\(n)' is missing"
        case .tensorShapeMismatch(let p, let n, let e, let f):
            return "\(p): tensor '\(n)' has shape \(f), expected \(e)"
        case .badHyperparameter(let p, let k, let v): return "\(p): metadata '\(k)' = \(v) is not usable"
        case .unsupportedTensorType(let p, let n, let t):
            return "\(p): tensor '\(n)' uses quantisation type \(t), which Rollbook cannot dequantise "
                + "(supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K)"
        case .tokenizer(let p, let e): return "\(p): \(e)"
        case .modelNotFound(let m):
            return "model '\(m)' not found: give a .gguf path or the alias '\(ModelCatalog.defaultAlias)' "
                + "(run `make model` to fetch it)"
        case .contextOverflow(let n, let l): return "sequence needs \(n) positions but the context holds \(l)"
        case .unsupportedFeature(let p, let n, let w):
            return "\(p): '\(n)' asks for \(w), which Rollbook does not implement; refusing to run the model "
                + "inexactly"
        }
    }
}
