package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/** {@code y = tanh(x)} element-wise; {@code dx = dy·(1 − y²)}. */
public final class Tanh extends ElementwiseUnaryOp {

  public static Tensor apply(Tape tape, Tensor x) {
    return new Tanh().applyTo(tape, x);
  }

  @Override
  protected void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = (float) Math.tanh(x[i]); // y = tanh(x)
    }
  }

  @Override
  protected void backward(float[] x, float[] y, float[] dy, float[] dx, int n) {
    for (int i = 0; i < n; i++) {
      dx[i] += dy[i] * (1f - y[i] * y[i]); // dx = dy·(1 − y²)
    }
  }
}
