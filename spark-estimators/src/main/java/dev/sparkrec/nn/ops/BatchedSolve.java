package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Gemm;
import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * Solves a batch of small symmetric positive definite systems, {@code X_b = A_b⁻¹·B_b} for {@code A} of shape
 * {@code [batch, d, d]} and {@code B} of shape {@code [batch, d, c]}, by Cholesky factorisation (double
 * accumulation; meant for {@code d} up to a few dozen), e.g. the ridge solution {@code (XᵀX + λI)⁻¹·XᵀY}.
 *
 * <p>{@code A} is used through its symmetric part {@code (A + Aᵀ)/2}, which is {@code A} itself for the
 * symmetric matrices this op is for; so the gradient is exact for any input and is the symmetric matrix
 * {@code dA = −(G·Xᵀ + X·Gᵀ)/2}, where {@code G = A⁻¹·dX} (from the stored factor), and {@code dB = G}.
 * A matrix that is not positive definite is an error naming its batch item.
 */
public final class BatchedSolve extends Op {

  private final Tensor a;
  private final Tensor b;
  private final Tensor out;
  private final float[] factors;
  private final Tape tape;
  private final int batch;
  private final int d;
  private final int c;

  private BatchedSolve(Tensor a, Tensor b, Tensor out, float[] factors, Tape tape, int batch, int d, int c) {
    this.a = a;
    this.b = b;
    this.out = out;
    this.factors = factors;
    this.tape = tape;
    this.batch = batch;
    this.d = d;
    this.c = c;
  }

  public static Tensor apply(Tape tape, Tensor a, Tensor b) {
    if (a.rank() != 3 || b.rank() != 3 || a.dim(1) != a.dim(2) || b.dim(0) != a.dim(0) || b.dim(1) != a.dim(1)) {
      throw new IllegalArgumentException("BatchedSolve needs A of shape [batch, d, d] and B of shape [batch, d, c],"
          + " got " + a + " and " + b);
    }
    int batch = a.dim(0);
    int d = a.dim(1);
    int c = b.dim(2);
    float[] factors = tape.buffer(batch * d * d);
    Tensor out = tape.output(a.requiresGrad() || b.requiresGrad(), batch, d, c);
    float[] ad = a.data();
    float[] x = out.data();
    System.arraycopy(b.data(), 0, x, 0, batch * d * c);
    double[] pivot = new double[1];
    for (int i = 0; i < batch; i++) {
      int failed = Cholesky.factor(ad, i * d * d, d, factors, i * d * d, pivot); // A_b = L_b·L_bᵀ
      if (failed >= 0) {
        throw new IllegalArgumentException("BatchedSolve: matrix " + i + " of the batch " + a + " is not positive"
            + " definite (Cholesky pivot " + failed + " is " + pivot[0] + "); add a ridge λI with λ > 0 or check"
            + " the inputs for NaN");
      }
      Cholesky.solve(factors, i * d * d, d, x, i * d * c, c); // X_b = A_b⁻¹·B_b
    }
    if (out.requiresGrad()) {
      tape.record(new BatchedSolve(a, b, out, factors, tape, batch, d, c));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = tape.buffer(batch * d * c);
    System.arraycopy(out.grad(), 0, g, 0, batch * d * c);
    float[] x = out.data();
    float[] ga = a.requiresGrad() ? a.grad() : null;
    float[] gb = b.requiresGrad() ? b.grad() : null;
    for (int i = 0; i < batch; i++) {
      int xOff = i * d * c;
      int aOff = i * d * d;
      Cholesky.solve(factors, aOff, d, g, xOff, c); // G_b = A_b⁻¹·dX_b
      if (gb != null) {
        for (int j = 0; j < d * c; j++) {
          gb[xOff + j] += g[xOff + j]; // dB = G
        }
      }
      if (ga != null) {
        // dA_b += −(G_b·X_bᵀ + X_b·G_bᵀ)/2
        Gemm.gemm(false, true, d, d, c, -0.5f, g, xOff, x, xOff, 1f, ga, aOff);
        Gemm.gemm(false, true, d, d, c, -0.5f, x, xOff, g, xOff, 1f, ga, aOff);
      }
    }
  }
}
