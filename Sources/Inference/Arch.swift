import GGUF

/// What one architecture's forward pass is made of, as llama.cpp's `llama-arch.cpp` and
/// `src/models/*.cpp` define it: its rotary layout, the tensors it reads (beyond the common
/// Llama block), and the features of the forward pass they switch on. A tensor in a file
/// that its architecture's table does not name is refused at load, never ignored.
struct ArchSpec: Sendable {
    enum Feature: Sendable {
        /// Q, K, V projection biases (Qwen2), optional per tensor.
        case qkvBias
        /// RMSNorm of each query and key head over the head width, before RoPE (Qwen3).
        case qkNorm
        /// Per-dimension RoPE frequency factors, `rope_freqs.weight` (Llama 3.1/3.2 scaling).
        case ropeFreqFactors
        /// RMSNorms of the attention and FFN outputs before each residual add
        /// (`post_attention_norm`, `post_ffw_norm`: OLMo 2, Gemma 2/3).
        case postNorms
        /// No norms before attention and the FFN (`attn_norm`, `ffn_norm`: OLMo 2).
        case noPreNorms
        /// Embeddings times sqrt(width) (Gemma).
        case embeddingScale
        /// GELU (tanh form) of the gate instead of SiLU (Gemma's GeGLU).
        case gelu
        /// No separate output head: always the embedding (Gemma 2).
        case tiedOutput
        /// RMSNorm of all queries and all keys over their projected width (OLMo 2).
        case qkNormFull
        /// A separate output head is required (no tying to the embedding).
        case untiedOutput
        /// Q, K and V as one matrix, `attn_qkv` (rows: queries, keys, values), or as three
        /// (Phi-3; llama.cpp's create_tensor_qkv accepts either).
        case fusedQKV
        /// Gate and up projections as one `ffn_up` of twice the FFN width (gate rows first), no
        /// `ffn_gate` (Phi-3: SwiGLU over the halves of one product).
        case fusedGateUp
        /// `%.attention.sliding_window` is read and not applied, as llama.cpp b11312 does for
        /// Phi-3 ("Phi SWA is currently disabled").
        case slidingWindowIgnored
    }
    /// Which layers attend over a sliding window and how their RoPE differs (llama.cpp's
    /// `load_swa_pattern` and `get_rope_freq_base`): a window of W keeps the keys at positions
    /// p - W < k <= p for the query at p.
    struct SlidingWindows: Sendable {
        /// Window used when the file sets none (Gemma 2: 4096, always on); nil: windows only
        /// when `%.attention.sliding_window` is set above 0.
        let defaultWindow: Int?
        /// Layer l is windowed when l % period < period - 1, unless
        /// `%.attention.sliding_window_pattern` gives a period or one flag per layer.
        let defaultPeriod: Int
        enum Base: Sendable { case keyOrGlobal, keyOr10000, global }
        /// RoPE base of windowed layers: `%.rope.freq_base_swa` or the global base (Gemma 2),
        /// that key or 10000 (Gemma 3), the global base (OLMo 3).
        let ropeBase: Base
        /// Windowed layers keep the file's linear RoPE scaling (Gemma 2) or none (Gemma 3, OLMo 3).
        let keepRopeScale: Bool
    }
    let name: String
    /// NeoX-style rotation (pairs i, i + d/2) instead of adjacent pairs.
    let ropeNeox: Bool
    let features: Set<Feature>
    var windows: SlidingWindows? = nil
    /// Attention logit soft-cap, cap * tanh(score / cap): its default when the architecture
    /// always applies one (Gemma 2: 50), nil when the architecture has none (key refused).
    var attnSoftCapDefault: Float? = nil
    enum FinalCap: Sendable { case absent, always(Float), whenSet }
    /// Final logit soft-cap: Gemma 2 always (default 30), Gemma 3 when the file sets one.
    var finalSoftCap: FinalCap = .absent
    /// Layer count of the one size whose queries are scaled by 1 / sqrt(width / heads)
    /// instead of 1 / sqrt(head width) (Gemma 2 27B: 46, Gemma 3 27B: 62).
    var wideQueryScaleLayers: Int? = nil

