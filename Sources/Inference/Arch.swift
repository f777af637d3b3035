/// GGUF metadata keys and tensor names, in one table (llama.cpp's LLM_KV_NAMES / LLM_TN).
enum Arch {
    static let supported = ["llama", "qwen2", "smollm"]
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
    static let keyLength = "%.attention.key_length"

    // Tokenizer keys.
    static let tokModel = "tokenizer.ggml.model"
    static let tokPre = "tokenizer.ggml.pre"
    static let tokTokens = "tokenizer.ggml.tokens"
    static let tokTypes = "tokenizer.ggml.token_type"
    static let tokMerges = "tokenizer.ggml.merges"
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
    static func attnNorm(_ l: Int) -> String { "blk.\(l).attn_norm.weight" }
    static func attnQ(_ l: Int) -> String { "blk.\(l).attn_q.weight" }
    static func attnK(_ l: Int) -> String { "blk.\(l).attn_k.weight" }
    static func attnV(_ l: Int) -> String { "blk.\(l).attn_v.weight" }
    static func attnQBias(_ l: Int) -> String { "blk.\(l).attn_q.bias" }
    static func attnKBias(_ l: Int) -> String { "blk.\(l).attn_k.bias" }
    static func attnVBias(_ l: Int) -> String { "blk.\(l).attn_v.bias" }
    static func attnOutput(_ l: Int) -> String { "blk.\(l).attn_output.weight" }
    static func ffnNorm(_ l: Int) -> String { "blk.\(l).ffn_norm.weight" }
    static func ffnGate(_ l: Int) -> String { "blk.\(l).ffn_gate.weight" }
    static func ffnUp(_ l: Int) -> String { "blk.\(l).ffn_up.weight" }
    static func ffnDown(_ l: Int) -> String { "blk.\(l).ffn_down.weight" }
}
