/// Kinds of vocabulary entries (values of GGUF's `tokenizer.ggml.token_type`).
public enum TokenKind: Int, Sendable {
    case undefined = 0, normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
}

/// Byte-level BPE tokenizer (GPT-2 style) built from a plain vocabulary and merge list, or a
/// SentencePiece one (scores instead of merges; see `SentencePiece`).
/// Encoding: special tokens are cut out first (control tokens only when asked, user-defined
/// ones always, as llama.cpp does), the rest is pre-tokenized into words, each word is
/// byte-encoded and merged pair by pair, lowest merge rank first, leftmost on ties.
public final class Tokenizer: @unchecked Sendable {
    public let pieces: [String]
    public let kinds: [TokenKind]
    public let preTokenizer: PreTokenizer
    public let bosID: Int?
    public let eosID: Int?
    public let addBOS: Bool
    /// Extra ids that end generation (e.g. <|im_end|>, <|endoftext|>).
    public let endOfGeneration: Set<Int>
    public let ignoreMerges: Bool
    /// SentencePiece mode (`tokenizer.ggml.model: llama`), nil for byte-level BPE.
    let spm: SentencePiece?
    /// SentencePiece-style BPE (`tokenizer.ggml.model: gemma4`): spaces as U+2581, merges over
    /// raw UTF-8 characters, `<0xXX>` pieces for characters no piece covers; nil otherwise.
    let rawBPE: ByteFallback?

    private let pieceToID: [String: Int]
    private let ranks: [UInt64: Int32]        // (leftID << 32 | rightID) -> merge rank
    private let mergedID: [UInt64: Int32]     // same key -> id of the merged piece
    private let specials: [(text: String, id: Int, kind: TokenKind)]
    private let byteIDs: [Int]                // id of each single byte's piece

    public var vocabularySize: Int { pieces.count }

    public init(pieces: [String], kinds: [TokenKind], merges: [String], preTokenizer: PreTokenizer,
                bosID: Int?, eosID: Int?, addBOS: Bool = false, endOfGeneration: Set<Int> = [],
                ignoreMerges: Bool = false, sentencePieceScores: [Float]? = nil, addSpacePrefix: Bool = true,
                unknownID: Int? = nil, spaceEscapedBPE: Bool = false) throws {
        guard !pieces.isEmpty else { throw TokenizerError.emptyVocabulary }
        self.pieces = pieces
        self.kinds = kinds.count == pieces.count ? kinds : Array(repeating: .normal, count: pieces.count)
        self.preTokenizer = preTokenizer
        self.bosID = bosID
        self.eosID = eosID
        self.addBOS = addBOS
        self.ignoreMerges = ignoreMerges
        var p2i = [String: Int](minimumCapacity: pieces.count)
        for (i, p) in pieces.enumerated() where p2i[p] == nil { p2i[p] = i }
        pieceToID = p2i
        var r = [UInt64: Int32](minimumCapacity: merges.count)
        var m = [UInt64: Int32](minimumCapacity: merges.count)
        for (i, line) in merges.enumerated() {
            // A merge is "left right"; the left part may itself not contain a space,
            // so split at the first space after position 0.
            let chars = Array(line.unicodeScalars)
            guard let sp = chars.indices.dropFirst().first(where: { chars[$0] == " " }) else {
                throw TokenizerError.badMerge(index: i, text: line)
            }
            var lv = String.UnicodeScalarView(); lv.append(contentsOf: chars[..<sp])
            var rv = String.UnicodeScalarView(); rv.append(contentsOf: chars[(sp + 1)...])
            let l = String(lv), rt = String(rv)
            guard let li = p2i[l], let ri = p2i[rt], let mi = p2i[l + rt] else { continue }
            let key = UInt64(li) << 32 | UInt64(ri)
            if r[key] == nil { r[key] = Int32(i); m[key] = Int32(mi) }
        }
        ranks = r
        mergedID = m
        var sp = [(String, Int, TokenKind)]()
        for (i, k) in self.kinds.enumerated() where k == .control || k == .userDefined || k == .unknown {
            if !pieces[i].isEmpty { sp.append((pieces[i], i, k)) }
        }
        sp.sort { $0.0.utf8.count != $1.0.utf8.count ? $0.0.utf8.count > $1.0.utf8.count : $0.1 < $1.1 }
        specials = sp
        byteIDs = (0..<256).map { p2i[String(ByteEncoder.byteToScalar[$0])] ?? -1 }
        if let scores = sentencePieceScores {
            guard scores.count == pieces.count else {
                throw TokenizerError.tableLengthMismatch(key: "tokenizer.ggml.scores", count: scores.count,
                                                         vocabSize: pieces.count)
            }
            spm = SentencePiece(pieces: pieces, scores: scores, addSpacePrefix: addSpacePrefix, unknownID: unknownID)
        } else {
            spm = nil
        }
        rawBPE = spaceEscapedBPE ? ByteFallback(pieces: pieces) : nil
        var eog = endOfGeneration
        if let eosID { eog.insert(eosID) }
        self.endOfGeneration = eog
    }

