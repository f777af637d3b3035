import Foundation
import Sampling

/// One sequence being decoded: a read-only shared prefix (a prompt's KV, possibly shared
/// with its siblings) followed by its own cache.
public final class SequenceKV: @unchecked Sendable {
    public let prefix: KVCache?
    public let prefixLength: Int
    public let own: KVCache

    public init(prefix: KVCache?, prefixLength: Int, own: KVCache) {
        precondition(prefixLength <= (prefix?.count ?? 0))
        self.prefix = prefix; self.prefixLength = prefixLength; self.own = own
    }

    /// Position of the next token.
    public var position: Int { prefixLength + own.count }
}

/// The forward pass over many sequences at once, one new token each: every weight matrix
/// is applied to all of them in one pass of the fused kernels, whose per-row results do
/// not depend on the batch (so a rollout is bit-identical alone or among others).
public final class BatchDecoder {
    public let model: Model
    public let maxBatch: Int
    let c: ModelConfig
    let scratch: MatmulScratch
    let x, xb, q, k, v, att, hb, hb2, hidden: UnsafeMutablePointer<Float>
    public let logits: UnsafeMutablePointer<Float>     // [maxBatch, vocab]
    let scores: UnsafeMutablePointer<Float>            // [maxBatch * heads, maxContext]
    let ropeCos, ropeSin: UnsafeMutablePointer<Float>  // [tables, maxBatch, rotDim/2]
    public let maxContext: Int
    /// States one output-head product takes (at least 16, so EGLR's passes of a few rows
    /// share one read of the head even at small batches).
    let headBatch: Int
    public let numerics: Numerics

    public init(model: Model, maxBatch: Int, maxContext: Int, numerics: Numerics = .current) {
        self.model = model
        self.numerics = numerics
        c = model.config
        self.maxBatch = maxBatch
        self.maxContext = maxContext
        let dim = c.embeddingLength, qDim = c.headCount * c.headDim
        let largest = max(qDim, c.kvDim, c.feedForwardLength, dim)
        headBatch = max(maxBatch, 16)
        scratch = MatmulScratch(maxElements: 1, maxCols: largest, maxVectors: headBatch, int8: numerics.fastDecoding)
        let buf = Ops.buffer
        x = buf(maxBatch * dim); xb = buf(max(maxBatch * max(dim, qDim), headBatch * dim)); q = buf(maxBatch * qDim)
        k = buf(maxBatch * c.kvDim); v = buf(maxBatch * c.kvDim); att = buf(maxBatch * qDim)
        hb = buf(maxBatch * c.feedForwardLength); hb2 = buf(maxBatch * c.feedForwardLength)
        hidden = buf(maxBatch * dim)
        logits = buf(maxBatch * c.vocabSize)
        scores = buf(maxBatch * c.headCount * maxContext)
        let tables = model.ropeTables.count
        ropeCos = buf(tables * maxBatch * c.ropeDimensionCount / 2)
        ropeSin = buf(tables * maxBatch * c.ropeDimensionCount / 2)
    }

    deinit {
        for p in [x, xb, q, k, v, att, hb, hb2, hidden, logits, scores, ropeCos, ropeSin] { p.deallocate() }
    }

    /// Feeds one token to each sequence, appends its K/V, and leaves the logits in
    /// `logits` (row b for sequence b) and the last layer's output in `hidden`.
    /// `taps`, when given, receives the hidden state after every layer of each row in
    /// `tapRows` (tap i at taps + i * blockCount * dim, layer-major).
    public func step(
        _ seqs: [SequenceKV], tokens: [Int], taps: UnsafeMutablePointer<Float>? = nil, tapRows: [Int] = []
    ) throws {
        let n = seqs.count
        precondition(n == tokens.count && n > 0 && n <= maxBatch)
        let dim = c.embeddingLength
        for (b, s) in seqs.enumerated() {
            guard s.own.count < s.own.capacity, s.position < maxContext else {
                throw ModelError.contextOverflow(needed: s.position + 1,
                                                 limit: min(maxContext, s.prefixLength + s.own.capacity))
            }
            guard tokens[b] >= 0 && tokens[b] < c.vocabSize else {
                throw ModelError.badHyperparameter(path: model.path, key: "token id", value: "\(tokens[b])")
            }
            model.tokenEmbedding.dequantize(rows: tokens[b]..<(tokens[b] + 1), into: x + b * dim)
            if c.embeddingScale != 1 { for i in 0..<dim { x[b * dim + i] *= c.embeddingScale } }
        }
        let positions = seqs.map(\.position)
        try runLayers(seqs, positions: positions, layers: 0..<c.blockCount, taps: taps, tapRows: tapRows)
        for s in seqs { s.own.count += 1 }
        hidden.update(from: x, count: n * dim)
        head(n, into: logits)
    }

