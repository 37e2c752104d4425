package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;

/** The {@code labelCol} param, declared once for every SparkRec stage that has it. */
public interface HasLabelCol extends SparkRecParams {

  /** Label column: 0 or 1. Default: label. */
  default Param<String> labelCol() {
    return param("labelCol", o -> new Param<>(o, "labelCol",
        "label column: 0 or 1. Default: label"), "label");
  }

  default String getLabelCol() {
    return getOrDefault(labelCol());
  }
}
