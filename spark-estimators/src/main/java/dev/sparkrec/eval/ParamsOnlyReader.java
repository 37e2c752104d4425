package dev.sparkrec.eval;

import dev.sparkrec.ml.PersistenceSupport;
import java.util.function.Function;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;

/**
 * Loads a stage that is saved as metadata only (uid and params, no data), checking that the
 * metadata was written for the expected class.
 */
final class ParamsOnlyReader<T extends Params> extends MLReader<T> {

  private final Class<T> type;
  private final Function<String, T> constructor;

  /** {@code constructor} builds an instance from a uid, e.g. {@code LogLossEvaluator::new}. */
  ParamsOnlyReader(Class<T> type, Function<String, T> constructor) {
    this.type = type;
    this.constructor = constructor;
  }

  @Override
  public T load(String path) {
    DefaultParamsReader.Metadata metadata = PersistenceSupport.loadMetadata(path, sc(), type);
    T instance = constructor.apply(metadata.uid());
    PersistenceSupport.restoreParams(metadata, instance);
    return instance;
  }
}
