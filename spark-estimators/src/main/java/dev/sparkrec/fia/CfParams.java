package dev.sparkrec.fia;

import dev.sparkrec.ml.param.HasColdStartStrategy;
import dev.sparkrec.ml.param.HasItemCol;
import dev.sparkrec.ml.param.HasPredictionCol;
import dev.sparkrec.ml.param.HasRegParam;
import dev.sparkrec.ml.param.HasSeed;
import dev.sparkrec.ml.param.HasUserCol;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.ParamValidators;

/**
 * The params every collaborative-filtering estimator and model of this package shares (names as MLlib's ALS where
 * ALS has them): the id and prediction columns, the cold-start strategy and what the network's objective and
 * initialisation need — {@code regParam}, λ of the per-rating L2 penalty on the embedding rows each rating uses
 * (default 0.1), and {@code initStd}.
 */
public interface CfParams extends HasUserCol, HasItemCol, HasPredictionCol, HasColdStartStrategy, HasRegParam,
    HasSeed {

  /** {@code coldStartStrategy} value: predict NaN for unknown users and items. */
  String NAN = "nan";
  /** {@code coldStartStrategy} value: drop rows of unknown users and items. */
  String DROP = "drop";

  /** Standard deviation of the normal initialisation of the embeddings. */
  default DoubleParam initStd() {
    return param("initStd", o -> new DoubleParam(o, "initStd",
        "standard deviation of the normal initialisation of the embeddings (>= 0). Default: 0.01",
        ParamValidators.gtEq(0)), 0.01);
  }

  default double getInitStd() {
    return (Double) getOrDefault(initStd());
  }

  /** Sets the default of the shared {@code regParam} for these models: λ = 0.1. */
  static void setDefaults(CfParams stage) {
    stage.setDefault(stage.regParam(), 0.1);
  }
}
