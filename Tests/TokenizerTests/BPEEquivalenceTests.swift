import Foundation
import Testing
import Seeds
import Tokenizers

/// The BPE merge loop as it was written before the heap version: repeatedly scan every
/// adjacent pair, merge the one of lowest rank (leftmost on ties). O(n^2), obviously right.
enum ReferenceBPE {
    static func mergeWord(_ tok: Tokenizer, _ word: String) -> [Int] {
        let encoded = ByteEncoder.encode(word.utf8)
        if tok.ignoreMerges, let id = tok.id(of: encoded) { return [id] }
        var syms = tok.initialSymbols(encoded)
        while syms.count > 1 {
            var best = Int.max, at = -1, merged = -1
            for i in 0..<(syms.count - 1) {
                if let m = tok.mergeRule(syms[i], syms[i + 1]), m.rank < best { best = m.rank; at = i; merged = m.id }
            }
            if at < 0 { break }
            syms[at] = merged
            syms.remove(at: at + 1)
        }
        return syms
    }

    static func encode(_ tok: Tokenizer, _ text: String) -> [Int] {
        tok.preTokenizer.split(text).flatMap { mergeWord(tok, $0) }
    }
}

/// Random text built from fragments that exercise every pre-tokenizer branch and multi-byte
/// UTF-8: letters, digits, runs of spaces, newlines (LF and CRLF), tabs, contractions,
/// punctuation, accented, CJK, emoji with joiners, combining marks.
enum RandomText {
    static let fragments: [String] = [
        "A", "a", "b", "the", "The", " ", "  ", "   ", "\n", "\r\n", "\n\n", "\t", " \n", "0", "7", "42", "12345",
        "'s", "'ll", "'RE", "'", "!", "?", ".", ",", "...", "(", ")", "#", "$", "€", "é", "ß", "ñ", "Ω", "ж", "日本",
        "語", "한", "👩‍👩‍👧", "🙂", "e\u{0301}", "ﬁ", "\u{00A0}", "\u{3000}", "\u{200B}", "Ⅻ", "½", "٣", "-", "_", "=",
        "<", ">", "|", "<|im_start|>", "<|im_end|>", "AAAA", "aaaaaaaa", "ababab", "\u{7F}", "\u{1}",
    ]

    static func make(_ g: inout SplitMix64, pieces: Int) -> String {
        var s = ""
        for _ in 0..<pieces { s += fragments[Int(g.next() % UInt64(fragments.count))] }
        return s
    }

