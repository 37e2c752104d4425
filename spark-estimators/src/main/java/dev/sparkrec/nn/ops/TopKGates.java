package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * Mixture-of-experts routing: for router logits {@code z} of shape {@code [tokens, experts]}, each token's
 * {@code k} largest logits {@code S} (ties to the lower expert index) get the softmax renormalised over them,
 * {@code g_i = e^{z_i} / Σ_{j∈S} e^{z_j}} (= softmax over all experts, kept on the top k and rescaled to sum 1, as
 * MiniMax-01 and Mixtral route), and every other expert 0. Backward: the softmax Jacobian on {@code S},
 * {@code dz_i = g_i·(dg_i − Σ_{j∈S} g_j·dg_j)}, 0 elsewhere. {@link #selected} gives the chosen experts.
 */
public final class TopKGates extends Op {

  private final Tensor z;
  private final Tensor out;
  private final int[] chosen;
  private final int k;

  private TopKGates(Tensor z, Tensor out, int[] chosen, int k) {
    this.z = z;
    this.out = out;
    this.chosen = chosen;
    this.k = k;
  }

  /** The gates {@code [tokens, experts]} of router logits {@code z}, {@code k} non-zero per token. */
  public static Tensor apply(Tape tape, Tensor z, int k) {
    int experts = z.cols();
    int tokens = z.rows();
    if (z.rank() != 2 || k < 1 || k > experts) {
      throw new IllegalArgumentException("TopKGates needs logits [tokens, experts] and 1 <= k <= experts, got " + z
          + " and k = " + k);
    }
    int[] chosen = selected(z, k);
    Tensor out = tape.output(z.requiresGrad(), tokens, experts);
    float[] zd = z.data();
    float[] gd = out.data();
    for (int t = 0; t < tokens; t++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int s = 0; s < k; s++) {
        max = Math.max(max, zd[t * experts + chosen[t * k + s]]);
      }
      double sum = 0;
      for (int s = 0; s < k; s++) {
        sum += Math.exp(zd[t * experts + chosen[t * k + s]] - max);
      }
      for (int s = 0; s < k; s++) {
        int i = t * experts + chosen[t * k + s];
        gd[i] = (float) (Math.exp(zd[i] - max) / sum);
      }
    }
    if (out.requiresGrad()) {
      tape.record(new TopKGates(z, out, chosen, k));
    }
    return out;
  }

  /** The {@code k} experts of each token with the largest logits, best first: {@code [tokens × k]}. */
  public static int[] selected(Tensor z, int k) {
    int experts = z.cols();
    int tokens = z.rows();
    float[] zd = z.data();
    int[] chosen = new int[tokens * k];
    for (int t = 0; t < tokens; t++) {
      for (int s = 0; s < k; s++) {
        int best = -1;
        for (int e = 0; e < experts; e++) {
          boolean taken = false;
          for (int p = 0; p < s; p++) {
            taken |= chosen[t * k + p] == e;
          }
          if (!taken && (best < 0 || zd[t * experts + e] > zd[t * experts + best])) {
            best = e;
          }
        }
        chosen[t * k + s] = best;
      }
    }
    return chosen;
  }

  @Override
  protected void backward() {
    if (!z.requiresGrad()) {
      return;
    }
    int experts = z.cols();
    float[] g = out.data();
    float[] dg = out.grad();
    float[] dz = z.grad();
    for (int t = 0; t < z.rows(); t++) {
      double dot = 0;
      for (int s = 0; s < k; s++) {
        int i = t * experts + chosen[t * k + s];
        dot += (double) g[i] * dg[i];
      }
      for (int s = 0; s < k; s++) {
        int i = t * experts + chosen[t * k + s];
        dz[i] += (float) (g[i] * (dg[i] - dot)); // g_i·(dg_i − Σ_j g_j dg_j)
      }
    }
  }
}
