package dev.sparkrec.ml;

import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.TrainingSummary;
import java.util.Map;

/** A fitted SparkRec model whose embedding tables were built by an {@link EmbeddingLayout}. */
public interface EmbeddingModel {

  /** The layout the model's tables were built with (uniform unless trained with searched dimensions). */
  EmbeddingLayout embeddingLayout();

  /**
   * Copies of every embedding-table parameter by name (full tables, soft-selection weights {@code <table>.alpha},
   * mixed-dimension blocks {@code <table>.block<b>}), in model order.
   */
  Map<String, float[]> embeddingParameters();

  /** Stored embedding entries over all tables (memory in floats), not counting selection weights. */
  long embeddingParameterCount();

  /** Whether the model knows how it was trained. */
  boolean hasSummary();

  /** How the model was trained (per-epoch losses and validation metrics, best epoch, stop reason). */
  TrainingSummary summary();
}
