/// Splits text into words before BPE, reproducing the regular expressions of the model
/// families' Hugging Face tokenizers (as llama.cpp does, hand-written for speed):
/// - `gpt2`:  's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// - `smollm`: every digit split off first (\p{N}), then the gpt2 expression on each part
/// - `llama3`: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}
///             | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// - `qwen2`: as llama3 with single digits (\p{N})
public enum PreTokenizer: Sendable, Equatable {
    case gpt2, smollm, llama3, qwen2

    public static let knownNames = ["default", "gpt2", "gpt-2", "mpt", "olmo", "smollm", "starcoder", "refact", "command-r",
                                    "codeshell", "llama3", "llama-bpe", "qwen2", "qwen35", "deepseek-r1-qwen"]

    /// Maps a `tokenizer.ggml.pre` value to a splitter.
    public init(ggmlName: String) throws {
        switch ggmlName {
        // llama.cpp b11312's llama-vocab.cpp: the GPT-2 expression alone, or single digits split
        // off first (the StarCoder family; SmolLM's).
        case "gpt2", "default", "gpt-2", "olmo", "mpt": self = .gpt2
        case "smollm", "starcoder", "refact", "command-r", "codeshell": self = .smollm
        case "llama3", "llama-bpe", "llama-v3", "falcon3", "pixtral": self = .llama3
        case "qwen2", "deepseek-r1-qwen", "qwen35": self = .qwen2
        default: throw TokenizerError.unsupportedPreTokenizer(ggmlName)
        }
    }

    /// Character classes used by the expressions.
    struct Flags {
        var letter = false, number = false, space = false, valid = false
    }

    @inline(__always) static func flags(_ s: Unicode.Scalar?) -> Flags {
        guard let s else { return Flags() }
        var f = Flags(valid: true)
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: f.letter = true
        case .decimalNumber, .letterNumber, .otherNumber: f.number = true
        default: break
        }
        f.space = s.properties.isWhitespace
        return f
    }

    /// Returns the words as arrays of scalars (concatenating them gives the input back).
    public func split(_ text: String) -> [String] {
        let cpts = Array(text.unicodeScalars)
        var ranges = [Range<Int>]()
        switch self {
        case .gpt2:
            PreTokenizer.splitGPT2(cpts, 0..<cpts.count, into: &ranges)
        case .smollm:
            var start = 0
            for i in 0..<cpts.count where PreTokenizer.flags(cpts[i]).number {
                if start < i { PreTokenizer.splitGPT2(cpts, start..<i, into: &ranges) }
                ranges.append(i..<(i + 1))
                start = i + 1
            }
            if start < cpts.count { PreTokenizer.splitGPT2(cpts, start..<cpts.count, into: &ranges) }
        case .llama3:
            PreTokenizer.splitLlama3(cpts, 0..<cpts.count, maxDigits: 3, into: &ranges)
        case .qwen2:
            PreTokenizer.splitLlama3(cpts, 0..<cpts.count, maxDigits: 1, into: &ranges)
        }
        return ranges.map { r in
            var v = String.UnicodeScalarView()
            v.append(contentsOf: cpts[r])
            return String(v)
        }
    }

    /// Length of a contraction ('s 't 'm 'd 're 've 'll) starting at `pos`, if any.
    @inline(__always)
    static func contraction(_ c: [Unicode.Scalar], at pos: Int, end: Int, caseInsensitive: Bool) -> Int? {
        guard c[pos] == "'" && pos + 1 < end else { return nil }
        func ch(_ i: Int) -> String { caseInsensitive ? Character(c[i]).lowercased() : String(c[i]) }
        let n = ch(pos + 1)
        if n == "s" || n == "t" || n == "m" || n == "d" { return 2 }
        if pos + 2 < end {
            let n2 = ch(pos + 2)
            if (n == "r" && n2 == "e") || (n == "v" && n2 == "e") || (n == "l" && n2 == "l") { return 3 }
        }
        return nil
    }

    static func splitGPT2(_ c: [Unicode.Scalar], _ range: Range<Int>, into out: inout [Range<Int>]) {
        let end = range.upperBound
        func cp(_ i: Int) -> Unicode.Scalar? { i < end ? c[i] : nil }
        func fl(_ i: Int) -> Flags { flags(cp(i)) }
        var pos = range.lowerBound
        var start = pos
        func emit(_ p: Int) { if p > start { out.append(start..<p) }; start = p; pos = p }
        while pos < end {
            let cpt = c[pos]
            let f = fl(pos)
            if let n = contraction(c, at: pos, end: end, caseInsensitive: false) { emit(pos + n); continue }
            let f2 = cpt == " " ? fl(pos + 1) : f
            if f2.letter {
                var p = pos + (cpt == " " ? 1 : 0)
                while fl(p).letter { p += 1 }
                emit(p); continue
            }
            if f2.number {
                var p = pos + (cpt == " " ? 1 : 0)
                while fl(p).number { p += 1 }
                emit(p); continue
            }
            if !(f2.space || f2.letter || f2.number) && f2.valid {
                var p = pos + (cpt == " " ? 1 : 0)
                while true { let g = fl(p); if g.space || g.letter || g.number || !g.valid { break }; p += 1 }
                emit(p); continue
            }
            var nws = 0
            while fl(pos + nws).space { nws += 1 }
            if nws > 1 && pos + nws < end { emit(pos + nws - 1); continue }
            if nws > 0 { emit(pos + nws); continue }
            emit(pos + 1)
        }
    }

    static func splitLlama3(_ c: [Unicode.Scalar], _ range: Range<Int>, maxDigits: Int, into out: inout [Range<Int>]) {
        let end = range.upperBound
        func cp(_ i: Int) -> Unicode.Scalar? { i < end ? c[i] : nil }
        func fl(_ i: Int) -> Flags { flags(cp(i)) }
        func isCRLF(_ s: Unicode.Scalar?) -> Bool { s == "\r" || s == "\n" }
        var pos = range.lowerBound
        var start = pos
        func emit(_ p: Int) { if p > start { out.append(start..<p) }; start = p; pos = p }
        while pos < end {
            let cpt = c[pos]
            let f = fl(pos)
            if let n = contraction(c, at: pos, end: end, caseInsensitive: true) { emit(pos + n); continue }
            if !(isCRLF(cpt) || f.number) {
                if f.letter || fl(pos + 1).letter {
                    var p = pos + 1
                    while fl(p).letter { p += 1 }
                    emit(p); continue
                }
            }
            if f.number {
                var p = pos, ini = pos
                while fl(p).number {
                    p += 1
                    if p - ini >= maxDigits { emit(p); ini = p }
                }
                emit(p); continue
            }
            let f2 = cpt == " " ? fl(pos + 1) : f
            if !(f2.space || f2.letter || f2.number) && f2.valid {
                var p = pos + (cpt == " " ? 1 : 0)
                while true { let g = fl(p); if g.space || g.letter || g.number || !g.valid { break }; p += 1 }
                while isCRLF(cp(p)) { p += 1 }
                emit(p); continue
            }
            var nws = 0, lastCRLF = 0
            while fl(pos + nws).space {
                if isCRLF(cp(pos + nws)) { lastCRLF = pos + nws + 1 }
                nws += 1
            }
            if lastCRLF > 0 { emit(lastCRLF); continue }
            if nws > 1 && pos + nws < end { emit(pos + nws - 1); continue }
            if nws > 0 { emit(pos + nws); continue }
            emit(pos + 1)
        }
    }
}
