package dev.sparkrec.ml.param;

import org.apache.spark.ml.param.IntArrayParam;

/** The {@code hiddenLayers} param, declared once for every SparkRec stage that has it. */
public interface HasHiddenLayers extends SparkRecParams {

  /** Sizes of the hidden ReLU layers, in order (each > 0; may be empty). */
  default IntArrayParam hiddenLayers() {
    return param("hiddenLayers", o -> new IntArrayParam(o, "hiddenLayers",
        "sizes of the hidden ReLU layers, in order (each > 0; may be empty)"));
  }

  default int[] getHiddenLayers() {
    return getOrDefault(hiddenLayers());
  }
}
