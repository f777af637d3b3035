#if ROLLBOOK_AVX2
import CIntrinsics
#endif
import InferenceVNNI
import Foundation

/// F16 weights repacked for decoding: rows in groups of eight, interleaved eight columns at a
/// time, so a group's product reads one contiguous stream (128 bytes per step: eight columns
/// of each of the eight rows) where the file's row-major order has it read eight streams
/// 1 152 bytes apart (576 columns). The memory system streams one sequence at full speed from
/// one core; eight interleaved ones it did not (measured on this machine's Zen 4, one thread:
/// 31 GB/s against 16 GB/s with software prefetching). Element (r, j) is half number
///   (r / 8) * 8 * cols + (j / 8) * 64 + (r % 8) * 8 + j % 8.
/// Rows past the last are zero. The values are the file's halves, unchanged: every product
/// performs exactly the operations it did on the row-major data.
final class InterleavedF16: @unchecked Sendable {
    let rows: Int, cols: Int, groups: Int
    let data: UnsafeMutableRawPointer

    /// Whether a matrix gets the layout: F16 with whole eight-column steps.
    static func supports(_ w: WeightMatrix) -> Bool { w.type == .f16 && w.cols % 8 == 0 }

    init(_ w: WeightMatrix) {
        rows = w.rows; cols = w.cols; groups = (w.rows + 7) / 8
        let total = groups * 8 * cols * 2
        data = HugePages.allocate(total)
        // Every real row is written below; the last group's missing rows read as zero.
        if rows % 8 != 0 {
            (data + (groups - 1) * 8 * cols * 2).initializeMemory(as: UInt8.self, repeating: 0, count: 8 * cols * 2)
        }
        let dst = data, cols = self.cols, rows = self.rows, src = w.data, rb = w.rowBytes
        Parallel.forChunks(groups, minChunk: 8) { gs in
            for g in gs {
                for i in 0..<8 where g * 8 + i < rows {
                    let row = src + (g * 8 + i) * rb, out = dst + (g * 8 * cols + i * 8) * 2
                    for s in 0..<(cols / 8) {
                        (out + s * 128).copyMemory(from: row + s * 16, byteCount: 16)
                    }
                }
            }
        }
        // The file's copy of these rows is no longer read by products: let the kernel drop
        // this process's mapping of its whole pages (a later read, such as an embedding
        // lookup of a tied matrix, maps them again from the page cache).
        let page = Int(getpagesize())
        let lo = (Int(bitPattern: w.data) + page - 1) / page * page
        let hi = (Int(bitPattern: w.data) + w.byteCount) / page * page
        if hi > lo { _ = madvise(UnsafeMutableRawPointer(bitPattern: lo), hi - lo, MADV_DONTNEED) }
    }

    deinit { HugePages.free(data) }

    /// Row r widened to Float into w (cols floats): the exact values of the file's row.
    @inline(__always)
    func decodeRow(_ r: Int, _ w: UnsafeMutablePointer<Float>) {
        let src = UnsafeRawPointer(data) + ((r / 8) * 8 * cols + (r % 8) * 8) * 2
        let raw = UnsafeMutableRawPointer(w)
        for s in 0..<(cols / 8) {
            raw.storeBytes(of: Kernels.f16x8(src + s * 128), toByteOffset: s * 32, as: SIMD8<Float>.self)
        }
    }

    /// Rows r0..<r0+n (within one group) widened into w, row-major: a whole group in one
    /// pass over its bytes in order.
    func decodeTile(_ r0: Int, _ n: Int, _ w: UnsafeMutablePointer<Float>) {
        guard n == 8 && r0 % 8 == 0 else {
            for i in 0..<n { decodeRow(r0 + i, w + i * cols) }
            return
        }
        var src = UnsafeRawPointer(data) + r0 * cols * 2
        let raw = UnsafeMutableRawPointer(w), rowBytes = cols * 4
        for s in 0..<(cols / 8) {
            for i in 0..<8 {
                raw.storeBytes(of: Kernels.f16x8(src + 16 * i), toByteOffset: i * rowBytes + s * 32, as: SIMD8<Float>.self)
            }
            src += 128
        }
    }

    /// Y[s, r] for the rows of groups `gs` and `count` vectors (x_s at xp + s*cols, Y at
    /// y + s*rows), with AVX-512: each group through `VNNIKernels.f16Group` (the halves widened
    /// in registers, the operations of the tiled path), the next group's bytes asked for
    /// while it runs.
    func multiplyBatch(groups gs: Range<Int>, xp: UnsafePointer<Float>, count: Int, y: UnsafeMutablePointer<Float>) {
        let bytes = 8 * cols * 2    // one group
        for g in gs {
            let at = UnsafeRawPointer(data) + g * bytes
            VNNIKernels.f16Group(at, cols: cols, tileRows: min(8, rows - g * 8), xp, count: count, y, rows: rows,
                                 r0: g * 8, prefetch: g + 1 < groups ? at + bytes : nil, lines: bytes / 64)
        }
    }

    /// Rows `r` widened into w, row-major (whole groups in one pass each).
    func decode(rows r: Range<Int>, into w: UnsafeMutablePointer<Float>) {
        var i = r.lowerBound
        while i < r.upperBound {
            let out = w + (i - r.lowerBound) * cols
            if i % 8 == 0 && i + 8 <= r.upperBound { decodeTile(i, 8, out); i += 8 } else { decodeRow(i, out); i += 1 }
        }
    }

    /// y[r] = row r · x for the rows of groups `gs`: per row one eight-lane accumulator over
    /// the columns in order, a fused multiply-add per step, then its sum, exactly the
    /// operations of the batched path's `dot1` over `decodeRow`'s values, so bit-identical
    /// to it; the group's eight accumulators run side by side.
    func multiplySingle(groups gs: Range<Int>, xp: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let n = cols
        for g in gs {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>()
            var p = UnsafeRawPointer(data) + g * 8 * n * 2
            var j = 0
            while j < n {
                let x = Kernels.x8(xp, j)
                a0.addProduct(Kernels.f16x8(p), x); a1.addProduct(Kernels.f16x8(p + 16), x)
                a2.addProduct(Kernels.f16x8(p + 32), x); a3.addProduct(Kernels.f16x8(p + 48), x)
                a4.addProduct(Kernels.f16x8(p + 64), x); a5.addProduct(Kernels.f16x8(p + 80), x)
                a6.addProduct(Kernels.f16x8(p + 96), x); a7.addProduct(Kernels.f16x8(p + 112), x)
                p += 128; j += 8
            }
            let r = g * 8, rows = self.rows
            #if ROLLBOOK_AVX2
            if r + 8 <= rows {
                // The eight sums at once, in `.sum()`'s order.
                UnsafeMutableRawPointer(y + r).storeBytes(of: rb_lane_sums8(a0, a1, a2, a3, a4, a5, a6, a7),
                                                          as: SIMD8<Float>.self)
                continue
            }
            #endif
            @inline(__always) func put(_ i: Int, _ a: SIMD8<Float>) { if r + i < rows { y[r + i] = a.sum() } }
            put(0, a0); put(1, a1); put(2, a2); put(3, a3); put(4, a4); put(5, a5); put(6, a6); put(7, a7)
        }
    }
}
