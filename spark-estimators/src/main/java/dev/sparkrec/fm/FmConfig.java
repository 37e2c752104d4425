package dev.sparkrec.fm;

import dev.sparkrec.nn.embedding.EmbeddingLayout;
import java.io.Serializable;
import java.util.Objects;

/**
 * The sizes of an {@link FmNetwork} and how its embedding table is stored. Built from a stage's params by
 * {@link #from}, the one mapping that {@code FactorizationMachine.fit} and the model reader share; the meaning and
 * default of each value is documented on its param ({@link FmParams}). Immutable; the constructor validates every
 * value and fails naming it.
 *
 * @param numFeatures rows of the first-order and embedding tables: every feature id is in [0, numFeatures) (> 0)
 * @param numFields feature ids (fields) per example (> 0)
 * @param embeddingDim the width of every looked-up embedding (> 0)
 * @param initStd the embeddings start N(0, initStd²) (>= 0)
 * @param seed seeds the embedding initialisation
 * @param embeddingLayout how the embedding table is stored ({@link EmbeddingLayout#uniform()} unless the estimator
 *     was given searched dimensions)
 */
public record FmConfig(int numFeatures, int numFields, int embeddingDim, double initStd, long seed,
    EmbeddingLayout embeddingLayout) implements Serializable {

  public FmConfig {
    require(numFeatures > 0, "numFeatures must be > 0 (the size of the feature vocabulary), got " + numFeatures);
    require(numFields > 0, "numFields must be > 0 (feature ids per example), got " + numFields);
    require(embeddingDim > 0, "embeddingDim must be > 0, got " + embeddingDim);
    require(initStd >= 0 && !Double.isInfinite(initStd), "initStd must be >= 0 and finite, got " + initStd);
    Objects.requireNonNull(embeddingLayout, "embeddingLayout must not be null (EmbeddingLayout.uniform() is the "
        + "default)");
    long entries = (long) numFeatures * embeddingDim;
    require(entries <= Integer.MAX_VALUE, "the embedding table (numFeatures × embeddingDim = " + numFeatures + " × "
        + embeddingDim + ") has " + entries + " entries, more than an array can hold (" + Integer.MAX_VALUE
        + "); lower the sizes");
  }

  /** The configuration {@code params} describe for {@code numFeatures} ids in {@code numFields} fields. */
  public static FmConfig from(FmParams params, int numFeatures, int numFields) {
    return new FmConfig(numFeatures, numFields, params.getEmbeddingDim(), params.getInitStd(), params.getSeed(),
        EmbeddingLayout.uniform());
  }

  /** This configuration with its embedding table stored by {@code layout}. */
  public FmConfig withEmbeddingLayout(EmbeddingLayout layout) {
    return new FmConfig(numFeatures, numFields, embeddingDim, initStd, seed, layout);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
