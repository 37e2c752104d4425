package dev.sparkrec.nn.optim;

import dev.sparkrec.nn.Parameter;
import java.util.List;

/**
 * Gradient clipping applied after backward and before {@link Optimizer#step}: element-wise to
 * {@code [−limit, limit]}, or by the global L2 norm of all gradients. Both act on the gradients of
 * trainable parameters only: every element of a dense one, the touched rows of a sparse-row one.
 * Non-trainable (state) parameters are never touched.
 */
public final class GradientClipping {

  private GradientClipping() {}

  /** Clamps every gradient element to {@code [−limit, limit]} ({@code limit} &gt; 0); NaN stays NaN. */
  public static void clipByValue(List<Parameter> parameters, double limit) {
    if (!(limit > 0)) {
      throw new IllegalArgumentException("gradient clip value must be positive, got " + limit);
    }
    float hi = (float) limit;
    float lo = -hi;
    for (Parameter p : parameters) {
      if (!p.isTrainable()) {
        continue;
      }
      float[] g = p.grad();
      if (p.isSparseRows()) {
        int d = p.rowSize();
        int[] rows = p.touchedRows();
        for (int r = 0; r < p.touchedCount(); r++) {
          clamp(g, rows[r] * d, rows[r] * d + d, lo, hi);
        }
      } else {
        clamp(g, 0, p.size(), lo, hi);
      }
    }
  }

  private static void clamp(float[] g, int from, int to, float lo, float hi) {
    for (int i = from; i < to; i++) {
      g[i] = Math.min(Math.max(g[i], lo), hi); // g ← min(max(g, −c), c)
    }
  }

  /** The L2 norm, summed in double, of the gradients of all trainable parameters (touched rows of sparse ones). */
  public static double globalNorm(List<Parameter> parameters) {
    double sumOfSquares = 0;
    for (Parameter p : parameters) {
      if (!p.isTrainable()) {
        continue;
      }
      float[] g = p.grad();
      if (p.isSparseRows()) {
        int d = p.rowSize();
        int[] rows = p.touchedRows();
        for (int r = 0; r < p.touchedCount(); r++) {
          sumOfSquares += sumOfSquares(g, rows[r] * d, rows[r] * d + d);
        }
      } else {
        sumOfSquares += sumOfSquares(g, 0, p.size());
      }
    }
    return Math.sqrt(sumOfSquares); // ‖g‖₂ = √(Σ g²)
  }

  private static double sumOfSquares(float[] g, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++) {
      sum += (double) g[i] * g[i];
    }
    return sum;
  }

  /**
   * Scales every gradient by {@code min(1, maxNorm/‖g‖₂)}, the norm taken over all of them together
   * ({@code maxNorm} &gt; 0). Returns the norm before clipping, so a trainer can log it or stop on a
   * non-finite value; gradients whose norm is not finite are left unchanged.
   */
  public static double clipByGlobalNorm(List<Parameter> parameters, double maxNorm) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("gradient max norm must be positive, got " + maxNorm);
    }
    double norm = globalNorm(parameters);
    if (!(norm > maxNorm) || Double.isInfinite(norm)) {
      return norm;
    }
    double scale = maxNorm / norm; // g ← g·min(1, maxNorm/‖g‖₂)
    for (Parameter p : parameters) {
      if (!p.isTrainable()) {
        continue;
      }
      float[] g = p.grad();
      if (p.isSparseRows()) {
        int d = p.rowSize();
        int[] rows = p.touchedRows();
        for (int r = 0; r < p.touchedCount(); r++) {
          scale(g, rows[r] * d, rows[r] * d + d, scale);
        }
      } else {
        scale(g, 0, p.size(), scale);
      }
    }
    return norm;
  }

  private static void scale(float[] g, int from, int to, double scale) {
    for (int i = from; i < to; i++) {
      g[i] = (float) (g[i] * scale);
    }
  }
}
