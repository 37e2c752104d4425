package dev.sparkrec.pipelines;

/**
 * Builds SparkRec's usual pipelines as plain Spark ML {@link org.apache.spark.ml.Pipeline}s, which fit, save, load
 * and tune in {@code CrossValidator} like any other:
 *
 * <pre>{@code
 * Pipeline ctr = RecPipelines.ctr()
 *     .categorical("user", "item", "category")
 *     .numeric("price")
 *     .model(new AFN())
 *     .build();
 * }</pre>
 */
public final class RecPipelines {

  private RecPipelines() {}

  /** A click-through pipeline: raw fields → {@code FieldEncoder} → a CTR model (see {@link CtrPipelineBuilder}). */
  public static CtrPipelineBuilder ctr() {
    return new CtrPipelineBuilder();
  }
}
