package dev.sparkrec.ml;

import dev.sparkrec.nn.embedding.MixedDimensionLayout;

/** Searched embedding dimensions that a SparkRec estimator can retrain with (e.g. a NIS result). */
public interface EmbeddingDimensions {

  /** The per-block dimensions of every searched table, as the layout the estimator's network is built with. */
  MixedDimensionLayout layout();
}
