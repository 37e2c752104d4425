package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/** {@code y = |x|} element-wise; {@code dx = dy·sign(x)}, with the subgradient 0 at 0. */
public final class Abs extends ElementwiseUnaryOp {

  public static Tensor apply(Tape tape, Tensor x) {
    return new Abs().applyTo(tape, x);
  }

  @Override
  protected void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = Math.abs(x[i]); // y = |x|
    }
  }

  @Override
  protected void backward(float[] x, float[] y, float[] dy, float[] dx, int n) {
    for (int i = 0; i < n; i++) {
      dx[i] += dy[i] * Math.signum(x[i]); // dx = dy·sign(x), 0 at 0
    }
  }
}
