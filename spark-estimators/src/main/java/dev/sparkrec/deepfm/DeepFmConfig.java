package dev.sparkrec.deepfm;

import dev.sparkrec.nn.embedding.EmbeddingLayout;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * The sizes of a {@link DeepFmNetwork} and how its embedding table is stored. Built from a stage's params by
 * {@link #from}, the one mapping that {@code DeepFM.fit} and the model reader share; the meaning and default of
 * each value is documented on its param ({@link DeepFmParams}). Immutable; the constructor validates every value
 * and fails naming it.
 *
 * @param numFeatures rows of the embedding table: every feature id is in [0, numFeatures) (> 0)
 * @param numFields feature ids (fields) per example (> 0)
 * @param embeddingDim the width {@code K} of every looked-up embedding (> 0)
 * @param hiddenLayers sizes of the DNN component's ReLU layers, in order (each > 0; may be empty, and the DNN
 *     component is then the flat embeddings)
 * @param seed seeds the initialisation of the embeddings and the layers
 * @param embeddingLayout how the embedding table is stored ({@link EmbeddingLayout#uniform()} unless the estimator
 *     was given searched dimensions)
 */
public record DeepFmConfig(int numFeatures, int numFields, int embeddingDim, int[] hiddenLayers, long seed,
    EmbeddingLayout embeddingLayout) implements Serializable {

  public DeepFmConfig {
    require(numFeatures > 0, "numFeatures must be > 0 (the size of the feature vocabulary), got " + numFeatures);
    require(numFields > 0, "numFields must be > 0 (feature ids per example), got " + numFields);
    require(embeddingDim > 0, "embeddingDim must be > 0, got " + embeddingDim);
    Objects.requireNonNull(hiddenLayers, "hiddenLayers must not be null (an empty array for no hidden layer)");
    for (int size : hiddenLayers) {
      require(size > 0, "hiddenLayers must all be > 0, got " + Arrays.toString(hiddenLayers));
    }
    hiddenLayers = hiddenLayers.clone();
    Objects.requireNonNull(embeddingLayout, "embeddingLayout must not be null (EmbeddingLayout.uniform() is the "
        + "default)");
    long entries = (long) numFeatures * embeddingDim;
    require(entries <= Integer.MAX_VALUE, "the embedding table (numFeatures × embeddingDim = " + numFeatures + " × "
        + embeddingDim + ") has " + entries + " entries, more than an array can hold (" + Integer.MAX_VALUE
        + "); lower the sizes");
    long flat = (long) numFields * embeddingDim;
    require(flat <= Integer.MAX_VALUE, "the DNN input (numFields × embeddingDim = " + numFields + " × "
        + embeddingDim + ") is larger than an array can hold; lower the sizes");
  }

  /** The configuration {@code params} describe for {@code numFeatures} ids in {@code numFields} fields. */
  public static DeepFmConfig from(DeepFmParams params, int numFeatures, int numFields) {
    return new DeepFmConfig(numFeatures, numFields, params.getEmbeddingDim(), params.getHiddenLayers(),
        params.getSeed(), EmbeddingLayout.uniform());
  }

  /** This configuration with its embedding table stored by {@code layout}. */
  public DeepFmConfig withEmbeddingLayout(EmbeddingLayout layout) {
    return new DeepFmConfig(numFeatures, numFields, embeddingDim, hiddenLayers, seed, layout);
  }

  /** Width of the DNN component's output: the last hidden size, or {@code numFields·embeddingDim} without one. */
  public int dnnOutputDim() {
    return hiddenLayers.length == 0 ? numFields * embeddingDim : hiddenLayers[hiddenLayers.length - 1];
  }

  /** Width of the encoding {@code h = concat(h_fm, h_dnn)}: {@code embeddingDim + dnnOutputDim()}. */
  public int encoderDim() {
    return embeddingDim + dnnOutputDim();
  }

  /** A copy of the hidden layer sizes. */
  @Override
  public int[] hiddenLayers() {
    return hiddenLayers.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeepFmConfig c && numFeatures == c.numFeatures && numFields == c.numFields
        && embeddingDim == c.embeddingDim && Arrays.equals(hiddenLayers, c.hiddenLayers) && seed == c.seed
        && embeddingLayout.equals(c.embeddingLayout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(numFeatures, numFields, embeddingDim, Arrays.hashCode(hiddenLayers), seed, embeddingLayout);
  }

  @Override
  public String toString() {
    return "DeepFmConfig[numFeatures=" + numFeatures + ", numFields=" + numFields + ", embeddingDim=" + embeddingDim
        + ", hiddenLayers=" + Arrays.toString(hiddenLayers) + ", seed=" + seed + ", embeddingLayout="
        + embeddingLayout + "]";
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
