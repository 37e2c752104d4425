package dev.sparkrec.nn;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Row-major single-precision matrix multiply on the active BLAS backend ({@code dev.ludovic.netlib}:
 * native OpenBLAS when installed, the best Java implementation otherwise).
 *
 * <p>BLAS is column-major; a row-major {@code C = op(A)·op(B)} is the column-major
 * {@code Cᵀ = op(B)ᵀ·op(A)ᵀ}, so the operands are passed swapped and no data is transposed.
 */
public final class Gemm {

  private static final BLAS BLAS_INSTANCE = BLAS.getInstance();

  private Gemm() {}

  /** The backend in use. */
  public static BLAS blas() {
    return BLAS_INSTANCE;
  }

  /**
   * {@code C[m×n] = alpha·op(A)·op(B) + beta·C}, all row-major: {@code op(A)} is {@code m×k}
   * ({@code A} stored {@code k×m} when {@code transA}), {@code op(B)} is {@code k×n}.
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOffset, float[] b, int bOffset, float beta, float[] c, int cOffset) {
    if (m == 0 || n == 0) {
      return;
    }
    int lda = transA ? m : k;
    int ldb = transB ? k : n;
    BLAS_INSTANCE.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha,
        b, bOffset, Math.max(1, ldb), a, aOffset, Math.max(1, lda), beta, c, cOffset, Math.max(1, n));
  }

  /** {@link #gemm} with all offsets zero. */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, float[] b, float beta, float[] c) {
    gemm(transA, transB, m, n, k, alpha, a, 0, b, 0, beta, c, 0);
  }
}
