package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;

/** The {@code validationIndicatorCol} param, declared once for every SparkRec stage that has it. */
public interface HasValidationIndicatorCol extends SparkRecParams {

  /**
   * Optional boolean column marking validation rows, used only for early stopping and best-epoch selection, as in
   * MLlib's GBT; empty means no validation rows. Default: empty.
   */
  default Param<String> validationIndicatorCol() {
    return param("validationIndicatorCol", o -> new Param<>(o, "validationIndicatorCol",
        "optional boolean column marking validation rows, used only for early stopping and best-epoch "
            + "selection, as in MLlib's GBT; empty means no validation rows. Default: empty"), "");
  }

  default String getValidationIndicatorCol() {
    return getOrDefault(validationIndicatorCol());
  }
}
