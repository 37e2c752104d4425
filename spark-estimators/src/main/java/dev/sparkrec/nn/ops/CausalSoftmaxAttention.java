package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.Arrays;

/**
 * Causal softmax attention, per head: {@code o_t = Σ_{s ≤ t} softmax_s(q_t·k_s/√d)·v_s} for queries, keys and
 * values of shape {@code [heads, n, d]} ({@link #apply}), or token-major {@code [T, heads·d]} holding several
 * sequences back to back, each attending only within itself ({@link #applySegments}) — the softmax layers of a
 * hybrid lightning stack. Time O(n²d) and the attention weights kept for backward, {@code heads·n·(n+1)/2} floats
 * per sequence: quadratic in the length. Backward: {@code dp = do·vᵀ}, {@code ds = p ⊙ (dp − Σ p ⊙ dp)},
 * {@code dq = ds·k/√d}, {@code dk = dsᵀ·q/√d}, {@code dv = pᵀ·do}.
 */
public final class CausalSoftmaxAttention extends Op {

  private final Tensor q;
  private final Tensor k;
  private final Tensor v;
  private final Tensor out;
  private final Layout layout;
  private final float[] weights;

  private CausalSoftmaxAttention(Tensor q, Tensor k, Tensor v, Tensor out, Layout layout, float[] weights) {
    this.q = q;
    this.k = k;
    this.v = v;
    this.out = out;
    this.layout = layout;
    this.weights = weights;
  }

  /**
   * Where head {@code h}'s row {@code t} starts: head-major {@code [heads, n, d]} (one sequence) or token-major
   * {@code [T, heads·d]} cut into sequences by {@code segments}.
   */
  private record Layout(int heads, int rows, int d, boolean tokenMajor, int[] segments) {
    int index(int h, int t) {
      return tokenMajor ? (t * heads + h) * d : (h * rows + t) * d;
    }

    long weightCount() {
      long count = 0;
      for (int s = 0; s + 1 < segments.length; s++) {
        long n = segments[s + 1] - segments[s];
        count += n * (n + 1) / 2;
      }
      return count * heads;
    }
  }

  /** The attention of {@code q, k, v} ({@code [heads, n, d]}); the output has their shape. */
  public static Tensor apply(Tape tape, Tensor q, Tensor k, Tensor v) {
    if (q.rank() != 3) {
      throw new IllegalArgumentException("CausalSoftmaxAttention needs q, k, v of one shape [heads, n, d], got " + q
          + ", " + k + " and " + v);
    }
    return apply(tape, q, k, v, new Layout(q.dim(0), q.dim(1), q.dim(2), false, new int[] {0, q.dim(1)}));
  }

  /**
   * The attention of token-major {@code q, k, v} ({@code [T, heads·d]}, each row the heads' {@code d}-wide slices
   * side by side) holding sequences back to back: sequence {@code s} is rows {@code [offsets[s], offsets[s+1])}
   * and attends only to itself. The output has the input's layout.
   */
  public static Tensor applySegments(Tape tape, Tensor q, Tensor k, Tensor v, int heads, int[] offsets) {
    if (q.rank() != 2 || heads < 1 || q.cols() % heads != 0) {
      throw new IllegalArgumentException("CausalSoftmaxAttention needs token-major q, k, v of shape [T, heads·d], "
          + "got " + q + " for " + heads + " heads");
    }
    LightningAttention.requireSegments(offsets, q.rows());
    return apply(tape, q, k, v, new Layout(heads, q.rows(), q.cols() / heads, true, offsets.clone()));
  }

  private static Tensor apply(Tape tape, Tensor q, Tensor k, Tensor v, Layout layout) {
    if (!Arrays.equals(q.shape(), k.shape()) || !Arrays.equals(q.shape(), v.shape())) {
      throw new IllegalArgumentException("CausalSoftmaxAttention needs q, k, v of one shape, got " + q + ", " + k
          + " and " + v);
    }
    long count = layout.weightCount();
    if (count > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("softmax attention over these sequences needs " + count
          + " attention weights, more than an array holds; use LightningAttention for long sequences");
    }
    boolean grad = q.requiresGrad() || k.requiresGrad() || v.requiresGrad();
    Tensor out = tape.output(grad, q.shape());
    float[] weights = new float[(int) count];
    float[] qd = q.data();
    float[] kd = k.data();
    float[] vd = v.data();
    float[] od = out.data();
    int d = layout.d();
    double scale = 1 / Math.sqrt(d);
    int[] seg = layout.segments();
    double[] scores = new double[LightningAttention.longestSegment(seg)];
    int w = 0;
    for (int s = 0; s + 1 < seg.length; s++) {
      int start = seg[s];
      int n = seg[s + 1] - start;
      for (int h = 0; h < layout.heads(); h++) {
        for (int t = 0; t < n; t++) {
          int qt = layout.index(h, start + t);
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= t; j++) {
            int kj = layout.index(h, start + j);
            double dot = 0;
            for (int c = 0; c < d; c++) {
              dot += qd[qt + c] * kd[kj + c];
            }
            scores[j] = dot * scale;
            max = Math.max(max, scores[j]);
          }
          double sum = 0;
          for (int j = 0; j <= t; j++) {
            scores[j] = Math.exp(scores[j] - max);
            sum += scores[j];
          }
          Arrays.fill(od, qt, qt + d, 0f);
          for (int j = 0; j <= t; j++) {
            float p = (float) (scores[j] / sum);
            weights[w + j] = p;
            int vj = layout.index(h, start + j);
            for (int c = 0; c < d; c++) {
              od[qt + c] += p * vd[vj + c];
            }
          }
          w += t + 1;
        }
      }
    }
    if (grad) {
      tape.record(new CausalSoftmaxAttention(q, k, v, out, layout, weights));
    }
    return out;
  }

  @Override
  protected void backward() {
    int d = layout.d();
    double scale = 1 / Math.sqrt(d);
    float[] qd = q.data();
    float[] kd = k.data();
    float[] vd = v.data();
    float[] g = out.grad();
    float[] gq = q.requiresGrad() ? q.grad() : null;
    float[] gk = k.requiresGrad() ? k.grad() : null;
    float[] gv = v.requiresGrad() ? v.grad() : null;
    int[] seg = layout.segments();
    double[] dp = new double[LightningAttention.longestSegment(seg)];
    int w = 0;
    for (int s = 0; s + 1 < seg.length; s++) {
      int start = seg[s];
      int n = seg[s + 1] - start;
      for (int h = 0; h < layout.heads(); h++) {
        for (int t = 0; t < n; t++) {
          int qt = layout.index(h, start + t);
          double mean = 0;
          for (int j = 0; j <= t; j++) {
            int vj = layout.index(h, start + j);
            double dot = 0;
            for (int c = 0; c < d; c++) {
              dot += g[qt + c] * vd[vj + c];
            }
            dp[j] = dot;
            mean += weights[w + j] * dot;
          }
          for (int j = 0; j <= t; j++) {
            double p = weights[w + j];
            double ds = p * (dp[j] - mean) * scale;
            int kj = layout.index(h, start + j);
            for (int c = 0; c < d; c++) {
              if (gq != null) {
                gq[qt + c] += (float) (ds * kd[kj + c]);
              }
              if (gk != null) {
                gk[kj + c] += (float) (ds * qd[qt + c]);
              }
              if (gv != null) {
                gv[kj + c] += (float) (p * g[qt + c]);
              }
            }
          }
          w += t + 1;
        }
      }
    }
  }
}
