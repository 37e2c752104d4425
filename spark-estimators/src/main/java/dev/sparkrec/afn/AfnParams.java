package dev.sparkrec.afn;

import dev.sparkrec.ml.param.HasEmbeddingDim;
import dev.sparkrec.ml.param.HasFeatureIdsCol;
import dev.sparkrec.ml.param.HasFeatureValuesCol;
import dev.sparkrec.ml.param.HasHiddenLayers;
import dev.sparkrec.ml.param.HasLabelCol;
import dev.sparkrec.ml.param.HasNumFeatures;
import dev.sparkrec.ml.param.HasPredictionCol;
import dev.sparkrec.ml.param.HasProbabilityCol;
import dev.sparkrec.ml.param.HasRawPredictionCol;
import dev.sparkrec.ml.param.HasSeed;
import dev.sparkrec.ml.param.HasThreshold;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;

/**
 * The params {@link AFN} and {@link AFNModel} share: the input and output columns (the model reads the label
 * when it measures its cross features) and the network's sizes, from
 * which {@link AfnConfig#from} builds the network. The AFN-only params are declared here with their defaults, those
 * of the reference code's Frappe run (600 logarithmic neurons, batch norm, no dropout, a 1e-4 floor on
 * |embedding|, plain AFN); {@link #setDefaults} adds embedding 10 and hidden 400-400-400.
 */
public interface AfnParams extends HasFeatureIdsCol, HasFeatureValuesCol, HasLabelCol, HasRawPredictionCol,
    HasProbabilityCol, HasPredictionCol, HasThreshold, HasNumFeatures, HasEmbeddingDim, HasHiddenLayers, HasSeed {

  /** Number of logarithmic neurons O, each a learned cross feature (> 0). */
  default IntParam logNeurons() {
    return param("logNeurons", o -> new IntParam(o, "logNeurons",
        "number of logarithmic neurons O, each a learned cross feature (> 0). Default: 600",
        ParamValidators.gt(0)), 600);
  }

  default int getLogNeurons() {
    return (Integer) getOrDefault(logNeurons());
  }

  /** Dropout rate after the logarithmic layer and each hidden layer, in [0, 1). */
  default DoubleParam dropout() {
    return param("dropout", o -> new DoubleParam(o, "dropout",
        "dropout rate after the logarithmic layer and each hidden layer, in [0, 1) (the reference's keep "
            + "probabilities are 1 - rate). Default: 0.0", ParamValidators.inRange(0, 1, true, false)), 0.0);
  }

  default double getDropout() {
    return (Double) getOrDefault(dropout());
  }

  /** Batch norm after the log and the exp of the logarithmic layer and after each hidden layer of both branches. */
  default BooleanParam batchNorm() {
    return param("batchNorm", o -> new BooleanParam(o, "batchNorm",
        "batch norm after the log (per field) and the exp (per neuron) of the logarithmic layer and after each "
            + "hidden layer of both branches. Default: true"), true);
  }

  default boolean getBatchNorm() {
    return (Boolean) getOrDefault(batchNorm());
  }

  /** AFN+: a DNN branch with its own embeddings and learned ensemble weights. */
  default BooleanParam ensemble() {
    return param("ensemble", o -> new BooleanParam(o, "ensemble",
        "AFN+: add a DNN branch with its own embeddings and learn 0.5/0.5-initialised ensemble weights. "
            + "Default: false"), false);
  }

  default boolean getEnsemble() {
    return (Boolean) getOrDefault(ensemble());
  }

  /** Hidden layer sizes of AFN+'s DNN branch. */
  default IntArrayParam dnnHiddenLayers() {
    return param("dnnHiddenLayers", o -> new IntArrayParam(o, "dnnHiddenLayers",
        "hidden layer sizes of AFN+'s DNN branch (each > 0; may be empty). Default: [400, 400, 400]"),
        new int[] {400, 400, 400});
  }

  default int[] getDnnHiddenLayers() {
    return getOrDefault(dnnHiddenLayers());
  }

  /** Dropout rate after each hidden layer of AFN+'s DNN branch, in [0, 1). */
  default DoubleParam dnnDropout() {
    return param("dnnDropout", o -> new DoubleParam(o, "dnnDropout",
        "dropout rate after each hidden layer of AFN+'s DNN branch, in [0, 1). Default: 0.0",
        ParamValidators.inRange(0, 1, true, false)), 0.0);
  }

  default double getDnnDropout() {
    return (Double) getOrDefault(dnnDropout());
  }

  /** Lower clip of |embedding| before the logarithm (> 0). */
  default DoubleParam logEpsilon() {
    return param("logEpsilon", o -> new DoubleParam(o, "logEpsilon",
        "lower clip of |embedding| before the logarithm (> 0; FuxiCTR uses 1e-5, DeepCTR-Torch 1e-7). "
            + "Default: 1e-4", ParamValidators.gt(0)), 1e-4);
  }

  default double getLogEpsilon() {
    return (Double) getOrDefault(logEpsilon());
  }

  /**
   * Sets the AFN defaults of the shared params whose default depends on the model (embedding 10, hidden
   * 400-400-400, the reference's Frappe sizes); the AFN-only params above carry their defaults.
   */
  static void setDefaults(AfnParams stage) {
    stage.setDefault(stage.embeddingDim(), 10);
    stage.setDefault(stage.hiddenLayers(), new int[] {400, 400, 400});
  }
}
