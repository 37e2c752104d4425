package dev.sparkrec.fia;

import dev.sparkrec.ml.param.HasColdStartStrategy;
import dev.sparkrec.ml.param.HasInitStd;
import dev.sparkrec.ml.param.HasItemCol;
import dev.sparkrec.ml.param.HasPredictionCol;
import dev.sparkrec.ml.param.HasRegParam;
import dev.sparkrec.ml.param.HasSeed;
import dev.sparkrec.ml.param.HasUserCol;

/**
 * The params every collaborative-filtering estimator and model of this package shares (names as MLlib's ALS where
 * ALS has them): the id and prediction columns, the cold-start strategy and what the network's objective and
 * initialisation need — {@code regParam}, λ of the per-rating L2 penalty on the embedding rows each rating uses
 * (default 0.1), and {@code initStd}.
 */
public interface CfParams extends HasUserCol, HasItemCol, HasPredictionCol, HasColdStartStrategy, HasRegParam,
    HasInitStd, HasSeed {

  /** {@code coldStartStrategy} value: predict NaN for unknown users and items. */
  String NAN = "nan";
  /** {@code coldStartStrategy} value: drop rows of unknown users and items. */
  String DROP = "drop";

  /** Sets the default of the shared {@code regParam} for these models: λ = 0.1. */
  static void setDefaults(CfParams stage) {
    stage.setDefault(stage.regParam(), 0.1);
  }
}
