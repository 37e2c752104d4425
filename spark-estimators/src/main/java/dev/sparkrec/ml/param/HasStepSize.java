package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code stepSize} param, declared once for every SparkRec stage that has it. */
public interface HasStepSize extends SparkRecParams {

  /** Initial learning rate of the optimizer (> 0). */
  default DoubleParam stepSize() {
    return param("stepSize", o -> new DoubleParam(o, "stepSize",
        "initial learning rate of the optimizer (> 0)",
        ParamValidators.gt(0)));
  }

  default double getStepSize() {
    return (Double) getOrDefault(stepSize());
  }
}
