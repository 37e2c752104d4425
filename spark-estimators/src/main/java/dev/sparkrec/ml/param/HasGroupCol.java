package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;

/** The {@code groupCol} param, declared once for every SparkRec stage that has it. */
public interface HasGroupCol extends SparkRecParams {

  /** Column of group ids (string or integral), usually the user. Default: user. */
  default Param<String> groupCol() {
    return param("groupCol", o -> new Param<>(o, "groupCol",
        "column of group ids (string or integral), usually the user. Default: user"), "user");
  }

  default String getGroupCol() {
    return getOrDefault(groupCol());
  }
}
