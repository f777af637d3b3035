import GGUF
import LinAlg
import Sampling

/// A weight matrix of `rows` output features by `cols` inputs, viewed in place in the GGUF
/// mapping in its stored format. Single-row products run a fused dequantise-and-dot kernel
/// per format; many-row products dequantise into a scratch buffer and use sgemm.
public struct WeightMatrix: @unchecked Sendable {
    public let name: String
    public let rows: Int
    public let cols: Int
    public let type: GGMLType
    let data: UnsafeRawPointer
    let rowBytes: Int
    /// The integer kernels' packed copy, built on first use.
    let packBox = PackBox()

    public init(_ t: GGUFTensor) throws {
        guard t.type.isSupported else { throw GGUFError.unsupportedTensorType(tensor: t.name, type: t.type.name) }
        name = t.name
        cols = t.dims[0]
        rows = t.elementCount / t.dims[0]
        type = t.type
        data = t.data
        rowBytes = t.byteCount / rows
    }

    public var byteCount: Int { rowBytes * rows }

    /// Rows `r` of this matrix as a matrix of its own (a view into the same data): the
    /// parts of a fused tensor such as Phi-3's `attn_qkv`.
    public func rows(_ r: Range<Int>) -> WeightMatrix {
        WeightMatrix(name: "\(name)[\(r.lowerBound)..<\(r.upperBound)]", rows: r.count, cols: cols, type: type,
                     data: data + r.lowerBound * rowBytes, rowBytes: rowBytes)
    }

    init(name: String, rows: Int, cols: Int, type: GGMLType, data: UnsafeRawPointer, rowBytes: Int) {
        self.name = name; self.rows = rows; self.cols = cols; self.type = type; self.data = data
        self.rowBytes = rowBytes
    }

    /// Dequantises rows `r` into `dst` (row-major, `cols` floats per row).
    public func dequantize(rows r: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        for i in r {
            let out = dst + (i - r.lowerBound) * cols
            let src = data + i * rowBytes
            switch type {
            case .q4_1: Kernels.dequantQ4_1(src, cols, out)
            case .q8_0: Kernels.dequantQ8_0(src, cols, out)
            case .f16: Kernels.f16Row(src, cols, out)
            default: try! Dequantize.run(type, src: src, count: cols, into: out)
            }
        }
    }

    /// The interleaved copy decoding reads for F16 matrices (built on first use); nil for
    /// other formats.
    func interleaved() -> InterleavedF16? { InterleavedF16.supports(self) ? packBox.interleaved(self) : nil }

    /// Rows `r` as Float, row-major, for a product: from the interleaved copy where there is
    /// one (the same values as `dequantize`, which reads the file's rows).
    func decodeRows(_ r: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        if let f16 = interleaved() { f16.decode(rows: r, into: dst) } else { dequantize(rows: r, into: dst) }
    }

    /// The activation layout the single-row kernel of this format reads.
    var layout: ActivationLayout {
        switch type {
        case .q4_0, .q4_1: return cols % 64 == 0 ? .nibbles : .plain
        case .q8_0: return .bytes
        default: return .plain
        }
    }

    /// Y[s, r] = W[r, :] · x_s for rows `range` and `count` vectors (x'_s permuted for
    /// `layout` at xp + s*cols, block sums at xsum + s*cols/32, Y at y + s*rows).
    /// Each (row, vector) result is computed by the same operations whatever `count` is.
    func dotRows(_ range: Range<Int>, xp: UnsafePointer<Float>, xsum: UnsafePointer<Float>, count: Int,
                 y: UnsafeMutablePointer<Float>) {
        let acc = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: max(count, 1))
        let macc = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        defer { acc.deallocate(); macc.deallocate() }
        switch (type, layout) {
        case (.q4_1, .nibbles) where count == 1:
            var r = range.lowerBound
            while r + 1 < range.upperBound {
                (y[r], y[r + 1]) = Kernels.dotQ4_1x2(data + r * rowBytes, data + (r + 1) * rowBytes, xp, xsum, cols)
                r += 2
            }
            if r < range.upperBound { y[r] = Kernels.dotQ4_1(data + r * rowBytes, xp, xsum, cols) }
        case (.q4_1, .nibbles), (.q4_0, .nibbles):
            for r in range {
                Kernels.dotNibblesMulti(data + r * rowBytes, hasMin: type == .q4_1, xp, xsum, cols, count, y + r, rows,
                                        acc, macc)
            }
        case (.q8_0, _):
            for r in range { Kernels.dotQ8_0Multi(data + r * rowBytes, xp, cols, count, y + r, rows, acc) }
        case (.f32, _):
            for r in range {
                for s in 0..<count { y[s * rows + r] = Kernels.dotF32(data + r * rowBytes, xp + s * cols, cols) }
            }
        default:
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: cols)
            defer { scratch.deallocate() }
            for r in range {
                decodeRows(r..<(r + 1), into: scratch)
                for s in 0..<count { y[s * rows + r] = Kernels.dotF32(UnsafeRawPointer(scratch), xp + s * cols, cols) }
            }
        }
    }
}

