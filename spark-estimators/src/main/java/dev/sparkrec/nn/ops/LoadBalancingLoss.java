package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * MiniMax-01's auxiliary load-balancing loss of a top-{@code k} router (GShard style):
 * {@code L = α·(1/E)·Σ_i f_i·m_i} for router logits {@code z} of shape {@code [tokens, E]}, where {@code f_i} is the
 * fraction of tokens routed to expert {@code i} among their top {@code k} ({@link TopKGates#selected}; Σ f = k) and
 * {@code m_i} the mean over tokens of the softmax probability {@code p_ti}. {@code f} is a count, so the gradient
 * flows through {@code m} only: {@code dz_tj = (α/(E·T))·p_tj·(f_j − Σ_i f_i·p_ti)}.
 */
public final class LoadBalancingLoss extends Op {

  private final Tensor z;
  private final Tensor out;
  private final double[] probabilities;
  private final double[] fractions;
  private final double alpha;

  private LoadBalancingLoss(Tensor z, Tensor out, double[] probabilities, double[] fractions, double alpha) {
    this.z = z;
    this.out = out;
    this.probabilities = probabilities;
    this.fractions = fractions;
    this.alpha = alpha;
  }

  /** The one-element loss of router logits {@code z} ({@code [tokens, experts]}) for top-{@code k} routing. */
  public static Tensor apply(Tape tape, Tensor z, int k, double alpha) {
    if (z.rank() != 2 || z.rows() < 1 || k < 1 || k > z.cols()) {
      throw new IllegalArgumentException("LoadBalancingLoss needs logits [tokens >= 1, experts] and 1 <= k <= "
          + "experts, got " + z + " and k = " + k);
    }
    int tokens = z.rows();
    int experts = z.cols();
    double[] p = new double[tokens * experts];
    float[] zd = z.data();
    for (int t = 0; t < tokens; t++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int e = 0; e < experts; e++) {
        max = Math.max(max, zd[t * experts + e]);
      }
      double sum = 0;
      for (int e = 0; e < experts; e++) {
        p[t * experts + e] = Math.exp(zd[t * experts + e] - max);
        sum += p[t * experts + e];
      }
      for (int e = 0; e < experts; e++) {
        p[t * experts + e] /= sum;
      }
    }
    double[] f = new double[experts];
    for (int chosen : TopKGates.selected(z, k)) {
      f[chosen] += 1.0 / tokens;
    }
    double loss = 0;
    for (int e = 0; e < experts; e++) {
      double m = 0;
      for (int t = 0; t < tokens; t++) {
        m += p[t * experts + e];
      }
      loss += f[e] * m / tokens; // f_i·m_i
    }
    Tensor out = tape.output(z.requiresGrad(), 1);
    out.data()[0] = (float) (alpha * loss / experts);
    if (out.requiresGrad()) {
      tape.record(new LoadBalancingLoss(z, out, p, f, alpha));
    }
    return out;
  }

  @Override
  protected void backward() {
    int tokens = z.rows();
    int experts = z.cols();
    double scale = out.grad()[0] * alpha / ((double) experts * tokens);
    float[] dz = z.grad();
    for (int t = 0; t < tokens; t++) {
      double mean = 0; // Σ_i f_i·p_ti
      for (int e = 0; e < experts; e++) {
        mean += fractions[e] * probabilities[t * experts + e];
      }
      for (int e = 0; e < experts; e++) {
        double pe = probabilities[t * experts + e];
        dz[t * experts + e] += (float) (scale * pe * (fractions[e] - mean));
      }
    }
  }
}
