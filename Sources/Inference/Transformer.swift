import Foundation
import Sampling
import LinAlg

/// Runs the forward pass of a `Model` over a chunk of tokens of one sequence, reading and
/// extending its `KVCache`. Holds the activation buffers (sized for `maxTokens` at a time).
public final class Transformer {
    public let model: Model
    public let maxTokens: Int
    let c: ModelConfig
    let scratch: MatmulScratch
    // Activations, row-major [tokens, width].
    let x, xb, q, k, v, att, hb, hb2: UnsafeMutablePointer<Float>
    let scores: UnsafeMutablePointer<Float>    // [maxTokens, contextLength] for one head
    let logitsBuffer: UnsafeMutablePointer<Float>
    let ropeCos, ropeSin: UnsafeMutablePointer<Float>  // [tables, maxTokens, rotDim/2]
    public let contextLength: Int
    /// Numerics of single-token steps (v2 with `int8`); chunks of several tokens (prefill)
    /// always take the Float kernels and libm exp.
    public let numerics: Numerics

    /// `int8`: single-token steps through the integer kernels (8-bit activations, as llama.cpp
    /// decodes); false gives the Float kernels the rollout engine uses (prefill of its prompts,
    /// and tests comparing against it).
    /// `blockedPrefill`: prompts multiplied in fixed blocks on the pool's threads (numerics 3);
    /// false: on OpenBLAS's threads (numerics 1 and 2).
    public var blockedPrefill: Bool { scratch.blockedPrefill }

    public init(model: Model, maxTokens: Int = 512, contextLength: Int? = nil, int8: Bool = true,
                blockedPrefill: Bool = true) {
        self.model = model
        c = model.config
        self.maxTokens = maxTokens
        numerics = int8 && IntKernels.available ? .v2 : .v1
        self.contextLength = min(contextLength ?? 4096, c.contextLength)
        let dim = c.embeddingLength, qDim = c.headCount * c.headDim
        let largest = max(qDim, c.kvDim, c.feedForwardLength, dim)
        scratch = MatmulScratch(maxElements: min(8 << 20, max(largest * largest, largest * 2048)),
                                maxCols: largest, maxVectors: 2, int8: int8)
        scratch.blockedPrefill = blockedPrefill
        let buf = Ops.buffer
        x = buf(maxTokens * dim); xb = buf(maxTokens * max(dim, qDim)); q = buf(maxTokens * qDim)
        k = buf(maxTokens * c.kvDim); v = buf(maxTokens * c.kvDim); att = buf(maxTokens * qDim)
        hb = buf(maxTokens * c.feedForwardLength); hb2 = buf(maxTokens * c.feedForwardLength)
        scores = buf(max(maxTokens, c.headCount) * self.contextLength)
        logitsBuffer = buf(c.vocabSize)
        let tables = model.ropeTables.count
        ropeCos = buf(tables * maxTokens * c.ropeDimensionCount / 2)
        ropeSin = buf(tables * maxTokens * c.ropeDimensionCount / 2)
    }

    deinit {
        for p in [x, xb, q, k, v, att, hb, hb2, scores, logitsBuffer, ropeCos, ropeSin] { p.deallocate() }
    }

    public func makeCache(capacity: Int? = nil) -> KVCache {
        KVCache(config: c, capacity: capacity ?? contextLength)
    }

    /// Feeds `tokens` at positions cache.count..., and returns the logits after the last one
    /// (a view valid until the next call).
    @discardableResult
    public func forward(_ tokens: [Int], cache: KVCache) throws -> UnsafeBufferPointer<Float> {
        precondition(!tokens.isEmpty)
        guard cache.count + tokens.count <= cache.capacity else {
            throw ModelError.contextOverflow(needed: cache.count + tokens.count, limit: cache.capacity)
        }
        func chunks() throws {
            var i = 0
            while i < tokens.count {
                let n = min(maxTokens, tokens.count - i)
                try tokens.withUnsafeBufferPointer {
                    try forwardChunk(UnsafeBufferPointer(rebasing: $0[i..<(i + n)]), cache: cache)
                }
                i += n
            }
        }
        // Blocked prefill: every product on the pool's threads, each a one-thread sgemm. (One
        // token calls no sgemm, and setting OpenBLAS's thread count costs time per call.)
        if blockedPrefill && tokens.count > 1 { try BLAS.singleThreaded(chunks) } else { try chunks() }
        return UnsafeBufferPointer(start: logitsBuffer, count: c.vocabSize)
    }

