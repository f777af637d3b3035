public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    case unsupportedModel(String)
    case unsupportedPreTokenizer(String)
    case emptyVocabulary
    case badMerge(index: Int, text: String)
    case tokenOutOfRange(id: Int, vocabSize: Int)

    public var description: String {
        switch self {
        case .unsupportedModel(let m):
            return "unsupported tokenizer '\(m)' (tokenizer.ggml.model): "
                + "Rollbook reads byte-level BPE ('gpt2') vocabularies"
        case .unsupportedPreTokenizer(let p):
            return "unsupported pre-tokenizer '\(p)' (tokenizer.ggml.pre); "
                + "supported: \(PreTokenizer.knownNames.joined(separator: ", "))"
        case .emptyVocabulary: return "the vocabulary is empty"
        case .badMerge(let i, let t): return "merge \(i) ('\(t)') is not of the form 'left right'"
        case .tokenOutOfRange(let id, let n): return "token id \(id) is outside the vocabulary (size \(n))"
        }
    }
}
