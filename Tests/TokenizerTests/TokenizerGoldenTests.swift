import Foundation
import Testing
import Inference
import Tokenizers
import TestSupport

enum Smol {
    static let path = FixtureDir.repoRoot.appendingPathComponent("data/models/SmolLM2-135M-Instruct.Q4_1.gguf").path
    nonisolated(unsafe) static let model: Model = {
        do { return try Model(path: path) } catch { fatalError("cannot load the default model: \(error) (run `make model`)") }
    }()
    static var tokenizer: Tokenizer { model.tokenizer }
}

struct GoldenCase: Decodable { var text: String; var ids: [Int]; var ids_special: [Int] }
struct GoldenFile: Decodable { var cases: [GoldenCase] }

/// Token ids against llama.cpp (llama-cpp-python, scripts/make_llama_fixtures.py): exact.
@Suite struct TokenizerGoldenTests {
    static let cases: [GoldenCase] = {
        guard let d = try? Data(contentsOf: Fixture.url("tokenizer_goldens.json")),
              let f = try? JSONDecoder().decode(GoldenFile.self, from: d) else { return [] }
        return f.cases
    }()

    @Test func corpusIsLarge() { #expect(Self.cases.count >= 300) }

    @Test func idsMatchLlamaCpp() {
        let tok = Smol.tokenizer
        var mismatches = [String]()
        for c in Self.cases {
            let ids = tok.encode(c.text, parseSpecial: false)
            if ids != c.ids { mismatches.append("plain \(c.text.debugDescription): got \(ids.prefix(12)) want \(c.ids.prefix(12))") }
            let sp = tok.encode(c.text, parseSpecial: true)
            if sp != c.ids_special { mismatches.append("special \(c.text.debugDescription): got \(sp.prefix(12)) want \(c.ids_special.prefix(12))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(5).joined(separator: "\n"))")
    }

    @Test func decodeInvertsEncode() {
        let tok = Smol.tokenizer
        for c in Self.cases { #expect(tok.decode(tok.encode(c.text)) == c.text, "\(c.text.debugDescription)") }
    }
}

@Suite struct TokenizerUnitTests {
    @Test func specialTokensParsedOnlyWhenAsked() {
        let tok = Smol.tokenizer
        let s = "<|im_start|>user\nhi<|im_end|>"
        let on = tok.encode(s, parseSpecial: true)
        #expect(on.first == tok.id(of: "<|im_start|>") && on.last == tok.id(of: "<|im_end|>"))
        let off = tok.encode(s, parseSpecial: false)
        #expect(!off.contains(tok.id(of: "<|im_start|>")!))
        #expect(tok.decode(off) == s)
        // Control tokens render as nothing unless special rendering is asked for.
        #expect(tok.decode(on) == "user\nhi")
        #expect(tok.decode(on, special: true) == s)
    }

    @Test func streamingDecoderHoldsPartialUTF8() {
        let tok = Smol.tokenizer
        let text = "naïve café 日本語 👩‍👩‍👧 ok"
        let ids = tok.encode(text)
        var dec = StreamingDecoder(tokenizer: tok)
        var out = ""
        for id in ids {
            let piece = dec.push(id)
            #expect(!piece.contains("\u{FFFD}"), "replacement char mid-stream at token \(id)")
            out += piece
        }
        out += dec.flush()
        #expect(out == text)
        // At least one token must have ended inside a multi-byte character for this to test anything.
        let splits = ids.filter { String(decoding: tok.bytes(of: $0), as: UTF8.self).contains("\u{FFFD}") }
        #expect(!splits.isEmpty)
    }

    @Test func smollmSplitsDigits() {
        #expect(PreTokenizer.smollm.split("abc 123") == ["abc", " ", "1", "2", "3"])
        #expect(PreTokenizer.gpt2.split("I'll go  now!!") == ["I", "'ll", " go", " ", " now", "!!"])
        #expect(PreTokenizer.llama3.split("12345 abc\n\nx") == ["123", "45", " abc", "\n\n", "x"])
        #expect(PreTokenizer.qwen2.split("123") == ["1", "2", "3"])
    }

    @Test func unknownPreTokenizerIsAnError() {
        #expect(throws: TokenizerError.unsupportedPreTokenizer("nonesuch")) { try PreTokenizer(ggmlName: "nonesuch") }
    }

    @Test func chatTemplateMatchesSmolLM2() throws {
        let tpl = try #require(Smol.model.chatTemplate)
        #expect(tpl.render(user: "Hi") ==
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        #expect(tpl.render([.init(role: "system", content: "S"), .init(role: "user", content: "U")]) ==
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n")
    }
}