/// Scratch for matrix products, sized for the largest matrix of a model.
final class MatmulScratch {
    let weights: UnsafeMutablePointer<Float>
    let capacity: Int
    let xsum: UnsafeMutablePointer<Float>
    let xperm: UnsafeMutablePointer<Float>
    let maxCols: Int
    let maxVectors: Int
    /// Vectors quantised to int8 blocks for the integer kernels.
    let act: QuantizedActivations
    /// The integer kernel's layout for this scratch's products (nil: the machine's).
    var direct: Bool? = nil
    /// Width and count of the vectors `act` holds.
    var quantizedCols = 0, quantizedCount = 0
    /// Decoding products (single vectors, and the batched path) through the integer kernels
    /// (numerics v2) where the format has one; false: the Float kernels (numerics v1).
    let int8: Bool
    /// Prefill products in fixed blocks on the pool's threads (numerics 3), not on OpenBLAS's.
    var blockedPrefill = false

    init(maxElements: Int, maxCols: Int, maxVectors: Int = 1, int8: Bool = false) {
        self.int8 = int8 && IntKernels.available
        let mv = max(1, maxVectors), nb = maxCols / 32 + 1
        act = QuantizedActivations(q: .allocate(capacity: (maxCols + 32) * mv), d: .allocate(capacity: nb * mv),
                                   sums: .allocate(capacity: nb * mv), isums: .allocate(capacity: nb * mv),
                                   isumsLo: .allocate(capacity: nb * mv))
        capacity = maxElements
        weights = .allocate(capacity: maxElements)
        self.maxCols = maxCols
        self.maxVectors = max(1, maxVectors)
        xsum = .allocate(capacity: (maxCols / 32 + 1) * self.maxVectors)
        xperm = .allocate(capacity: maxCols * self.maxVectors)
    }
    deinit {
        weights.deallocate(); xsum.deallocate(); xperm.deallocate()
        act.q.deallocate(); act.d.deallocate(); act.sums.deallocate(); act.isums.deallocate(); act.isumsLo.deallocate()
    }
}

