package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code regParam} param, declared once for every SparkRec stage that has it. */
public interface HasRegParam extends SparkRecParams {

  /** L2 regularisation weight (>= 0). */
  default DoubleParam regParam() {
    return param("regParam", o -> new DoubleParam(o, "regParam",
        "L2 regularisation weight (>= 0)",
        ParamValidators.gtEq(0)));
  }

  default double getRegParam() {
    return (Double) getOrDefault(regParam());
  }
}
