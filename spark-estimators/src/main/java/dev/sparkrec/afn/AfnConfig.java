package dev.sparkrec.afn;

import dev.sparkrec.nn.embedding.EmbeddingLayout;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * The sizes of an {@link AfnNetwork}: the AFN (Adaptive Factorization Network, Cheng et al., AAAI'20) and, for AFN+,
 * its DNN branch. Built from a stage's params by {@link #from}, the one mapping that {@code AFN.fit} and the model
 * reader share; the meaning and default of each size is documented on its param ({@link AfnParams}). Immutable;
 * the constructor validates every value and fails naming it.
 *
 * @param numFeatures rows of the embedding tables: every feature id is in [0, numFeatures) (> 0)
 * @param numFields feature ids (fields) per example (> 0)
 * @param batchNormMomentum weight of the old value in the batch-norm running statistics,
 *     {@code running = momentum·running + (1 − momentum)·batch}, in [0, 1]
 * @param embeddingLayout how the embedding tables ({@code afn.embedding}, and {@code dnn.embedding} for AFN+) are
 *     stored and looked up ({@link EmbeddingLayout#uniform()}: one full table each)
 */
public record AfnConfig(int numFeatures, int numFields, int embeddingDim, int logNeurons, int[] hiddenLayers,
    double dropout, boolean batchNorm, double logEpsilon, boolean ensemble, int[] dnnHiddenLayers, double dnnDropout,
    long seed, double batchNormMomentum, EmbeddingLayout embeddingLayout) implements Serializable {

  /** The reference's batch-norm momentum: TensorFlow's decay 0.9 (PyTorch's momentum 0.1). */
  public static final double REFERENCE_BATCH_NORM_MOMENTUM = 0.9;

  public AfnConfig {
    require(numFeatures > 0, "numFeatures must be > 0 (the size of the feature vocabulary), got " + numFeatures);
    require(numFields > 0, "numFields must be > 0 (feature ids per example), got " + numFields);
    require(embeddingDim > 0, "embeddingDim must be > 0, got " + embeddingDim);
    require(logNeurons > 0, "logNeurons must be > 0, got " + logNeurons);
    hiddenLayers = requireSizes("hiddenLayers", hiddenLayers);
    require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
    require(logEpsilon > 0 && !Double.isInfinite(logEpsilon), "logEpsilon must be positive and finite, got "
        + logEpsilon);
    dnnHiddenLayers = requireSizes("dnnHiddenLayers", dnnHiddenLayers);
    require(dnnDropout >= 0 && dnnDropout < 1, "dnnDropout must be in [0, 1), got " + dnnDropout);
    require(batchNormMomentum >= 0 && batchNormMomentum <= 1, "batchNormMomentum must be in [0, 1], got "
        + batchNormMomentum);
    require(embeddingLayout != null, "embeddingLayout must not be null (EmbeddingLayout.uniform() for full tables)");
    requireArraySize("the embedding tables (numFeatures × embeddingDim = " + numFeatures + " × " + embeddingDim + ")",
        (long) numFeatures * embeddingDim);
    requireArraySize("the logarithmic layer's output (embeddingDim × logNeurons = " + embeddingDim + " × "
        + logNeurons + ")", (long) embeddingDim * logNeurons);
  }

  /** A configuration with full embedding tables (the uniform layout). */
  public AfnConfig(int numFeatures, int numFields, int embeddingDim, int logNeurons, int[] hiddenLayers,
      double dropout, boolean batchNorm, double logEpsilon, boolean ensemble, int[] dnnHiddenLayers,
      double dnnDropout, long seed, double batchNormMomentum) {
    this(numFeatures, numFields, embeddingDim, logNeurons, hiddenLayers, dropout, batchNorm, logEpsilon, ensemble,
        dnnHiddenLayers, dnnDropout, seed, batchNormMomentum, EmbeddingLayout.uniform());
  }

  /**
   * The configuration {@code params} describe for {@code numFeatures} ids in {@code numFields} fields, with full
   * embedding tables.
   */
  public static AfnConfig from(AfnParams params, int numFeatures, int numFields) {
    return from(params, numFeatures, numFields, EmbeddingLayout.uniform());
  }

  /** The configuration {@code params} describe, with its embedding tables built by {@code layout}. */
  public static AfnConfig from(AfnParams params, int numFeatures, int numFields, EmbeddingLayout layout) {
    return new AfnConfig(numFeatures, numFields, params.getEmbeddingDim(), params.getLogNeurons(),
        params.getHiddenLayers(), params.getDropout(), params.getBatchNorm(), params.getLogEpsilon(),
        params.getEnsemble(), params.getDnnHiddenLayers(), params.getDnnDropout(), params.getSeed(),
        REFERENCE_BATCH_NORM_MOMENTUM, layout);
  }

  /** This configuration with another batch-norm momentum (not a param: the reference fixes it). */
  public AfnConfig withBatchNormMomentum(double momentum) {
    return new AfnConfig(numFeatures, numFields, embeddingDim, logNeurons, hiddenLayers, dropout, batchNorm,
        logEpsilon, ensemble, dnnHiddenLayers, dnnDropout, seed, momentum, embeddingLayout);
  }

  /** This configuration with its embedding tables built by {@code layout}. */
  public AfnConfig withEmbeddingLayout(EmbeddingLayout layout) {
    return new AfnConfig(numFeatures, numFields, embeddingDim, logNeurons, hiddenLayers, dropout, batchNorm,
        logEpsilon, ensemble, dnnHiddenLayers, dnnDropout, seed, batchNormMomentum, layout);
  }

  /** A copy of the AFN hidden layer sizes. */
  @Override
  public int[] hiddenLayers() {
    return hiddenLayers.clone();
  }

  /** A copy of the DNN branch's hidden layer sizes (used by AFN+ only). */
  @Override
  public int[] dnnHiddenLayers() {
    return dnnHiddenLayers.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AfnConfig c && numFeatures == c.numFeatures && numFields == c.numFields
        && embeddingDim == c.embeddingDim && logNeurons == c.logNeurons && Arrays.equals(hiddenLayers, c.hiddenLayers)
        && Double.compare(dropout, c.dropout) == 0 && batchNorm == c.batchNorm
        && Double.compare(logEpsilon, c.logEpsilon) == 0 && ensemble == c.ensemble
        && Arrays.equals(dnnHiddenLayers, c.dnnHiddenLayers) && Double.compare(dnnDropout, c.dnnDropout) == 0
        && seed == c.seed && Double.compare(batchNormMomentum, c.batchNormMomentum) == 0
        && embeddingLayout.equals(c.embeddingLayout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(numFeatures, numFields, embeddingDim, logNeurons, Arrays.hashCode(hiddenLayers), dropout,
        batchNorm, logEpsilon, ensemble, Arrays.hashCode(dnnHiddenLayers), dnnDropout, seed, batchNormMomentum,
        embeddingLayout);
  }

  @Override
  public String toString() {
    return "AfnConfig[numFeatures=" + numFeatures + ", numFields=" + numFields + ", embeddingDim=" + embeddingDim
        + ", logNeurons=" + logNeurons + ", hiddenLayers=" + Arrays.toString(hiddenLayers) + ", dropout=" + dropout
        + ", batchNorm=" + batchNorm + ", logEpsilon=" + logEpsilon + ", ensemble=" + ensemble
        + ", dnnHiddenLayers=" + Arrays.toString(dnnHiddenLayers) + ", dnnDropout=" + dnnDropout + ", seed=" + seed
        + ", batchNormMomentum=" + batchNormMomentum + ", embeddingLayout=" + embeddingLayout + "]";
  }

  private static int[] requireSizes(String name, int[] sizes) {
    Objects.requireNonNull(sizes, name + " must not be null");
    for (int s : sizes) {
      require(s > 0, name + " must all be > 0, got " + Arrays.toString(sizes));
    }
    return sizes.clone();
  }

  private static void requireArraySize(String what, long size) {
    require(size <= Integer.MAX_VALUE, what + " has " + size + " elements, more than an array can hold ("
        + Integer.MAX_VALUE + "); lower the sizes");
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
