import Foundation
import GGUF
import Tokenizers

/// Weights of one decoder layer, viewed in the GGUF mapping.
struct LayerWeights {
    /// Pre-norms (nil where the architecture has none: OLMo 2).
    let attnNorm: UnsafeMutableBufferPointer<Float>?
    let wq, wk, wv, wo: WeightMatrix
    let bq, bk, bv: UnsafeMutableBufferPointer<Float>?
    /// RMSNorm weights of queries and keys: per head over the head width (Qwen3), or over the
    /// whole projected width (OLMo 2); the weights' length says which.
    let qNorm, kNorm: UnsafeMutableBufferPointer<Float>?
    /// Norms of the attention and FFN outputs before their residual adds (OLMo 2).
    let postAttnNorm, postFFNNorm: UnsafeMutableBufferPointer<Float>?
    let ffnNorm: UnsafeMutableBufferPointer<Float>?
    let gate, up, down: WeightMatrix
}

/// A loaded Llama-family model: configuration, tokenizer, chat template and weights.
/// Owns the GGUF mapping; everything else views it.
public final class Model: @unchecked Sendable {
    public let file: GGUFFile
    public let config: ModelConfig
    public let tokenizer: Tokenizer
    public let chatTemplate: ChatTemplate?
    let layers: [LayerWeights]
    let tokenEmbedding: WeightMatrix
    let output: WeightMatrix
    let outputNorm: UnsafeMutableBufferPointer<Float>
    /// RoPE frequency factors per rotated pair (`rope_freqs.weight`), when the model has them.
    let ropeFreqFactors: [Float]?
    /// The RoPE tables (two where windowed layers rotate with another base or scale) and the
    /// one each layer uses: `ropeTables[ropeTableOfLayer[l]]`.
    public private(set) var ropeTables: [RopeTable] = []
    public private(set) var ropeTableOfLayer: [Int] = []
    private var owned: [UnsafeMutableBufferPointer<Float>] = []

    public var path: String { file.path }

    public convenience init(path: String) throws {
        try self.init(file: GGUFFile(path: path))
    }

