package dev.sparkrec.fia;

import dev.sparkrec.ml.param.HasEmbeddingDim;
import dev.sparkrec.ml.param.HasHiddenLayers;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;

/**
 * The params of {@link NeuralCF} and {@link NeuralCFModel}: {@link CfParams} and NeuMF's sizes, loss and dense L2.
 * The size defaults are the FIA reference's ({@code k = 16}, MLP {@code 2k → k → k/2}), set by
 * {@link #setDefaults}.
 */
public interface NeuralCfParams extends CfParams, HasEmbeddingDim, HasHiddenLayers {

  /** "mse" for ratings or "bce" for 0/1 implicit feedback. */
  default Param<String> loss() {
    return param("loss", o -> new Param<>(o, "loss",
        "'mse' for ratings (squared error; the prediction is the rating) or 'bce' for implicit feedback (labels "
            + "0/1, binary cross-entropy; the prediction is the probability). Default: mse",
        ParamValidators.inArray(new String[] {NeuralCfNetwork.MSE, NeuralCfNetwork.BCE})), NeuralCfNetwork.MSE);
  }

  default String getLoss() {
    return getOrDefault(loss());
  }

  /** L2 weight on the hidden and output weight matrices, biases excluded, added once per mini-batch. */
  default DoubleParam denseL2() {
    return param("denseL2", o -> new DoubleParam(o, "denseL2",
        "L2 weight on the hidden and output weight matrices, biases excluded, added once per mini-batch (>= 0). "
            + "Default: 0.0", ParamValidators.gtEq(0)), 0.0);
  }

  default double getDenseL2() {
    return (Double) getOrDefault(denseL2());
  }

  /** Sets NeuMF's defaults of the shared params: embeddings of 16, hidden layers 16-8, and {@link CfParams}'s. */
  static void setDefaults(NeuralCfParams stage) {
    CfParams.setDefaults(stage);
    stage.setDefault(stage.embeddingDim(), 16);
    stage.setDefault(stage.hiddenLayers(), new int[] {16, 8});
  }
}
