package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code numPartitions} param, declared once for every SparkRec stage that has it. */
public interface HasNumPartitions extends SparkRecParams {

  /**
   * Partitions the training data is redistributed into, by row content, so that the model does not depend on the
   * input's partitioning (>= 0); 0 uses the session's default parallelism. Default: 0.
   */
  default IntParam numPartitions() {
    return param("numPartitions", o -> new IntParam(o, "numPartitions",
        "partitions the training data is redistributed into, by row content, so that the model does not "
            + "depend on the input's partitioning (>= 0); 0 uses the session's default parallelism. Default: 0",
        ParamValidators.gtEq(0)), 0);
  }

  default int getNumPartitions() {
    return (Integer) getOrDefault(numPartitions());
  }
}
