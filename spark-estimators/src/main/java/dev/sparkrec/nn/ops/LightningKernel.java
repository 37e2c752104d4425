package dev.sparkrec.nn.ops;

/**
 * Causal linear attention with exponential decay for one head, in Lightning Attention-2's blocked form (Qin et al.
 * 2024; MiniMax-01): for queries, keys and values {@code q_t, k_t, v_t ∈ R^d}, t = 0..n−1, and decay
 * {@code λ ∈ (0, 1]},
 * <pre>
 *   o_t = Σ_{s ≤ t} λ^(t−s)·(q_t·k_s)·v_s          (dense form: O = [(QKᵀ) ⊙ D]·V, D_ts = λ^(t−s) for t ≥ s)
 *   kv_t = λ·kv_{t−1} + k_tᵀv_t,  o_t = q_t·kv_t    (recurrent form, a d × d state)
 * </pre>
 * computed block by block: within a block of {@code b ≤ blockSize} positions the masked, decayed
 * {@code (Q Kᵀ) ⊙ M} left product (O(b²d)); across blocks the state {@code KV} carried forward (O(bd²)), updated as
 * {@code KV ← λ^b·KV + Σ_j λ^(b−1−j)·k_jᵀv_j}. Time O(n·(blockSize·d + d²)), memory O(n·d + d²): no n × n matrix.
 *
 * <p>The backward pass is the same two sweeps (LA2 Algorithm 2): forward for {@code dQ} with the state {@code KV},
 * backward for {@code dK} and {@code dV} with {@code dKV = Σ_{t' after the block} λ^(t'−end)·q_{t'}ᵀdo_{t'}}.
 * Arithmetic is in double; arrays are row-major {@code [n, d]} at the given offsets. Stateless.
 */
public final class LightningKernel {

  private LightningKernel() {}

  /** {@code out[n, d] = } the decayed causal linear attention of {@code q, k, v} (overwritten, not added). */
  public static void forward(double[] q, double[] k, double[] v, int offset, int n, int d, double lambda,
      int blockSize, double[] out) {
    requireArguments(n, d, lambda, blockSize);
    double[] powers = powers(lambda, blockSize + 1);
    double[] kv = new double[d * d];
    for (int start = 0; start < n; start += blockSize) {
      int b = Math.min(blockSize, n - start);
      for (int i = 0; i < b; i++) {
        int qi = offset + (start + i) * d;
        int oi = offset + (start + i) * d;
        for (int c = 0; c < d; c++) {
          out[oi + c] = 0;
        }
        // intra: Σ_{j ≤ i} λ^(i−j)·(q_i·k_j)·v_j
        for (int j = 0; j <= i; j++) {
          int kj = offset + (start + j) * d;
          double a = 0;
          for (int c = 0; c < d; c++) {
            a += q[qi + c] * k[kj + c];
          }
          a *= powers[i - j];
          for (int c = 0; c < d; c++) {
            out[oi + c] += a * v[kj + c];
          }
        }
        // inter: λ^(i+1)·q_i·KV
        double decay = powers[i + 1];
        for (int r = 0; r < d; r++) {
          double qr = q[qi + r] * decay;
          if (qr == 0) {
            continue;
          }
          for (int c = 0; c < d; c++) {
            out[oi + c] += qr * kv[r * d + c];
          }
        }
      }
      advance(kv, k, v, offset + start * d, b, d, powers);
    }
  }

