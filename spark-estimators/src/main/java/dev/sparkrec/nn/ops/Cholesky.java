package dev.sparkrec.nn.ops;

/**
 * In-place Cholesky factorisation and triangular solves for small symmetric positive definite matrices stored
 * row-major in float arrays at an offset, with double accumulation (meant for {@code d} up to a few dozen).
 */
final class Cholesky {

  private Cholesky() {}

  /**
   * Writes into the lower triangle of {@code l} the factor {@code L} with {@code L·Lᵀ = (A + Aᵀ)/2} for the
   * {@code d × d} matrix {@code A} in {@code a}. Returns −1 on success, or the index of the first pivot that is
   * not positive (the matrix is not positive definite); {@code pivot[0]} then holds that pivot's value.
   */
  static int factor(float[] a, int aOff, int d, float[] l, int lOff, double[] pivot) {
    for (int j = 0; j < d; j++) {
      int rowJ = lOff + j * d;
      double s = a[aOff + j * d + j];
      for (int k = 0; k < j; k++) {
        s -= (double) l[rowJ + k] * l[rowJ + k];
      }
      if (!(s > 0)) {
        pivot[0] = s;
        return j;
      }
      double ljj = Math.sqrt(s); // L_jj = √(A_jj − Σ_{k<j} L_jk²)
      l[rowJ + j] = (float) ljj;
      for (int i = j + 1; i < d; i++) {
        int rowI = lOff + i * d;
        double t = 0.5 * ((double) a[aOff + i * d + j] + a[aOff + j * d + i]);
        for (int k = 0; k < j; k++) {
          t -= (double) l[rowI + k] * l[rowJ + k];
        }
        l[rowI + j] = (float) (t / ljj); // L_ij = ((A_ij + A_ji)/2 − Σ_{k<j} L_ik·L_jk) / L_jj
      }
    }
    return -1;
  }

  /**
   * Overwrites the {@code d × c} right-hand side {@code x} with {@code (L·Lᵀ)⁻¹·x}: forward substitution with
   * {@code L}, then back substitution with {@code Lᵀ}, column by column.
   */
  static void solve(float[] l, int lOff, int d, float[] x, int xOff, int c) {
    for (int q = 0; q < c; q++) {
      for (int i = 0; i < d; i++) {
        int rowI = lOff + i * d;
        double s = x[xOff + i * c + q];
        for (int k = 0; k < i; k++) {
          s -= (double) l[rowI + k] * x[xOff + k * c + q];
        }
        x[xOff + i * c + q] = (float) (s / l[rowI + i]); // y_i = (b_i − Σ_{k<i} L_ik·y_k) / L_ii
      }
      for (int i = d - 1; i >= 0; i--) {
        double s = x[xOff + i * c + q];
        for (int k = i + 1; k < d; k++) {
          s -= (double) l[lOff + k * d + i] * x[xOff + k * c + q];
        }
        x[xOff + i * c + q] = (float) (s / l[lOff + i * d + i]); // x_i = (y_i − Σ_{k>i} L_ki·x_k) / L_ii
      }
    }
  }
}
