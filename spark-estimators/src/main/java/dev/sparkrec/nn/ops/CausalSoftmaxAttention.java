package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * Causal softmax attention over one sequence, per head: {@code o_t = Σ_{s ≤ t} softmax_s(q_t·k_s/√d)·v_s} for
 * queries, keys and values of shape {@code [heads, n, d]} — the softmax layers of a hybrid lightning stack. Time
 * O(n²d) and the attention weights kept for backward, {@code heads·n·(n+1)/2} floats: quadratic in the length.
 * Backward: {@code dp = do·vᵀ}, {@code ds = p ⊙ (dp − Σ p ⊙ dp)}, {@code dq = ds·k/√d}, {@code dk = dsᵀ·q/√d},
 * {@code dv = pᵀ·do}.
 */
public final class CausalSoftmaxAttention extends Op {

  private final Tensor q;
  private final Tensor k;
  private final Tensor v;
  private final Tensor out;
  private final float[] weights;

  private CausalSoftmaxAttention(Tensor q, Tensor k, Tensor v, Tensor out, float[] weights) {
    this.q = q;
    this.k = k;
    this.v = v;
    this.out = out;
    this.weights = weights;
  }

  /** The attention of {@code q, k, v} ({@code [heads, n, d]}); the output has their shape. */
  public static Tensor apply(Tape tape, Tensor q, Tensor k, Tensor v) {
    if (q.rank() != 3 || !java.util.Arrays.equals(q.shape(), k.shape())
        || !java.util.Arrays.equals(q.shape(), v.shape())) {
      throw new IllegalArgumentException("CausalSoftmaxAttention needs q, k, v of one shape [heads, n, d], got " + q
          + ", " + k + " and " + v);
    }
    int heads = q.dim(0);
    int n = q.dim(1);
    int d = q.dim(2);
    long triangle = (long) n * (n + 1) / 2;
    if (triangle * heads > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("softmax attention over " + n + " positions needs " + triangle * heads
          + " attention weights, more than an array holds; use LightningAttention for long sequences");
    }
    boolean grad = q.requiresGrad() || k.requiresGrad() || v.requiresGrad();
    Tensor out = tape.output(grad, heads, n, d);
    float[] weights = new float[(int) (triangle * heads)];
    float[] qd = q.data();
    float[] kd = k.data();
    float[] vd = v.data();
    float[] od = out.data();
    double scale = 1 / Math.sqrt(d);
    double[] s = new double[n];
    for (int h = 0; h < heads; h++) {
      int base = h * n * d;
      for (int t = 0; t < n; t++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= t; j++) {
          double dot = 0;
          for (int c = 0; c < d; c++) {
            dot += qd[base + t * d + c] * kd[base + j * d + c];
          }
          s[j] = dot * scale;
          max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j <= t; j++) {
          s[j] = Math.exp(s[j] - max);
          sum += s[j];
        }
        int w = (int) (h * triangle + (long) t * (t + 1) / 2);
        for (int c = 0; c < d; c++) {
          od[base + t * d + c] = 0;
        }
        for (int j = 0; j <= t; j++) {
          float p = (float) (s[j] / sum);
          weights[w + j] = p;
          for (int c = 0; c < d; c++) {
            od[base + t * d + c] += p * vd[base + j * d + c];
          }
        }
      }
    }
    if (grad) {
      tape.record(new CausalSoftmaxAttention(q, k, v, out, weights));
    }
    return out;
  }

  @Override
  protected void backward() {
    int heads = q.dim(0);
    int n = q.dim(1);
    int d = q.dim(2);
    long triangle = (long) n * (n + 1) / 2;
    double scale = 1 / Math.sqrt(d);
    float[] qd = q.data();
    float[] kd = k.data();
    float[] vd = v.data();
    float[] g = out.grad();
    float[] gq = q.requiresGrad() ? q.grad() : null;
    float[] gk = k.requiresGrad() ? k.grad() : null;
    float[] gv = v.requiresGrad() ? v.grad() : null;
    double[] dp = new double[n];
    for (int h = 0; h < heads; h++) {
      int base = h * n * d;
      for (int t = 0; t < n; t++) {
        int w = (int) (h * triangle + (long) t * (t + 1) / 2);
        double mean = 0;
        for (int j = 0; j <= t; j++) {
          double dot = 0;
          for (int c = 0; c < d; c++) {
            dot += g[base + t * d + c] * vd[base + j * d + c];
          }
          dp[j] = dot;
          mean += weights[w + j] * dot;
        }
        for (int j = 0; j <= t; j++) {
          double p = weights[w + j];
          double ds = p * (dp[j] - mean) * scale;
          for (int c = 0; c < d; c++) {
            if (gq != null) {
              gq[base + t * d + c] += (float) (ds * kd[base + j * d + c]);
            }
            if (gk != null) {
              gk[base + j * d + c] += (float) (ds * qd[base + t * d + c]);
            }
            if (gv != null) {
              gv[base + j * d + c] += (float) (p * g[base + t * d + c]);
            }
          }
        }
      }
    }
  }
}
