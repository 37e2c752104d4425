package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * The learned distance of every query row to every support row, {@code y[i, j] = Σ_k w_k·|q[i, k] − s[j, k]|}, for
 * {@code q} of shape {@code [m, d]}, {@code s} of shape {@code [n, d]} and weights {@code w} of {@code d} elements:
 * RESUS-NN's similarity {@code wᵀ|φ(x_q) − φ(x_j)|} without the {@code [m, n, d]} tensor of differences.
 *
 * <p>Backward, with {@code σ = sign(q[i, k] − s[j, k])} (0 at a tie): {@code dq[i, k] = Σ_j dy[i, j]·w_k·σ},
 * {@code ds[j, k] = −Σ_i dy[i, j]·w_k·σ} and {@code dw_k = Σ_{i,j} dy[i, j]·|q[i, k] − s[j, k]|}.
 */
public final class WeightedAbsDistance extends Op {

  private final Tensor q;
  private final Tensor s;
  private final Tensor w;
  private final Tensor out;
  private final int m;
  private final int n;
  private final int d;

  private WeightedAbsDistance(Tensor q, Tensor s, Tensor w, Tensor out, int m, int n, int d) {
    this.q = q;
    this.s = s;
    this.w = w;
    this.out = out;
    this.m = m;
    this.n = n;
    this.d = d;
  }

  public static Tensor apply(Tape tape, Tensor q, Tensor s, Tensor w) {
    if (q.rank() != 2 || s.rank() != 2 || q.cols() != s.cols() || w.size() != q.cols()) {
      throw new IllegalArgumentException("WeightedAbsDistance needs q [m, d], s [n, d] and d weights, got " + q + ", "
          + s + " and " + w);
    }
    int m = q.rows();
    int n = s.rows();
    int d = q.cols();
    Tensor out = tape.output(q.requiresGrad() || s.requiresGrad() || w.requiresGrad(), m, n);
    float[] qd = q.data();
    float[] sd = s.data();
    float[] wd = w.data();
    float[] od = out.data();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float sum = 0f;
        for (int k = 0, qi = i * d, sj = j * d; k < d; k++) {
          sum += wd[k] * Math.abs(qd[qi + k] - sd[sj + k]); // Σ_k w_k·|q_ik − s_jk|
        }
        od[i * n + j] = sum;
      }
    }
    if (out.requiresGrad()) {
      tape.record(new WeightedAbsDistance(q, s, w, out, m, n, d));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] qd = q.data();
    float[] sd = s.data();
    float[] wd = w.data();
    float[] gq = q.requiresGrad() ? q.grad() : null;
    float[] gs = s.requiresGrad() ? s.grad() : null;
    float[] gw = w.requiresGrad() ? w.grad() : null;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float gij = g[i * n + j];
        if (gij == 0f) {
          continue;
        }
        for (int k = 0, qi = i * d, sj = j * d; k < d; k++) {
          float diff = qd[qi + k] - sd[sj + k];
          float sign = Math.signum(diff);
          if (gq != null) {
            gq[qi + k] += gij * wd[k] * sign;
          }
          if (gs != null) {
            gs[sj + k] -= gij * wd[k] * sign;
          }
          if (gw != null) {
            gw[k] += gij * Math.abs(diff);
          }
        }
      }
    }
  }
}
