package dev.sparkrec.linalg;

import breeze.linalg.DenseMatrix;
import dev.ludovic.netlib.blas.BLAS;
import breeze.linalg.MatrixNotSymmetricException;
import breeze.linalg.NotConvergedException;
import breeze.linalg.cholesky;
import java.io.Serializable;

/**
 * The Cholesky factorisation {@code A = L·Lᵀ} of a small symmetric positive-definite double matrix (LAPACK
 * {@code dpotrf} through Breeze's {@code cholesky}), and solves {@code A·x = b} with it by forward and back
 * substitution.
 *
 * <p>One instance holds the factor of the matrix last passed to {@link #factor}; solving many small systems in
 * a row allocates only the factor Breeze returns for each matrix. Not thread-safe: use one instance per thread.
 */
public final class Cholesky implements Serializable {

  private static final long serialVersionUID = 1L;

  /** {@code L} in column-major order ({@code L_ij} at {@code i + j·n}), i.e. {@code Lᵀ} row-major. */
  private transient double[] factor;
  private transient int size;

  /** Size {@code n} of the matrix last factored (0 before the first {@link #factor}). */
  public int size() {
    return size;
  }

  /**
   * Factors the symmetric positive-definite {@code n × n} matrix stored row-major (equivalently column-major,
   * being symmetric) in {@code a[0..n²)}; {@code a} is not modified and may be longer than {@code n²}.
   *
   * @throws IllegalArgumentException if the matrix is not symmetric, holds a non-finite value, or is not
   *     positive definite; the message names its size
   */
  public void factor(double[] a, int n) {
    if (n < 1 || a.length < n * n) {
      throw new IllegalArgumentException("Cholesky needs an n × n matrix with n >= 1 in an array of at least n²"
          + " values; got n = " + n + " and " + a.length + " values");
    }
    for (int k = 0; k < n * n; k++) {
      if (!Double.isFinite(a[k])) {
        throw new IllegalArgumentException("the " + n + " × " + n + " matrix to factor holds " + a[k]
            + " at row " + (k / n) + ", column " + (k % n) + "; it must be finite");
      }
    }
    DenseMatrix<Object> matrix = DenseMatrix.create(n, n, a, 0, n, false);
    DenseMatrix<Object> lower;
    try {
      // cholesky's static forwarder to cholesky$.MODULE$.apply, typed so that javac accepts the implicit
      // ImplCholesky_DM instance (LAPACK dpotrf on a lower-triangular copy).
      lower = cholesky.apply(matrix, cholesky.ImplCholesky_DM$.MODULE$);
    } catch (MatrixNotSymmetricException e) {
      throw new IllegalArgumentException("the " + n + " × " + n + " matrix to factor is not symmetric"
          + " (relative tolerance 1e-7)", e);
    } catch (NotConvergedException e) {
      throw new IllegalArgumentException("the " + n + " × " + n + " matrix to factor is not positive definite;"
          + " add a ridge (damping) or check how it was built", e);
    }
    if (lower.offset() != 0 || lower.majorStride() != n || lower.isTranspose()) {
      throw new IllegalStateException("Breeze returned a Cholesky factor in an unexpected layout");
    }
    factor = lower.data$mcD$sp();
    size = n;
  }

  /** Overwrites {@code b[offset..offset+n)} with {@code A⁻¹·b}. */
  public void solve(double[] b, int offset) {
    forwardSubstitute(b, offset);
    backSubstitute(b, offset);
  }

  /** Overwrites {@code b[0..n)} with {@code A⁻¹·b}. */
  public void solve(double[] b) {
    solve(b, 0);
  }

  /** Overwrites {@code b[offset..offset+n)} with {@code L⁻¹·b} (forward substitution). */
  public void forwardSubstitute(double[] b, int offset) {
    requireFactor();
    int n = size;
    for (int i = 0; i < n; i++) {
      double s = b[offset + i];
      for (int k = 0; k < i; k++) {
        s -= factor[i + k * n] * b[offset + k];
      }
      b[offset + i] = s / factor[i + i * n]; // y_i = (b_i − Σ_{k<i} L_ik·y_k) / L_ii
    }
  }

  /**
   * Overwrites the {@code count} vectors of length {@code n} stored one after another in {@code b} (the columns of
   * a column-major {@code n × count} matrix) with {@code L⁻¹} times each, in one BLAS {@code dtrsm}.
   */
  public void forwardSubstituteColumns(double[] b, int count) {
    requireFactor();
    if (count > 0) {
      BLAS.getInstance().dtrsm("L", "L", "N", "N", size, count, 1.0, factor, size, b, size);
    }
  }

  /**
   * Overwrites the {@code count} vectors of length {@code n} stored one after another in {@code b} with
   * {@code L⁻ᵀ} times each, in one BLAS {@code dtrsm}; after {@link #forwardSubstituteColumns} this solves
   * {@code A·X = B} for all of them.
   */
  public void backSubstituteColumns(double[] b, int count) {
    requireFactor();
    if (count > 0) {
      BLAS.getInstance().dtrsm("L", "L", "T", "N", size, count, 1.0, factor, size, b, size);
    }
  }

  /** Overwrites {@code b[offset..offset+n)} with {@code L⁻ᵀ·b} (back substitution). */
  public void backSubstitute(double[] b, int offset) {
    requireFactor();
    int n = size;
    for (int i = n - 1; i >= 0; i--) {
      double s = b[offset + i];
      int column = i * n;
      for (int k = i + 1; k < n; k++) {
        s -= factor[k + column] * b[offset + k];
      }
      b[offset + i] = s / factor[i + column]; // x_i = (y_i − Σ_{k>i} L_ki·x_k) / L_ii
    }
  }

  private void requireFactor() {
    if (factor == null) {
      throw new IllegalStateException("call factor(a, n) before solving");
    }
  }
}
