package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * Root-mean-square normalisation over the last axis with a learned weight: for each row {@code x} of {@code n}
 * elements, {@code y = w ⊙ x / r} with {@code r = sqrt(mean(x²) + eps)} (MiniMax-01's RMSNorm). Backward:
 * {@code dw += dy ⊙ x / r}, {@code dx = (w ⊙ dy)/r − x·Σ(w ⊙ dy ⊙ x)/(n·r³)}. Statistics in double.
 */
public final class RmsNorm extends Op {

  private final Tensor x;
  private final Tensor w;
  private final Tensor out;
  private final double[] inverseRms;
  private final int cols;

  private RmsNorm(Tensor x, Tensor w, Tensor out, double[] inverseRms, int cols) {
    this.x = x;
    this.w = w;
    this.out = out;
    this.inverseRms = inverseRms;
    this.cols = cols;
  }

  /** Normalises each row of {@code x} (its last axis) and scales it by {@code w} (as many elements). */
  public static Tensor apply(Tape tape, Tensor x, Tensor w, double eps) {
    int cols = x.dim(x.rank() - 1);
    if (w.size() != cols || !(eps >= 0)) {
      throw new IllegalArgumentException("RmsNorm needs one weight per element of the last axis and eps >= 0, got "
          + x + ", " + w + " and eps " + eps);
    }
    int rows = x.size() / cols;
    Tensor out = tape.output(x.requiresGrad() || w.requiresGrad(), x.shape());
    double[] inverse = new double[rows];
    float[] xd = x.data();
    float[] wd = w.data();
    float[] od = out.data();
    for (int r = 0; r < rows; r++) {
      double sq = 0;
      for (int c = 0, i = r * cols; c < cols; c++, i++) {
        sq += (double) xd[i] * xd[i];
      }
      double inv = 1 / Math.sqrt(sq / cols + eps); // 1/r
      inverse[r] = inv;
      for (int c = 0, i = r * cols; c < cols; c++, i++) {
        od[i] = (float) (wd[c] * xd[i] * inv);
      }
    }
    if (out.requiresGrad()) {
      tape.record(new RmsNorm(x, w, out, inverse, cols));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] xd = x.data();
    float[] wd = w.data();
    float[] gx = x.requiresGrad() ? x.grad() : null;
    float[] gw = w.requiresGrad() ? w.grad() : null;
    for (int r = 0; r < inverseRms.length; r++) {
      double inv = inverseRms[r];
      double dot = 0; // Σ w ⊙ dy ⊙ x
      for (int c = 0, i = r * cols; c < cols; c++, i++) {
        dot += (double) wd[c] * g[i] * xd[i];
        if (gw != null) {
          gw[c] += (float) (g[i] * xd[i] * inv);
        }
      }
      if (gx != null) {
        double k = dot * inv * inv * inv / cols;
        for (int c = 0, i = r * cols; c < cols; c++, i++) {
          gx[i] += (float) (wd[c] * g[i] * inv - xd[i] * k);
        }
      }
    }
  }
}
