package dev.sparkrec.ml;

import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.DimensionSearch;
import java.util.List;
import org.apache.spark.ml.Model;
import org.apache.spark.sql.Dataset;

/**
 * The embedding seam of a SparkRec estimator: which tables it trains and how often each row occurs, and a fit
 * with a given layout (and optionally a dimension search), so input search and mixed dimensions work on any model
 * without model-specific code. Every estimator with embedding tables implements it.
 *
 * @param <M> the fitted model
 */
public interface EmbeddingEstimator<M extends Model<M> & EmbeddingModel> {

  /**
   * The embedding tables a fit on {@code dataset} would train, with each row's count over the training rows (rows
   * flagged by a set {@code validationIndicatorCol} are not counted), in the order the network builds them.
   */
  List<TableVocabulary> embeddingVocabularies(Dataset<?> dataset);

  /**
   * Fits with every table built by {@code layout} and, when {@code search} is not null, runs the dimension search
   * on the validation rows ({@code validationIndicatorCol} must be set). Leaves this estimator unchanged.
   */
  M fitWithEmbeddings(Dataset<?> dataset, EmbeddingLayout layout, DimensionSearch search);

  /** Retrains with searched dimensions in every later fit (and in copies); returns this estimator. */
  EmbeddingEstimator<M> setEmbeddingDimensions(EmbeddingDimensions dimensions);

  /** The layout later fits use: uniform unless {@link #setEmbeddingDimensions} was called. */
  EmbeddingLayout embeddingLayout();
}
