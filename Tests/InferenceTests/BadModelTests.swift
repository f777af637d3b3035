import Foundation
import Testing
import GGUF
import Inference

@Suite struct BadModelTests {
    @Test func microModelLoadsAndRuns() throws {
        let m = try Model(path: TestModels.fixture("micro_llama.gguf"))
        #expect(m.config.blockCount == 2 && m.config.headCountKV == 2)
        let tr = Transformer(model: m, contextLength: 64)
        let logits = try tr.forward(m.tokenizer.encode("hello"), cache: tr.makeCache())
        #expect(logits.count == m.config.vocabSize && logits.allSatisfy { $0.isFinite })
    }

    @Test func unknownArchitecture() {
        #expect { try Model(path: TestModels.fixture("unknown_arch.gguf")) } throws: { e in
            "\(e)".contains("unknown_arch.gguf") && "\(e)".contains("unknown architecture 'mamba'")
        }
    }

    @Test func missingTensor() {
        #expect { try Model(path: TestModels.fixture("missing_tensor.gguf")) } throws: { e in
            "\(e)".contains("missing_tensor.gguf") && "\(e)".contains("'blk.1.ffn_up.weight' is missing")
        }
    }

    @Test func unsupportedQuantType() {
        #expect { try Model(path: TestModels.fixture("unsupported_type.gguf")) } throws: { e in
            "\(e)".contains("unsupported_type.gguf") && "\(e)".contains("Q2_K") && "\(e)".contains("blk.0.ffn_down.weight")
        }
    }

    @Test func nonGGUFIsRejected() {
        #expect(throws: GGUFError.self) { try Model(path: TestModels.fixture("bad_magic.gguf")) }
    }

    @Test func contextOverflowIsAnError() throws {
        let m = try Model(path: TestModels.fixture("micro_llama.gguf"))
        let tr = Transformer(model: m, contextLength: 64)
        let cache = tr.makeCache(capacity: 4)
        #expect(throws: ModelError.self) { try tr.forward([1, 2, 3, 4, 5], cache: cache) }
    }

    // MARK: special token ids and hyperparameters, with files rewritten from the micro model

    /// micro_llama.gguf with `edit` applied, at a temporary path (removed by the caller).
    static func rewritten(_ tag: String, _ edit: @escaping ([(String, GGUFValue)]) -> [(String, GGUFValue)]) throws
        -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("rollbook-badmodel-\(tag)-\(getpid()).gguf").path
        try GGUFRewriter.rewrite(TestModels.fixture("micro_llama.gguf"), to: path, edit: edit)
        return path
    }

    @Test func rewrittenFileLoadsUnchanged() throws {
        let path = try Self.rewritten("same") { $0 }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let m = try Model(path: path)
        let ref = try Model(path: TestModels.fixture("micro_llama.gguf"))
        #expect(m.config == ref.config && m.tokenizer.encode("hello world") == ref.tokenizer.encode("hello world"))
    }

    @Test func everySpecialTokenIdIsCheckedAgainstTheVocabulary() throws {
        let vocab = try Model(path: TestModels.fixture("micro_llama.gguf")).config.vocabSize
        let keys = ["bos", "eos", "eot", "eom", "unknown", "padding", "seperator", "cls", "mask", "fim_pre"]
            .map { "tokenizer.ggml.\($0)_token_id" }
        let values: [GGUFValue] = [.uint32(UInt32(vocab)), .uint32(1_000_000_000), .int32(-1), .uint64(.max),
                                   .int64(Int64(vocab) + 5)]
        for (i, key) in keys.enumerated() {
            let v = values[i % values.count]
            let path = try Self.rewritten("tok\(i)", GGUFRewriter.setting(key, v))
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect("\(key) = \(v.summary)") { try Model(path: path) } throws: { e in
                let s = "\(e)"
                return s.hasPrefix(path + ": ") && s.contains(key) && s.contains(v.summary)
                    && s.contains("outside the vocabulary (\(vocab) tokens") && !s.contains("\n")
            }
        }
    }

    @Test func specialTokenIdMustBeAnInteger() throws {
        let path = try Self.rewritten("tokf", GGUFRewriter.setting("tokenizer.ggml.bos_token_id", .float32(1.5)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try Model(path: path) } throws: { e in
            "\(e)".contains(path) && "\(e)".contains("tokenizer.ggml.bos_token_id = 1.5 is not a token id")
        }
    }

    @Test func validSpecialTokenIdsAreKept() throws {
        let path = try Self.rewritten("tokok") { kvs in
            GGUFRewriter.setting("tokenizer.ggml.eot_token_id", .int32(7))(
                GGUFRewriter.setting("tokenizer.ggml.bos_token_id", .uint32(5))(kvs))
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let m = try Model(path: path)
        #expect(m.tokenizer.bosID == 5 && m.tokenizer.endOfGeneration.contains(7))
        #expect(m.tokenizer.encode("hi", addBOS: true).first == 5)
    }

    @Test func tokenTypeTableOfTheWrongLengthIsAnError() throws {
        let path = try Self.rewritten("types", GGUFRewriter.setting("tokenizer.ggml.token_type",
                                                                     .array([.int32(1), .int32(1)])))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try Model(path: path) } throws: { e in
            "\(e)".contains(path) && "\(e)".contains("tokenizer.ggml.token_type has 2 entries")
        }
    }

    @Test func unusableHyperparametersAreNamed() throws {
        let cases: [(String, GGUFValue)] = [
            ("llama.rope.dimension_count", .uint32(3)), ("llama.rope.dimension_count", .uint32(1 << 20)),
            ("llama.context_length", .uint32(0)), ("llama.attention.key_length", .int32(-4)),
            ("llama.attention.layer_norm_rms_epsilon", .float32(.nan)), ("llama.rope.freq_base", .float32(-1)),
        ]
        for (i, (key, v)) in cases.enumerated() {
            let path = try Self.rewritten("hp\(i)", GGUFRewriter.setting(key, v))
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect("\(key) = \(v.summary)") { try Model(path: path) } throws: { e in
                "\(e)".hasPrefix(path + ": ") && "\(e)".contains(key)
            }
        }
    }

    /// A negative general.alignment used to trap while building the error message.
    @Test func negativeAlignmentIsAnError() throws {
        let path = try Self.rewritten("align", GGUFRewriter.setting("general.alignment", .int32(-8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: GGUFError.badAlignment(path: path, alignment: "-8")) { try GGUFFile(path: path) }
    }
}
