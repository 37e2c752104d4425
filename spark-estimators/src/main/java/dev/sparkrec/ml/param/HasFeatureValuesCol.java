package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;

/** The {@code featureValuesCol} param, declared once for every SparkRec stage that has it. */
public interface HasFeatureValuesCol extends SparkRecParams {

  /**
   * Column of feature values: array<float> (or array<double>) parallel to the ids; empty means every value is 1.
   * Default: featureValues.
   */
  default Param<String> featureValuesCol() {
    return param("featureValuesCol", o -> new Param<>(o, "featureValuesCol",
        "column of feature values: array<float> (or array<double>) parallel to the ids; empty means every "
            + "value is 1. Default: featureValues"), "featureValues");
  }

  default String getFeatureValuesCol() {
    return getOrDefault(featureValuesCol());
  }
}
