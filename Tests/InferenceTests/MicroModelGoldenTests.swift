import Foundation
import Testing
import Inference
import Sampling

/// Tiny random Llama and Qwen2 models (Tests/GGUFTests/Fixtures, written by
/// scripts/make_gguf_fixtures.py) against llama.cpp's full next-token distribution.
/// These cover what the default model does not: Qwen2's QKV biases, NeoX rope, an untied
/// output head, Q4_0/Q5_0/F32 weights. Tolerance 0.05 on every one of the 263 log-probs
/// (measured ≤ 0.027: llama.cpp's 8-bit activation rounding through two layers).
@Suite struct MicroModelGoldenTests {
    struct Case: Decodable { var model: String; var text: String; var ids: [Int]; var logprobs: [Double] }
    struct File: Decodable { var cases: [Case] }
    static let cases: [Case] = {
        (try? JSONDecoder().decode(File.self, from: Data(contentsOf: Fixture.url("micro_goldens.json"))))?.cases ?? []
    }()

    @Test func present() { #expect(Self.cases.count == 6) }

    @Test(arguments: 0..<6)
    func fullDistributionMatches(_ i: Int) throws {
        guard i < Self.cases.count else { return }
        let c = Self.cases[i]
        let m = try Model(path: TestModels.fixture(c.model))
        #expect(m.tokenizer.encode(c.text, parseSpecial: true) == c.ids)
        let worst = try TestModels.maxLogprobError(m, ids: c.ids, logprobs: c.logprobs)
        #expect(worst <= 0.05, "\(c.model) \(c.text.debugDescription): max |Δ logprob| \(worst)")
        print("micro golden \(c.model): max |Δ logprob| \(worst)")
    }

    /// A SentencePiece vocabulary without its scores is one clear error naming the table.
    @Test func sentencePieceVocabularyWithoutScoresIsAClearError() {
        #expect { try Model(path: TestModels.fixture("sentencepiece_vocab.gguf")) } throws: { e in
            "\(e)".contains("sentencepiece_vocab.gguf") && "\(e)".contains("tokenizer.ggml.scores has 0 entries")
        }
    }
}