    public func id(of piece: String) -> Int? { pieceToID[piece] }

    // MARK: encoding

    /// Tokenizes `text`. `parseSpecial` makes control-token texts such as `<|im_start|>`
    /// map to their ids (llama.cpp's `special=true`); user-defined tokens always do.
    public func encode(_ text: String, parseSpecial: Bool = false, addBOS: Bool? = nil) -> [Int] {
        var out = [Int]()
        if addBOS ?? self.addBOS, let bosID { out.append(bosID) }
        if let spm {
            // A raw-text fragment after the start or a special token gets the space prefix.
            var afterSpecial = true
            for frag in partition(text, parseSpecial: parseSpecial) {
                switch frag {
                case .token(let id): out.append(id); afterSpecial = true
                case .text(let s):
                    if s.isEmpty { continue }
                    spm.encode(spm.addSpacePrefix && afterSpecial ? " " + s : s, pieceToID: pieceToID, into: &out)
                    afterSpecial = false
                }
            }
            return out
        }
        for frag in partition(text, parseSpecial: parseSpecial) {
            switch frag {
            case .token(let id): out.append(id)
            case .text(let s):
                if let rawBPE {
                    for word in preTokenizer.split(ByteFallback.escapeSpaces(s)) { encodeRaw(word, rawBPE, into: &out) }
                } else {
                    for word in preTokenizer.split(s) { encodeWord(word, into: &out) }
                }
            }
        }
        return out
    }

    enum Fragment { case text(String), token(Int) }

    /// Cuts special-token texts out of `text`, longest token first.
    func partition(_ text: String, parseSpecial: Bool) -> [Fragment] {
        var frags: [Fragment] = [.text(text)]
        for (stext, id, kind) in specials {
            if !parseSpecial && kind != .userDefined { continue }
            var next = [Fragment]()
            for f in frags {
                guard case .text(let s) = f, s.utf8.count >= stext.utf8.count else { next.append(f); continue }
                var rest = Substring(s)
                while let r = rest.firstRange(of: stext) {
                    if r.lowerBound > rest.startIndex { next.append(.text(String(rest[..<r.lowerBound]))) }
                    next.append(.token(id))
                    rest = rest[r.upperBound...]
                }
                if !rest.isEmpty { next.append(.text(String(rest))) }
            }
            frags = next
        }
        return frags
    }

    func encodeWord(_ word: String, into out: inout [Int]) {
        let encoded = ByteEncoder.encode(word.utf8)
        if ignoreMerges, let id = pieceToID[encoded] { out.append(id); return }
        out.append(contentsOf: merge(initialSymbols(encoded)))
    }

    /// One word of a SentencePiece-style BPE vocabulary. A run of newlines that is a piece is
    /// that piece (as llama.cpp does for Gemma 4); a character no piece covers becomes its
    /// bytes' `<0xXX>` pieces, and no merge crosses it.
    func encodeRaw(_ word: String, _ fallback: ByteFallback, into out: inout [Int]) {
        if word.unicodeScalars.allSatisfy({ $0 == "\n" }), let id = pieceToID[word] { out.append(id); return }
        var run = [Int]()
        for s in word.unicodeScalars {
            if let id = pieceToID[String(s)] { run.append(id); continue }
            out.append(contentsOf: merge(run)); run.removeAll()
            for b in String(s).utf8 where fallback.byteIDs[Int(b)] >= 0 { out.append(fallback.byteIDs[Int(b)]) }
        }
        out.append(contentsOf: merge(run))
    }

