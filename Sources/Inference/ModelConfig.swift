import Foundation
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
    /// Linear RoPE scaling (`rope.scaling.type: linear`): positions times 1 / factor; with YaRN
    /// the same 1 / factor, blended per pair with the unscaled angle.
    public var ropeFreqScale: Float = 1
    /// YaRN (`rope.scaling.type: yarn`): the training context it was fitted from
    /// (`rope.scaling.original_context_length`); nil without YaRN.
    public var yarnOriginalContext: Int? = nil
    /// Whether windowed layers keep YaRN (false: they rotate plainly, OLMo 3).
    public var yarnOnWindowedLayers = true
    public var vocabSize: Int
    /// Embedding multiplier: sqrt(width) for Gemma, 1 otherwise.
    public var embeddingScale: Float = 1
    /// Query scale of attention scores: 1 / sqrt(head width) unless the architecture says otherwise.
    public var attentionScale: Float = 1
    /// GELU (tanh form) of the FFN gate instead of SiLU.
    public var gelu = false
    /// Sliding window of the windowed layers (a query at p reads keys p - W < k <= p); 0: none.
    public var slidingWindow = 0
    /// Which layers are windowed (when `slidingWindow` > 0).
    public var windowedLayers: [Bool] = []
    /// RoPE base and linear scale of windowed layers (the global ones where nothing differs).
    public var ropeFreqBaseSWA: Float = 10000
    public var ropeFreqScaleSWA: Float = 1
    /// Soft-caps (cap * tanh(x / cap)) of attention scores and of the final logits; 0: none.
    public var attnSoftCap: Float = 0
    public var finalSoftCap: Float = 0

    /// Whether layer l attends over a sliding window.
    public func windowed(_ l: Int) -> Bool { slidingWindow > 0 && windowedLayers[l] }
    /// Positions a query at `pos` cannot see in layer l (the window's start), 0 without one.
    @inline(__always) public func windowStart(layer l: Int, pos: Int) -> Int {
        windowed(l) ? max(0, pos - slidingWindow + 1) : 0
    }

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
        for u in Arch.unsupportedKeys where !u.implemented(spec) {
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
        case "yarn":
            // llama.cpp b11312: ext_factor 1, beta_fast 32, beta_slow 1 (not read from files),
            // magnitude 1 + 0.1 ln(factor) on cos and sin (its attention factor cancels to 1).
            let f = try file.double(k(Arch.ropeScalingFactor), default: 1)
            guard f.isFinite && f >= 1 else {
                throw ModelError.badHyperparameter(path: file.path, key: k(Arch.ropeScalingFactor), value: "\(f)")
            }
            ropeFreqScale = Float(1 / f)
            yarnOriginalContext = try file.int(k(Arch.ropeScalingOriginalContext), default: contextLength)
            guard let o = yarnOriginalContext, o >= 1 && o <= 1 << 24 else {
                throw ModelError.badHyperparameter(path: file.path, key: k(Arch.ropeScalingOriginalContext),
                                                   value: "\(yarnOriginalContext ?? 0)")
            }
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
        ropeFreqBaseSWA = ropeFreqBase
        ropeFreqScaleSWA = ropeFreqScale
        try readGemmaAndWindows(file, spec: spec, k)
    }
}

extension ModelConfig {
    /// Sliding windows, soft-caps, the embedding and query scales, as llama.cpp b11312's
    /// `load_arch_hparams` of the architecture reads them (defaults included).
    mutating func readGemmaAndWindows(_ file: GGUFFile, spec: ArchSpec, _ k: (String) -> String) throws {
        func bad(_ key: String, _ v: Any) -> ModelError {
            ModelError.badHyperparameter(path: file.path, key: k(key), value: "\(v)")
        }
        gelu = spec.features.contains(.gelu)
        if spec.features.contains(.embeddingScale) { embeddingScale = sqrtf(Float(embeddingLength)) }
        attentionScale = 1 / sqrtf(Float(headDim))
        if let n = spec.wideQueryScaleLayers, blockCount == n {
            attentionScale = 1 / sqrtf(Float(embeddingLength / headCount))
        }
        if let vl = file.metadata[k(Arch.valueLength)]?.intValue, vl != headDim {
            throw ModelError.unsupportedFeature(path: file.path, name: k(Arch.valueLength),
                                                what: "value heads of another width (\(vl)) than key heads (\(headDim))")
        }
        if let d = spec.attnSoftCapDefault {
            attnSoftCap = Float(try file.double(k(Arch.attnSoftCap), default: Double(d)))
            guard attnSoftCap.isFinite && attnSoftCap > 0 else { throw bad(Arch.attnSoftCap, attnSoftCap) }
        }
        switch spec.finalSoftCap {
        case .absent: break
        case .always(let d):
            finalSoftCap = Float(try file.double(k(Arch.finalSoftCap), default: Double(d)))
            guard finalSoftCap.isFinite && finalSoftCap > 0 else { throw bad(Arch.finalSoftCap, finalSoftCap) }
        case .whenSet:
            finalSoftCap = Float(try file.double(k(Arch.finalSoftCap), default: 0))
            guard finalSoftCap.isFinite && finalSoftCap >= 0 else { throw bad(Arch.finalSoftCap, finalSoftCap) }
        }
        guard let sw = spec.windows else { return }
        let w = try file.int(k(Arch.slidingWindow), default: sw.defaultWindow ?? 0)
        guard w >= 0 && w <= 1 << 24 else { throw bad(Arch.slidingWindow, w) }
        guard w > 0 else { return }
        slidingWindow = w
        switch file.metadata[k(Arch.slidingWindowPattern)] {
        case nil:
            let p = sw.defaultPeriod
            windowedLayers = (0..<blockCount).map { $0 % p < p - 1 }
        case .some(let v):
            if let flags = v.arrayValue {
                windowedLayers = flags.map { $0.boolValue ?? (($0.intValue ?? 0) != 0) }
                guard windowedLayers.count == blockCount else {
                    throw bad(Arch.slidingWindowPattern, "\(windowedLayers.count) flags for \(blockCount) layers")
                }
            } else if let p = v.intValue, p >= 0 && p <= 1 << 20 {
                windowedLayers = (0..<blockCount).map { p == 0 || $0 % p < p - 1 }
            } else {
                throw bad(Arch.slidingWindowPattern, v)
            }
        }
        switch sw.ropeBase {
        case .keyOrGlobal: ropeFreqBaseSWA = Float(try file.double(k(Arch.ropeFreqBaseSWA), default: Double(ropeFreqBase)))
        case .keyOr10000: ropeFreqBaseSWA = Float(try file.double(k(Arch.ropeFreqBaseSWA), default: 10000))
        case .global: ropeFreqBaseSWA = ropeFreqBase
        }
        guard ropeFreqBaseSWA.isFinite && ropeFreqBaseSWA > 0 else { throw bad(Arch.ropeFreqBaseSWA, ropeFreqBaseSWA) }
        ropeFreqScaleSWA = sw.keepRopeScale ? ropeFreqScale : 1
        yarnOnWindowedLayers = sw.ropeBase != .global   // OLMo 3's windowed layers: plain RoPE
    }

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