    /// One chunk of at most maxTokens tokens: the walk-through of the Llama block.
    func forwardChunk(_ tokens: UnsafeBufferPointer<Int>, cache: KVCache) throws {
        let m = model
        let n = tokens.count
        let dim = c.embeddingLength, kvDim = c.kvDim, hd = c.headDim, ffn = c.feedForwardLength
        let qDim = c.headCount * hd, kvMul = c.headCount / c.headCountKV
        let start = cache.count
        let seqLen = start + n

        // 1. Embeddings: x[t] = token_embd[token t].
        for t in 0..<n {
            let id = tokens[t]
            guard id >= 0 && id < c.vocabSize else {
                throw ModelError.badHyperparameter(path: m.path, key: "token id", value: "\(id)")
            }
            m.tokenEmbedding.dequantize(rows: id..<(id + 1), into: x + t * dim)
            if c.embeddingScale != 1 { for i in 0..<dim { x[t * dim + i] *= c.embeddingScale } }
        }
        // RoPE angles for this chunk's positions (per table: windowed layers may rotate otherwise).
        let half = c.ropeDimensionCount / 2
        for (ti, table) in m.ropeTables.enumerated() {
            let base = ti * maxTokens * half
            for t in 0..<n {
                Ops.ropeAngles(pos: start + t, table,
                               cos: ropeCos + base + t * half, sin: ropeSin + base + t * half)
            }
        }
        let attScale = c.attentionScale
        let fast = n == 1 && numerics.fastDecoding

        for (l, w) in m.layers.enumerated() {
            // 2. Attention input: xb = rmsnorm(x) * attn_norm.
            for t in 0..<n { Ops.normOrCopy(xb + t * dim, x + t * dim, w.attnNorm, dim, eps: c.rmsEps) }
            // 3. Projections q [n, qDim], k, v [n, kvDim], plus Qwen2's biases.
            w.wq.multiply(xb, n: n, into: q, scratch: scratch)
            w.wk.multiply(xb, n: n, into: k, scratch: scratch, sameInput: true)
            w.wv.multiply(xb, n: n, into: v, scratch: scratch, sameInput: true)
            if let b = w.bq { for t in 0..<n { addBias(q + t * qDim, b.baseAddress!, qDim) } }
            if let b = w.bk { for t in 0..<n { addBias(k + t * kvDim, b.baseAddress!, kvDim) } }
            if let b = w.bv { for t in 0..<n { addBias(v + t * kvDim, b.baseAddress!, kvDim) } }
            if let qn = w.qNorm, let kn = w.kNorm {
                for t in 0..<n {
                    Ops.groupNorm(q + t * qDim, width: qDim, qn, eps: c.rmsEps)
                    Ops.groupNorm(k + t * kvDim, width: kvDim, kn, eps: c.rmsEps)
                }
            }
            // 4. Rotary position embedding on q and k, per head.
            let table = m.ropeTableOfLayer[l] * maxTokens * half
            for t in 0..<n {
                let cs = ropeCos + table + t * half, sn = ropeSin + table + t * half
                for h in 0..<c.headCount { rope(q + t * qDim + h * hd, cs, sn) }
                for h in 0..<c.headCountKV { rope(k + t * kvDim + h * hd, cs, sn) }
            }
            // 5. Append k, v to the cache.
            cache.k(l, start).update(from: k, count: n * kvDim)
            cache.v(l, start).update(from: v, count: n * kvDim)
            // 6. Causal attention per head: scores = q_h K_h^T / sqrt(hd) (soft-capped where the
            //    model says); softmax over the visible keys (a sliding window's last W); att_h = P V_h.
            let keys = cache.k(l, 0), vals = cache.v(l, 0)
            if n == 1 {
                let lo = c.windowStart(layer: l, pos: start)
                attendOne(q, keys + lo * kvDim, vals + lo * kvDim, seqLen: seqLen - lo, scale: attScale, fast: fast)
            } else if blockedPrefill {
                attendBlocks(layer: l, n: n, start: start, keys: keys, vals: vals, scale: attScale)
            } else {
                for h in 0..<c.headCount {
                    let kvh = h / kvMul
                    Ops.sgemm(m: n, n: seqLen, k: hd, a: q + h * hd, lda: qDim, b: keys + kvh * hd, ldb: kvDim,
                               transB: true, c: scores, ldc: seqLen, alpha: attScale)
                    for t in 0..<n { causalSoftmax(scores + t * seqLen, layer: l, pos: start + t, seqLen: seqLen) }
                    Ops.sgemm(m: n, n: hd, k: seqLen, a: scores, lda: seqLen, b: vals + kvh * hd, ldb: kvDim,
                               transB: false, c: att + h * hd, ldc: qDim)
                }
            }
            // 7. Output projection and residual: x += att W_o^T.
            w.wo.multiply(att, n: n, into: xb, scratch: scratch)
            Ops.postNorm(xb, rows: n, w.postAttnNorm, dim, eps: c.rmsEps)
            for i in 0..<(n * dim) { x[i] += xb[i] }
            // 8. Feed-forward: x += W_down (silu(W_gate xb) * W_up xb), xb = rmsnorm(x) * ffn_norm.
            for t in 0..<n { Ops.normOrCopy(xb + t * dim, x + t * dim, w.ffnNorm, dim, eps: c.rmsEps) }
            w.gate.multiply(xb, n: n, into: hb, scratch: scratch)
            w.up.multiply(xb, n: n, into: hb2, scratch: scratch, sameInput: true)
            if c.gelu {
                Ops.geglu(hb, hb2, n * ffn)
            } else if fast {
                FastMath.swiglu(hb, hb2, ffn)
            } else {
                for i in 0..<(n * ffn) { let g = hb[i]; hb[i] = g / (1 + expf(-g)) * hb2[i] }
            }
            w.down.multiply(hb, n: n, into: xb, scratch: scratch)
            Ops.postNorm(xb, rows: n, w.postFFNNorm, dim, eps: c.rmsEps)
            for i in 0..<(n * dim) { x[i] += xb[i] }
        }
        cache.count = seqLen
        // 9. Final norm and the output head, for the last token only.
        rmsnorm(xb, x + (n - 1) * dim, m.outputNorm.baseAddress!, dim)
        m.output.multiply(xb, n: 1, into: logitsBuffer, scratch: scratch)
        if c.finalSoftCap > 0 { Ops.softCap(logitsBuffer, c.vocabSize, cap: c.finalSoftCap) }
    }

