package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * Binary cross-entropy on logits, weighted mean over the batch:
 * {@code L = Σ_i w_i·(max(z_i,0) − z_i·y_i + ln(1 + e^{−|z_i|})) / Σ_i w_i}, the numerically stable form
 * of {@code −[y·ln σ(z) + (1−y)·ln(1−σ(z))]}. Backward: {@code dz_i = w_i·(σ(z_i) − y_i) / Σ w}.
 */
public final class BceWithLogits extends Op {

  private final Tensor logits;
  private final float[] labels;
  private final float[] weights;
  private final double weightSum;
  private final Tensor out;

  private BceWithLogits(Tensor logits, float[] labels, float[] weights, double weightSum, Tensor out) {
    this.logits = logits;
    this.labels = labels;
    this.weights = weights;
    this.weightSum = weightSum;
    this.out = out;
  }

  /** The mean loss over {@code logits.size()} examples; {@code weights} may be null (all 1). */
  public static Tensor apply(Tape tape, Tensor logits, float[] labels, float[] weights) {
    int n = logits.size();
    float[] z = logits.data();
    double loss = 0;
    double weightSum = 0;
    for (int i = 0; i < n; i++) {
      double w = weights == null ? 1.0 : weights[i];
      double zi = z[i];
      loss += w * (Math.max(zi, 0) - zi * labels[i] + Math.log1p(Math.exp(-Math.abs(zi))));
      weightSum += w;
    }
    Tensor out = tape.output(logits.requiresGrad(), 1);
    out.data()[0] = weightSum > 0 ? (float) (loss / weightSum) : 0f;
    if (out.requiresGrad()) {
      tape.record(new BceWithLogits(logits, labels, weights, weightSum, out));
    }
    return out;
  }

  @Override
  protected void backward() {
    if (weightSum <= 0) {
      return;
    }
    double scale = out.grad()[0] / weightSum;
    float[] z = logits.data();
    float[] gz = logits.grad();
    int n = logits.size();
    for (int i = 0; i < n; i++) {
      double w = weights == null ? 1.0 : weights[i];
      gz[i] += (float) (scale * w * (Sigmoid.sigmoid(z[i]) - labels[i]));
    }
  }
}
