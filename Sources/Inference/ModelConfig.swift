import GGUF

/// Hyperparameters of a Llama-family model, named after their GGUF keys.
public struct ModelConfig: Sendable, Equatable {
    public var architecture: String
    public var blockCount: Int
    public var contextLength: Int
    public var embeddingLength: Int
    public var feedForwardLength: Int
    public var headCount: Int
    public var headCountKV: Int
    public var headDim: Int
    public var rmsEps: Float
    public var ropeFreqBase: Float
    public var ropeDimensionCount: Int
    /// NeoX-style rotation (pairs i, i+d/2; Qwen2) instead of adjacent pairs (Llama).
    public var ropeNeox: Bool
    /// Linear RoPE scaling (`rope.scaling.type: linear`): positions times 1 / factor.
    public var ropeFreqScale: Float = 1
    public var vocabSize: Int

    /// The architecture's table row.
    var spec: ArchSpec { Arch.specs[architecture]! }

    public var kvDim: Int { headCountKV * headDim }

    init(file: GGUFFile) throws {
        let arch = try file.string(Arch.architecture)
        guard let spec = Arch.specs[arch] else {
            throw ModelError.unknownArchitecture(path: file.path, architecture: arch)
        }
        func k(_ key: String) -> String { key.replacingOccurrences(of: "%", with: arch) }
        // Nothing that changes the forward pass is ignored: a feature Rollbook does not
        // implement is a load error naming it.
        for u in Arch.unsupportedKeys {
            if u.key == "%.attention.sliding_window" && spec.features.contains(.slidingWindowIgnored) { continue }
            if let v = file.metadata[k(u.key)], !u.neutral(v) {
                throw ModelError.unsupportedFeature(path: file.path, name: k(u.key), what: u.what)
            }
        }
        architecture = arch
        blockCount = try file.int(k(Arch.blockCount))
        contextLength = try file.int(k(Arch.contextLength), default: 2048)
        embeddingLength = try file.int(k(Arch.embeddingLength))
        feedForwardLength = try file.int(k(Arch.feedForwardLength))
        headCount = try file.int(k(Arch.headCount))
        headCountKV = try file.int(k(Arch.headCountKV), default: headCount)
        rmsEps = Float(try file.double(k(Arch.rmsEps), default: 1e-5))
        ropeFreqBase = Float(try file.double(k(Arch.ropeFreqBase), default: 10000))
        for (key, v) in [(Arch.blockCount, blockCount), (Arch.embeddingLength, embeddingLength),
                         (Arch.headCount, headCount), (Arch.headCountKV, headCountKV),
                         (Arch.feedForwardLength, feedForwardLength)] where v <= 0 || v > 1 << 20 {
            throw ModelError.badHyperparameter(path: file.path, key: k(key), value: "\(v)")
        }
        guard embeddingLength % headCount == 0, headCount % headCountKV == 0 else {
            throw ModelError.badHyperparameter(
                path: file.path, key: k(Arch.headCount),
                value: "\(headCount) heads / \(headCountKV) kv heads for width \(embeddingLength)")
        }
        headDim = try file.int(k(Arch.keyLength), default: embeddingLength / headCount)
        ropeDimensionCount = try file.int(k(Arch.ropeDimensionCount), default: headDim)
        ropeNeox = spec.ropeNeox
        switch (try? file.string(k(Arch.ropeScalingType))) ?? "none" {
        case "none": break
        case "linear":
            let f = try file.double(k(Arch.ropeScalingFactor), default: 1)
            guard f.isFinite && f > 0 else {
                throw ModelError.badHyperparameter(path: file.path, key: k(Arch.ropeScalingFactor), value: "\(f)")
            }
            ropeFreqScale = Float(1 / f)
        case "llama3" where file.tensor(named: Arch.ropeFreqs) != nil && spec.features.contains(.ropeFreqFactors):
            break   // the factors are the rope_freqs tensor
        case let t:
            throw ModelError.unsupportedFeature(path: file.path, name: k(Arch.ropeScalingType),
                                                what: "RoPE scaling '\(t)'")
        }
        // Values the forward pass sizes buffers and loops by: out of range they would trap or
        // allocate without bound later, so they are refused here, naming the key.
        guard headDim >= 1 && headDim <= 1 << 16 else {
            throw ModelError.badHyperparameter(path: file.path, key: k(Arch.keyLength), value: "\(headDim)")
        }
        guard ropeDimensionCount >= 2 && ropeDimensionCount <= headDim && ropeDimensionCount % 2 == 0 else {
            throw ModelError.badHyperparameter(
                path: file.path, key: k(Arch.ropeDimensionCount),
                value: "\(ropeDimensionCount) (must be even and at most the head width \(headDim))")
        }
        guard contextLength >= 1 && contextLength <= 1 << 24 else {
            throw ModelError.badHyperparameter(path: file.path, key: k(Arch.contextLength), value: "\(contextLength)")
        }
        guard rmsEps.isFinite && rmsEps >= 0 else {
            throw ModelError.badHyperparameter(path: file.path, key: k(Arch.rmsEps), value: "\(rmsEps)")
        }
        guard ropeFreqBase.isFinite && ropeFreqBase > 0 else {
            throw ModelError.badHyperparameter(path: file.path, key: k(Arch.ropeFreqBase), value: "\(ropeFreqBase)")
        }
        let tokens = (file.metadata[Arch.tokTokens]?.arrayValue?.count) ?? 0
        vocabSize = tokens
    }
}

extension ModelConfig {
    /// A model's hyperparameters from its GGUF header alone (no weights loaded).
    public static func read(path: String) throws -> ModelConfig { try ModelConfig(file: GGUFFile(path: path)) }

    /// The decoder layer count from a GGUF header alone (no weights loaded), through Arch's
    /// key table.
    public static func blockCount(path: String) throws -> Int {
        let file = try GGUFFile(path: path)
        let arch = try file.string(Arch.architecture)
        return try file.int(Arch.blockCount.replacingOccurrences(of: "%", with: arch))
    }
}