    static func make(_ g: inout SplitMix64, characters: Int) -> String {
        var s = "", n = 0
        while n < characters {
            let f = fragments[Int(g.next() % UInt64(fragments.count))]
            s += f
            n += f.unicodeScalars.count
        }
        return s
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

@Suite struct BPEEquivalenceTests {
    /// The real vocabulary (SmolLM2): heap merging and the reference agree on random text.
    @Test func matchesReferenceOnRandomTextWithTheRealVocabulary() {
        let tok = Smol.tokenizer
        var g = SplitMix64(seed: 0xB9E_0001)
        var mismatches = [String]()
        for i in 0..<400 {
            let text = RandomText.make(&g, pieces: Int(g.next() % 60) + (i % 50 == 0 ? 400 : 1))
            for word in tok.preTokenizer.split(text) {
                let got = tok.encodeWord(word), want = ReferenceBPE.mergeWord(tok, word)
                if got != want { mismatches.append("\(word.debugDescription): \(got) vs \(want)") }
            }
            if !tok.kinds.contains(.userDefined) {
                let got = tok.encode(text, parseSpecial: false, addBOS: false)
                if got != ReferenceBPE.encode(tok, text) { mismatches.append("text \(text.debugDescription)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(5))")
    }

    /// Random small vocabularies over "abc" with random (also conflicting and duplicate)
    /// merges, on random words: many equal-rank ties, which the heap must break leftmost.
    @Test func matchesReferenceOnRandomVocabularies() throws {
        var g = SplitMix64(seed: 0xB9E_0002)
        var mismatches = [String]()
        for v in 0..<60 {
            var pieces = ["a", "b", "c"]
            var merges = [String]()
            for _ in 0..<(Int(g.next() % 40) + 1) {
                let l = pieces[Int(g.next() % UInt64(pieces.count))], r = pieces[Int(g.next() % UInt64(pieces.count))]
                if (l + r).count > 12 { continue }
                if !pieces.contains(l + r) { pieces.append(l + r) }
                merges.append("\(l) \(r)")
                if g.next() % 8 == 0 { merges.append("\(l) \(r)") }       // a duplicate: the first rank holds
            }
            let tok = try Tokenizer(pieces: pieces, kinds: [], merges: merges, preTokenizer: .gpt2,
                                    bosID: nil, eosID: nil)
            for w in 0..<40 {
                let n = w == 0 ? 600 : Int(g.next() % 40) + 1
                let word = String((0..<n).map { _ in Array("abc")[Int(g.next() % 3)] })
                let got = tok.encodeWord(word), want = ReferenceBPE.mergeWord(tok, word)
                if got != want { mismatches.append("vocab \(v) \(word): \(got) vs \(want)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(3))")
    }

    /// Long unbroken text was quadratic (32K "A": 8 s). Timings are printed; the bound is
    /// generous (a slow shared 2-core machine, debug or release) so this never flakes.
    @Test func longInputsAreFast() {
        let tok = Smol.tokenizer
        var g = SplitMix64(seed: 0xB9E_0003)
        let random256 = RandomText.make(&g, characters: 256 * 1024)
        let inputs: [(String, String)] = [
            ("32K x \"A\"", String(repeating: "A", count: 32 * 1024)),
            ("256K x \"A\"", String(repeating: "A", count: 256 * 1024)),
            ("32K random", String(random256.unicodeScalars.prefix(32 * 1024))),
            ("256K random", random256),
        ]
        let clock = ContinuousClock()
        for (name, text) in inputs {
            for special in [false, true] {
                var ids = [Int]()
                let d = clock.measure { ids = tok.encode(text, parseSpecial: special) }
                print("tokenizer: \(name) (special \(special)): \(ids.count) tokens in "
                      + String(format: "%.3f s", seconds(d)))
                #expect(seconds(d) < 20, "\(name): \(d)")
                #expect(tok.decode(ids, special: true) == text, "\(name) does not round-trip")
            }
        }
        // The old quadratic loop, for comparison, only on request (it takes seconds).
        if ProcessInfo.processInfo.environment["ROLLBOOK_TOKENIZER_BASELINE"] != nil {
            for n in [8, 16, 32] {
                let text = String(repeating: "A", count: n * 1024)
                var ids = [Int]()
                let d = clock.measure { ids = ReferenceBPE.encode(tok, text) }
                #expect(ids == tok.encode(text))
                print("tokenizer (reference, quadratic): \(n)K x \"A\": " + String(format: "%.3f s", seconds(d)))
            }
        }
    }

    /// The pre-tokenizers are linear on adversarial runs: 8x the input takes about 8x the
    /// time (printed), and never more than a generous bound.
    @Test func preTokenizersAreLinear() {
        let patterns: [(String, String)] = [
            ("spaces", " "), ("newlines", "\n"), ("space-newline", " \n"), ("CRLF", "\r\n"), ("tabs", "\t "),
            ("punctuation", "!"), ("digits", "1"), ("letters", "é"), ("contractions", "'s"), ("apostrophes", "'"),
            ("space-letter", " a"), ("nbsp", "\u{00A0}"),
        ]
        let clock = ContinuousClock()
        for (name, unit) in patterns {
            for pre in [PreTokenizer.gpt2, .smollm, .llama3, .qwen2] {
                var times = [Double]()
                for n in [8 * 1024, 64 * 1024] {
                    let text = String(repeating: unit, count: n / unit.unicodeScalars.count)
                    var words = [String]()
                    let d = clock.measure { words = pre.split(text) }
                    #expect(words.joined() == text)
                    times.append(seconds(d))
                }
                print("pre-tokenizer \(pre) \(name): 8K \(String(format: "%.4f", times[0])) s, "
                      + "64K \(String(format: "%.4f", times[1])) s")
                #expect(times[1] < 10, "\(pre) \(name): \(times[1]) s for 64K characters")
            }
        }
    }
}
