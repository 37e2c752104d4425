package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;

/** The {@code rawPredictionCol} param, declared once for every SparkRec stage that has it. */
public interface HasRawPredictionCol extends SparkRecParams {

  /**
   * Column of margins: a vector [-z, z] with z the logit (evaluators also read a numeric score). Default:
   * rawPrediction.
   */
  default Param<String> rawPredictionCol() {
    return param("rawPredictionCol", o -> new Param<>(o, "rawPredictionCol",
        "column of margins: a vector [-z, z] with z the logit (evaluators also read a numeric "
            + "score). Default: rawPrediction"), "rawPrediction");
  }

  default String getRawPredictionCol() {
    return getOrDefault(rawPredictionCol());
  }
}
