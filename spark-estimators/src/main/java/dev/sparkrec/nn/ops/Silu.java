package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/** {@code y = x·σ(x)} element-wise (SiLU, swish); {@code dx = dy·σ(x)·(1 + x·(1 − σ(x)))}. */
public final class Silu extends ElementwiseUnaryOp {

  public static Tensor apply(Tape tape, Tensor x) {
    return new Silu().applyTo(tape, x);
  }

  @Override
  protected void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = (float) (x[i] * Sigmoid.sigmoid(x[i])); // y = x·σ(x)
    }
  }

  @Override
  protected void backward(float[] x, float[] y, float[] dy, float[] dx, int n) {
    for (int i = 0; i < n; i++) {
      double s = Sigmoid.sigmoid(x[i]);
      dx[i] += (float) (dy[i] * s * (1 + x[i] * (1 - s))); // dx = dy·σ·(1 + x(1 − σ))
    }
  }
}
