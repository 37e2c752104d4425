package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * {@code y = min(max(x, lo), hi)} element-wise; {@code dx = dy} where {@code lo ≤ x ≤ hi} and 0 outside (as
 * TensorFlow's {@code clip_by_value} and PyTorch's {@code clamp}: the gradient passes at the bounds
 * themselves). Either bound may be infinite.
 */
public final class Clamp extends Op {

  private final Tensor x;
  private final float lo;
  private final float hi;
  private final Tensor out;

  private Clamp(Tensor x, float lo, float hi, Tensor out) {
    this.x = x;
    this.lo = lo;
    this.hi = hi;
    this.out = out;
  }

  public static Tensor apply(Tape tape, Tensor x, float lo, float hi) {
    if (!(lo <= hi)) {
      throw new IllegalArgumentException("Clamp: the lower bound " + lo + " must not exceed the upper bound " + hi);
    }
    Tensor out = tape.output(x.requiresGrad(), x.shape());
    float[] xd = x.data();
    float[] od = out.data();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      od[i] = Math.min(Math.max(xd[i], lo), hi); // y = min(max(x, lo), hi)
    }
    if (out.requiresGrad()) {
      tape.record(new Clamp(x, lo, hi, out));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] xd = x.data();
    float[] gx = x.grad();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      float v = xd[i];
      if (v >= lo && v <= hi) {
        gx[i] += g[i]; // dx = dy inside [lo, hi], 0 outside
      }
    }
  }
}
