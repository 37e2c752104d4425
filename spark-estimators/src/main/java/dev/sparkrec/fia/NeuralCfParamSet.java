package dev.sparkrec.fia;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * The params of {@link NeuralCF} and {@link NeuralCFModel}: the shared ones and NeuMF's sizes, loss and dense
 * L2. The size defaults are the FIA reference's ({@code k = 16}, MLP {@code 2k → k → k/2}); the training
 * defaults were chosen on a validation split of MovieLens-100K {@code u1.base} (see {@link NeuralCF}).
 */
final class NeuralCfParamSet extends CfParamSet {

  private static final long serialVersionUID = 1L;

  /**
   * λ 0.1, initStd 0.01, 24 epochs of Adam at 0.0005 on mini-batches of 256, parameters averaged once per epoch.
   * On a seeded 90/10 split of MovieLens-100K {@code u1.base} (2 partitions) the validation RMSE is 0.9064 at
   * epoch 24, on a flat stretch; Adam 0.001 reaches 0.9082 at epoch 13 but overfits within three epochs, λ 0.2
   * gives 0.928, initStd 0.1 0.923, denseL2 0.001 0.928.
   */
  static final Defaults DEFAULTS = new Defaults(0.1, 0.01, 24, 0.0005, 256, 0);

  final IntParam embeddingDim;
  final IntArrayParam hiddenLayers;
  final Param<String> loss;
  final DoubleParam denseL2;

  NeuralCfParamSet(Params owner) {
    super(owner, DEFAULTS);
    embeddingDim = new IntParam(owner, "embeddingDim",
        "embedding size k of each path, GMF and MLP (positive). Default: 16", ParamValidators.gt(0));
    hiddenLayers = new IntArrayParam(owner, "hiddenLayers",
        "sizes of the ReLU layers of the MLP path over [pMLP_u; qMLP_i] (each positive; empty feeds the "
            + "embeddings to the output layer). Default: [16, 8]");
    loss = new Param<>(owner, "loss",
        "'mse' for ratings (squared error; the prediction is the rating) or 'bce' for implicit feedback (labels "
            + "0/1, binary cross-entropy; the prediction is the probability). Default: mse",
        ParamValidators.inArray(new String[] {NeuralCfNetwork.MSE, NeuralCfNetwork.BCE}));
    denseL2 = new DoubleParam(owner, "denseL2",
        "L2 weight on the hidden and output weight matrices, biases excluded, added once per mini-batch (>= 0). "
            + "Default: 0.0", ParamValidators.gtEq(0));
  }

  @Override
  void setDefaults(Params owner) {
    super.setDefaults(owner);
    owner.setDefault(embeddingDim, 16);
    owner.setDefault(hiddenLayers, new int[] {16, 8});
    owner.setDefault(loss, NeuralCfNetwork.MSE);
    owner.setDefault(denseL2, 0.0);
  }
}
