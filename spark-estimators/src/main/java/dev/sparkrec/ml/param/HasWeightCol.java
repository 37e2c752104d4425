package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;

/** The {@code weightCol} param, declared once for every SparkRec stage that has it. */
public interface HasWeightCol extends SparkRecParams {

  /** Optional column of example weights (finite, >= 0); empty means every weight is 1. Default: empty. */
  default Param<String> weightCol() {
    return param("weightCol", o -> new Param<>(o, "weightCol",
        "optional column of example weights (finite, >= 0); empty means every weight is 1. Default: empty"), "");
  }

  default String getWeightCol() {
    return getOrDefault(weightCol());
  }
}
