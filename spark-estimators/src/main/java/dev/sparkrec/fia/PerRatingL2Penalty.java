package dev.sparkrec.fia;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.Add;
import dev.sparkrec.nn.ops.Mul;
import dev.sparkrec.nn.ops.Scale;
import dev.sparkrec.nn.ops.Sum;

/**
 * The per-rating L2 penalty of the factorised rating models: every rating regularises the embedding rows it
 * looks up, {@code λ · Σ_e w_e Σ_t ‖row_t(e)‖² / Σ_e w_e} over the batch's examples {@code e} (weights
 * {@code w_e}, all 1 when absent). Summed over the data this is ALS's weighted-λ penalty
 * {@code λ(Σ_u n_u‖x_u‖² + Σ_i n_i‖y_i‖²)}, which influence analysis assumes ({@link FactorizedPredictor}).
 * Built from ops on the tape, so its gradient reaches only the looked-up rows.
 */
final class PerRatingL2Penalty {

  private PerRatingL2Penalty() {}

  /**
   * The penalty as a one-element tensor; {@code rows} are gathered rows {@code [n, d_t]}, one per example of the
   * batch ({@code n} = {@code batchSize}), {@code weights} null or at least {@code n} long.
   */
  static Tensor apply(Tape tape, double lambda, float[] weights, int batchSize, Tensor... rows) {
    Tensor squares = null;
    for (Tensor row : rows) {
      Tensor norm = Sum.apply(tape, Mul.apply(tape, row, row), 1); // ‖row_t(e)‖², shape [n]
      squares = squares == null ? norm : Add.apply(tape, squares, norm);
    }
    double weightSum = batchSize;
    if (weights != null) {
      squares = Mul.apply(tape, squares, Tensor.constant(weights, batchSize)); // w_e·Σ_t ‖row_t(e)‖²
      weightSum = 0;
      for (int e = 0; e < batchSize; e++) {
        weightSum += weights[e];
      }
    }
    double scale = weightSum > 0 ? lambda / weightSum : 0; // λ / Σ_e w_e (a batch of zero weight adds nothing)
    return Scale.apply(tape, Sum.apply(tape, squares), (float) scale);
  }
}
