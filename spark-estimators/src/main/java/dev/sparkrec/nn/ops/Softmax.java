package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * Softmax along one axis: {@code y_j = e^{x_j − max x} / Σ_k e^{x_k − max x}} (subtracting the maximum keeps it
 * finite for large inputs). Backward: {@code dx_j = y_j·(dy_j − Σ_k dy_k·y_k)}.
 */
public final class Softmax extends Op {

  private final Tensor x;
  private final Tensor out;
  private final int outer;
  private final int n;
  private final int inner;

  private Softmax(Tensor x, Tensor out, int outer, int n, int inner) {
    this.x = x;
    this.out = out;
    this.outer = outer;
    this.n = n;
    this.inner = inner;
  }

  /** Softmax along {@code axis} (negative counts from the end); the output has {@code x}'s shape. */
  public static Tensor apply(Tape tape, Tensor x, int axis) {
    int a = Shapes.axis("Softmax", x, axis);
    int[] shape = x.shape();
    int outer = Shapes.outer(shape, a);
    int n = shape[a];
    int inner = Shapes.inner(shape, a);
    Tensor out = tape.output(x.requiresGrad(), shape);
    float[] xd = x.data();
    float[] y = out.data();
    for (int o = 0; o < outer; o++) {
      int base = o * n * inner;
      for (int i = 0; i < inner; i++) {
        int first = base + i;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0, idx = first; j < n; j++, idx += inner) {
          max = Math.max(max, xd[idx]);
        }
        double sum = 0;
        for (int j = 0, idx = first; j < n; j++, idx += inner) {
          float e = (float) Math.exp(xd[idx] - max);
          y[idx] = e;
          sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0, idx = first; j < n; j++, idx += inner) {
          y[idx] *= inv; // y_j = e^{x_j − max} / Σ_k e^{x_k − max}
        }
      }
    }
    if (out.requiresGrad()) {
      tape.record(new Softmax(x, out, outer, n, inner));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] y = out.data();
    float[] gx = x.grad();
    for (int o = 0; o < outer; o++) {
      int base = o * n * inner;
      for (int i = 0; i < inner; i++) {
        int first = base + i;
        double dot = 0;
        for (int j = 0, idx = first; j < n; j++, idx += inner) {
          dot += g[idx] * y[idx];
        }
        float d = (float) dot;
        for (int j = 0, idx = first; j < n; j++, idx += inner) {
          gx[idx] += y[idx] * (g[idx] - d); // dx_j = y_j·(dy_j − Σ_k dy_k·y_k)
        }
      }
    }
  }
}
