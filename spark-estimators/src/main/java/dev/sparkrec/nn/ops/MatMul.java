package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Gemm;
import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * {@code C = A·op(B)}: {@code A} of shape {@code [..., k]} seen as a {@code rows × k} matrix, {@code B} a
 * {@code k × n} matrix ({@code n × k} when transposed); {@code C} has shape {@code [..., n]}. One sgemm
 * forward and one per input that needs a gradient backward:
 * {@code dA = dC·op(B)ᵀ}, {@code dB = Aᵀ·dC} (or {@code dCᵀ·A} when B is transposed).
 */
public final class MatMul extends Op {

  private final Tensor a;
  private final Tensor b;
  private final boolean transB;
  private final Tensor out;
  private final int m;
  private final int k;
  private final int n;

  private MatMul(Tensor a, Tensor b, boolean transB, Tensor out, int m, int k, int n) {
    this.a = a;
    this.b = b;
    this.transB = transB;
    this.out = out;
    this.m = m;
    this.k = k;
    this.n = n;
  }

  /** {@code a·b}. */
  public static Tensor apply(Tape tape, Tensor a, Tensor b) {
    return apply(tape, a, b, false);
  }

  /** {@code a·b} or, with {@code transB}, {@code a·bᵀ}. */
  public static Tensor apply(Tape tape, Tensor a, Tensor b, boolean transB) {
    if (b.rank() != 2) {
      throw new IllegalArgumentException("MatMul needs a 2-d right operand, got " + b);
    }
    int k = a.cols();
    int bk = transB ? b.dim(1) : b.dim(0);
    int n = transB ? b.dim(0) : b.dim(1);
    if (bk != k) {
      throw new IllegalArgumentException("MatMul shapes do not match: " + a + " · " + b + (transB ? "ᵀ" : ""));
    }
    int m = a.rows();
    int[] shape = a.shape();
    shape[shape.length - 1] = n;
    Tensor out = tape.output(a.requiresGrad() || b.requiresGrad(), shape);
    Gemm.gemm(false, transB, m, n, k, 1f, a.data(), b.data(), 0f, out.data());
    if (out.requiresGrad()) {
      tape.record(new MatMul(a, b, transB, out, m, k, n));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] dC = out.grad();
    if (a.requiresGrad()) {
      // dA[m×k] += dC[m×n] · op(B)ᵀ
      Gemm.gemm(false, !transB, m, k, n, 1f, dC, b.data(), 1f, a.grad());
    }
    if (b.requiresGrad()) {
      if (transB) {
        // dB[n×k] += dCᵀ[n×m] · A[m×k]
        Gemm.gemm(true, false, n, k, m, 1f, dC, a.data(), 1f, b.grad());
      } else {
        // dB[k×n] += Aᵀ[k×m] · dC[m×n]
        Gemm.gemm(true, false, k, n, m, 1f, a.data(), dC, 1f, b.grad());
      }
    }
  }
}
