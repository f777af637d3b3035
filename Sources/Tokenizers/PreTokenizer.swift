/// Splits text into words before BPE, reproducing the regular expressions of the model
/// families' Hugging Face tokenizers (as llama.cpp does, hand-written for speed):
/// - `gpt2`:  's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// - `smollm`: every digit split off first (\p{N}), then the gpt2 expression on each part
/// - `llama3`: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}
///             | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// - `qwen2`: as llama3 with single digits (\p{N})
/// - `deepseekLLM`, `deepseekCoder`, `falcon`: a sequence of expressions, each splitting every
///   piece the previous ones left into its matches and the text between them (see `Step`)
/// - `newlines` (Gemma 4's SentencePiece-style BPE): runs of newlines and runs of the rest
public enum PreTokenizer: Sendable, Equatable {
    case gpt2, smollm, llama3, qwen2, deepseekLLM, deepseekCoder, falcon, newlines

    public static let knownNames = ["default", "gpt2", "gpt-2", "mpt", "olmo", "smollm", "starcoder", "refact", "command-r",
                                    "codeshell", "llama3", "llama-bpe", "qwen2", "qwen35", "deepseek-r1-qwen",
                                    "deepseek-llm", "deepseek-coder", "falcon", "gemma4"]

    /// Maps a `tokenizer.ggml.pre` value to a splitter.
    public init(ggmlName: String) throws {
        switch ggmlName {
        // llama.cpp b11312's llama-vocab.cpp: the GPT-2 expression alone, or single digits split
        // off first (the StarCoder family; SmolLM's).
        case "gpt2", "default", "gpt-2", "olmo", "mpt": self = .gpt2
        case "smollm", "starcoder", "refact", "command-r", "codeshell": self = .smollm
        case "llama3", "llama-bpe", "llama-v3", "falcon3", "pixtral": self = .llama3
        case "qwen2", "deepseek-r1-qwen", "qwen35": self = .qwen2
        case "deepseek-llm": self = .deepseekLLM
        case "deepseek-coder": self = .deepseekCoder
        case "falcon": self = .falcon
        case "gemma4": self = .newlines
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
        case .deepseekLLM, .deepseekCoder, .falcon, .newlines:
            ranges = cpts.isEmpty ? [] : [0..<cpts.count]
            for step in steps { ranges = ranges.flatMap { step.split(cpts, $0) } }
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

    /// The expressions of the sequence pre-tokenizers, in order (llama.cpp b11312's
    /// `llm_tokenizer_bpe` lists, from each family's Hugging Face tokenizer.json).
    var steps: [Step] {
        let crlf = Step.single { $0 == "\r" || $0 == "\n" }
        let cjk = Step.run(spacePrefix: false) { Step.inRanges($0, Step.cjkRanges) }
        switch self {
        case .deepseekLLM:
            // [\r\n] | \s?[cased letters]+ | \s?[ASCII and full-width punctuation]+ | \s+$ | [CJK]+ | \p{N}+
            return [crlf,
                    .run(spacePrefix: true) { Step.inRanges($0, Step.deepseekLetters) },
                    .run(spacePrefix: true) { Step.inRanges($0, Step.deepseekPunctuation) },
                    .trailingSpace, cjk,
                    .run(spacePrefix: false) { Step.number($0) }]
        case .deepseekCoder:
            // [\r\n] | \s?\p{L}+ | \s?\p{P}+ | [CJK]+ | \p{N}
            return [crlf,
                    .run(spacePrefix: true) { Step.letter($0) },
                    .run(spacePrefix: true) { Step.punctuation($0) },
                    cjk, .single { Step.number($0) }]
        case .falcon:
            // [\p{P}$+<=>^~|`]+ | the GPT-2 expression | [0-9]{3}
            return [.run(spacePrefix: false) { Step.punctuation($0) || "$+<=>^~|`".unicodeScalars.contains($0) },
                    .gpt2,
                    .fixed(3) { $0.value >= 0x30 && $0.value <= 0x39 }]
        case .newlines:
            return [.run(spacePrefix: false) { $0 == "\n" }]
        default:
            return []
        }
    }

    /// One expression of a sequence: every piece is cut into its leftmost non-overlapping
    /// matches and the text between them (llama.cpp's `unicode_regex_split_stl`). Character
    /// classes follow llama.cpp's regex set-up: `\s` is ASCII whitespace or any non-ASCII
    /// whitespace (which it maps to U+000B before matching, so no explicit class contains it);
    /// `\p{L}`, `\p{N}`, `\p{P}` are the Unicode general categories.
    enum Step {
        /// `X`: one character of the class.
        case single((Unicode.Scalar) -> Bool)
        /// `\s?X+` (or `X+`).
        case run(spacePrefix: Bool, (Unicode.Scalar) -> Bool)
        /// `X{n}` written as n classes.
        case fixed(Int, (Unicode.Scalar) -> Bool)
        /// `\s+$`.
        case trailingSpace
        /// The GPT-2 expression (hand-written, as llama.cpp runs it).
        case gpt2

        static func space(_ c: Unicode.Scalar) -> Bool {
            c.value < 0x80 ? (c.value >= 9 && c.value <= 13) || c.value == 32 : c.properties.isWhitespace
        }
        static func nonASCIISpace(_ c: Unicode.Scalar) -> Bool { c.value >= 0x80 && c.properties.isWhitespace }
        static func letter(_ c: Unicode.Scalar) -> Bool { PreTokenizer.flags(c).letter && !nonASCIISpace(c) }
        static func number(_ c: Unicode.Scalar) -> Bool { PreTokenizer.flags(c).number && !nonASCIISpace(c) }
        static func punctuation(_ c: Unicode.Scalar) -> Bool {
            switch c.properties.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
            default: return false
            }
        }
        static func inRanges(_ c: Unicode.Scalar, _ r: [ClosedRange<UInt32>]) -> Bool {
            !nonASCIISpace(c) && r.contains { $0.contains(c.value) }
        }

        /// Length of the match starting at `pos`, if one does.
        func match(_ c: [Unicode.Scalar], _ pos: Int, _ end: Int) -> Int? {
            switch self {
            case .single(let x): return x(c[pos]) ? 1 : nil
            case .run(let prefix, let x):
                var p = pos
                if prefix && Step.space(c[p]) && p + 1 < end && x(c[p + 1]) { p += 1 }
                guard x(c[p]) else { return nil }
                while p < end && x(c[p]) { p += 1 }
                return p - pos
            case .fixed(let n, let x):
                guard pos + n <= end else { return nil }
                for i in pos..<(pos + n) where !x(c[i]) { return nil }
                return n
            case .trailingSpace, .gpt2: return nil   // `split` cuts these whole pieces itself
            }
        }

        func split(_ c: [Unicode.Scalar], _ range: Range<Int>) -> [Range<Int>] {
            var out = [Range<Int>]()
            if case .gpt2 = self { PreTokenizer.splitGPT2(c, range, into: &out); return out }
            var start = range.lowerBound, pos = range.lowerBound
            if case .trailingSpace = self {
                var t = range.upperBound
                while t > range.lowerBound && Step.space(c[t - 1]) { t -= 1 }
                return t == range.lowerBound || t == range.upperBound ? [range] : [range.lowerBound..<t, t..<range.upperBound]
            }
            while pos < range.upperBound {
                if let n = match(c, pos, range.upperBound) {
                    if pos > start { out.append(start..<pos) }
                    out.append(pos..<(pos + n))
                    pos += n; start = pos
                } else {
                    pos += 1
                }
            }
            if start < range.upperBound { out.append(start..<range.upperBound) }
            return out
        }

        /// CJK ideographs, U+0800-U+4E00 and Hangul as DeepSeek's tokenizers class them.
        static let cjkRanges: [ClosedRange<UInt32>] = [0x4E00...0x9FA5, 0x800...0x4E00, 0xAC00...0xD7FF]
        /// DeepSeek LLM's letter class (cased letters of the Latin, Greek, Cyrillic, Armenian,
        /// Georgian, Cherokee, Glagolitic, Coptic, Deseret, ... blocks), as its tokenizer.json lists it.
        static let deepseekLetters: [ClosedRange<UInt32>] = [
            0x41...0x5A, 0x61...0x7A, 0xB5...0xB5, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x1BA, 0x1BC...0x1BF,
            0x1C4...0x293, 0x295...0x2AF, 0x370...0x373, 0x376...0x377, 0x37B...0x37D, 0x37F...0x37F,
            0x386...0x386, 0x388...0x38A, 0x38C...0x38C, 0x38E...0x3A1, 0x3A3...0x3F5, 0x3F7...0x481,
            0x48A...0x52F, 0x531...0x556, 0x10A0...0x10C5, 0x13A0...0x13F5, 0x13F8...0x13FD, 0x1C90...0x1CBA,
            0x1CBD...0x1CBF, 0x1D00...0x1D2B, 0x1D6B...0x1D77, 0x1D79...0x1D9A, 0x1E00...0x1F15,
            0x1F18...0x1F1D, 0x1F20...0x1F45, 0x1F48...0x1F4D, 0x1F50...0x1F57, 0x1F59...0x1F59,
            0x1F5B...0x1F5B, 0x1F5D...0x1F5D, 0x1F5F...0x1F7D, 0x1F80...0x1FB4, 0x1FB6...0x1FBC,
            0x1FBE...0x1FBE, 0x1FC2...0x1FC4, 0x1FC6...0x1FCC, 0x1FD0...0x1FD3, 0x1FD6...0x1FDB,
            0x1FE0...0x1FEC, 0x1FF2...0x1FF4, 0x1FF6...0x1FFC, 0x2102...0x2102, 0x2107...0x2107,
            0x210A...0x2113, 0x2115...0x2115, 0x2119...0x211D, 0x2124...0x2124, 0x2126...0x2126,
            0x2128...0x2128, 0x212A...0x212D, 0x212F...0x2134, 0x2139...0x2139, 0x213C...0x213F,
            0x2145...0x2149, 0x214E...0x214E, 0x2183...0x2184, 0x2C00...0x2C7B, 0x2C7E...0x2CE4,
            0x2CEB...0x2CEE, 0x2CF2...0x2CF3, 0xA640...0xA66D, 0xA680...0xA69B, 0xA722...0xA76F,
            0xA771...0xA787, 0xA78B...0xA78E, 0xAB70...0xABBF, 0xFB00...0xFB06, 0xFB13...0xFB17,
            0xFF21...0xFF3A, 0xFF41...0xFF5A, 0x10400...0x1044F, 0x104B0...0x104D3, 0x104D8...0x104FB,
            0x10C80...0x10CB2, 0x10CC0...0x10CF2, 0x118A0...0x118DF, 0x1E900...0x1E943,
        ]
        /// DeepSeek LLM's punctuation class: ASCII ! to / and : to ~, full-width forms, curly
        /// quotes, ideographic space to full stop.
        static let deepseekPunctuation: [ClosedRange<UInt32>] = [
            0x21...0x2F, 0x3A...0x7E, 0xFF01...0xFF0F, 0xFF1A...0xFF5E, 0x2018...0x201F, 0x3000...0x3002,
        ]
    }
}
