package dev.sparkrec.resus;

import static org.apache.spark.sql.functions.col;

import org.apache.spark.ml.Model;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The base predictor's logit of every row: the base model (any SparkRec CTR model over feature ids, e.g.
 * {@code DeepFMModel} or {@code AFNModel}) reads RESUS's feature columns and writes its raw prediction
 * {@code [−z, z]} to a temporary column, from which {@code z} is kept.
 */
final class BaseLogits {

  private static final String RAW = "__resus_base_raw";
  private static final String PROBABILITY = "__resus_base_probability";
  private static final String PREDICTION = "__resus_base_prediction";

  private BaseLogits() {}

  /** {@code data} plus the double column {@code logitCol}, the base model's logit of each row. */
  static Dataset<Row> append(Model<?> base, Dataset<Row> data, ResusParams columns, String logitCol) {
    ParamMap settings = ParamMap.empty();
    put(base, settings, "featureIdsCol", columns.getFeatureIdsCol());
    put(base, settings, "featureValuesCol", columns.getFeatureValuesCol());
    put(base, settings, "rawPredictionCol", RAW);
    put(base, settings, "probabilityCol", PROBABILITY);
    put(base, settings, "predictionCol", PREDICTION);
    Dataset<Row> scored = ((Model<?>) base.copy(settings)).transform(data);
    return scored.withColumn(logitCol, functions.vector_to_array(col(RAW), "float64").getItem(1))
        .drop(RAW, PROBABILITY, PREDICTION);
  }

  /**
   * As {@link #append}, scoring the rows grouped by user into {@code partitions} partitions and sorted by user, time
   * and feature ids, so the base model sees the same batches, and gives the same logits to the last bit, whatever the
   * input's partitioning.
   */
  static Dataset<Row> appendInUserOrder(Model<?> base, Dataset<Row> data, ResusParams columns, String logitCol,
      int partitions) {
    Dataset<Row> ordered = data.repartition(partitions, col(columns.getUserCol()))
        .sortWithinPartitions(col(columns.getUserCol()), col(columns.getTimeCol()), col(columns.getFeatureIdsCol()));
    return append(base, ordered, columns, logitCol);
  }

  private static void put(Model<?> base, ParamMap settings, String name, String value) {
    if (base.hasParam(name)) {
      settings.put(base.getParam(name), value);
    } else if ("rawPredictionCol".equals(name)) {
      throw new IllegalArgumentException("RESUS's base model " + base.uid() + " (" + base.getClass().getSimpleName()
          + ") has no rawPredictionCol: the base must be a CTR classifier writing raw predictions [-z, z], such as "
          + "DeepFMModel or AFNModel");
    }
  }

}
