package dev.sparkrec.afn;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * Every param of {@link AFN} and {@link AFNModel}, created once per stage with names, docs and
 * validators written here once. Defaults reproduce the AFN reference code's Frappe settings
 * (embedding 10, 600 logarithmic neurons, hidden 400-400-400, batch norm, no dropout, Adam 0.001,
 * batch 4096, gradients clipped to ±1).
 */
final class AfnParamSet implements java.io.Serializable {

  private static final long serialVersionUID = 1L;

  static final String AUC = "auc";
  static final String LOGLOSS = "logloss";
  static final String AUC_MINUS_LOGLOSS = "auc-logloss";

  final Param<String> featureIdsCol;
  final Param<String> featureValuesCol;
  final Param<String> labelCol;
  final Param<String> weightCol;
  final Param<String> validationIndicatorCol;
  final Param<String> rawPredictionCol;
  final Param<String> probabilityCol;
  final Param<String> predictionCol;
  final DoubleParam threshold;

  final IntParam numFeatures;
  final IntParam embeddingDim;
  final IntParam logNeurons;
  final IntArrayParam hiddenLayers;
  final DoubleParam dropout;
  final BooleanParam batchNorm;
  final BooleanParam ensemble;
  final IntArrayParam dnnHiddenLayers;
  final DoubleParam dnnDropout;
  final DoubleParam logEpsilon;

  final DoubleParam stepSize;
  final IntParam batchSize;
  final IntParam maxIter;
  final IntParam patience;
  final Param<String> validationMetric;
  final DoubleParam gradientClip;
  final DoubleParam embeddingL2;
  final DoubleParam l2;
  final IntParam syncEveryBatches;
  final LongParam seed;

