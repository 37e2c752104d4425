package dev.sparkrec.ml;

import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.nn.embedding.MixedDimensionLayout;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;

/**
 * Spark ML persistence of an {@link EmbeddingEstimator}: its params as Spark's default writer saves them
 * ({@code path/metadata}) and, when it retrains with searched dimensions ({@code setEmbeddingDimensions}), their
 * layout in {@code path/data/embeddingDimensions} ({@link EmbeddingLayouts}), which the reader sets again. So an
 * estimator with searched dimensions saves and loads alone, in a {@code Pipeline} and in a {@code CrossValidator},
 * and the loaded estimator trains the same model.
 */
public final class EmbeddingEstimatorPersistence {

  /** Where the searched dimensions are saved, under the estimator's path. */
  public static final String DIMENSIONS = "data/embeddingDimensions";

  private EmbeddingEstimatorPersistence() {}

  /** The writer of {@code stage}. */
  public static <E extends Params & EmbeddingEstimator<?>> MLWriter writer(E stage) {
    return new Writer<>(stage);
  }

  /** The reader of estimators of class {@code type}. */
  public static <E extends Params & EmbeddingEstimator<?>> MLReader<E> reader(Class<E> type) {
    return new Reader<>(type);
  }

  private static final class Writer<E extends Params & EmbeddingEstimator<?>> extends MLWriter {
    private final E stage;

    Writer(E stage) {
      this.stage = stage;
    }

    @Override
    public void saveImpl(String path) {
      PersistenceSupport.saveMetadata(stage, path, sc());
      EmbeddingLayout layout = stage.embeddingLayout();
      if (layout != EmbeddingLayout.uniform()) {
        EmbeddingLayouts.write(sparkSession(), path + "/" + DIMENSIONS, layout);
      }
    }
  }

  private static final class Reader<E extends Params & EmbeddingEstimator<?>> extends MLReader<E> {
    private final Class<E> type;

    Reader(Class<E> type) {
      this.type = type;
    }

    @Override
    public E load(String path) {
      DefaultParamsReader.Metadata metadata = PersistenceSupport.loadMetadata(path, sc(), type);
      E stage;
      try {
        stage = type.getConstructor(String.class).newInstance(metadata.uid());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("Cannot create a " + type.getName() + " with uid " + metadata.uid(), e);
      }
      PersistenceSupport.restoreParams(metadata, stage);
      EmbeddingLayout layout = EmbeddingLayouts.readIfPresent(sparkSession(), path + "/" + DIMENSIONS);
      if (layout instanceof MixedDimensionLayout mixed) {
        stage.setEmbeddingDimensions(() -> mixed);
      } else if (layout != EmbeddingLayout.uniform()) {
        throw new IllegalStateException("The searched dimensions saved at " + path + "/" + DIMENSIONS + " are a "
            + layout.getClass().getSimpleName() + ", not mixed dimensions.");
      }
      return stage;
    }
  }
}
