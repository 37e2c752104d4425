package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * The mean of all elements ({@code [1]}) or along one axis (that axis removed, e.g. {@code [B,K,F]} over axis
 * 1 gives {@code [B,F]}): {@code y = Σ x / n} over the {@code n} reduced values, accumulated in double. Backward:
 * {@code dx_j = dy / n} for every reduced element.
 */
public final class Mean extends Op {

  private final Tensor x;
  private final Tensor out;
  private final int outer;
  private final int n;
  private final int inner;
  private final float scale;

  private Mean(Tensor x, Tensor out, int outer, int n, int inner, float scale) {
    this.x = x;
    this.out = out;
    this.outer = outer;
    this.n = n;
    this.inner = inner;
    this.scale = scale;
  }

  /** The mean of every element, shape {@code [1]}. */
  public static Tensor apply(Tape tape, Tensor x) {
    return reduce(tape, x, 1, x.size(), 1, new int[] {1});
  }

  /** The mean along {@code axis} (negative counts from the end); the output drops that axis. */
  public static Tensor apply(Tape tape, Tensor x, int axis) {
    int a = Shapes.axis("Mean", x, axis);
    int[] shape = x.shape();
    return reduce(tape, x, Shapes.outer(shape, a), shape[a], Shapes.inner(shape, a), Shapes.without(shape, a));
  }

  private static Tensor reduce(Tape tape, Tensor x, int outer, int n, int inner, int[] shape) {
    if (n == 0) {
      throw new IllegalArgumentException("Mean: no values to average in " + x);
    }
    double scale = 1.0 / n;
    Tensor out = tape.output(x.requiresGrad(), shape);
    float[] xd = x.data();
    float[] od = out.data();
    for (int o = 0; o < outer; o++) {
      int base = o * n * inner;
      for (int i = 0; i < inner; i++) {
        double s = 0;
        for (int j = 0, idx = base + i; j < n; j++, idx += inner) {
          s += xd[idx];
        }
        od[o * inner + i] = (float) (s * scale); // y = Σ_j x_j / n
      }
    }
    if (out.requiresGrad()) {
      tape.record(new Mean(x, out, outer, n, inner, (float) scale));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] gx = x.grad();
    for (int o = 0, idx = 0; o < outer; o++) {
      for (int j = 0; j < n; j++) {
        for (int i = 0; i < inner; i++, idx++) {
          gx[idx] += g[o * inner + i] * scale; // dx_j = dy / n
        }
      }
    }
  }
}
