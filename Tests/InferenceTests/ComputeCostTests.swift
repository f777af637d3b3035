import Testing
import Inference

/// `ComputeShape.rolloutFLOPs` against a count by hand on a micro shape: 2 layers, width 4,
/// FFN 6, 2 query heads and 1 K/V head of width 2, vocabulary 10.
struct ComputeCostTests {
    static let micro = ComputeShape(blockCount: 2, embeddingLength: 4, feedForwardLength: 6, headCount: 2,
                                    headCountKV: 1, headDim: 2, vocabSize: 10)

    /// Per layer: Q 4x4, K and V 4x2 each, O 4x4, gate/up/down 3 x 4x6 = 16+16+16+72 = 120;
    /// head 4x10 = 40. A token: 2 x (2 x 120 + 40) = 560 FLOPs, plus attention
    /// 2 layers x 4 x (2 heads x 2) = 32 per attended position.
    @Test func parameterCounts() {
        #expect(Self.micro.layerParameters == 120)
        #expect(Self.micro.headParameters == 40)
        #expect(Self.micro.layerFLOPs(positions: 4) == 240 + 16 * 4)
    }

    /// 3 prompt tokens and 3 generated: 5 tokens read at positions 0...4 (the last generated
    /// token is never fed), attending 1+2+3+4+5 = 15 positions: 5 x 560 + 32 x 15 = 3280.
    @Test func plainRollout() {
        #expect(Self.micro.rolloutFLOPs(promptTokens: 3, iterations: [0, 0, 0], eglrLayers: 0) == 3280)
        // EGLR configured but never gated costs nothing extra.
        #expect(Self.micro.rolloutFLOPs(promptTokens: 3, iterations: [0, 0, 0], eglrLayers: 1) == 3280)
    }

    /// EGLR over the top layer: generated token 1 (produced at position 3, attending 4)
    /// recursed twice, 2 x (304 + head 80) = 768; token 2 (attending 5) once, 320 + 80 = 400.
    @Test func eglrReapplications() {
        #expect(Self.micro.rolloutFLOPs(promptTokens: 3, iterations: [0, 2, 1], eglrLayers: 1) == 3280 + 768 + 400)
        // A span wider than the model re-applies every layer (as the engine clamps it):
        // token 1: 2 x (2 x 304 + 80) = 1376; token 2: 2 x 320 + 80 = 720.
        #expect(Self.micro.rolloutFLOPs(promptTokens: 3, iterations: [0, 2, 1], eglrLayers: 5) == 3280 + 1376 + 720)
    }

    /// A one-token rollout reads only its prompt; the shape of a real model comes from its config.
    @Test func shapeFromConfig() {
        let c = TestModels.smollm.config
        let s = ComputeShape(c)
        #expect(s.blockCount == c.blockCount && s.vocabSize == c.vocabSize && s.headDim == c.headDim)
        #expect(Self.micro.rolloutFLOPs(promptTokens: 1, iterations: [0], eglrLayers: 0) == 560 + 32)
    }
}