  /**
   * Adds the gradients of {@code out = forward(q, k, v)} for output gradient {@code dOut} into {@code dq}, {@code dk}
   * and {@code dv} (any may be null when not needed).
   */
  public static void backward(double[] q, double[] k, double[] v, double[] dOut, int offset, int n, int d,
      double lambda, int blockSize, double[] dq, double[] dk, double[] dv) {
    requireArguments(n, d, lambda, blockSize);
    double[] powers = powers(lambda, blockSize + 1);
    if (dq != null) {
      // forward sweep: dq_i = Σ_{j ≤ i in block} λ^(i−j)·(do_i·v_j)·k_j + λ^(i+1)·KV·do_i
      double[] kv = new double[d * d];
      for (int start = 0; start < n; start += blockSize) {
        int b = Math.min(blockSize, n - start);
        for (int i = 0; i < b; i++) {
          int ii = offset + (start + i) * d;
          for (int j = 0; j <= i; j++) {
            int jj = offset + (start + j) * d;
            double a = 0;
            for (int c = 0; c < d; c++) {
              a += dOut[ii + c] * v[jj + c];
            }
            a *= powers[i - j];
            for (int c = 0; c < d; c++) {
              dq[ii + c] += a * k[jj + c];
            }
          }
          double decay = powers[i + 1];
          for (int r = 0; r < d; r++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
              s += kv[r * d + c] * dOut[ii + c];
            }
            dq[ii + r] += decay * s;
          }
        }
        advance(kv, k, v, offset + start * d, b, d, powers);
      }
    }
    if (dk == null && dv == null) {
      return;
    }
    // reverse sweep: dKV carries Σ_{t' after the block} λ^(t'−end)·q_{t'}ᵀdo_{t'}
    double[] dkv = new double[d * d];
    int lastStart = ((n - 1) / blockSize) * blockSize;
    for (int start = lastStart; start >= 0; start -= blockSize) {
      int b = Math.min(blockSize, n - start);
      for (int j = 0; j < b; j++) {
        int jj = offset + (start + j) * d;
        for (int i = j; i < b; i++) {
          int ii = offset + (start + i) * d;
          double decay = powers[i - j];
          if (dk != null) {
            double a = 0; // do_i·v_j
            for (int c = 0; c < d; c++) {
              a += dOut[ii + c] * v[jj + c];
            }
            a *= decay;
            for (int c = 0; c < d; c++) {
              dk[jj + c] += a * q[ii + c];
            }
          }
          if (dv != null) {
            double a = 0; // q_i·k_j
            for (int c = 0; c < d; c++) {
              a += q[ii + c] * k[jj + c];
            }
            a *= decay;
            for (int c = 0; c < d; c++) {
              dv[jj + c] += a * dOut[ii + c];
            }
          }
        }
        double decay = powers[b - 1 - j];
        for (int r = 0; r < d; r++) {
          double sk = 0;
          double sv = 0;
          for (int c = 0; c < d; c++) {
            sk += dkv[r * d + c] * v[jj + c]; // (dKV·v_j)_r
            sv += k[jj + c] * dkv[c * d + r]; // (k_j·dKV)_r
          }
          if (dk != null) {
            dk[jj + r] += decay * sk;
          }
          if (dv != null) {
            dv[jj + r] += decay * sv;
          }
        }
      }
      // dKV ← λ^b·dKV + Σ_i λ^(i+1)·q_iᵀdo_i
      scale(dkv, powers[b]);
      for (int i = 0; i < b; i++) {
        int ii = offset + (start + i) * d;
        addOuter(dkv, q, ii, dOut, ii, d, powers[i + 1]);
      }
    }
  }

  /** The state past a block of {@code b} rows starting at {@code from}: {@code KV ← λ^b·KV + Σ_j λ^(b−1−j)·k_jᵀv_j}. */
  private static void advance(double[] kv, double[] k, double[] v, int from, int b, int d, double[] powers) {
    scale(kv, powers[b]);
    for (int j = 0; j < b; j++) {
      addOuter(kv, k, from + j * d, v, from + j * d, d, powers[b - 1 - j]);
    }
  }

  /** {@code λ^0 .. λ^(count−1)}. */
  private static double[] powers(double lambda, int count) {
    double[] p = new double[count];
    p[0] = 1;
    for (int i = 1; i < count; i++) {
      p[i] = p[i - 1] * lambda;
    }
    return p;
  }

  private static void scale(double[] m, double factor) {
    for (int i = 0; i < m.length; i++) {
      m[i] *= factor;
    }
  }

  /** {@code m += w·aᵀb} for rows {@code a[ao, ao + d)} and {@code b[bo, bo + d)}. */
  private static void addOuter(double[] m, double[] a, int ao, double[] b, int bo, int d, double w) {
    for (int r = 0; r < d; r++) {
      double ar = a[ao + r] * w;
      if (ar == 0) {
        continue;
      }
      for (int c = 0; c < d; c++) {
        m[r * d + c] += ar * b[bo + c];
      }
    }
  }

  private static void requireArguments(int n, int d, double lambda, int blockSize) {
    if (n < 0 || d < 1 || blockSize < 1 || !(lambda > 0 && lambda <= 1)) {
      throw new IllegalArgumentException("lightning attention needs n >= 0, d >= 1, blockSize >= 1 and a decay in "
          + "(0, 1], got n = " + n + ", d = " + d + ", blockSize = " + blockSize + ", decay = " + lambda);
    }
  }
}