    /// The ids a single pre-tokenized word encodes to (what `encode` does for each word).
    public func encodeWord(_ word: String) -> [Int] {
        var out = [Int]()
        encodeWord(word, into: &out)
        return out
    }

    /// One symbol per character of the byte-level string; each is a vocabulary piece
    /// (characters without a piece fall back to their bytes' pieces).
    public func initialSymbols(_ encoded: String) -> [Int] {
        var syms = [Int]()
        syms.reserveCapacity(encoded.unicodeScalars.count)
        for s in encoded.unicodeScalars {
            if let id = pieceToID[String(s)] { syms.append(id) } else {
                for b in String(s).utf8 where byteIDs[Int(b)] >= 0 { syms.append(byteIDs[Int(b)]) }
            }
        }
        return syms
    }

    /// The merge of two adjacent pieces, if the merge list has one: its rank (lower merges
    /// first) and the merged piece's id.
    public func mergeRule(_ left: Int, _ right: Int) -> (rank: Int, id: Int)? {
        guard left >= 0, right >= 0, left < pieces.count, right < pieces.count,
              let r = ranks[UInt64(left) << 32 | UInt64(right)] else { return nil }
        return (Int(r), Int(mergedID[UInt64(left) << 32 | UInt64(right)]!))
    }

    /// Two non-negative 32-bit values as one key (`a` in the high half).
    @inline(__always) static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
    }

    /// Merges the adjacent pair of lowest rank (leftmost on ties) until none applies, in
    /// O(n log n): the symbols form a doubly linked list over their first positions and the
    /// candidate pairs sit in a min-heap keyed by (rank, position of the left symbol). A
    /// merge only changes the pairs either side of it, which are pushed anew; entries whose
    /// symbols have changed since are stale and skipped when popped. Position order is list
    /// order, so the heap's minimum is exactly the pair the plain scan would pick.
    func merge(_ input: [Int]) -> [Int] {
        let n = input.count
        guard n > 1, !ranks.isEmpty else { return input }
        var id = input.map { Int32(truncatingIfNeeded: $0) }     // -1 once merged into the left neighbour
        var prev = [Int32](unsafeUninitializedCapacity: n) { b, c in
            for i in 0..<n { b[i] = Int32(i - 1) }; c = n
        }
        var next = [Int32](unsafeUninitializedCapacity: n) { b, c in
            for i in 0..<n { b[i] = i + 1 < n ? Int32(i + 1) : -1 }; c = n
        }
        var heap = MergeHeap()
        heap.reserve(n)
        @inline(__always) func push(_ at: Int32) {
            let r = next[Int(at)]
            guard r >= 0 else { return }
            let l = id[Int(at)], rt = id[Int(r)]
            if let rank = ranks[Tokenizer.pairKey(l, rt)] {
                heap.push(MergeHeap.Entry(key: Tokenizer.pairKey(rank, at), left: l, right: rt))
            }
        }
        for i in 0..<(n - 1) { push(Int32(i)) }
        while let e = heap.pop() {
            let at = Int(UInt32(truncatingIfNeeded: e.key))
            guard id[at] == e.left else { continue }                 // merged away, or grown since
            let r = Int(next[at])
            guard r >= 0, id[r] == e.right else { continue }          // its neighbour has grown
            id[at] = mergedID[Tokenizer.pairKey(e.left, e.right)]!
            id[r] = -1
            let rn = next[r]
            next[at] = rn
            if rn >= 0 { prev[Int(rn)] = Int32(at) }
            let p = prev[at]
            if p >= 0 { push(p) }
            push(Int32(at))
        }
        var out = [Int]()
        var i: Int32 = 0
        while i >= 0 { out.append(Int(id[Int(i)])); i = next[Int(i)] }
        return out
    }

    // MARK: decoding

    /// Raw bytes of one token. Control tokens render as nothing unless `special` is set.
    public func bytes(of id: Int, special: Bool = false) -> [UInt8] {
        guard id >= 0 && id < pieces.count else { return [] }
        switch kinds[id] {
        case .control, .unknown: return special ? Array(pieces[id].utf8) : []
        case .userDefined: return Array(pieces[id].utf8)
        default:
            if let spm { return spm.bytes(of: pieces[id], id: id) }
            if let rawBPE { return rawBPE.bytes(of: pieces[id], id: id) }
            var out = [UInt8]()
            ByteEncoder.decode(pieces[id], into: &out)
            return out
        }
    }

    public func decode(_ ids: [Int], special: Bool = false) -> String {
        var bytes = [UInt8]()
        var first = true
        for id in ids {
            let b = self.bytes(of: id, special: special)
            if b.isEmpty { continue }
            // SentencePiece: the space prefix the encoder added is not part of the text.
            if first, let spm, spm.addSpacePrefix, b.first == 0x20, pieces[id].hasPrefix(String(SentencePiece.space)) {
                bytes.append(contentsOf: b.dropFirst())
            } else {
                bytes.append(contentsOf: b)
            }
            first = false
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Piece text as shown to users (byte-level characters decoded where valid UTF-8).
    public func displayPiece(_ id: Int) -> String {
        String(decoding: bytes(of: id, special: true), as: UTF8.self)
    }
}

/// A binary min-heap of candidate merges, ordered by `key` (rank << 32 | left position).
struct MergeHeap {
    struct Entry { var key: UInt64; var left: Int32; var right: Int32 }
    private var a = [Entry]()

    mutating func reserve(_ n: Int) { a.reserveCapacity(n) }

    mutating func push(_ e: Entry) {
        a.append(e)
        var i = a.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if a[p].key <= e.key { break }
            a[i] = a[p]
            i = p
        }
        a[i] = e
    }

    mutating func pop() -> Entry? {
        guard let top = a.first else { return nil }
        let last = a.removeLast()
        if a.isEmpty { return top }
        var i = 0
        let n = a.count
        while true {
            var c = 2 * i + 1
            if c >= n { break }
            if c + 1 < n && a[c + 1].key < a[c].key { c += 1 }
            if last.key <= a[c].key { break }
            a[i] = a[c]
            i = c
        }
        a[i] = last
        return top
    }
}

