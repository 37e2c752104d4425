package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * Lightning attention over one sequence: per head {@code h}, causal linear attention with decay {@code λ_h}
 * ({@link LightningKernel}, blocked, linear in the length), for queries, keys and values of shape
 * {@code [heads, n, d]} ({@link #apply}) or token-major {@code [n, heads·d]} ({@link #applyTokenMajor}); the output
 * has the same shape. {@link #applySegments} runs it over several sequences stored back to back, token-major, each
 * attending only within itself (a batch of histories of different lengths). The decays are constants (MiniMax-01's are fixed ALiBi-style
 * slopes, {@link #decays}), so no gradient flows to them. Computed in double per head.
 */
public final class LightningAttention extends Op {

  private final Tensor q;
  private final Tensor k;
  private final Tensor v;
  private final Tensor out;
  private final double[] decays;
  private final int blockSize;
  private final Layout layout;

  private LightningAttention(Tensor q, Tensor k, Tensor v, Tensor out, double[] decays, int blockSize,
      Layout layout) {
    this.q = q;
    this.k = k;
    this.v = v;
    this.out = out;
    this.decays = decays;
    this.blockSize = blockSize;
    this.layout = layout;
  }

  /**
   * Where head {@code h}'s row {@code t} starts: head-major {@code [heads, n, d]} or token-major
   * {@code [n, heads·d]} (the heads side by side, as a projection writes them).
   */
  private record Layout(int heads, int n, int d, boolean tokenMajor, int[] segments) {
    int index(int h, int t) {
      return tokenMajor ? (t * heads + h) * d : (h * n + t) * d;
    }

    void gather(float[] from, int h, double[] to) {
      for (int t = 0; t < n; t++) {
        int at = index(h, t);
        for (int c = 0; c < d; c++) {
          to[t * d + c] = from[at + c];
        }
      }
    }
  }

  /** The attention of {@code q, k, v} ({@code [heads, n, d]}) with one decay in (0, 1] per head. */
  public static Tensor apply(Tape tape, Tensor q, Tensor k, Tensor v, double[] decays, int blockSize) {
    if (q.rank() != 3) {
      throw new IllegalArgumentException("LightningAttention needs q, k, v of shape [heads, n, d], got " + q);
    }
    return apply(tape, q, k, v, decays, blockSize,
        new Layout(q.dim(0), q.dim(1), q.dim(2), false, new int[] {0, q.dim(1)}));
  }

  /**
   * The attention of token-major {@code q, k, v} ({@code [n, heads·d]}: each row the heads' {@code d}-wide slices
   * side by side, as a projection writes them), {@code heads = decays.length}; the output has the same layout.
   */
  public static Tensor applyTokenMajor(Tape tape, Tensor q, Tensor k, Tensor v, double[] decays, int blockSize) {
    if (q.rank() != 2 || decays.length == 0 || q.cols() % decays.length != 0) {
      throw new IllegalArgumentException("LightningAttention needs token-major q, k, v of shape [n, heads·d] with "
          + "one decay per head, got " + q + " and " + decays.length + " decays");
    }
    return applySegments(tape, q, k, v, decays, blockSize, new int[] {0, q.rows()});
  }

  /**
   * The attention of token-major {@code q, k, v} ({@code [T, heads·d]}) holding sequences back to back: sequence
   * {@code s} is rows {@code [offsets[s], offsets[s+1])} (non-decreasing offsets from 0 to T; empty sequences
   * allowed) and attends only to itself. Same as {@link #applyTokenMajor} on each sequence alone.
   */
  public static Tensor applySegments(Tape tape, Tensor q, Tensor k, Tensor v, double[] decays, int blockSize,
      int[] offsets) {
    if (q.rank() != 2 || decays.length == 0 || q.cols() % decays.length != 0) {
      throw new IllegalArgumentException("LightningAttention needs token-major q, k, v of shape [n, heads·d] with "
          + "one decay per head, got " + q + " and " + decays.length + " decays");
    }
    requireSegments(offsets, q.rows());
    return apply(tape, q, k, v, decays, blockSize,
        new Layout(decays.length, q.rows(), q.cols() / decays.length, true, offsets.clone()));
  }

  /** The length of the longest segment that {@code offsets} cut. */
  static int longestSegment(int[] offsets) {
    int longest = 0;
    for (int s = 0; s + 1 < offsets.length; s++) {
      longest = Math.max(longest, offsets[s + 1] - offsets[s]);
    }
    return longest;
  }

  /** Checks that {@code offsets} cut {@code rows} rows into consecutive segments: 0 = o_0 <= o_1 <= ... = rows. */
  static void requireSegments(int[] offsets, int rows) {
    boolean ok = offsets.length >= 2 && offsets[0] == 0 && offsets[offsets.length - 1] == rows;
    for (int s = 1; ok && s < offsets.length; s++) {
      ok = offsets[s] >= offsets[s - 1];
    }
    if (!ok) {
      throw new IllegalArgumentException("segment offsets must rise from 0 to the " + rows + " rows, got "
          + java.util.Arrays.toString(offsets));
    }
  }

  private static Tensor apply(Tape tape, Tensor q, Tensor k, Tensor v, double[] decays, int blockSize,
      Layout layout) {
    if (!java.util.Arrays.equals(q.shape(), k.shape()) || !java.util.Arrays.equals(q.shape(), v.shape())
        || decays.length != layout.heads()) {
      throw new IllegalArgumentException("LightningAttention needs q, k, v of one shape and one decay per head, got "
          + q + ", " + k + ", " + v + " and " + decays.length + " decays");
    }
    int n = layout.n();
    int d = layout.d();
    Tensor out = tape.output(q.requiresGrad() || k.requiresGrad() || v.requiresGrad(), q.shape());
    int size = n * d;
    double[] qh = new double[size];
    double[] kh = new double[size];
    double[] vh = new double[size];
    double[] oh = new double[size];
    float[] o = out.data();
    for (int h = 0; h < layout.heads(); h++) {
      layout.gather(q.data(), h, qh);
      layout.gather(k.data(), h, kh);
      layout.gather(v.data(), h, vh);
      int[] seg = layout.segments();
      for (int s = 0; s + 1 < seg.length; s++) {
        LightningKernel.forward(qh, kh, vh, seg[s] * d, seg[s + 1] - seg[s], d, decays[h], blockSize, oh);
      }
      for (int t = 0; t < n; t++) {
        int at = layout.index(h, t);
        for (int c = 0; c < d; c++) {
          o[at + c] = (float) oh[t * d + c];
        }
      }
    }
    if (out.requiresGrad()) {
      tape.record(new LightningAttention(q, k, v, out, decays.clone(), blockSize, layout));
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
    int n = layout.n();
    int d = layout.d();
    int size = n * d;
    double[] qh = new double[size];
    double[] kh = new double[size];
    double[] vh = new double[size];
    double[] gh = new double[size];
    double[] dq = q.requiresGrad() ? new double[size] : null;
    double[] dk = k.requiresGrad() ? new double[size] : null;
    double[] dv = v.requiresGrad() ? new double[size] : null;
    for (int h = 0; h < layout.heads(); h++) {
      layout.gather(q.data(), h, qh);
      layout.gather(k.data(), h, kh);
      layout.gather(v.data(), h, vh);
      layout.gather(out.grad(), h, gh);
      clear(dq);
      clear(dk);
      clear(dv);
      int[] seg = layout.segments();
      for (int s = 0; s + 1 < seg.length; s++) {
        LightningKernel.backward(qh, kh, vh, gh, seg[s] * d, seg[s + 1] - seg[s], d, decays[h], blockSize, dq, dk,
            dv);
      }
      addInto(q, dq, h);
      addInto(k, dk, h);
      addInto(v, dv, h);
    }
  }

  private static void clear(double[] a) {
    if (a != null) {
      java.util.Arrays.fill(a, 0);
    }
  }

  private void addInto(Tensor t, double[] grad, int h) {
    if (grad == null) {
      return;
    }
    float[] g = t.grad();
    int d = layout.d();
    for (int r = 0; r < layout.n(); r++) {
      int at = layout.index(h, r);
      for (int c = 0; c < d; c++) {
        g[at + c] += (float) grad[r * d + c];
      }
    }
  }
}
