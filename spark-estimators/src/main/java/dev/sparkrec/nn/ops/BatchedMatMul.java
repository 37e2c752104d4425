package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Gemm;
import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * A batch of matrix products {@code C_b = op(A_b)·op(B_b)}: {@code A} of shape {@code [batch, m, k]}
 * ({@code [batch, k, m]} when transposed), {@code B} of shape {@code [batch, k, n]} ({@code [batch, n, k]}
 * when transposed), {@code C} of shape {@code [batch, m, n]}; one sgemm per batch item at its offsets.
 * Backward: {@code d op(A) = dC·op(B)ᵀ}, {@code d op(B) = op(A)ᵀ·dC}.
 */
public final class BatchedMatMul extends Op {

  private final Tensor a;
  private final Tensor b;
  private final boolean transA;
  private final boolean transB;
  private final Tensor out;
  private final int batch;
  private final int m;
  private final int k;
  private final int n;

  private BatchedMatMul(Tensor a, Tensor b, boolean transA, boolean transB, Tensor out, int batch, int m, int k,
      int n) {
    this.a = a;
    this.b = b;
    this.transA = transA;
    this.transB = transB;
    this.out = out;
    this.batch = batch;
    this.m = m;
    this.k = k;
    this.n = n;
  }

  /** {@code a_b·b_b} for every batch item. */
  public static Tensor apply(Tape tape, Tensor a, Tensor b) {
    return apply(tape, a, b, false, false);
  }

  /** {@code op(a_b)·op(b_b)} for every batch item, {@code op} transposing the last two axes when asked. */
  public static Tensor apply(Tape tape, Tensor a, Tensor b, boolean transA, boolean transB) {
    if (a.rank() != 3 || b.rank() != 3 || a.dim(0) != b.dim(0)) {
      throw new IllegalArgumentException("BatchedMatMul needs two 3-d tensors with the same batch size, got " + a
          + " and " + b);
    }
    int batch = a.dim(0);
    int m = transA ? a.dim(2) : a.dim(1);
    int k = transA ? a.dim(1) : a.dim(2);
    int bk = transB ? b.dim(2) : b.dim(1);
    int n = transB ? b.dim(1) : b.dim(2);
    if (bk != k) {
      throw new IllegalArgumentException("BatchedMatMul shapes do not match: " + a + (transA ? "ᵀ" : "") + " · " + b
          + (transB ? "ᵀ" : ""));
    }
    Tensor out = tape.output(a.requiresGrad() || b.requiresGrad(), batch, m, n);
    float[] ad = a.data();
    float[] bd = b.data();
    float[] cd = out.data();
    for (int i = 0; i < batch; i++) {
      // C_b[m×n] = op(A_b)·op(B_b)
      Gemm.gemm(transA, transB, m, n, k, 1f, ad, i * m * k, bd, i * k * n, 0f, cd, i * m * n);
    }
    if (out.requiresGrad()) {
      tape.record(new BatchedMatMul(a, b, transA, transB, out, batch, m, k, n));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] dC = out.grad();
    float[] ad = a.data();
    float[] bd = b.data();
    float[] ga = a.requiresGrad() ? a.grad() : null;
    float[] gb = b.requiresGrad() ? b.grad() : null;
    for (int i = 0; i < batch; i++) {
      int aOff = i * m * k;
      int bOff = i * k * n;
      int cOff = i * m * n;
      if (ga != null) {
        if (transA) {
          // dA_b[k×m] += op(B_b)[k×n]·dC_bᵀ[n×m]
          Gemm.gemm(transB, true, k, m, n, 1f, bd, bOff, dC, cOff, 1f, ga, aOff);
        } else {
          // dA_b[m×k] += dC_b[m×n]·op(B_b)ᵀ[n×k]
          Gemm.gemm(false, !transB, m, k, n, 1f, dC, cOff, bd, bOff, 1f, ga, aOff);
        }
      }
      if (gb != null) {
        if (transB) {
          // dB_b[n×k] += dC_bᵀ[n×m]·op(A_b)[m×k]
          Gemm.gemm(true, transA, n, k, m, 1f, dC, cOff, ad, aOff, 1f, gb, bOff);
        } else {
          // dB_b[k×n] += op(A_b)ᵀ[k×m]·dC_b[m×n]
          Gemm.gemm(!transA, false, k, n, m, 1f, ad, aOff, dC, cOff, 1f, gb, bOff);
        }
      }
    }
  }
}