    public init(file: GGUFFile) throws {
        self.file = file
        let c = try ModelConfig(file: file)
        config = c
        do { tokenizer = try Model.makeTokenizer(file) } catch let e as TokenizerError {
            throw ModelError.tokenizer(path: file.path, e)
        }
        chatTemplate = (try? file.string(Arch.chatTemplate)).flatMap { ChatTemplate(jinja: $0) }
            ?? (tokenizer.id(of: "<|im_start|>") != nil ? ChatTemplate() : nil)

        var owned = [UnsafeMutableBufferPointer<Float>]()
        func tensor(_ name: String, _ shape: [Int]) throws -> GGUFTensor {
            guard let t = file.tensor(named: name) else { throw ModelError.missingTensor(path: file.path, name: name) }
            guard t.dims == shape else {
                throw ModelError.tensorShapeMismatch(path: file.path, name: name, expected: shape, found: t.dims)
            }
            guard t.type.isSupported else {
                throw ModelError.unsupportedTensorType(path: file.path, name: name, type: t.type.name)
            }
            return t
        }
        func matrix(_ name: String, _ shape: [Int]) throws -> WeightMatrix { try WeightMatrix(tensor(name, shape)) }
        func vector(_ name: String, _ n: Int) throws -> UnsafeMutableBufferPointer<Float> {
            let t = try tensor(name, [n])
            let buf = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
            try Dequantize.run(t.type, src: t.data, count: n, into: buf.baseAddress!)
            owned.append(buf)
            return buf
        }
        func optionalVector(_ name: String, _ n: Int) throws -> UnsafeMutableBufferPointer<Float>? {
            file.tensor(named: name) == nil ? nil : try vector(name, n)
        }
        let dim = c.embeddingLength, kvDim = c.kvDim, ffn = c.feedForwardLength, qDim = c.headCount * c.headDim
        let vocab = c.vocabSize
        tokenEmbedding = try matrix(Arch.tokenEmbedding, [dim, vocab])
        outputNorm = try vector(Arch.outputNorm, dim)
        output = (file.tensor(named: Arch.output) != nil || c.spec.features.contains(.untiedOutput))
            && !c.spec.features.contains(.tiedOutput)
            ? try matrix(Arch.output, [dim, vocab]) : tokenEmbedding
        let spec = c.spec
        try Model.refuseUnknownTensors(file, spec: spec, blockCount: c.blockCount)
        if spec.features.contains(.ropeFreqFactors), file.tensor(named: Arch.ropeFreqs) != nil {
            let f = try vector(Arch.ropeFreqs, c.ropeDimensionCount / 2)
            guard f.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw ModelError.badHyperparameter(path: file.path, key: Arch.ropeFreqs, value: "a factor <= 0")
            }
            ropeFreqFactors = Array(f)
        } else {
            ropeFreqFactors = nil
        }
        let qkNorm = spec.features.contains(.qkNorm), qkFull = spec.features.contains(.qkNormFull)
        let post = spec.features.contains(.postNorms), noPre = spec.features.contains(.noPreNorms)
        let fusedUp = spec.features.contains(.fusedGateUp)
        var ls = [LayerWeights]()
        for l in 0..<c.blockCount {
            // Q, K, V: three matrices, or row ranges of the fused one.
            let wq, wk, wv: WeightMatrix
            if spec.features.contains(.fusedQKV), file.tensor(named: Arch.attnQKV(l)) != nil {
                let qkv = try matrix(Arch.attnQKV(l), [dim, qDim + 2 * kvDim])
                wq = qkv.rows(0..<qDim); wk = qkv.rows(qDim..<(qDim + kvDim))
                wv = qkv.rows((qDim + kvDim)..<(qDim + 2 * kvDim))
            } else {
                wq = try matrix(Arch.attnQ(l), [dim, qDim]); wk = try matrix(Arch.attnK(l), [dim, kvDim])
                wv = try matrix(Arch.attnV(l), [dim, kvDim])
            }
            let gateUp = fusedUp ? try matrix(Arch.ffnUp(l), [dim, 2 * ffn]) : nil
            ls.append(LayerWeights(
                attnNorm: noPre ? nil : try vector(Arch.attnNorm(l), dim),
                wq: wq, wk: wk, wv: wv,
                wo: try matrix(Arch.attnOutput(l), [qDim, dim]),
                bq: try optionalVector(Arch.attnQBias(l), qDim),
                bk: try optionalVector(Arch.attnKBias(l), kvDim),
                bv: try optionalVector(Arch.attnVBias(l), kvDim),
                qNorm: qkNorm || qkFull ? try vector(Arch.attnQNorm(l), qkFull ? qDim : c.headDim) : nil,
                kNorm: qkNorm || qkFull ? try vector(Arch.attnKNorm(l), qkFull ? kvDim : c.headDim) : nil,
                postAttnNorm: post ? try vector(Arch.postAttnNorm(l), dim) : nil,
                postFFNNorm: post ? try vector(Arch.postFFNNorm(l), dim) : nil,
                ffnNorm: noPre ? nil : try vector(Arch.ffnNorm(l), dim),
                gate: try gateUp?.rows(0..<ffn) ?? matrix(Arch.ffnGate(l), [dim, ffn]),
                up: try gateUp?.rows(ffn..<(2 * ffn)) ?? matrix(Arch.ffnUp(l), [dim, ffn]),
                down: try matrix(Arch.ffnDown(l), [ffn, dim])))
        }
        layers = ls
        self.owned = owned
        let global = Ops.ropeTable(c, base: c.ropeFreqBase, scale: c.ropeFreqScale, factors: ropeFreqFactors,
                                   yarnContext: c.yarnOriginalContext)
        let local = Ops.ropeTable(c, base: c.ropeFreqBaseSWA, scale: c.ropeFreqScaleSWA, factors: ropeFreqFactors,
                                  yarnContext: c.yarnOnWindowedLayers ? c.yarnOriginalContext : nil)
        ropeTables = local == global ? [global] : [global, local]
        ropeTableOfLayer = (0..<c.blockCount).map { local != global && c.windowed($0) ? 1 : 0 }
    }

    deinit { for b in owned { b.deallocate() } }

    /// Every tensor of the file must be one the architecture's forward pass reads: a tensor
    /// it does not name (MoE experts, extra norms, another layout) is refused, not ignored.
    static func refuseUnknownTensors(_ file: GGUFFile, spec: ArchSpec, blockCount: Int) throws {
        var known: Set<String> = [Arch.tokenEmbedding, Arch.outputNorm]
        if !spec.features.contains(.tiedOutput) { known.insert(Arch.output) }
        known.formUnion(spec.extraGlobalTensors)
        let pre = !spec.features.contains(.noPreNorms)
        for l in 0..<blockCount {
            known.formUnion([Arch.attnQ(l), Arch.attnK(l), Arch.attnV(l), Arch.attnOutput(l),
                             Arch.ffnGate(l), Arch.ffnUp(l), Arch.ffnDown(l)])
            if pre { known.formUnion([Arch.attnNorm(l), Arch.ffnNorm(l)]) }
            known.formUnion(spec.extraLayerTensors(l).map(\.name))
        }
        if let t = file.tensors.first(where: { !known.contains($0.name) }) {
            throw ModelError.unsupportedFeature(path: file.path, name: t.name,
                                                what: "a tensor the '\(spec.name)' forward pass does not use")
        }
    }

    /// The tokenizer of a GGUF file alone, weights or not (llama.cpp's vocab-only files have
    /// no tensors); errors name the file.
    public static func tokenizer(file f: GGUFFile) throws -> Tokenizer {
        do { return try makeTokenizer(f) } catch let e as TokenizerError { throw ModelError.tokenizer(path: f.path, e) }
    }

    static func makeTokenizer(_ f: GGUFFile) throws -> Tokenizer {
        let model = (try? f.string(Arch.tokModel)) ?? "missing"
        guard model == "gpt2" || model == "llama" || model == "gemma4" else { throw TokenizerError.unsupportedModel(model) }
        // Gemma 4's vocabulary names no pre-tokenizer: llama.cpp fixes it to its own.
        let pre = try PreTokenizer(ggmlName: model == "gemma4" ? "gemma4" : (try? f.string(Arch.tokPre)) ?? "default")
        let pieces = try f.strings(Arch.tokTokens)
        guard !pieces.isEmpty else { throw TokenizerError.emptyVocabulary }
        // Present but malformed tokenizer tables are errors, not silently replaced.
        var kinds = [TokenKind]()
        if f.metadata[Arch.tokTypes] != nil {
            let raw = try f.ints(Arch.tokTypes)
            guard raw.count == pieces.count else {
                throw TokenizerError.tableLengthMismatch(key: Arch.tokTypes, count: raw.count, vocabSize: pieces.count)
            }
            kinds = raw.map { TokenKind(rawValue: $0) ?? .normal }
        }
        let merges = f.metadata[Arch.tokMerges] == nil ? [] : try f.strings(Arch.tokMerges)
        let special = try specialTokenIDs(f, vocabSize: pieces.count)
        let bos = special[Arch.tokBOS]
        let eos = special[Arch.tokEOS]
        var eog = Set<Int>()
        if let eot = special[Arch.tokEOT] { eog.insert(eot) }
        if let eom = special[Arch.tokEOM] { eog.insert(eom) }
        for text in ["<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end|>", "<end_of_turn>"] {
            if let i = pieces.firstIndex(of: text), kinds.indices.contains(i), kinds[i] == .control { eog.insert(i) }
        }
        if model == "llama" {
            // SentencePiece: scores instead of merges; BOS and the space prefix on by default.
            let scores = (f.metadata[Arch.tokScores]?.arrayValue ?? []).map { Float($0.doubleValue ?? .nan) }
            guard scores.allSatisfy(\.isFinite) else {
                throw TokenizerError.tableLengthMismatch(key: Arch.tokScores, count: 0, vocabSize: pieces.count)
            }
            return try Tokenizer(pieces: pieces, kinds: kinds, merges: [], preTokenizer: pre, bosID: bos, eosID: eos,
                                 addBOS: f.metadata[Arch.tokAddBOS]?.boolValue ?? true, endOfGeneration: eog,
                                 sentencePieceScores: scores,
                                 addSpacePrefix: f.metadata[Arch.tokAddSpacePrefix]?.boolValue ?? true,
                                 unknownID: special["tokenizer.ggml.unknown_token_id"])
        }
        // Gemma 4 always starts with BOS (llama.cpp overrides a file that says otherwise).
        return try Tokenizer(pieces: pieces, kinds: kinds, merges: merges, preTokenizer: pre,
                             bosID: bos, eosID: eos,
                             addBOS: model == "gemma4" ? true : f.metadata[Arch.tokAddBOS]?.boolValue ?? false,
                             endOfGeneration: eog, ignoreMerges: pre == .llama3, spaceEscapedBPE: model == "gemma4")
    }

    /// Every `tokenizer.ggml.*_token_id` key (bos, eos, eot, eom, unknown, padding, separator,
    /// cls, mask, fim_*, ...), each checked to be an integer id inside the vocabulary.
    static func specialTokenIDs(_ f: GGUFFile, vocabSize: Int) throws -> [String: Int] {
        var out = [String: Int]()
        for key in f.keys where key.hasPrefix("tokenizer.ggml.") && key.hasSuffix("_token_id") {
            let v = f.metadata[key]!
            switch v {
            case .bool, .float32, .float64, .string, .array:
                throw TokenizerError.specialTokenNotAnInteger(key: key, value: v.summary)
            default:
                guard let id = v.intValue, id >= 0 && id < vocabSize else {   // uint64 past Int.max: nil
                    throw TokenizerError.specialTokenOutOfRange(key: key, id: v.summary, vocabSize: vocabSize)
                }
                out[key] = id
            }
        }
        return out
    }

    /// Bytes of weights a decoding step reads under numerics 2: the integer kernels' packed
    /// copy of each matrix that has one (one byte per weight plus Float scales under VNNI),
    /// the file's bytes for the rest.
    public var decodingWeightBytes: Int {
        var all = [output]
        for l in layers { all += [l.wq, l.wk, l.wv, l.wo, l.gate, l.up, l.down] }
        return all.reduce(0) { $0 + $1.decodingBytes }
    }

    /// Bytes of weights in the file read per decoded token.
    public var weightBytes: Int {
        var n = output.byteCount
        for l in layers {
            n += l.wq.byteCount + l.wk.byteCount + l.wv.byteCount + l.wo.byteCount
                + l.gate.byteCount + l.up.byteCount + l.down.byteCount
        }
        return n
    }
}

/// Resolves `--model` values: a path, or the alias of the embedded default model.
public enum ModelCatalog {
    public static let defaultAlias = "smollm2-135m-instruct"
    public static let defaultFile = "SmolLM2-135M-Instruct.Q4_1.gguf"

    public static func resolve(_ spec: String) throws -> String {
        let fm = FileManager.default
        if spec.lowercased() == defaultAlias || spec == "default" {
            var dirs = [String]()
            if let env = ProcessInfo.processInfo.environment["ROLLBOOK_MODELS"] { dirs.append(env) }
            dirs.append(fm.currentDirectoryPath + "/data/models")
            // The executable lives in <repo>/.build/<config>/rollbook.
            let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            var dir = exe.deletingLastPathComponent()
            for _ in 0..<4 {
                dirs.append(dir.path + "/data/models")
                dir = dir.deletingLastPathComponent()
            }
            for d in dirs where fm.fileExists(atPath: d + "/" + defaultFile) { return d + "/" + defaultFile }
            throw ModelError.modelNotFound(spec)
        }
        return spec
    }
}
