package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/** {@code y = max(x, 0)} element-wise; {@code dx = dy · [y > 0]}. */
public final class Relu extends ElementwiseUnaryOp {

  public static Tensor apply(Tape tape, Tensor x) {
    return new Relu().applyTo(tape, x);
  }

  @Override
  protected void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = Math.max(x[i], 0f); // y = max(x, 0)
    }
  }

  @Override
  protected void backward(float[] x, float[] y, float[] dy, float[] dx, int n) {
    for (int i = 0; i < n; i++) {
      if (y[i] > 0f) {
        dx[i] += dy[i]; // dx = dy where y > 0
      }
    }
  }
}
