package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * {@code y = σ(x) = 1/(1 + e^{−x})} element-wise (stable for large |x|); {@code dx = dy·y·(1 − y)}. The scalar
 * logistic function itself is {@link #sigmoid(double)}, for turning logits into probabilities anywhere.
 */
public final class Sigmoid extends ElementwiseUnaryOp {

  public static Tensor apply(Tape tape, Tensor x) {
    return new Sigmoid().applyTo(tape, x);
  }

  /** The logistic function {@code σ(z) = 1/(1 + e^{−z})}, stable for large |z| (no overflow of {@code e^{−z}}). */
  public static double sigmoid(double z) {
    if (z >= 0) {
      return 1.0 / (1.0 + Math.exp(-z));
    }
    double e = Math.exp(z);
    return e / (1.0 + e);
  }

  @Override
  protected void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = (float) sigmoid(x[i]); // y = 1/(1 + e^{−x})
    }
  }

  @Override
  protected void backward(float[] x, float[] y, float[] dy, float[] dx, int n) {
    for (int i = 0; i < n; i++) {
      dx[i] += dy[i] * y[i] * (1f - y[i]); // dx = dy·y·(1 − y)
    }
  }
}
