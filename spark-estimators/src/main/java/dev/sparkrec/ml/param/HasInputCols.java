package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.StringArrayParam;

/** The {@code inputCols} param, declared once for every SparkRec stage that has it. */
public interface HasInputCols extends SparkRecParams {

  /** Input columns, in order. */
  default StringArrayParam inputCols() {
    return param("inputCols", o -> new StringArrayParam(o, "inputCols",
        "input columns, in order"));
  }

  default String[] getInputCols() {
    return getOrDefault(inputCols());
  }
}
