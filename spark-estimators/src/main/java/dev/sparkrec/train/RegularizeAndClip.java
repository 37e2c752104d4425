package dev.sparkrec.train;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.optim.GradientClipping;
import dev.sparkrec.nn.optim.L2Regularization;
import java.util.Arrays;
import java.util.List;

/**
 * The gradient transform SparkRec's models use, in the order the references apply it: add the L2 penalty's
 * gradient (λ·θ on dense weights, except parameters whose names end with an excluded suffix such as
 * {@code .bias}; λ_emb·θ on the embedding rows the batch touched), then clip every element to
 * {@code [−clipValue, clipValue]} (AFN's reference clips to [−1, 1] before Adam), then rescale to
 * {@code maxGlobalNorm}. A zero setting turns its step off.
 */
public final class RegularizeAndClip implements GradientTransform {

  private static final long serialVersionUID = 1L;

  private final double denseL2;
  private final double embeddingL2;
  private final String[] unregularizedSuffixes;
  private final double clipValue;
  private final double maxGlobalNorm;

  public RegularizeAndClip(double denseL2, double embeddingL2, String[] unregularizedSuffixes, double clipValue,
      double maxGlobalNorm) {
    if (denseL2 < 0 || embeddingL2 < 0 || clipValue < 0 || maxGlobalNorm < 0) {
      throw new IllegalArgumentException("L2 weights and clipping limits must be >= 0 (0 = off), got denseL2="
          + denseL2 + ", embeddingL2=" + embeddingL2 + ", clipValue=" + clipValue + ", maxGlobalNorm=" + maxGlobalNorm);
    }
    this.denseL2 = denseL2;
    this.embeddingL2 = embeddingL2;
    this.unregularizedSuffixes = unregularizedSuffixes.clone();
    this.clipValue = clipValue;
    this.maxGlobalNorm = maxGlobalNorm;
  }

  @Override
  public void apply(List<Parameter> parameters) {
    if (denseL2 > 0 || embeddingL2 > 0) {
      new L2Regularization(denseL2, embeddingL2, L2Regularization.namesNotEndingWith(unregularizedSuffixes))
          .addTo(parameters);
    }
    if (clipValue > 0) {
      GradientClipping.clipByValue(parameters, clipValue);
    }
    if (maxGlobalNorm > 0) {
      GradientClipping.clipByGlobalNorm(parameters, maxGlobalNorm);
    }
  }

  @Override
  public String toString() {
    return "RegularizeAndClip(denseL2=" + denseL2 + ", embeddingL2=" + embeddingL2 + ", unregularized="
        + Arrays.toString(unregularizedSuffixes) + ", clipValue=" + clipValue + ", maxGlobalNorm=" + maxGlobalNorm + ")";
  }
}