extension WeightMatrix {
    /// out[n, rows] = x[n, cols] * W^T. With `exact` (decoding), the fused kernels run over
    /// all n vectors (threads over rows), and every result is independent of n; otherwise
    /// (prefill) W is dequantised in blocks and multiplied with sgemm.
    /// `sameInput`: x is the input of the scratch's previous product (of the same width),
    /// whose 8-bit quantisation can be reused.
    func multiply(_ x: UnsafePointer<Float>, n: Int, into out: UnsafeMutablePointer<Float>,
                  scratch s: MatmulScratch, exact: Bool = false, batched: Bool = false, sameInput: Bool = false) {
        precondition(cols <= s.maxCols, "multiply: \(name) has \(cols) columns, scratch \(s.maxCols)")
        if s.int8 && (batched || n == 1) && PackedWeights.supports(type, cols: cols) {
            // Decoding (numerics v2): 8-bit activations, exact integer dot products.
            precondition(n <= s.maxVectors, "multiply: \(n) vectors, scratch holds \(s.maxVectors)")
            let a = s.act, cols = self.cols
            if !(sameInput && s.quantizedCols == cols && s.quantizedCount == n) {
                Parallel.forChunks(n, minChunk: 4) { vs in
                    for t in vs { QuantizedActivations.quantize(x + t * cols, cols, into: a, at: t) }
                }
                s.quantizedCols = cols; s.quantizedCount = n
            }
            let p = packBox.get(self, direct: s.direct ?? PackedKernels.useVNNI)
            Parallel.forShared(p.groups, minChunk: 4, grain: 4) { gs in PackedKernels.run(p, gs, a, n: n, y: out) }
            return
        }
        s.quantizedCount = 0    // the Float paths below leave no quantised input behind
        let f16 = interleaved()
        if let f16, n == 1 {
            // One vector through F16 rows: each group of eight read as one stream.
            Parallel.forChunks(f16.groups, minChunk: 4) { gs in f16.multiplySingle(groups: gs, xp: x, y: out) }
            return
        }
        if batched {
            precondition(n <= s.maxVectors, "multiply: \(n) vectors, scratch holds \(s.maxVectors)")
            // The batched kernels fold Q4_1's minimum into the weights: no block sums needed.
            // The plain layout reads the vectors where they are.
            if layout != .plain {
                for t in 0..<n { Kernels.permute(layout, x + t * cols, cols, s.xperm + t * cols, nil) }
            }
            let xp = layout == .plain ? x : UnsafePointer(s.xperm)
            if n == 1 && hasFusedSingle {
                Parallel.forChunks(rows, minChunk: 32) { r in self.fusedSingle(r, xp: xp, y: out) }
                return
            }
            let tr = tileRows, tiles = (rows + tr - 1) / tr, wide = s.direct ?? PackedKernels.useVNNI
            if let f16, wide {
                Parallel.forShared(f16.groups, minChunk: 4, grain: 4) { gs in f16.multiplyBatch(groups: gs, xp: xp, count: n, y: out) }
                return
            }
            Parallel.forChunks(tiles, minChunk: 32 / tr) { t in
                self.dotRowsTiled((t.lowerBound * tr)..<min(self.rows, t.upperBound * tr),
                                  xp: xp, count: n, y: out, wide: wide)
            }
            return
        }
        if exact || n <= 2 {
            precondition(n <= s.maxVectors, "multiply: \(n) vectors, scratch holds \(s.maxVectors)")
            let nb = cols / 32
            for t in 0..<n { Kernels.permute(layout, x + t * cols, cols, s.xperm + t * cols, s.xsum + t * nb) }
            let xsum = UnsafePointer(s.xsum), xp = UnsafePointer(s.xperm)
            Parallel.forChunks(rows, minChunk: 32) { r in self.dotRows(r, xp: xp, xsum: xsum, count: n, y: out) }
            return
        }
        if s.blockedPrefill { prefillBlocks(x, n: n, into: out, scratch: s); return }
        // Numerics 1 and 2: dequantise in row blocks that fit the scratch, then sgemm each
        // block on OpenBLAS's threads (the pool's workers stop spinning first).
        let rowsPerBlock = max(1, min(rows, s.capacity / cols))
        var r0 = 0
        while r0 < rows {
            let r1 = min(rows, r0 + rowsPerBlock)
            let w = s.weights
            Parallel.forChunks(r1 - r0, minChunk: 16) { r in
                self.decodeRows((r0 + r.lowerBound)..<(r0 + r.upperBound), into: w + r.lowerBound * self.cols)
            }
            Ops.sgemm(m: n, n: r1 - r0, k: cols, a: x, lda: cols, b: w, ldb: cols, transB: true,
                       c: out + r0, ldc: rows)
            r0 = r1
        }
    }

    /// Prefill from numerics 3 on: 128 rows at a time dequantised and multiplied by a
    /// one-thread sgemm while they are still in cache, the blocks split over the pool's
    /// threads. The blocks are the same whatever the thread count, so the results are too.
    /// (OpenBLAS's own threads would take turns with the pool's for the same cores.)
    func prefillBlocks(_ x: UnsafePointer<Float>, n: Int, into out: UnsafeMutablePointer<Float>, scratch s: MatmulScratch) {
        let block = 128, w = s.weights
        precondition(s.capacity >= cols * block, "prefill: scratch holds fewer than \(block) rows of \(name)")
        let perPass = s.capacity / (cols * block)     // blocks the scratch holds
        let blocks = (rows + block - 1) / block
        var b0 = 0
        BLAS.singleThreaded {
            while b0 < blocks {
                let b1 = min(blocks, b0 + perPass), first = b0
                Parallel.forChunks(b1 - b0, minChunk: 1) { bs in
                    for j in bs {
                        let lo = (first + j) * block, hi = min(self.rows, lo + block)
                        let wj = w + j * block * self.cols
                        self.decodeRows(lo..<hi, into: wj)
                        BLAS.sgemm(m: n, n: hi - lo, k: self.cols, a: x, lda: self.cols, b: wj, ldb: self.cols,
                                   transB: true, c: out + lo, ldc: self.rows)
                    }
                }
                b0 = b1
            }
        }
    }
}

