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
}