    // MARK: small kernels

    /// Prefill attention in numerics 3: query tokens 32 at a time (the same blocks whatever
    /// the thread count), the blocks split over the workers, every head of a block with
    /// one-thread sgemms into the block's own rows of `scores`.
    func attendBlocks(layer l: Int, n: Int, start: Int, keys: UnsafePointer<Float>, vals: UnsafePointer<Float>,
                      scale: Float) {
        let hd = c.headDim, kvDim = c.kvDim, qDim = c.headCount * hd, kvMul = c.headCount / c.headCountKV
        let seqLen = start + n, scores = self.scores, att = self.att, q = self.q
        Parallel.forChunks((n + 31) / 32, minChunk: 1) { blocks in
            for blk in blocks {
                let t0 = blk * 32, m = min(n, t0 + 32) - t0
                for h in 0..<self.c.headCount {
                    let kvh = (h / kvMul) * hd
                    BLAS.sgemm(m: m, n: seqLen, k: hd, a: q + t0 * qDim + h * hd, lda: qDim, b: keys + kvh,
                               ldb: kvDim, transB: true, c: scores + t0 * seqLen, ldc: seqLen, alpha: scale)
                    for t in t0..<(t0 + m) {
                        self.causalSoftmax(scores + t * seqLen, layer: l, pos: start + t, seqLen: seqLen)
                    }
                    BLAS.sgemm(m: m, n: hd, k: seqLen, a: scores + t0 * seqLen, lda: seqLen, b: vals + kvh,
                               ldb: kvDim, transB: false, c: att + t0 * qDim + h * hd, ldc: qDim)
                }
            }
        }
    }

    /// One query's score row at position pos: zero before a sliding window's start, the
    /// model's soft-cap, softmax over the visible keys.
    func causalSoftmax(_ row: UnsafeMutablePointer<Float>, layer l: Int, pos: Int, seqLen: Int) {
        let lo = c.windowStart(layer: l, pos: pos)
        for i in 0..<lo { row[i] = 0 }
        if c.attnSoftCap > 0 { Ops.softCap(row + lo, pos + 1 - lo, cap: c.attnSoftCap) }
        Ops.softmax(row + lo, visible: pos + 1 - lo, total: seqLen - lo)
    }

    /// Attention of one new token over the cache (decode), heads split over the workers.
    func attendOne(_ q: UnsafeMutablePointer<Float>, _ keys: UnsafeMutablePointer<Float>,
                   _ vals: UnsafeMutablePointer<Float>, seqLen: Int, scale: Float, fast: Bool) {
        let hd = c.headDim, kvDim = c.kvDim, kvMul = c.headCount / c.headCountKV
        let scores = self.scores, att = self.att
        Parallel.forChunks(c.headCount, minChunk: 1) { heads in
            for h in heads {
                let kvh = (h / kvMul) * hd
                Ops.attend(q: q + h * hd, segments: (UnsafePointer(keys + kvh), UnsafePointer(vals + kvh), seqLen), nil,
                           stride: kvDim, headDim: hd, scale: scale, scores: scores + h * seqLen, out: att + h * hd,
                           fast: fast, cap: self.c.attnSoftCap)
            }
        }
    }

    @inline(__always)
    func rmsnorm(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ n: Int) {
        Ops.rmsnorm(out, x, w, n, eps: c.rmsEps)
    }

    @inline(__always)
    func addBias(_ y: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) { Ops.addBias(y, b, n) }

    @inline(__always)
    func rope(_ v: UnsafeMutablePointer<Float>, _ cs: UnsafePointer<Float>, _ sn: UnsafePointer<Float>) {
        Ops.rope(v, cs, sn, half: c.ropeDimensionCount / 2, neox: c.ropeNeox)
    }
}