    /// One EGLR pass without the head: re-applies `layers` to the states at `from` (one row
    /// of width dim per sequence in `rows`, in that order) at the sequences' current (last)
    /// positions, and writes the results to `into`. The K/V written at that position replace
    /// the cache's (the caller restores what its KV policy keeps).
    public func recursePass(_ seqs: [SequenceKV], rows: [Int], layers: Range<Int>,
                            from: UnsafePointer<Float>, into: UnsafeMutablePointer<Float>) throws {
        let n = rows.count, dim = c.embeddingLength
        precondition(n <= maxBatch)
        let sub = rows.map { seqs[$0] }
        x.update(from: from, count: n * dim)
        for s in sub { s.own.count -= 1 }               // rewrite the last position
        defer { for s in sub { s.own.count += 1 } }
        try runLayers(sub, positions: sub.map(\.position), layers: layers, taps: nil, tapRows: [])
        into.update(from: x, count: n * dim)
    }

    /// Final norm and output head for `count` states at `from` (any number: taken
    /// `headBatch` at a time, each row's logits the same whatever the grouping).
    public func head(count: Int, from: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let dim = c.embeddingLength
        var i = 0
        while i < count {
            let m = min(headBatch, count - i)
            head(m, from: from + i * dim, into: out + i * c.vocabSize)
            i += m
        }
    }

    /// Final norm and output head for n (<= headBatch) states at `from` (default: x).
    func head(_ n: Int, from: UnsafePointer<Float>? = nil, into out: UnsafeMutablePointer<Float>) {
        let dim = c.embeddingLength
        let src = from ?? UnsafePointer(x)
        for b in 0..<n { Ops.rmsnorm(xb + b * dim, src + b * dim, model.outputNorm.baseAddress!, dim, eps: c.rmsEps) }
        model.output.multiply(xb, n: n, into: out, scratch: scratch, batched: true)
        if c.finalSoftCap > 0 { Ops.softCap(out, n * c.vocabSize, cap: c.finalSoftCap) }
    }

    /// body(b) for every row b < n, the rows split over the workers (a few per chunk).
    @inline(__always)
    static func rows(_ n: Int, _ body: (Int) -> Void) {
        Parallel.forShared(n, minChunk: 4, grain: 2) { r in for b in r { body(b) } }
    }

    /// Asks for a sequence's own key and value rows of one layer and key/value head (written
    /// in earlier steps, since gone to memory with the weight stream): from a window's start,
    /// at most 256 rows.
    func prefetchOwn(_ s: SequenceKV, layer l: Int, kvHead: Int, position: Int) {
        let o = s.own, at = kvHead * c.headDim, bytes = c.headDim * 4
        let from = max(0, min(o.count, c.windowStart(layer: l, pos: position) - s.prefixLength))
        let m = min(256, o.count - from)
        Kernels.prefetchRows(o.k(l, from) + at, count: m, stride: c.kvDim, bytes: bytes)
        Kernels.prefetchRows(o.v(l, from) + at, count: m, stride: c.kvDim, bytes: bytes)
    }

