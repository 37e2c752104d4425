package dev.sparkrec.nn.embedding;

import dev.sparkrec.nn.Parameter;
import java.io.Serializable;

/**
 * The search's step on soft selection weights α from the gradient of a validation batch's loss (DNIS, first
 * order): the gradient of {@code L_val + l1·Σ|α|} is normalised per block row by its mean magnitude
 * ({@code g_b ← g_b / (mean_j |g_bj| + 1e-8)}, so rare and frequent blocks move alike), α takes a plain gradient
 * step of {@code stepSize} and is clamped to [0, 1]. The gradient is zeroed afterwards.
 *
 * @param stepSize the SGD step size of α (> 0; the reference scripts use 0.01)
 * @param l1 the weight of the L1 penalty on α (>= 0; the reference scripts use 1e-5)
 */
public record SoftSelectionUpdate(double stepSize, double l1) implements Serializable {

  private static final double NORM_EPS = 1e-8;

  public SoftSelectionUpdate {
    if (!(stepSize > 0) || Double.isInfinite(stepSize) || !(l1 >= 0) || Double.isInfinite(l1)) {
      throw new IllegalArgumentException("the selection step needs stepSize > 0 and l1 >= 0, both finite, got "
          + stepSize + " and " + l1);
    }
  }

  /** One step on {@code alpha} ({@code blocks × dim}) from its accumulated gradient. */
  public void apply(Parameter alpha) {
    float[] a = alpha.data();
    float[] g = alpha.grad();
    int dim = alpha.shape()[alpha.shape().length - 1];
    int blocks = alpha.size() / dim;
    double[] row = new double[dim];
    for (int b = 0; b < blocks; b++) {
      int off = b * dim;
      double meanAbs = 0;
      for (int j = 0; j < dim; j++) {
        double v = a[off + j];
        row[j] = g[off + j] + (v > 0 ? l1 : v < 0 ? -l1 : 0); // ∂(L + l1·|α|)/∂α
        meanAbs += Math.abs(row[j]);
      }
      meanAbs /= dim;
      for (int j = 0; j < dim; j++) {
        double next = a[off + j] - stepSize * row[j] / (meanAbs + NORM_EPS);
        a[off + j] = (float) Math.min(1.0, Math.max(0.0, next));
      }
    }
    alpha.zeroGrad();
  }
}
