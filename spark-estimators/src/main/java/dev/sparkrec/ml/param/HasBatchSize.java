package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code batchSize} param, declared once for every SparkRec stage that has it. */
public interface HasBatchSize extends SparkRecParams {

  /** Examples per mini-batch within a partition (> 0). */
  default IntParam batchSize() {
    return param("batchSize", o -> new IntParam(o, "batchSize",
        "examples per mini-batch within a partition (> 0)",
        ParamValidators.gt(0)));
  }

  default int getBatchSize() {
    return (Integer) getOrDefault(batchSize());
  }
}
