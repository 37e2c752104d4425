package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.Arrays;

/**
 * Target attention pooling over sequences stored back to back: for tokens {@code h} ({@code [T, d]}) cut into
 * {@code B} segments by {@code offsets} and one query {@code q_b} per segment ({@code [B, d]}),
 * <pre>
 *   p_t   = softmax_{t in segment b}(q_b·h_t/√d)
 *   out_b = Σ_t p_t·h_t                            (0 for an empty segment)
 * </pre>
 * Backward: {@code dh_t += p_t·dout_b + ds_t·q_b/√d}, {@code dq_b += Σ_t ds_t·h_t/√d} with
 * {@code ds_t = p_t·(dout_b·h_t − Σ_u p_u·dout_b·h_u)}. Keeps the T weights; linear in T.
 */
public final class SegmentAttentionPool extends Op {

  private final Tensor tokens;
  private final Tensor queries;
  private final Tensor out;
  private final int[] offsets;
  private final float[] weights;

  private SegmentAttentionPool(Tensor tokens, Tensor queries, Tensor out, int[] offsets, float[] weights) {
    this.tokens = tokens;
    this.queries = queries;
    this.out = out;
    this.offsets = offsets;
    this.weights = weights;
  }

  /** The pooled rows {@code [B, d]} of {@code tokens} ({@code [T, d]}) under {@code queries} ({@code [B, d]}). */
  public static Tensor apply(Tape tape, Tensor tokens, Tensor queries, int[] offsets) {
    int d = tokens.cols();
    int segments = offsets.length - 1;
    if (tokens.rank() != 2 || queries.rank() != 2 || queries.cols() != d || queries.rows() != segments) {
      throw new IllegalArgumentException("SegmentAttentionPool needs tokens [T, d] and one query [B, d] per segment, "
          + "got " + tokens + ", " + queries + " and " + segments + " segments");
    }
    LightningAttention.requireSegments(offsets, tokens.rows());
    boolean grad = tokens.requiresGrad() || queries.requiresGrad();
    Tensor out = tape.output(grad, segments, d);
    float[] h = tokens.data();
    float[] q = queries.data();
    float[] o = out.data();
    float[] weights = new float[tokens.rows()];
    double scale = 1 / Math.sqrt(d);
    double[] s = new double[LightningAttention.longestSegment(offsets)];
    for (int b = 0; b < segments; b++) {
      Arrays.fill(o, b * d, (b + 1) * d, 0f);
      int from = offsets[b];
      int to = offsets[b + 1];
      if (from == to) {
        continue;
      }
      double max = Double.NEGATIVE_INFINITY;
      for (int t = from; t < to; t++) {
        double dot = 0;
        for (int c = 0; c < d; c++) {
          dot += q[b * d + c] * h[t * d + c];
        }
        s[t - from] = dot * scale;
        max = Math.max(max, s[t - from]);
      }
      double sum = 0;
      for (int i = 0; i < to - from; i++) {
        s[i] = Math.exp(s[i] - max);
        sum += s[i];
      }
      for (int t = from; t < to; t++) {
        float p = (float) (s[t - from] / sum);
        weights[t] = p;
        for (int c = 0; c < d; c++) {
          o[b * d + c] += p * h[t * d + c];
        }
      }
    }
    if (grad) {
      tape.record(new SegmentAttentionPool(tokens, queries, out, offsets.clone(), weights));
    }
    return out;
  }

  @Override
  protected void backward() {
    int d = tokens.cols();
    double scale = 1 / Math.sqrt(d);
    float[] h = tokens.data();
    float[] q = queries.data();
    float[] g = out.grad();
    float[] gh = tokens.requiresGrad() ? tokens.grad() : null;
    float[] gq = queries.requiresGrad() ? queries.grad() : null;
    double[] dp = new double[LightningAttention.longestSegment(offsets)];
    for (int b = 0; b + 1 < offsets.length; b++) {
      int from = offsets[b];
      int to = offsets[b + 1];
      double mean = 0;
      for (int t = from; t < to; t++) {
        double dot = 0;
        for (int c = 0; c < d; c++) {
          dot += g[b * d + c] * h[t * d + c];
        }
        dp[t - from] = dot;
        mean += weights[t] * dot;
      }
      for (int t = from; t < to; t++) {
        double p = weights[t];
        double ds = p * (dp[t - from] - mean) * scale;
        for (int c = 0; c < d; c++) {
          if (gh != null) {
            gh[t * d + c] += (float) (p * g[b * d + c] + ds * q[b * d + c]);
          }
          if (gq != null) {
            gq[b * d + c] += (float) (ds * h[t * d + c]);
          }
        }
      }
    }
  }
}
