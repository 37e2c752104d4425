package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code syncEveryBatches} param, declared once for every SparkRec stage that has it. */
public interface HasSyncEveryBatches extends SparkRecParams {

  /**
   * Average the parameters across partitions every N local mini-batches; 0 averages once per epoch (>= 0).
   * Default: 0.
   */
  default IntParam syncEveryBatches() {
    return param("syncEveryBatches", o -> new IntParam(o, "syncEveryBatches",
        "average the parameters across partitions every N local mini-batches; 0 averages once per epoch (>= "
            + "0). Default: 0",
        ParamValidators.gtEq(0)), 0);
  }

  default int getSyncEveryBatches() {
    return (Integer) getOrDefault(syncEveryBatches());
  }
}
