package dev.sparkrec.resus;

import dev.sparkrec.ml.param.HasEmbeddingDim;
import dev.sparkrec.ml.param.HasFeatureIdsCol;
import dev.sparkrec.ml.param.HasFeatureValuesCol;
import dev.sparkrec.ml.param.HasHiddenLayers;
import dev.sparkrec.ml.param.HasLabelCol;
import dev.sparkrec.ml.param.HasPredictionCol;
import dev.sparkrec.ml.param.HasProbabilityCol;
import dev.sparkrec.ml.param.HasRawPredictionCol;
import dev.sparkrec.ml.param.HasSeed;
import dev.sparkrec.ml.param.HasThreshold;
import dev.sparkrec.ml.param.HasUserCol;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;

/**
 * The params {@link RESUS} and {@link RESUSModel} share: the input and output columns, the time column that orders a
 * user's interactions, and what the residual network is built from (learner, encoder sizes, support sizes, initial
 * scale and ridge penalty, seed). Defaults are the published code's: "rr", embedding 10, 400-400-400, 30 support
 * sizes, initial scale 6, λ 1.
 */
public interface ResusParams extends HasUserCol, HasFeatureIdsCol, HasFeatureValuesCol, HasLabelCol,
    HasRawPredictionCol, HasProbabilityCol, HasPredictionCol, HasThreshold, HasEmbeddingDim, HasHiddenLayers,
    HasSeed {

  /** Column ordering a user's interactions: numeric or timestamp; earlier rows form the support first. */
  default Param<String> timeCol() {
    return param("timeCol", o -> new Param<>(o, "timeCol",
        "column ordering a user's interactions (numeric or timestamp); a support set is a user's earliest rows. "
            + "Default: time"), "time");
  }

  default String getTimeCol() {
    return getOrDefault(timeCol());
  }

  /** The residual learner: "rr" (ridge regression, closed form) or "nn" (soft nearest neighbour). */
  default Param<String> learner() {
    return param("learner", o -> new Param<>(o, "learner",
        "residual learner: 'rr' (ridge regression over the support encodings) or 'nn' (softmax over a learned "
            + "distance to the support rows). Default: rr",
        ParamValidators.inArray(new String[] {ResusConfig.RR, ResusConfig.NN})), ResusConfig.RR);
  }

  default String getLearner() {
    return getOrDefault(learner());
  }

  /** Support sizes with their own output adjustment; a larger support keeps its most recent rows (> 0). */
  default IntParam maxSupport() {
    return param("maxSupport", o -> new IntParam(o, "maxSupport",
        "largest support set (> 0): meta-training draws sizes 1..maxSupport, each with its own scale and bias; "
            + "scoring keeps a user's most recent maxSupport support rows. Default: 30",
        ParamValidators.gt(0)), 30);
  }

  default int getMaxSupport() {
    return (Integer) getOrDefault(maxSupport());
  }

  /**
   * Initial scale |a_n| of the residual for every support size. Each support size's scale is stepped only by the
   * episodes of that size, so after a short meta-training the smallest supports keep about their initial scale: a
   * large one lets one or two clicks move a user's predictions more than they justify. Choose it on validation users
   * ({@code bench resus-ml100k} does, over 1, 3 and 6; the authors' later code starts "rr" at 1 and "nn" at 3).
   */
  default DoubleParam initScale() {
    return param("initScale", o -> new DoubleParam(o, "initScale",
        "initial scale a_n of the residual, for every support size; the smallest supports keep about this scale "
            + "after short meta-training, so choose it on validation users. Default: 6 (the published code's)"),
        6.0);
  }

  default double getInitScale() {
    return (Double) getOrDefault(initScale());
  }

  /** Initial ridge penalty λ of the "rr" learner, learned during meta-training (> 0). */
  default DoubleParam lambda() {
    return param("lambda", o -> new DoubleParam(o, "lambda",
        "initial ridge penalty of the 'rr' learner, learned during meta-training (> 0). Default: 1",
        ParamValidators.gt(0)), 1.0);
  }

  default double getLambda() {
    return (Double) getOrDefault(lambda());
  }

  /** Sets the RESUS defaults of the shared params whose default depends on the model: embedding 10, 400-400-400. */
  static void setDefaults(ResusParams stage) {
    stage.setDefault(stage.embeddingDim(), 10);
    stage.setDefault(stage.hiddenLayers(), new int[] {400, 400, 400});
  }
}
