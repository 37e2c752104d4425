package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * Swaps the last two axes, {@code [..., m, n] → [..., n, m]}, into a new buffer:
 * {@code y[b, j, i] = x[b, i, j]}. Backward: {@code dx[b, i, j] = dy[b, j, i]}.
 */
public final class Transpose extends Op {

  private final Tensor x;
  private final Tensor out;
  private final int batch;
  private final int m;
  private final int n;

  private Transpose(Tensor x, Tensor out, int batch, int m, int n) {
    this.x = x;
    this.out = out;
    this.batch = batch;
    this.m = m;
    this.n = n;
  }

  public static Tensor apply(Tape tape, Tensor x) {
    if (x.rank() < 2) {
      throw new IllegalArgumentException("Transpose needs at least 2 dimensions, got " + x);
    }
    int[] shape = x.shape();
    int r = shape.length;
    int m = shape[r - 2];
    int n = shape[r - 1];
    int batch = m * n == 0 ? 0 : x.size() / (m * n);
    shape[r - 2] = n;
    shape[r - 1] = m;
    Tensor out = tape.output(x.requiresGrad(), shape);
    float[] xd = x.data();
    float[] y = out.data();
    for (int b = 0, base = 0; b < batch; b++, base += m * n) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          y[base + j * m + i] = xd[base + i * n + j]; // y[b,j,i] = x[b,i,j]
        }
      }
    }
    if (out.requiresGrad()) {
      tape.record(new Transpose(x, out, batch, m, n));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] gx = x.grad();
    for (int b = 0, base = 0; b < batch; b++, base += m * n) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          gx[base + i * n + j] += g[base + j * m + i]; // dx[b,i,j] = dy[b,j,i]
        }
      }
    }
  }
}
