package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;

/** The {@code itemCol} param, declared once for every SparkRec stage that has it. */
public interface HasItemCol extends SparkRecParams {

  /** Column of item ids: int, or long within the int range. Default: item. */
  default Param<String> itemCol() {
    return param("itemCol", o -> new Param<>(o, "itemCol",
        "column of item ids: int, or long within the int range. Default: item"), "item");
  }

  default String getItemCol() {
    return getOrDefault(itemCol());
  }
}
