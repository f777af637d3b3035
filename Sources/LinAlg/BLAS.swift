import CBLAS
import Synchronization

/// The one thin wrapper over OpenBLAS (the only importer of CBLAS), so a scalar reference
/// can stand in for tests and every matrix product is in one place. Row-major throughout.
public enum BLAS {
    /// C[m, n] = alpha * A[m, k] * op(B) + beta * C, where op(B) = B[n, k]^T if `transB`
    /// (the usual weight layout: one row per output feature), else B[k, n].
    public static func sgemm(m: Int, n: Int, k: Int,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int, transB: Bool,
                             c: UnsafeMutablePointer<Float>, ldc: Int,
                             alpha: Float = 1, beta: Float = 0) {
        precondition(m >= 0 && n >= 0 && k >= 0 && lda >= k && ldc >= n, "sgemm: bad dimensions")
        if m == 0 || n == 0 { return }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y[m] = A[m, n] * x[n] (+ beta * y).
    public static func sgemv(m: Int, n: Int, a: UnsafePointer<Float>, lda: Int,
                             x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, beta: Float = 0) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), 1, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// Runs body with OpenBLAS on one thread (products called from several threads of the
    /// caller's own at once). Calls may overlap (from other threads): OpenBLAS's thread
    /// count is set to 1 by the first to enter and restored by the last to leave.
    public static func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
        oneThread.withLock { state in
            if state.depth == 0 { state.saved = threads; threads = 1 }
            state.depth += 1
        }
        defer {
            oneThread.withLock { state in
                state.depth -= 1
                if state.depth == 0 { threads = state.saved }
            }
        }
        return try body()
    }
    private static let oneThread = Mutex<(depth: Int, saved: Int)>((0, 1))

    /// Number of threads OpenBLAS uses.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}

/// LAPACK through OpenBLAS.
public enum LAPACK {
    /// Solves A X = B for symmetric positive-definite A [n, n] (column-major = row-major,
    /// A is symmetric) and B [n, nrhs] given column by column. Returns nil if A is not
    /// positive definite.
    public static func solveSPD(_ a: [Double], n: Int, _ b: [Double], nrhs: Int = 1) -> [Double]? {
        precondition(a.count == n * n && b.count == n * nrhs, "solveSPD: bad dimensions")
        var a = a, b = b
        var n32 = Int32(n), nrhs32 = Int32(nrhs), lda = Int32(n), ldb = Int32(n), info: Int32 = 0
        var uplo: CChar = 85 // "U"
        dposv_(&uplo, &n32, &nrhs32, &a, &lda, &b, &ldb, &info)
        return info == 0 ? b : nil
    }
}
