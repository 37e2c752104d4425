package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code threshold} param, declared once for every SparkRec stage that has it. */
public interface HasThreshold extends SparkRecParams {

  /** Probability above which the predicted label is 1, in [0, 1]. Default: 0.5. */
  default DoubleParam threshold() {
    return param("threshold", o -> new DoubleParam(o, "threshold",
        "probability above which the predicted label is 1, in [0, 1]. Default: 0.5",
        ParamValidators.inRange(0, 1)), 0.5);
  }

  default double getThreshold() {
    return (Double) getOrDefault(threshold());
  }
}
