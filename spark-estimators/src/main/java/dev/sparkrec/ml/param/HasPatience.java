package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code patience} param, declared once for every SparkRec stage that has it. */
public interface HasPatience extends SparkRecParams {

  /**
   * Epochs without a better validation metric before training stops, with validationIndicatorCol; 0 never stops
   * early (>= 0).
   */
  default IntParam patience() {
    return param("patience", o -> new IntParam(o, "patience",
        "epochs without a better validation metric before training stops, with validationIndicatorCol; 0 "
            + "never stops early (>= 0)",
        ParamValidators.gtEq(0)));
  }

  default int getPatience() {
    return (Integer) getOrDefault(patience());
  }
}
