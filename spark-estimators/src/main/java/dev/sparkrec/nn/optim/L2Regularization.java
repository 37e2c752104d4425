package dev.sparkrec.nn.optim;

import dev.sparkrec.nn.Parameter;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * L2 regularisation added to the gradients after backward and before clipping and
 * {@link Optimizer#step}: the gradient of {@code (λ/2)·‖θ‖²}, i.e. {@code g ← g + λ·θ}.
 *
 * <ul>
 *   <li>Dense trainable parameters accepted by the name filter get {@code λ_dense·θ} on every element
 *       (FuxiCTR's {@code net_regularizer}).
 *   <li>Sparse-row parameters (embedding tables) get {@code λ_emb·θ_row} on the rows the batch touched only,
 *       once per step however often a row was looked up (FuxiCTR's {@code embedding_regularizer} on the
 *       looked-up rows); untouched rows are not decayed.
 *   <li>Non-trainable (state) parameters are never touched.
 * </ul>
 */
public final class L2Regularization {

  private final double denseLambda;
  private final double embeddingLambda;
  private final Predicate<String> regularizedDense;

  /**
   * Regularises every dense trainable parameter with {@code denseLambda} and the touched rows of every
   * sparse-row parameter with {@code embeddingLambda} (both &ge; 0; 0 turns that part off).
   */
  public L2Regularization(double denseLambda, double embeddingLambda) {
    this(denseLambda, embeddingLambda, name -> true);
  }

  /**
   * As {@link #L2Regularization(double, double)}, but only dense parameters whose name passes
   * {@code regularizedDense} are regularised, e.g. {@link #namesNotEndingWith}{@code (".bias")} to leave
   * biases and normalisation parameters out.
   */
  public L2Regularization(double denseLambda, double embeddingLambda, Predicate<String> regularizedDense) {
    this.denseLambda = requireLambda("dense", denseLambda);
    this.embeddingLambda = requireLambda("embedding", embeddingLambda);
    this.regularizedDense = Objects.requireNonNull(regularizedDense, "regularizedDense");
  }

  private static double requireLambda(String kind, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("L2 " + kind + " regularisation weight must be non-negative and finite, got "
          + value);
    }
    return value;
  }

  /** A name filter that rejects names ending with any of {@code suffixes}, e.g. ".bias", ".gamma", ".beta". */
  public static Predicate<String> namesNotEndingWith(String... suffixes) {
    String[] copy = suffixes.clone();
    return name -> {
      for (String suffix : copy) {
        if (name.endsWith(suffix)) {
          return false;
        }
      }
      return true;
    };
  }

  public double denseLambda() {
    return denseLambda;
  }

  public double embeddingLambda() {
    return embeddingLambda;
  }

  /** Adds {@code λ·θ} to the gradients of {@code parameters} as described above. */
  public void addTo(List<Parameter> parameters) {
    for (Parameter p : parameters) {
      if (!p.isTrainable()) {
        continue;
      }
      float[] w = p.data();
      float[] g = p.grad();
      if (p.isSparseRows()) {
        if (embeddingLambda == 0) {
          continue;
        }
        int d = p.rowSize();
        int[] rows = p.touchedRows();
        for (int r = 0; r < p.touchedCount(); r++) {
          addScaled(g, w, rows[r] * d, rows[r] * d + d, embeddingLambda);
        }
      } else if (denseLambda != 0 && regularizedDense.test(p.name())) {
        addScaled(g, w, 0, p.size(), denseLambda);
      }
    }
  }

  private static void addScaled(float[] g, float[] w, int from, int to, double lambda) {
    for (int i = from; i < to; i++) {
      g[i] = (float) (g[i] + lambda * w[i]); // g ← g + λ·θ
    }
  }
}
