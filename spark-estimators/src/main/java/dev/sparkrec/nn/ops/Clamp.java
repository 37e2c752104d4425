package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * {@code y = min(max(x, lo), hi)} element-wise; {@code dx = dy} where {@code lo ≤ x ≤ hi} and 0 outside (as
 * TensorFlow's {@code clip_by_value} and PyTorch's {@code clamp}: the gradient passes at the bounds
 * themselves). Either bound may be infinite.
 */
public final class Clamp extends ElementwiseUnaryOp {

  private final float lo;
  private final float hi;

  private Clamp(float lo, float hi) {
    this.lo = lo;
    this.hi = hi;
  }

  public static Tensor apply(Tape tape, Tensor x, float lo, float hi) {
    if (!(lo <= hi)) {
      throw new IllegalArgumentException("Clamp: the lower bound " + lo + " must not exceed the upper bound " + hi);
    }
    return new Clamp(lo, hi).applyTo(tape, x);
  }

  @Override
  protected void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = Math.min(Math.max(x[i], lo), hi); // y = min(max(x, lo), hi)
    }
  }

  @Override
  protected void backward(float[] x, float[] y, float[] dy, float[] dx, int n) {
    for (int i = 0; i < n; i++) {
      float v = x[i];
      if (v >= lo && v <= hi) {
        dx[i] += dy[i]; // dx = dy inside [lo, hi], 0 outside
      }
    }
  }
}
