package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * Lightning attention over one sequence: per head {@code h}, causal linear attention with decay {@code λ_h}
 * ({@link LightningKernel}, blocked, linear in the length), for queries, keys and values of shape
 * {@code [heads, n, d]}; the output has the same shape. The decays are constants (MiniMax-01's are fixed ALiBi-style
 * slopes, {@link #decays}), so no gradient flows to them. Computed in double per head.
 */
public final class LightningAttention extends Op {

  private final Tensor q;
  private final Tensor k;
  private final Tensor v;
  private final Tensor out;
  private final double[] decays;
  private final int blockSize;

  private LightningAttention(Tensor q, Tensor k, Tensor v, Tensor out, double[] decays, int blockSize) {
    this.q = q;
    this.k = k;
    this.v = v;
    this.out = out;
    this.decays = decays;
    this.blockSize = blockSize;
  }

  /** The attention of {@code q, k, v} ({@code [heads, n, d]}) with one decay in (0, 1] per head. */
  public static Tensor apply(Tape tape, Tensor q, Tensor k, Tensor v, double[] decays, int blockSize) {
    if (q.rank() != 3 || !java.util.Arrays.equals(q.shape(), k.shape()) || !java.util.Arrays.equals(q.shape(),
        v.shape()) || decays.length != q.dim(0)) {
      throw new IllegalArgumentException("LightningAttention needs q, k, v of one shape [heads, n, d] and one decay "
          + "per head, got " + q + ", " + k + ", " + v + " and " + decays.length + " decays");
    }
    int heads = q.dim(0);
    int n = q.dim(1);
    int d = q.dim(2);
    Tensor out = tape.output(q.requiresGrad() || k.requiresGrad() || v.requiresGrad(), heads, n, d);
    int size = n * d;
    double[] qh = new double[size];
    double[] kh = new double[size];
    double[] vh = new double[size];
    double[] oh = new double[size];
    for (int h = 0; h < heads; h++) {
      copy(q.data(), h * size, qh);
      copy(k.data(), h * size, kh);
      copy(v.data(), h * size, vh);
      LightningKernel.forward(qh, kh, vh, 0, n, d, decays[h], blockSize, oh);
      float[] o = out.data();
      for (int i = 0; i < size; i++) {
        o[h * size + i] = (float) oh[i];
      }
    }
    if (out.requiresGrad()) {
      tape.record(new LightningAttention(q, k, v, out, decays.clone(), blockSize));
    }
    return out;
  }

  /**
   * MiniMax-01's decays {@code λ_h = exp(−s_h·(1 − layer/(layers − 1) + 1e-5))} with ALiBi slopes
   * {@code s_h = 2^(−8h/heads)}, h = 1..heads (heads a power of two), for lightning layer {@code layer} of
   * {@code layers} (0-based, counted over all layers; one layer: the slopes unscaled).
   */
  public static double[] decays(int heads, int layer, int layers) {
    if (heads < 1 || Integer.bitCount(heads) != 1 || layer < 0 || layer >= layers) {
      throw new IllegalArgumentException("decays need a power-of-two number of heads and 0 <= layer < layers, got "
          + heads + " heads, layer " + layer + " of " + layers);
    }
    double depth = layers == 1 ? 1 : 1 - (double) layer / (layers - 1) + 1e-5;
    double[] out = new double[heads];
    for (int h = 1; h <= heads; h++) {
      out[h - 1] = Math.exp(-Math.pow(2, -8.0 * h / heads) * depth);
    }
    return out;
  }

  @Override
  protected void backward() {
    int heads = q.dim(0);
    int n = q.dim(1);
    int d = q.dim(2);
    int size = n * d;
    double[] qh = new double[size];
    double[] kh = new double[size];
    double[] vh = new double[size];
    double[] gh = new double[size];
    double[] dq = q.requiresGrad() ? new double[size] : null;
    double[] dk = k.requiresGrad() ? new double[size] : null;
    double[] dv = v.requiresGrad() ? new double[size] : null;
    for (int h = 0; h < heads; h++) {
      copy(q.data(), h * size, qh);
      copy(k.data(), h * size, kh);
      copy(v.data(), h * size, vh);
      copy(out.grad(), h * size, gh);
      clear(dq);
      clear(dk);
      clear(dv);
      LightningKernel.backward(qh, kh, vh, gh, 0, n, d, decays[h], blockSize, dq, dk, dv);
      addInto(q, dq, h * size);
      addInto(k, dk, h * size);
      addInto(v, dv, h * size);
    }
  }

  private static void copy(float[] from, int offset, double[] to) {
    for (int i = 0; i < to.length; i++) {
      to[i] = from[offset + i];
    }
  }

  private static void clear(double[] a) {
    if (a != null) {
      java.util.Arrays.fill(a, 0);
    }
  }

  private static void addInto(Tensor t, double[] grad, int offset) {
    if (grad == null) {
      return;
    }
    float[] g = t.grad();
    for (int i = 0; i < grad.length; i++) {
      g[offset + i] += (float) grad[i];
    }
  }
}
