package dev.sparkrec.ml;

import org.apache.spark.SparkContext;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import scala.Option;

/**
 * The one place SparkRec touches Spark's {@code DefaultParams*} persistence helpers.
 *
 * <p>They are {@code private[ml]} in Scala (public in bytecode) and change signature between
 * Spark 3.5 and 4.x; keeping every call here means an upgrade edits one file. The layout is
 * Spark's own: {@code path/metadata} (JSON: class, uid, params) beside model data folders.
 */
public final class PersistenceSupport {

  private PersistenceSupport() {}

  /** Writes {@code path/metadata} for {@code stage}: class name, uid and every set and default param. */
  public static void saveMetadata(Params stage, String path, SparkContext sc) {
    DefaultParamsWriter.saveMetadata(stage, path, sc, Option.empty(), Option.empty());
  }

  /**
   * Reads {@code path/metadata}, checks that it was written for {@code expectedClass}, and
   * returns it; call {@link #restoreParams} on the new instance afterwards.
   */
  public static DefaultParamsReader.Metadata loadMetadata(String path, SparkContext sc, Class<?> expectedClass) {
    return DefaultParamsReader.loadMetadata(path, sc, expectedClass.getName());
  }

  /** Loads the stage saved at {@code path} by the class its metadata names (e.g. a nested estimator). */
  public static Object loadStage(String path, SparkContext sc) {
    return DefaultParamsReader.loadParamsInstance(path, sc);
  }

  /** Sets on {@code stage} every param (set and default) recorded in {@code metadata}. */
  public static void restoreParams(DefaultParamsReader.Metadata metadata, Params stage) {
    metadata.getAndSetParams(stage, Option.empty());
  }
}
