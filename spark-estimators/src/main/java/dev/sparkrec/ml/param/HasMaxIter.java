package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code maxIter} param, declared once for every SparkRec stage that has it. */
public interface HasMaxIter extends SparkRecParams {

  /** Maximum number of epochs (> 0). */
  default IntParam maxIter() {
    return param("maxIter", o -> new IntParam(o, "maxIter",
        "maximum number of epochs (> 0)",
        ParamValidators.gt(0)));
  }

  default int getMaxIter() {
    return (Integer) getOrDefault(maxIter());
  }
}
