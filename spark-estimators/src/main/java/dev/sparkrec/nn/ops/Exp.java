package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/** {@code y = eˣ} element-wise; {@code dx = dy·y}. */
public final class Exp extends ElementwiseUnaryOp {

  public static Tensor apply(Tape tape, Tensor x) {
    return new Exp().applyTo(tape, x);
  }

  @Override
  protected void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = (float) Math.exp(x[i]); // y = eˣ
    }
  }

  @Override
  protected void backward(float[] x, float[] y, float[] dy, float[] dx, int n) {
    for (int i = 0; i < n; i++) {
      dx[i] += dy[i] * y[i]; // dx = dy·eˣ
    }
  }
}