extension WeightMatrix {
    /// W · x through the fused single-row kernels (for tests and tools); `int8`: the integer
    /// kernels with 8-bit activations, where the format has one.
    public func multiply(_ x: [Float], int8: Bool = false) -> [Float] {
        precondition(x.count == cols)
        var y = [Float](repeating: 0, count: rows)
        let s = MatmulScratch(maxElements: 1, maxCols: cols, maxVectors: 1, int8: int8)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { multiply(xp.baseAddress!, n: 1, into: $0.baseAddress!, scratch: s) }
        }
        return y
    }

    /// X · W^T for several rows of X: the exact decode kernels, or dequantise + sgemm.
    public func multiply(rowsOf x: [Float], n: Int, exact: Bool = false) -> [Float] {
        precondition(x.count == cols * n)
        var y = [Float](repeating: 0, count: rows * n)
        let s = MatmulScratch(maxElements: rows * cols, maxCols: cols, maxVectors: n)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer {
                multiply(xp.baseAddress!, n: n, into: $0.baseAddress!, scratch: s, exact: exact)
            }
        }
        return y
    }
}

extension WeightMatrix {
    /// X · W^T as decoding computes it in `numerics` (v2: the integer kernels where the
    /// format has one), every vector through the batched path (for tests and tools); `isa`
    /// picks the integer kernel ("vnni" or "avx2", one of `integerISAs`).
    public func multiplyDecoding(rowsOf x: [Float], n: Int, numerics: Numerics, isa: String? = nil) -> [Float] {
        precondition(x.count == cols * n)
        var y = [Float](repeating: 0, count: rows * n)
        let s = MatmulScratch(maxElements: 1, maxCols: cols, maxVectors: n, int8: numerics.fastDecoding)
        if let isa { precondition(Self.integerISAs.contains(isa), "no \(isa) kernel here"); s.direct = isa == "vnni" }
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer {
                multiply(xp.baseAddress!, n: n, into: $0.baseAddress!, scratch: s, batched: true)
            }
        }
        return y
    }

    /// Block `block` (32 columns) of row `row` as the integer kernels read it: codes and the
    /// scale(s) and minimum with weight = d * code + m (Q6_K: dHi for codes 16..31); nil for
    /// formats without an integer kernel.
    public func integerBlock(row: Int, block: Int) -> (codes: [Int32], d: Float, dHi: Float, m: Float)? {
        guard PackedWeights.supports(type, cols: cols) else { return nil }
        var codes = [Int32](repeating: 0, count: 32)
        let s = PackedWeights.blockCodes(type, data + row * rowBytes, block, &codes)
        return (codes, s.d, s.dHi, s.m)
    }

    /// Bytes a decoding product reads: the packed layout's size where the integer kernels
    /// apply (numerics 2, the machine's kernel), else the stored bytes.
    var decodingBytes: Int {
        guard IntKernels.available, PackedWeights.supports(type, cols: cols) else { return byteCount }
        return packBox.get(self, direct: PackedKernels.useVNNI).byteCount
    }

    /// The integer kernel decoding uses ("vnni" or "avx2").
    public static var integerISA: String { PackedKernels.isa }
    /// The integer kernels this machine and build can run.
    public static var integerISAs: [String] {
        PackedKernels.isa == "vnni" ? ["vnni", "avx2"] : (IntKernels.available ? ["avx2"] : [])
    }
}

extension Model {
    /// The weight matrices of the model by GGUF tensor name (for tests and tools).
    public func weightMatrix(named name: String) -> WeightMatrix? {
        guard let t = file.tensor(named: name), t.dims.count == 2 else { return nil }
        return try? WeightMatrix(t)
    }
}