    /// Tensors of each layer `l` beyond the common block, and whether each is required.
    func extraLayerTensors(_ l: Int) -> [(name: String, required: Bool)] {
        var out = [(String, Bool)]()
        if features.contains(.qkvBias) {
            out += [(Arch.attnQBias(l), false), (Arch.attnKBias(l), false), (Arch.attnVBias(l), false)]
        }
        if features.contains(.qkNorm) || features.contains(.qkNormFull) {
            out += [(Arch.attnQNorm(l), true), (Arch.attnKNorm(l), true)]
        }
        if features.contains(.postNorms) { out += [(Arch.postAttnNorm(l), true), (Arch.postFFNNorm(l), true)] }
        if features.contains(.fusedQKV) { out += [(Arch.attnQKV(l), false)] }
        return out
    }

    /// Global tensors beyond the embedding, final norm and (optional) output head.
    var extraGlobalTensors: [String] { features.contains(.ropeFreqFactors) ? [Arch.ropeFreqs] : [] }
}

/// GGUF metadata keys and tensor names, in one table (llama.cpp's LLM_KV_NAMES / LLM_TN).
enum Arch {
    /// Every architecture Rollbook runs exactly. Mistral-style models are `llama` files.
    static let specs: [String: ArchSpec] = [
        "llama": ArchSpec(name: "llama", ropeNeox: false, features: [.ropeFreqFactors]),
        "smollm": ArchSpec(name: "smollm", ropeNeox: false, features: []),
        "qwen2": ArchSpec(name: "qwen2", ropeNeox: true, features: [.qkvBias]),
        "qwen3": ArchSpec(name: "qwen3", ropeNeox: true, features: [.qkNorm]),
        // OLMo 2, and OLMo 3 (olmo2 files with sliding-window layers, every fourth global).
        "olmo2": ArchSpec(name: "olmo2", ropeNeox: true, features: [.noPreNorms, .postNorms, .qkNormFull, .untiedOutput],
                          windows: .init(defaultWindow: nil, defaultPeriod: 4, ropeBase: .global, keepRopeScale: false)),
        // Gemma 2: every other layer windowed (4096), attention and final logit soft-caps.
        "gemma2": ArchSpec(name: "gemma2", ropeNeox: true,
                           features: [.postNorms, .embeddingScale, .gelu, .tiedOutput],
                           windows: .init(defaultWindow: 4096, defaultPeriod: 2, ropeBase: .keyOrGlobal, keepRopeScale: true),
                           attnSoftCapDefault: 50, finalSoftCap: .always(30), wideQueryScaleLayers: 46),
        // Gemma 3 (text): five windowed layers to one global, per-head Q/K norms.
        "gemma3": ArchSpec(name: "gemma3", ropeNeox: true,
                           features: [.postNorms, .embeddingScale, .gelu, .qkNorm],
                           windows: .init(defaultWindow: nil, defaultPeriod: 6, ropeBase: .keyOr10000, keepRopeScale: false),
                           finalSoftCap: .whenSet, wideQueryScaleLayers: 62),
        // Phi-3 (mini, medium); its LongRoPE factor tensors are refused as unknown tensors.
        "phi3": ArchSpec(name: "phi3", ropeNeox: true, features: [.fusedQKV, .fusedGateUp, .slidingWindowIgnored]),
    ]
    static var supported: [String] { specs.keys.sorted() }

    /// Hyperparameters that change the forward pass, what each is, and which architectures
    /// implement it: a file that sets one (to anything but its neutral value) on an
    /// architecture that does not is refused.
    static let unsupportedKeys: [(key: String, what: String, neutral: (GGUFValue) -> Bool,
                                  implemented: (ArchSpec) -> Bool)] = [
        ("%.attention.sliding_window", "sliding-window attention", { _ in false },
         { $0.windows != nil || $0.features.contains(.slidingWindowIgnored) }),
        ("%.attn_logit_softcapping", "attention logit soft-capping", { ($0.doubleValue ?? 0) == 0 },
         { $0.attnSoftCapDefault != nil }),
        ("%.final_logit_softcapping", "final logit soft-capping", { ($0.doubleValue ?? 0) == 0 },
         { if case .absent = $0.finalSoftCap { false } else { true } }),
        ("%.expert_count", "mixture of experts", { ($0.intValue ?? 0) == 0 }, { _ in false }),
        ("%.expert_used_count", "mixture of experts", { ($0.intValue ?? 0) == 0 }, { _ in false }),
        ("%.rope.scaling.attn_factor", "RoPE attention-factor scaling", { ($0.doubleValue ?? 1) == 1 }, { _ in false }),
        ("%.rope.scaling.yarn_log_multiplier", "YaRN with a log multiplier (DeepSeek-style)",
         { ($0.doubleValue ?? 0) == 0 }, { _ in false }),
        ("%.attention.layer_norm_epsilon", "LayerNorm (not RMSNorm) blocks", { _ in false }, { _ in false }),
    ]
    static let architecture = "general.architecture"