/// SentencePiece-style encoding (llama.cpp's `llm_tokenizer_spm`, vocabularies with
/// `tokenizer.ggml.model: llama`: Llama 2, Mistral, Phi-3): spaces become U+2581, the text is
/// split into characters, and the adjacent pair whose concatenation is the highest-scoring
/// vocabulary piece is merged (leftmost on ties) until no pair is a piece; a character that is
/// no piece falls back to its bytes' `<0xXX>` pieces.
struct SentencePiece: Sendable {
    let scores: [Float]
    /// A space before the text (and after each special token), as the original tokenizer does.
    let addSpacePrefix: Bool
    let fallback: ByteFallback
    var byteIDs: [Int] { fallback.byteIDs }
    let unknownID: Int?

    static let space: Character = "\u{2581}"

    init(pieces: [String], scores: [Float], addSpacePrefix: Bool, unknownID: Int?) {
        self.scores = scores
        self.addSpacePrefix = addSpacePrefix
        fallback = ByteFallback(pieces: pieces)
        self.unknownID = unknownID
    }

    /// The ids of one raw-text fragment (already space-prefixed when it should be).
    func encode(_ text: String, pieceToID: [String: Int], into out: inout [Int]) {
        let escaped = ByteFallback.escapeSpaces(text)
        // Symbols over the characters (Unicode scalars, as llama.cpp walks UTF-8 sequences).
        var start = [String.UnicodeScalarView.Index](), scalars = escaped.unicodeScalars
        var i = scalars.startIndex
        while i < scalars.endIndex { start.append(i); i = scalars.index(after: i) }
        let n = start.count
        guard n > 0 else { return }
        var len = [Int](repeating: 1, count: n)              // scalars per symbol; 0 once merged away
        var prev = (0..<n).map { $0 - 1 }, next = (0..<n).map { $0 + 1 < n ? $0 + 1 : -1 }
        func sub(_ at: Int, _ count: Int) -> String {
            String(scalars[start[at]..<(at + count < n ? start[at + count] : scalars.endIndex)])
        }
        // Max-heap of (score, -left) candidate merges, with the symbol sizes they were made for.
        struct Candidate { var score: Float; var left: Int; var right: Int; var size: Int }
        var heap = [Candidate]()
        func better(_ a: Candidate, _ b: Candidate) -> Bool {
            a.score != b.score ? a.score > b.score : a.left < b.left
        }
        func push(_ c: Candidate) {
            heap.append(c)
            var k = heap.count - 1
            while k > 0, better(heap[k], heap[(k - 1) / 2]) { heap.swapAt(k, (k - 1) / 2); k = (k - 1) / 2 }
        }
        func pop() -> Candidate? {
            guard !heap.isEmpty else { return nil }
            heap.swapAt(0, heap.count - 1)
            let top = heap.removeLast()
            var k = 0
            while true {
                var c = 2 * k + 1
                if c >= heap.count { break }
                if c + 1 < heap.count && better(heap[c + 1], heap[c]) { c += 1 }
                if !better(heap[c], heap[k]) { break }
                heap.swapAt(c, k); k = c
            }
            return top
        }
        func tryPair(_ l: Int, _ r: Int) {
            guard l >= 0, r >= 0 else { return }
            if let id = pieceToID[sub(l, len[l] + len[r])] {
                push(Candidate(score: scores[id], left: l, right: r, size: len[l] + len[r]))
            }
        }
        for k in 0..<(n - 1) { tryPair(k, k + 1) }
        while let c = pop() {
            // Stale: a side was merged away or has grown since the pair was queued.
            guard len[c.left] > 0, len[c.right] > 0, len[c.left] + len[c.right] == c.size,
                  next[c.left] == c.right else { continue }
            len[c.left] += len[c.right]; len[c.right] = 0
            next[c.left] = next[c.right]
            if next[c.right] >= 0 { prev[next[c.right]] = c.left }
            tryPair(prev[c.left], c.left)
            tryPair(c.left, next[c.left])
        }
        var k = 0
        while k >= 0 {
            let piece = sub(k, len[k])
            if let id = pieceToID[piece] { out.append(id) } else {
                for b in piece.utf8 {
                    if byteIDs[Int(b)] >= 0 { out.append(byteIDs[Int(b)]) } else if let u = unknownID { out.append(u) }
                }
            }
            k = next[k]
        }
    }

