package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;

/** The {@code embeddingDim} param, declared once for every SparkRec stage that has it. */
public interface HasEmbeddingDim extends SparkRecParams {

  /** Embedding size (> 0). */
  default IntParam embeddingDim() {
    return param("embeddingDim", o -> new IntParam(o, "embeddingDim",
        "embedding size (> 0)",
        ParamValidators.gt(0)));
  }

  default int getEmbeddingDim() {
    return (Integer) getOrDefault(embeddingDim());
  }
}
