package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/** {@code y = c·x} for a constant {@code c}; {@code dx = c·dy}. */
public final class Scale extends ElementwiseUnaryOp {

  private final float c;

  private Scale(float c) {
    this.c = c;
  }

  public static Tensor apply(Tape tape, Tensor x, float c) {
    return new Scale(c).applyTo(tape, x);
  }

  @Override
  protected void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = c * x[i]; // y = c·x
    }
  }

  @Override
  protected void backward(float[] x, float[] y, float[] dy, float[] dx, int n) {
    for (int i = 0; i < n; i++) {
      dx[i] += c * dy[i]; // dx = c·dy
    }
  }
}
