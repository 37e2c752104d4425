package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.Param;

/** The {@code ratingCol} param, declared once for every SparkRec stage that has it. */
public interface HasRatingCol extends SparkRecParams {

  /** Column of ratings: a finite number in every row. Default: rating. */
  default Param<String> ratingCol() {
    return param("ratingCol", o -> new Param<>(o, "ratingCol",
        "column of ratings: a finite number in every row. Default: rating"), "rating");
  }

  default String getRatingCol() {
    return getOrDefault(ratingCol());
  }
}