    func runLayers(_ seqs: [SequenceKV], positions: [Int], layers: Range<Int>,
                   taps: UnsafeMutablePointer<Float>?, tapRows: [Int]) throws {
        let n = seqs.count
        let dim = c.embeddingLength, kvDim = c.kvDim, hd = c.headDim, ffn = c.feedForwardLength
        let qDim = c.headCount * hd, kvMul = c.headCount / c.headCountKV
        let half = c.ropeDimensionCount / 2
        for (ti, table) in model.ropeTables.enumerated() {
            for b in 0..<n {
                let at = (ti * maxBatch + b) * half
                Ops.ropeAngles(pos: positions[b], table,
                               cos: ropeCos + at, sin: ropeSin + at)
            }
        }
        let attScale = c.attentionScale, cap = c.attnSoftCap
        let fast = numerics.fastDecoding
        let x = self.x, xb = self.xb, q = self.q, k = self.k, v = self.v, hb = self.hb, hb2 = self.hb2
        let eps = c.rmsEps
        for l in layers {
            let w = model.layers[l]
            // Per-row work (norms, rotations, cache appends, residuals) is split over the
            // workers by rows: each row's operations are the same on any thread.
            if l == layers.lowerBound {
                Self.rows(n) { b in Ops.normOrCopy(xb + b * dim, x + b * dim, w.attnNorm, dim, eps: eps) }
            }
            w.wq.multiply(xb, n: n, into: q, scratch: scratch, batched: true)
            w.wk.multiply(xb, n: n, into: k, scratch: scratch, batched: true, sameInput: true)
            w.wv.multiply(xb, n: n, into: v, scratch: scratch, batched: true, sameInput: true)
            let ropeCos = self.ropeCos, ropeSin = self.ropeSin, maxBatch = self.maxBatch, c = self.c
            let table = model.ropeTableOfLayer[l]
            Self.rows(n) { b in
                if let bq = w.bq { Ops.addBias(q + b * qDim, bq.baseAddress!, qDim) }
                if let bk = w.bk { Ops.addBias(k + b * kvDim, bk.baseAddress!, kvDim) }
                if let bv = w.bv { Ops.addBias(v + b * kvDim, bv.baseAddress!, kvDim) }
                if let qn = w.qNorm, let kn = w.kNorm {
                    Ops.groupNorm(q + b * qDim, width: qDim, qn, eps: c.rmsEps)
                    Ops.groupNorm(k + b * kvDim, width: kvDim, kn, eps: c.rmsEps)
                }
                let at = (table * maxBatch + b) * half
                let cs = ropeCos + at, sn = ropeSin + at
                for h in 0..<c.headCount { Ops.rope(q + b * qDim + h * hd, cs, sn, half: half, neox: c.ropeNeox) }
                for h in 0..<c.headCountKV { Ops.rope(k + b * kvDim + h * hd, cs, sn, half: half, neox: c.ropeNeox) }
                let s = seqs[b]
                s.own.k(l, s.own.count).update(from: k + b * kvDim, count: kvDim)
                s.own.v(l, s.own.count).update(from: v + b * kvDim, count: kvDim)
            }
            // Attention: (sequence, key/value head) pairs split over the workers, the query
            // heads sharing a key/value head together; with few sequences (one, or an EGLR
            // pass of one) (sequence, query head) pairs, so both threads get a share. A head's
            // result is the same either way.
            let scores = self.scores, att = self.att, ctx = maxContext
            let group = n * c.headCountKV >= 8 ? kvMul : 1, perSeq = c.headCount / group
            Parallel.forShared(n * perSeq, minChunk: 1, grain: 1) { range in
                for job in range {
                    let b = job / perSeq, h = (job % perSeq) * group
                    // The next job's rows asked for while this one runs, when they are other
                    // rows. It is usually this thread's next claim (a thread finishing another's
                    // share goes backwards; those few hints are wasted).
                    let b2 = (job + 1) / perSeq, h2 = ((job + 1) % perSeq) * group
                    if job + 1 < n * perSeq && (b2 != b || h2 / kvMul != h / kvMul) {
                        self.prefetchOwn(seqs[b2], layer: l, kvHead: h2 / kvMul, position: positions[b2])
                    }
                    let s = seqs[b], kvh = (h / kvMul) * hd
                    let own = (UnsafePointer(s.own.k(l, 0) + kvh), UnsafePointer(s.own.v(l, 0) + kvh), s.own.count + 1)
                    var segs: (Ops.Segment, Ops.Segment?) = (own, nil)
                    if let p = s.prefix, s.prefixLength > 0 {
                        segs = ((UnsafePointer(p.k(l, 0) + kvh), UnsafePointer(p.v(l, 0) + kvh), s.prefixLength), own)
                    }
                    // A windowed layer reads only the last W positions.
                    let drop = self.c.windowStart(layer: l, pos: positions[b])
                    segs = Ops.trim(segs.0, segs.1, drop: drop, stride: kvDim)
                    Ops.attendGroup(q: q + b * qDim + h * hd, heads: group, segments: segs.0, segs.1,
                                    stride: kvDim, headDim: hd, scale: attScale,
                                    scores: scores + (b * self.c.headCount + h) * ctx, sStride: ctx,
                                    out: att + b * qDim + h * hd, fast: fast, cap: cap)
                }
            }
            w.wo.multiply(att, n: n, into: xb, scratch: scratch, batched: true)
            // Residual, then the FFN's input norm, per row.
            Self.rows(n) { b in
                let xr = x + b * dim, xbr = xb + b * dim
                Ops.postNorm(xbr, rows: 1, w.postAttnNorm, dim, eps: eps)
                for i in 0..<dim { xr[i] += xbr[i] }
                Ops.normOrCopy(xbr, xr, w.ffnNorm, dim, eps: eps)
            }
            w.gate.multiply(xb, n: n, into: hb, scratch: scratch, batched: true)
            w.up.multiply(xb, n: n, into: hb2, scratch: scratch, batched: true, sameInput: true)
            let gelu = c.gelu
            Self.rows(n) { b in
                let g = hb + b * ffn, u = hb2 + b * ffn
                if gelu {
                    Ops.geglu(g, u, ffn)
                } else if fast {
                    FastMath.swiglu(g, u, ffn)
                } else {
                    for i in 0..<ffn { let a = g[i]; g[i] = a / (1 + expf(-a)) * u[i] }
                }
            }
            w.down.multiply(hb, n: n, into: xb, scratch: scratch, batched: true)
            // Residual, then the next layer's attention input norm, per row.
            let next = l + 1 < layers.upperBound ? model.layers[l + 1] : nil
            Self.rows(n) { b in
                let xr = x + b * dim, xbr = xb + b * dim
                Ops.postNorm(xbr, rows: 1, w.postFFNNorm, dim, eps: eps)
                for i in 0..<dim { xr[i] += xbr[i] }
                if let next { Ops.normOrCopy(xbr, xr, next.attnNorm, dim, eps: eps) }
            }
            if let taps {
                for (i, row) in tapRows.enumerated() {
                    (taps + (i * c.blockCount + l) * dim).update(from: x + row * dim, count: dim)
                }
            }
        }
    }
}
