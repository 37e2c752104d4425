package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * Mean squared error, weighted mean over the elements: {@code L = Σ_i w_i·(p_i − t_i)² / Σ_i w_i}, shape
 * {@code [1]} (0 when the weights sum to 0). Prediction and target need the same number of elements. Backward:
 * {@code dp_i = 2·w_i·(p_i − t_i) / Σ w} and {@code dt_i = −dp_i}.
 */
public final class MseLoss extends Op {

  private final Tensor prediction;
  private final Tensor target;
  private final float[] weights;
  private final double weightSum;
  private final Tensor out;

  private MseLoss(Tensor prediction, Tensor target, float[] weights, double weightSum, Tensor out) {
    this.prediction = prediction;
    this.target = target;
    this.weights = weights;
    this.weightSum = weightSum;
    this.out = out;
  }

  /** The unweighted mean of {@code (p − t)²}. */
  public static Tensor apply(Tape tape, Tensor prediction, Tensor target) {
    return apply(tape, prediction, target, null);
  }

  /** The weighted mean; {@code weights} (one per element, read again in backward) may be null (all 1). */
  public static Tensor apply(Tape tape, Tensor prediction, Tensor target, float[] weights) {
    int n = prediction.size();
    if (target.size() != n) {
      throw new IllegalArgumentException("MseLoss: prediction " + prediction + " and target " + target
          + " have different sizes");
    }
    if (weights != null && weights.length < n) {
      throw new IllegalArgumentException("MseLoss: " + weights.length + " weights for " + n + " predictions");
    }
    float[] p = prediction.data();
    float[] t = target.data();
    double loss = 0;
    double weightSum = 0;
    for (int i = 0; i < n; i++) {
      double w = weights == null ? 1.0 : weights[i];
      double e = (double) p[i] - t[i];
      loss += w * e * e; // Σ w_i·(p_i − t_i)²
      weightSum += w;
    }
    Tensor out = tape.output(prediction.requiresGrad() || target.requiresGrad(), 1);
    out.data()[0] = weightSum != 0 ? (float) (loss / weightSum) : 0f;
    if (out.requiresGrad()) {
      tape.record(new MseLoss(prediction, target, weights, weightSum, out));
    }
    return out;
  }

  @Override
  protected void backward() {
    if (weightSum == 0) {
      return;
    }
    double scale = 2.0 * out.grad()[0] / weightSum;
    float[] p = prediction.data();
    float[] t = target.data();
    float[] gp = prediction.requiresGrad() ? prediction.grad() : null;
    float[] gt = target.requiresGrad() ? target.grad() : null;
    int n = prediction.size();
    for (int i = 0; i < n; i++) {
      double w = weights == null ? 1.0 : weights[i];
      float d = (float) (scale * w * ((double) p[i] - t[i])); // dp_i = 2·w_i·(p_i − t_i) / Σ w
      if (gp != null) {
        gp[i] += d;
      }
      if (gt != null) {
        gt[i] -= d;
      }
    }
  }
}
