/// The floating-point operations of a rollout, from a Llama-family model's shape: the one
/// place compute is counted, so fresh rollouts and back-filled cached ones get the same number.
///
/// Conventions (a multiply-add is 2 FLOPs):
/// - Every token the model reads costs a full forward pass: 2 x (each layer's matrix
///   parameters: Q, K, V, O and the three SwiGLU matrices; plus the output head d x vocab),
///   plus attention, 2 x 2 x heads x headDim x (positions attended) per layer for QK^T and AV.
///   The token embedding lookup, norms, RoPE and softmax are not counted (no matmuls).
///   The engine skips most of prefill's output head; that saving is not credited, so the
///   count is the model's, not an artefact of the engine's chunking.
/// - A rollout reads its whole prompt and every generated token but the last, at positions
///   0, 1, ..., promptTokens + generated - 2; position p attends p + 1 positions (at most W in
///   a layer with a sliding window of W: Gemma 2/3, OLMo 3).
/// - Shared prompt prefixes: every rollout is charged its whole prompt prefill, as if it
///   had been generated alone. A rollout's cost is then a function of its own tokens only,
///   the same whichever run or batch produced it or reused it from the cache, and a
///   compute-matched comparison (N samples vs. one long one, depth vs. breadth) charges
///   each sample what an independent sample costs; prefix-sharing savings are an engine
///   optimisation, reported by wall seconds, not a property of the method.
/// - EGLR: each recursion iteration on generated token i re-applies the top `layers` layers
///   at that token's position (each costs that layer's FLOPs, attention included) and the
///   output head again (the engine recomputes the logits to test convergence).
public struct ComputeShape: Sendable, Equatable {
    public var blockCount: Int
    public var embeddingLength: Int
    public var feedForwardLength: Int
    public var headCount: Int
    public var headCountKV: Int
    public var headDim: Int
    public var vocabSize: Int
    /// Sliding window of the windowed layers (0: none) and which layers have it.
    public var slidingWindow: Int
    public var windowedLayers: [Bool]

    public init(blockCount: Int, embeddingLength: Int, feedForwardLength: Int, headCount: Int, headCountKV: Int,
                headDim: Int, vocabSize: Int, slidingWindow: Int = 0, windowedLayers: [Bool] = []) {
        self.blockCount = blockCount; self.embeddingLength = embeddingLength
        self.feedForwardLength = feedForwardLength; self.headCount = headCount
        self.headCountKV = headCountKV; self.headDim = headDim; self.vocabSize = vocabSize
        self.slidingWindow = slidingWindow; self.windowedLayers = windowedLayers
    }

    public init(_ c: ModelConfig) {
        self.init(blockCount: c.blockCount, embeddingLength: c.embeddingLength, feedForwardLength: c.feedForwardLength,
                  headCount: c.headCount, headCountKV: c.headCountKV, headDim: c.headDim, vocabSize: c.vocabSize,
                  slidingWindow: c.slidingWindow, windowedLayers: c.windowedLayers)
    }

    func windowed(_ l: Int) -> Bool { slidingWindow > 0 && l < windowedLayers.count && windowedLayers[l] }

    /// Positions a token at `p` attends in layer l.
    func attended(layer l: Int, position p: Int) -> Int { windowed(l) ? min(p + 1, slidingWindow) : p + 1 }

    /// Sum over positions 0..<read of the positions each attends in layer l.
    func attendedSum(layer l: Int, read: Int) -> Double {
        let r = Double(read)
        guard windowed(l) && read > slidingWindow else {
            return r * (r + 1) / 2
        }
        let w = Double(slidingWindow)
        return w * (w + 1) / 2 + (r - w) * w
    }

    /// Matrix parameters of one decoder layer.
    public var layerParameters: Double {
        let d = Double(embeddingLength), q = Double(headCount * headDim), kv = Double(headCountKV * headDim)
        return d * q + 2 * d * kv + q * d + 3 * d * Double(feedForwardLength)
    }

    /// Output head parameters.
    public var headParameters: Double { Double(embeddingLength) * Double(vocabSize) }

    /// FLOPs of one layer on one token attending `positions` positions.
    public func layerFLOPs(positions: Int) -> Double {
        2 * layerParameters + 4 * Double(headCount * headDim) * Double(positions)
    }

    /// FLOPs of a rollout: `promptTokens` read, then one generated token per entry of
    /// `iterations` (that token's EGLR recursion count), with EGLR over the top `eglrLayers`.
    public func rolloutFLOPs(promptTokens: Int, iterations: [Int], eglrLayers: Int) -> Double {
        let read = max(0, promptTokens + iterations.count - 1)
        // Sum over layers and positions p in 0..<read of the positions attended.
        var attendedTotal = 0.0
        for l in 0..<blockCount { attendedTotal += attendedSum(layer: l, read: read) }
        var total = Double(read) * (Double(blockCount) * 2 * layerParameters + 2 * headParameters)
            + 4 * Double(headCount * headDim) * attendedTotal
        let layers = min(max(eglrLayers, 0), blockCount)
        guard layers > 0 else { return total }
        for (i, k) in iterations.enumerated() where k > 0 {
            let p = promptTokens + i - 1        // the token that produced generated token i sat at n - 1 + i
            var flops = 2 * headParameters
            for l in (blockCount - layers)..<blockCount { flops += layerFLOPs(positions: attended(layer: l, position: p)) }
            total += Double(k) * flops
        }
        return total
    }
}
