package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.Arrays;

/**
 * The mean row of each segment of tokens stored back to back: for {@code h} ({@code [T, d]}) cut into {@code B}
 * segments by {@code offsets}, {@code out_b = (1/n_b)·Σ_{t in segment b} h_t} ({@code [B, d]}; 0 for an empty
 * segment). Backward: {@code dh_t += dout_b / n_b}.
 */
public final class SegmentMean extends Op {

  private final Tensor tokens;
  private final Tensor out;
  private final int[] offsets;

  private SegmentMean(Tensor tokens, Tensor out, int[] offsets) {
    this.tokens = tokens;
    this.out = out;
    this.offsets = offsets;
  }

  /** The mean of each segment of {@code tokens} ({@code [T, d]}), {@code [B, d]}. */
  public static Tensor apply(Tape tape, Tensor tokens, int[] offsets) {
    if (tokens.rank() != 2) {
      throw new IllegalArgumentException("SegmentMean needs tokens [T, d], got " + tokens);
    }
    LightningAttention.requireSegments(offsets, tokens.rows());
    int d = tokens.cols();
    int segments = offsets.length - 1;
    Tensor out = tape.output(tokens.requiresGrad(), segments, d);
    float[] h = tokens.data();
    float[] o = out.data();
    for (int b = 0; b < segments; b++) {
      Arrays.fill(o, b * d, (b + 1) * d, 0f);
      int n = offsets[b + 1] - offsets[b];
      for (int t = offsets[b]; t < offsets[b + 1]; t++) {
        for (int c = 0; c < d; c++) {
          o[b * d + c] += h[t * d + c];
        }
      }
      for (int c = 0; n > 0 && c < d; c++) {
        o[b * d + c] /= n;
      }
    }
    if (tokens.requiresGrad()) {
      tape.record(new SegmentMean(tokens, out, offsets.clone()));
    }
    return out;
  }

  @Override
  protected void backward() {
    int d = tokens.cols();
    float[] g = out.grad();
    float[] gh = tokens.grad();
    for (int b = 0; b + 1 < offsets.length; b++) {
      int n = offsets[b + 1] - offsets[b];
      for (int t = offsets[b]; t < offsets[b + 1]; t++) {
        for (int c = 0; c < d; c++) {
          gh[t * d + c] += g[b * d + c] / n;
        }
      }
    }
  }
}
