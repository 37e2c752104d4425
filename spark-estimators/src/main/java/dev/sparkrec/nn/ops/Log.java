package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * {@code y = ln x} element-wise; {@code dx = dy / x}. Every input must be positive: a zero, negative or NaN
 * value is an error naming the value and its index (guard with {@link Abs} and {@link Clamp} first, as AFN's
 * logarithmic layer does).
 */
public final class Log extends ElementwiseUnaryOp {

  public static Tensor apply(Tape tape, Tensor x) {
    return new Log().applyTo(tape, x);
  }

  @Override
  protected void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      float v = x[i];
      if (!(v > 0f)) {
        throw new IllegalArgumentException("Log: the input of " + n + " values has the non-positive value " + v
            + " at index " + i + "; clamp the input to a positive minimum first (e.g. Clamp of Abs)");
      }
      y[i] = (float) Math.log(v); // y = ln x
    }
  }

  @Override
  protected void backward(float[] x, float[] y, float[] dy, float[] dx, int n) {
    for (int i = 0; i < n; i++) {
      dx[i] += dy[i] / x[i]; // dx = dy / x
    }
  }
}
