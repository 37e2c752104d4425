package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * The sum of all elements ({@code [1]}) or along one axis (that axis removed, e.g. {@code [B,K,F]} over axis
 * 1 gives {@code [B,F]}): {@code y = c·Σ x} over the {@code n} reduced values, accumulated in double, with
 * {@code c = 1} ({@link Mean} uses {@code c = 1/n}). Backward: {@code dx_j = c·dy} for every reduced element.
 */
public final class Sum extends Op {

  private final Tensor x;
  private final Tensor out;
  private final int outer;
  private final int n;
  private final int inner;
  private final float scale;

  private Sum(Tensor x, Tensor out, int outer, int n, int inner, float scale) {
    this.x = x;
    this.out = out;
    this.outer = outer;
    this.n = n;
    this.inner = inner;
    this.scale = scale;
  }

  /** The sum of every element, shape {@code [1]}. */
  public static Tensor apply(Tape tape, Tensor x) {
    return reduce(tape, x, 1, x.size(), 1, new int[] {1}, 1.0);
  }

  /** The sum along {@code axis} (negative counts from the end); the output drops that axis. */
  public static Tensor apply(Tape tape, Tensor x, int axis) {
    return reduceAxis("Sum", tape, x, axis, false);
  }

  /** Sum ({@code mean = false}) or mean along {@code axis}; {@code op} names the caller in errors. */
  static Tensor reduceAxis(String op, Tape tape, Tensor x, int axis, boolean mean) {
    int a = Shapes.axis(op, x, axis);
    int[] shape = x.shape();
    int n = shape[a];
    if (mean && n == 0) {
      throw new IllegalArgumentException(op + ": no values to average in " + x);
    }
    return reduce(tape, x, Shapes.outer(shape, a), n, Shapes.inner(shape, a), Shapes.without(shape, a),
        mean ? 1.0 / n : 1.0);
  }

  /** {@code c·Σ} over {@code n} values spaced {@code inner} apart, for each of {@code outer × inner} outputs. */
  static Tensor reduce(Tape tape, Tensor x, int outer, int n, int inner, int[] shape, double scale) {
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
        od[o * inner + i] = (float) (s * scale); // y = c·Σ_j x_j
      }
    }
    if (out.requiresGrad()) {
      tape.record(new Sum(x, out, outer, n, inner, (float) scale));
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
          gx[idx] += g[o * inner + i] * scale; // dx_j = c·dy
        }
      }
    }
  }
}
