package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;

/** The {@code featureIdsCol} param, declared once for every SparkRec stage that has it. */
public interface HasFeatureIdsCol extends SparkRecParams {

  /**
   * Column of feature ids: array<int> with one global id per field, as FieldEncoder writes it. Default:
   * featureIds.
   */
  default Param<String> featureIdsCol() {
    return param("featureIdsCol", o -> new Param<>(o, "featureIdsCol",
        "column of feature ids: array<int> with one global id per field, as FieldEncoder writes it. Default: "
            + "featureIds"), "featureIds");
  }

  default String getFeatureIdsCol() {
    return getOrDefault(featureIdsCol());
  }
}
