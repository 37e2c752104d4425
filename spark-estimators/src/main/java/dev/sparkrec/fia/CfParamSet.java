package dev.sparkrec.fia;

import java.io.Serializable;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * The params every collaborative-filtering stage of this package has (names as MLlib's ALS where ALS has them),
 * created once per stage with names, docs and validators written here once. Model-specific params live in the
 * subclasses; the training defaults differ by model and come in as {@link Defaults}.
 */
class CfParamSet implements Serializable {

  private static final long serialVersionUID = 1L;

  /** A model's defaults for the shared training params. */
  record Defaults(double regParam, double initStd, int maxIter, double stepSize, int batchSize,
      int syncEveryBatches) implements Serializable {}

  static final String NAN = "nan";
  static final String DROP = "drop";

  final Param<String> userCol;
  final Param<String> itemCol;
  final Param<String> ratingCol;
  final Param<String> weightCol;
  final Param<String> validationIndicatorCol;
  final Param<String> predictionCol;
  final Param<String> coldStartStrategy;
  final DoubleParam regParam;
  final DoubleParam initStd;
  final IntParam maxIter;
  final DoubleParam stepSize;
  final IntParam batchSize;
  final IntParam patience;
  final IntParam syncEveryBatches;
  final LongParam seed;
  private final Defaults defaults;

  CfParamSet(Params owner, Defaults defaults) {
    this.defaults = defaults;
    userCol = new Param<>(owner, "userCol",
        "column of user ids, int or long within the int range, not null. Default: user");
    itemCol = new Param<>(owner, "itemCol",
        "column of item ids, int or long within the int range, not null. Default: item");
    ratingCol = new Param<>(owner, "ratingCol", "column of ratings, a finite number in every row. Default: rating");
    weightCol = new Param<>(owner, "weightCol",
        "optional rating weight column (finite, >= 0) multiplying each rating's whole term of the objective, its "
            + "regularisation included; empty means every weight is 1. Default: empty");
    validationIndicatorCol = new Param<>(owner, "validationIndicatorCol",
        "optional boolean column marking validation rows, used only for early stopping and best-epoch selection "
            + "(rows whose user or item has no training rating are skipped); empty means none. Default: empty");
    predictionCol = new Param<>(owner, "predictionCol", "output column of predictions (float). Default: prediction");
    coldStartStrategy = new Param<>(owner, "coldStartStrategy",
        "what transform does with a row whose user or item was not in the training data (or is null): 'nan' "
            + "predicts NaN, 'drop' removes the row, as in ALS. Default: nan",
        ParamValidators.inArray(new String[] {NAN, DROP}));
    regParam = new DoubleParam(owner, "regParam", "λ of the per-rating L2 penalty on the embedding rows each rating "
        + "uses (>= 0). Default: " + defaults.regParam(), ParamValidators.gtEq(0));
    initStd = new DoubleParam(owner, "initStd", "standard deviation of the normal initialisation of the embeddings "
        + "(>= 0). Default: " + defaults.initStd(), ParamValidators.gtEq(0));
    maxIter = new IntParam(owner, "maxIter", "maximum number of epochs (> 0). Default: " + defaults.maxIter(),
        ParamValidators.gt(0));
    stepSize = new DoubleParam(owner, "stepSize", "Adam learning rate (> 0). Default: " + defaults.stepSize(),
        ParamValidators.gt(0));
    batchSize = new IntParam(owner, "batchSize", "ratings per mini-batch (> 0). Default: " + defaults.batchSize(),
        ParamValidators.gt(0));
    patience = new IntParam(owner, "patience",
        "epochs without a better validation metric before training stops, with validationIndicatorCol; 0 never "
            + "stops early (>= 0). Default: 3", ParamValidators.gtEq(0));
    syncEveryBatches = new IntParam(owner, "syncEveryBatches",
        "average parameters across partitions every N local mini-batches; 0 averages once per epoch (>= 0). "
            + "Default: " + defaults.syncEveryBatches(), ParamValidators.gtEq(0));
    seed = new LongParam(owner, "seed", "random seed of the initialisation and the shuffles. Default: 42");
  }

  /** Sets every default on {@code owner}; called once all params exist (a subclass adds its own). */
  void setDefaults(Params owner) {
    owner.setDefault(regParam, defaults.regParam());
    owner.setDefault(initStd, defaults.initStd());
    owner.setDefault(maxIter, defaults.maxIter());
    owner.setDefault(stepSize, defaults.stepSize());
    owner.setDefault(batchSize, defaults.batchSize());
    owner.setDefault(syncEveryBatches, defaults.syncEveryBatches());
    owner.setDefault(userCol, "user");
    owner.setDefault(itemCol, "item");
    owner.setDefault(ratingCol, "rating");
    owner.setDefault(weightCol, "");
    owner.setDefault(validationIndicatorCol, "");
    owner.setDefault(predictionCol, "prediction");
    owner.setDefault(coldStartStrategy, NAN);
    owner.setDefault(patience, 3);
    owner.setDefault(seed, 42L);
  }
}
