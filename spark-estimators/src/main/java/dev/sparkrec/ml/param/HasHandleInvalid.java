package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code handleInvalid} param, declared once for every SparkRec stage that has it. */
public interface HasHandleInvalid extends SparkRecParams {

  /**
   * How transform treats invalid input (nulls, NaNs, values unseen at fit): 'keep', 'skip' drops the row, 'error'
   * fails naming the column and value; each stage documents what 'keep' does.
   */
  default Param<String> handleInvalid() {
    return param("handleInvalid", o -> new Param<>(o, "handleInvalid",
        "how transform treats invalid input (nulls, NaNs, values unseen at fit): 'keep', 'skip' drops the "
            + "row, 'error' fails naming the column and value; each stage documents what 'keep' does",
        ParamValidators.inArray(new String[] {"keep", "skip", "error"})));
  }

  default String getHandleInvalid() {
    return getOrDefault(handleInvalid());
  }
}