    func bytes(of piece: String, id: Int) -> [UInt8] { fallback.bytes(of: piece, id: id) }
}

/// Pieces written SentencePiece's way (U+2581 for a space, raw UTF-8) with `<0xXX>` pieces for
/// single bytes: SentencePiece vocabularies and Gemma 4's BPE.
struct ByteFallback: Sendable {
    let byteIDs: [Int]
    let byteOf: [Int: UInt8]

    init(pieces: [String]) {
        var bytes = [Int](repeating: -1, count: 256)
        for (i, p) in pieces.enumerated() where p.utf8.count == 6 && p.hasPrefix("<0x") && p.hasSuffix(">") {
            if let b = UInt8(p.dropFirst(3).dropLast(), radix: 16), bytes[Int(b)] < 0 { bytes[Int(b)] = i }
        }
        byteIDs = bytes
        var of = [Int: UInt8]()
        for (b, id) in bytes.enumerated() where id >= 0 { of[id] = UInt8(b) }
        byteOf = of
    }

    /// A piece's bytes: U+2581 as a space, `<0xXX>` as its byte.
    func bytes(of piece: String, id: Int) -> [UInt8] {
        if let b = byteOf[id] { return [b] }
        return Array(String(piece.map { $0 == SentencePiece.space ? " " : $0 }).utf8)
    }

    static func escapeSpaces(_ s: String) -> String { String(s.map { $0 == " " ? SentencePiece.space : $0 }) }
}