  AfnParamSet(Params owner) {
    featureIdsCol = new Param<>(owner, "featureIdsCol",
        "column of feature ids, array<int> with one id per field (FieldEncoder's output). Default: featureIds");
    featureValuesCol = new Param<>(owner, "featureValuesCol",
        "column of feature values, array<float> parallel to the ids, clipped to [0.001, 1] as in the reference; "
            + "empty means every value is 1. Default: featureValues");
    labelCol = new Param<>(owner, "labelCol", "label column, 0 or 1. Default: label");
    weightCol = new Param<>(owner, "weightCol",
        "optional example weight column (>= 0); empty means every weight is 1. Default: empty");
    validationIndicatorCol = new Param<>(owner, "validationIndicatorCol",
        "optional boolean column marking validation rows (used for early stopping and best-epoch selection, not "
            + "for training), as in MLlib's GBT; empty means no validation set. Default: empty");
    rawPredictionCol = new Param<>(owner, "rawPredictionCol",
        "output column of margins, a vector [-z, z] with z the logit. Default: rawPrediction");
    probabilityCol = new Param<>(owner, "probabilityCol",
        "output column of class probabilities, a vector [1 - p, p]. Default: probability");
    predictionCol = new Param<>(owner, "predictionCol",
        "output column of the predicted label: 1.0 when p > threshold, else 0.0. Default: prediction");
    threshold = new DoubleParam(owner, "threshold",
        "probability above which the prediction is 1, in [0, 1]. Default: 0.5", ParamValidators.inRange(0, 1));

    numFeatures = new IntParam(owner, "numFeatures",
        "size of the feature id space (ids in [0, numFeatures)); 0 reads it from the FieldEncoder metadata of "
            + "featureIdsCol, or scans for the largest id (>= 0). Default: 0", ParamValidators.gtEq(0));
    embeddingDim = new IntParam(owner, "embeddingDim", "embedding size K (> 0). Default: 10",
        ParamValidators.gt(0));
    logNeurons = new IntParam(owner, "logNeurons",
        "number of logarithmic neurons O, each a learned cross feature (> 0). Default: 600",
        ParamValidators.gt(0));
    hiddenLayers = new IntArrayParam(owner, "hiddenLayers",
        "sizes of the hidden ReLU layers after the logarithmic transformation layer. Default: [400, 400, 400]");
    dropout = new DoubleParam(owner, "dropout",
        "dropout rate after the logarithmic layer and each hidden layer, in [0, 1). Default: 0.0",
        ParamValidators.inRange(0, 1, true, false));
    batchNorm = new BooleanParam(owner, "batchNorm",
        "batch norm after the log and exp of the logarithmic layer and after each hidden layer. Default: true");
    ensemble = new BooleanParam(owner, "ensemble",
        "AFN+: add a DNN branch with its own embeddings and learn 0.5/0.5-initialised ensemble weights. "
            + "Default: false");
    dnnHiddenLayers = new IntArrayParam(owner, "dnnHiddenLayers",
        "hidden layer sizes of AFN+'s DNN branch. Default: [400, 400, 400]");
    dnnDropout = new DoubleParam(owner, "dnnDropout", "dropout rate of the DNN branch, in [0, 1). Default: 0.0",
        ParamValidators.inRange(0, 1, true, false));
    logEpsilon = new DoubleParam(owner, "logEpsilon",
        "lower clip of |embedding| before the logarithm (> 0). Default: 1e-4", ParamValidators.gt(0));

    stepSize = new DoubleParam(owner, "stepSize", "Adam learning rate (> 0). Default: 0.001", ParamValidators.gt(0));
    batchSize = new IntParam(owner, "batchSize", "mini-batch size (> 0). Default: 4096", ParamValidators.gt(0));
    maxIter = new IntParam(owner, "maxIter", "maximum number of epochs (> 0). Default: 20", ParamValidators.gt(0));
    patience = new IntParam(owner, "patience",
        "epochs without validation improvement before stopping; 0 never stops early (>= 0). Default: 2",
        ParamValidators.gtEq(0));
    validationMetric = new Param<>(owner, "validationMetric",
        "validation metric for early stopping and best-epoch selection: 'auc', 'logloss' or 'auc-logloss' (AUC "
            + "minus log loss, the reference code's rule, which keeps AFN+'s ensemble calibrated). "
            + "Default: auc-logloss",
        ParamValidators.inArray(new String[] {AUC, LOGLOSS, AUC_MINUS_LOGLOSS}));
    gradientClip = new DoubleParam(owner, "gradientClip",
        "every gradient element is clipped to [-gradientClip, gradientClip] before Adam; 0 disables (>= 0). "
            + "Default: 1.0", ParamValidators.gtEq(0));
    embeddingL2 = new DoubleParam(owner, "embeddingL2",
        "L2 weight on the embedding rows each batch uses (>= 0). Default: 0.0", ParamValidators.gtEq(0));
    l2 = new DoubleParam(owner, "l2", "L2 weight on dense weights, biases excluded (>= 0). Default: 0.0",
        ParamValidators.gtEq(0));
    syncEveryBatches = new IntParam(owner, "syncEveryBatches",
        "average parameters across partitions every N local batches; 0 averages once per epoch (>= 0). Default: 0",
        ParamValidators.gtEq(0));
    seed = new LongParam(owner, "seed", "random seed. Default: 42");
  }

  /** Sets every default on {@code owner}; called once all params exist. */
  void setDefaults(Params owner) {
    owner.setDefault(featureIdsCol, "featureIds");
    owner.setDefault(featureValuesCol, "featureValues");
    owner.setDefault(labelCol, "label");
    owner.setDefault(weightCol, "");
    owner.setDefault(validationIndicatorCol, "");
    owner.setDefault(rawPredictionCol, "rawPrediction");
    owner.setDefault(probabilityCol, "probability");
    owner.setDefault(predictionCol, "prediction");
    owner.setDefault(threshold, 0.5);
    owner.setDefault(numFeatures, 0);
    owner.setDefault(embeddingDim, 10);
    owner.setDefault(logNeurons, 600);
    owner.setDefault(hiddenLayers, new int[] {400, 400, 400});
    owner.setDefault(dropout, 0.0);
    owner.setDefault(batchNorm, true);
    owner.setDefault(ensemble, false);
    owner.setDefault(dnnHiddenLayers, new int[] {400, 400, 400});
    owner.setDefault(dnnDropout, 0.0);
    owner.setDefault(logEpsilon, 1e-4);
    owner.setDefault(stepSize, 0.001);
    owner.setDefault(batchSize, 4096);
    owner.setDefault(maxIter, 20);
    owner.setDefault(patience, 2);
    owner.setDefault(validationMetric, AUC_MINUS_LOGLOSS);
    owner.setDefault(gradientClip, 1.0);
    owner.setDefault(embeddingL2, 0.0);
    owner.setDefault(l2, 0.0);
    owner.setDefault(syncEveryBatches, 0);
    owner.setDefault(seed, 42L);
  }
}
