import Foundation
import GGUF
import Inference
import TestSupport
import Testing
import Tokenizers

/// llama.cpp's own tokenizer tests (test-tokenizer-0: `models/ggml-vocab-NAME.gguf.inp`, cases
/// separated by `__ggml_vocab_test__`, and `.out`, the ids llama.cpp b11312 gives, one line per
/// case; no special-token parsing, no BOS) on the vocab-only GGUFs it ships, fetched by
/// scripts/fetch-vocab-tests.sh (`make test`). Every case identical, and decode(encode(x)) == x.
@Suite struct VocabConformanceTests {
    static let dir = FixtureDir.repoRoot.appendingPathComponent("data/vocab-tests")

    static func cases(_ name: String) throws -> [(text: String, ids: [Int])] {
        let base = dir.appendingPathComponent("ggml-vocab-\(name).gguf").path
        let inp = try String(contentsOfFile: base + ".inp", encoding: .utf8)
        let out = try String(contentsOfFile: base + ".out", encoding: .utf8)
        let texts = inp.components(separatedBy: "\n__ggml_vocab_test__\n")
        var lines = out.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        // The .inp ends with a separator line; its last piece is empty.
        let used = Array(texts.prefix(lines.count))
        return zip(used, lines).map { t, l in (t, l.split(separator: " ").map { Int($0)! }) }
    }

    /// The byte-level BPE vocabularies (every pre-tokenizer Rollbook implements), SentencePiece
    /// ones (Llama 2 / Mistral `llama-spm`, Phi-3) and Gemma 4's SentencePiece-style BPE.
    @Test(arguments: ["gpt-2", "mpt", "llama-bpe", "qwen2", "qwen35", "starcoder", "refact", "command-r",
                      "deepseek-llm", "deepseek-coder", "falcon", "llama-spm", "phi-3", "gemma-4"])
    func everyCaseIdentical(_ name: String) throws {
        let path = Self.dir.appendingPathComponent("ggml-vocab-\(name).gguf").path
        try #require(FileManager.default.fileExists(atPath: path), "run scripts/fetch-vocab-tests.sh (make test does)")
        let tok = try Model.tokenizer(file: GGUFFile(path: path))
        let cases = try Self.cases(name)
        #expect(cases.count >= 30)
        var same = 0
        for (i, c) in cases.enumerated() {
            let ids = tok.encode(c.text, parseSpecial: false, addBOS: false)
            if ids == c.ids { same += 1 } else {
                Issue.record("\(name) case \(i) \(c.text.debugDescription): \(ids) vs llama.cpp \(c.ids)")
            }
            #expect(tok.decode(ids) == c.text, "\(name) case \(i): decode(encode(x)) != x")
        }
        print("vocab \(name): \(same)/\(cases.count) cases identical to llama.cpp")
    }
}