    // Hyperparameter keys, with the architecture name substituted for %.
    static let blockCount = "%.block_count"
    static let contextLength = "%.context_length"
    static let embeddingLength = "%.embedding_length"
    static let feedForwardLength = "%.feed_forward_length"
    static let headCount = "%.attention.head_count"
    static let headCountKV = "%.attention.head_count_kv"
    static let rmsEps = "%.attention.layer_norm_rms_epsilon"
    static let ropeFreqBase = "%.rope.freq_base"
    static let ropeDimensionCount = "%.rope.dimension_count"
    static let ropeScalingType = "%.rope.scaling.type"
    static let ropeScalingFactor = "%.rope.scaling.factor"
    static let ropeScalingOriginalContext = "%.rope.scaling.original_context_length"
    static let keyLength = "%.attention.key_length"
    static let valueLength = "%.attention.value_length"
    static let slidingWindow = "%.attention.sliding_window"
    static let slidingWindowPattern = "%.attention.sliding_window_pattern"
    static let ropeFreqBaseSWA = "%.rope.freq_base_swa"
    static let attnSoftCap = "%.attn_logit_softcapping"
    static let finalSoftCap = "%.final_logit_softcapping"

    // Tokenizer keys.
    static let tokModel = "tokenizer.ggml.model"
    static let tokPre = "tokenizer.ggml.pre"
    static let tokTokens = "tokenizer.ggml.tokens"
    static let tokTypes = "tokenizer.ggml.token_type"
    static let tokMerges = "tokenizer.ggml.merges"
    static let tokScores = "tokenizer.ggml.scores"
    static let tokAddSpacePrefix = "tokenizer.ggml.add_space_prefix"
    static let tokBOS = "tokenizer.ggml.bos_token_id"
    static let tokEOS = "tokenizer.ggml.eos_token_id"
    static let tokEOT = "tokenizer.ggml.eot_token_id"
    static let tokEOM = "tokenizer.ggml.eom_token_id"
    static let tokAddBOS = "tokenizer.ggml.add_bos_token"
    static let chatTemplate = "tokenizer.chat_template"

    // Tensors.
    static let tokenEmbedding = "token_embd.weight"
    static let outputNorm = "output_norm.weight"
    static let output = "output.weight"
    static let ropeFreqs = "rope_freqs.weight"
    static func attnNorm(_ l: Int) -> String { "blk.\(l).attn_norm.weight" }
    static func attnQ(_ l: Int) -> String { "blk.\(l).attn_q.weight" }
    static func attnK(_ l: Int) -> String { "blk.\(l).attn_k.weight" }
    static func attnV(_ l: Int) -> String { "blk.\(l).attn_v.weight" }
    static func attnQKV(_ l: Int) -> String { "blk.\(l).attn_qkv.weight" }
    static func attnQBias(_ l: Int) -> String { "blk.\(l).attn_q.bias" }
    static func attnKBias(_ l: Int) -> String { "blk.\(l).attn_k.bias" }
    static func attnVBias(_ l: Int) -> String { "blk.\(l).attn_v.bias" }
    static func attnOutput(_ l: Int) -> String { "blk.\(l).attn_output.weight" }
    static func attnQNorm(_ l: Int) -> String { "blk.\(l).attn_q_norm.weight" }
    static func attnKNorm(_ l: Int) -> String { "blk.\(l).attn_k_norm.weight" }
    static func ffnNorm(_ l: Int) -> String { "blk.\(l).ffn_norm.weight" }
    static func postAttnNorm(_ l: Int) -> String { "blk.\(l).post_attention_norm.weight" }
    static func postFFNNorm(_ l: Int) -> String { "blk.\(l).post_ffw_norm.weight" }
    static func ffnGate(_ l: Int) -> String { "blk.\(l).ffn_gate.weight" }
    static func ffnUp(_ l: Int) -> String { "blk.\(l).ffn_up.weight" }
    static func ffnDown(_ l: Int) -> String { "blk.\(l).ffn_down.weight" }
}
