package dev.sparkrec.seq;

import dev.sparkrec.nn.embedding.EmbeddingLayout;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * The sizes of a {@link LightningSeqNetwork} and how its embedding table is stored. Built from a stage's params by
 * {@link #from}, the one mapping {@code LightningSeq.fit} and the model reader share; the meaning and default of
 * each value is documented on its param ({@link LightningSeqParams}). Immutable; the constructor validates every
 * value and fails naming it.
 *
 * @param numFeatures rows of the embedding table: every target and history id is in [0, numFeatures) (> 0)
 * @param numFields target feature ids per example (> 0)
 * @param embeddingDim the width of every embedding and of the sequence layers (> 0, a multiple of numHeads)
 * @param numLayers sequence layers (>= 0)
 * @param numHeads attention heads per layer (a power of two dividing embeddingDim)
 * @param softmaxEvery lightning layers before each softmax layer (>= 0; 0: none)
 * @param blockSize lightning attention's tile size (> 0)
 * @param numExperts experts per MoE layer (> 0)
 * @param topK experts per event (1 to numExperts)
 * @param expertHiddenDim hidden size of each expert (> 0)
 * @param auxLossWeight weight of the load-balancing loss (>= 0)
 * @param hiddenLayers sizes of the prediction MLP's ReLU layers (each > 0; may be empty)
 * @param pooling "attention" or "mean"
 * @param maxHistory most recent events kept (>= 0; 0: all)
 * @param seed seeds every initial weight
 * @param embeddingLayout how the embedding table is stored
 */
public record LightningSeqConfig(int numFeatures, int numFields, int embeddingDim, int numLayers, int numHeads,
    int softmaxEvery, int blockSize, int numExperts, int topK, int expertHiddenDim, double auxLossWeight,
    int[] hiddenLayers, String pooling, int maxHistory, long seed, EmbeddingLayout embeddingLayout)
    implements Serializable {

  public LightningSeqConfig {
    require(numFeatures > 0, "numFeatures must be > 0 (the size of the feature vocabulary), got " + numFeatures);
    require(numFields > 0, "numFields must be > 0 (target feature ids per example), got " + numFields);
    require(embeddingDim > 0, "embeddingDim must be > 0, got " + embeddingDim);
    require(numLayers >= 0, "numLayers must be >= 0, got " + numLayers);
    require(numHeads > 0 && Integer.bitCount(numHeads) == 1 && embeddingDim % numHeads == 0,
        "numHeads must be a power of two dividing embeddingDim (" + embeddingDim + "), got " + numHeads);
    require(softmaxEvery >= 0, "softmaxEvery must be >= 0, got " + softmaxEvery);
    require(blockSize > 0, "blockSize must be > 0, got " + blockSize);
    require(numExperts > 0, "numExperts must be > 0, got " + numExperts);
    require(topK > 0 && topK <= numExperts, "topK must be in [1, numExperts = " + numExperts + "], got " + topK);
    require(expertHiddenDim > 0, "expertHiddenDim must be > 0, got " + expertHiddenDim);
    require(auxLossWeight >= 0 && Double.isFinite(auxLossWeight), "auxLossWeight must be >= 0, got " + auxLossWeight);
    Objects.requireNonNull(hiddenLayers, "hiddenLayers must not be null (an empty array for no hidden layer)");
    for (int size : hiddenLayers) {
      require(size > 0, "hiddenLayers must all be > 0, got " + Arrays.toString(hiddenLayers));
    }
    hiddenLayers = hiddenLayers.clone();
    require(LightningSeqParams.ATTENTION.equals(pooling) || LightningSeqParams.MEAN.equals(pooling),
        "pooling must be 'attention' or 'mean', got " + pooling);
    require(maxHistory >= 0, "maxHistory must be >= 0, got " + maxHistory);
    Objects.requireNonNull(embeddingLayout, "embeddingLayout must not be null (EmbeddingLayout.uniform() is the "
        + "default)");
    long entries = (long) numFeatures * embeddingDim;
    require(entries <= Integer.MAX_VALUE, "the embedding table (numFeatures × embeddingDim = " + numFeatures + " × "
        + embeddingDim + ") has more entries than an array can hold; lower the sizes");
  }

  /** The configuration {@code params} describe for {@code numFeatures} ids and {@code numFields} target fields. */
  public static LightningSeqConfig from(LightningSeqParams params, int numFeatures, int numFields) {
    return new LightningSeqConfig(numFeatures, numFields, params.getEmbeddingDim(), params.getNumLayers(),
        params.getNumHeads(), params.getSoftmaxEvery(), params.getBlockSize(), params.getNumExperts(),
        params.getTopK(), params.getExpertHiddenDim(), params.getAuxLossWeight(), params.getHiddenLayers(),
        params.getPooling(), params.getMaxHistory(), params.getSeed(), EmbeddingLayout.uniform());
  }

  /** This configuration with its embedding table stored by {@code layout}. */
  public LightningSeqConfig withEmbeddingLayout(EmbeddingLayout layout) {
    return new LightningSeqConfig(numFeatures, numFields, embeddingDim, numLayers, numHeads, softmaxEvery, blockSize,
        numExperts, topK, expertHiddenDim, auxLossWeight, hiddenLayers, pooling, maxHistory, seed, layout);
  }

  /** Whether layer {@code layer} (0-based) is a softmax layer: every {@code softmaxEvery + 1}-th, when set. */
  public boolean isSoftmaxLayer(int layer) {
    return softmaxEvery > 0 && (layer + 1) % (softmaxEvery + 1) == 0;
  }

  /** Width of one attention head: {@code embeddingDim / numHeads}. */
  public int headDim() {
    return embeddingDim / numHeads;
  }

  /** A copy of the MLP's hidden layer sizes. */
  @Override
  public int[] hiddenLayers() {
    return hiddenLayers.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LightningSeqConfig c && numFeatures == c.numFeatures && numFields == c.numFields
        && embeddingDim == c.embeddingDim && numLayers == c.numLayers && numHeads == c.numHeads
        && softmaxEvery == c.softmaxEvery && blockSize == c.blockSize && numExperts == c.numExperts && topK == c.topK
        && expertHiddenDim == c.expertHiddenDim && Double.compare(auxLossWeight, c.auxLossWeight) == 0
        && Arrays.equals(hiddenLayers, c.hiddenLayers) && pooling.equals(c.pooling) && maxHistory == c.maxHistory
        && seed == c.seed && embeddingLayout.equals(c.embeddingLayout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(numFeatures, numFields, embeddingDim, numLayers, numHeads, softmaxEvery, blockSize,
        numExperts, topK, expertHiddenDim, auxLossWeight, Arrays.hashCode(hiddenLayers), pooling, maxHistory, seed,
        embeddingLayout);
  }

  @Override
  public String toString() {
    return "LightningSeqConfig[numFeatures=" + numFeatures + ", numFields=" + numFields + ", embeddingDim="
        + embeddingDim + ", numLayers=" + numLayers + ", numHeads=" + numHeads + ", softmaxEvery=" + softmaxEvery
        + ", blockSize=" + blockSize + ", numExperts=" + numExperts + ", topK=" + topK + ", expertHiddenDim="
        + expertHiddenDim + ", auxLossWeight=" + auxLossWeight + ", hiddenLayers=" + Arrays.toString(hiddenLayers)
        + ", pooling=" + pooling + ", maxHistory=" + maxHistory + ", seed=" + seed + ", embeddingLayout="
        + embeddingLayout + "]";
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
