package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.LongParam;

/** The {@code seed} param, declared once for every SparkRec stage that has it. */
public interface HasSeed extends SparkRecParams {

  /** Random seed of the initialisation, the shuffles and every other random choice. Default: 42. */
  default LongParam seed() {
    return param("seed", o -> new LongParam(o, "seed",
        "random seed of the initialisation, the shuffles and every other random choice. Default: 42"), 42L);
  }

  default long getSeed() {
    return (Long) getOrDefault(seed());
  }
}
