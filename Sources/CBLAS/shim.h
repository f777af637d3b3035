#include <cblas.h>

/* LAPACK routines exported by libopenblas (lapack.h is not in libopenblas-dev). */
void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda,
            double *b, const int *ldb, int *info);
