package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/** {@code y = x + c} for a constant {@code c}; {@code dx = dy}. */
public final class AddScalar extends ElementwiseUnaryOp {

  private final float c;

  private AddScalar(float c) {
    this.c = c;
  }

  public static Tensor apply(Tape tape, Tensor x, float c) {
    return new AddScalar(c).applyTo(tape, x);
  }

  @Override
  protected void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = x[i] + c; // y = x + c
    }
  }

  @Override
  protected void backward(float[] x, float[] y, float[] dy, float[] dx, int n) {
    for (int i = 0; i < n; i++) {
      dx[i] += dy[i]; // dx = dy
    }
  }
}
