package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;

/** The {@code predictionCol} param, declared once for every SparkRec stage that has it. */
public interface HasPredictionCol extends SparkRecParams {

  /** Output column of predictions. Default: prediction. */
  default Param<String> predictionCol() {
    return param("predictionCol", o -> new Param<>(o, "predictionCol",
        "output column of predictions. Default: prediction"), "prediction");
  }

  default String getPredictionCol() {
    return getOrDefault(predictionCol());
  }
}
