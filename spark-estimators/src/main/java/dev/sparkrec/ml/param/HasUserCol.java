package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;

/** The {@code userCol} param, declared once for every SparkRec stage that has it. */
public interface HasUserCol extends SparkRecParams {

  /** Column of user ids: int, or long within the int range. Default: user. */
  default Param<String> userCol() {
    return param("userCol", o -> new Param<>(o, "userCol",
        "column of user ids: int, or long within the int range. Default: user"), "user");
  }

  default String getUserCol() {
    return getOrDefault(userCol());
  }
}
