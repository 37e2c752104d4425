package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;

/** The {@code outputCol} param, declared once for every SparkRec stage that has it. */
public interface HasOutputCol extends SparkRecParams {

  /** Output column. */
  default Param<String> outputCol() {
    return param("outputCol", o -> new Param<>(o, "outputCol",
        "output column"));
  }

  default String getOutputCol() {
    return getOrDefault(outputCol());
  }
}
