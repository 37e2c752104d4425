package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code initStd} param, declared once for every SparkRec stage that has it. */
public interface HasInitStd extends SparkRecParams {

  /** Standard deviation of the normal initialisation of the embeddings (>= 0). Default: 0.01. */
  default DoubleParam initStd() {
    return param("initStd", o -> new DoubleParam(o, "initStd",
        "standard deviation of the normal initialisation of the embeddings (>= 0). Default: 0.01",
        ParamValidators.gtEq(0)), 0.01);
  }

  default double getInitStd() {
    return (Double) getOrDefault(initStd());
  }
}
