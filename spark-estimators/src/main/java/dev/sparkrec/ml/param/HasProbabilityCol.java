package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;

/** The {@code probabilityCol} param, declared once for every SparkRec stage that has it. */
public interface HasProbabilityCol extends SparkRecParams {

  /** Column of class probabilities: a vector [1 - p, p] (evaluators also read a numeric p). Default: probability. */
  default Param<String> probabilityCol() {
    return param("probabilityCol", o -> new Param<>(o, "probabilityCol",
        "column of class probabilities: a vector [1 - p, p] (evaluators also read a numeric p). "
            + "Default: probability"), "probability");
  }

  default String getProbabilityCol() {
    return getOrDefault(probabilityCol());
  }
}
