package dev.sparkrec.nn.optim;

import dev.sparkrec.nn.Parameter;
import java.util.List;

/** Plain stochastic gradient descent: {@code θ ← θ − lr·g}. */
public final class Sgd extends Optimizer {

  public Sgd(double learningRate) {
    super(learningRate);
  }

  @Override
  protected void update(Parameter p) {
    float lr = (float) learningRate();
    float[] w = p.data();
    float[] g = p.grad();
    if (p.isSparseRows()) {
      int d = p.rowSize();
      int[] rows = p.touchedRows();
      for (int r = 0; r < p.touchedCount(); r++) {
        for (int i = rows[r] * d, end = i + d; i < end; i++) {
          w[i] -= lr * g[i];
        }
      }
    } else {
      for (int i = 0; i < p.size(); i++) {
        w[i] -= lr * g[i];
      }
    }
  }

  @Override
  public List<float[]> slots(Parameter p) {
    return List.of();
  }
}
