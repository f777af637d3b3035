public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    case unsupportedModel(String)
    case unsupportedPreTokenizer(String)
    case emptyVocabulary
    case badMerge(index: Int, text: String)
    case tokenOutOfRange(id: Int, vocabSize: Int)
    /// A special-token key (e.g. tokenizer.ggml.bos_token_id) whose id is not in the vocabulary.
    case specialTokenOutOfRange(key: String, id: String, vocabSize: Int)
    case specialTokenNotAnInteger(key: String, value: String)
    /// A per-token table (e.g. tokenizer.ggml.token_type) whose length is not the vocabulary's.
    case tableLengthMismatch(key: String, count: Int, vocabSize: Int)

    public var description: String {
        switch self {
        case .unsupportedModel(let m):
            return "unsupported tokenizer '\(m)' (tokenizer.ggml.model): "
                + "Rollbook reads byte-level BPE ('gpt2'), SentencePiece ('llama') and Gemma 4's BPE ('gemma4') vocabularies"
        case .unsupportedPreTokenizer(let p):
            return "unsupported pre-tokenizer '\(p)' (tokenizer.ggml.pre); "
                + "supported: \(PreTokenizer.knownNames.joined(separator: ", "))"
        case .emptyVocabulary: return "the vocabulary is empty"
        case .badMerge(let i, let t): return "merge \(i) ('\(t)') is not of the form 'left right'"
        case .tokenOutOfRange(let id, let n): return "token id \(id) is outside the vocabulary (size \(n))"
        case .specialTokenOutOfRange(let k, let id, let n):
            return "\(k) = \(id) is outside the vocabulary (\(n) tokens, ids 0...\(n - 1))"
        case .specialTokenNotAnInteger(let k, let v): return "\(k) = \(v) is not a token id (an integer)"
        case .tableLengthMismatch(let k, let c, let n):
            return "\(k) has \(c) entries but the vocabulary (tokenizer.ggml.tokens) has \(n)"
        }
    }
}
