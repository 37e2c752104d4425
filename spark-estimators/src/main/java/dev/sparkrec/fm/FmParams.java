package dev.sparkrec.fm;

import dev.sparkrec.ml.param.HasEmbeddingDim;
import dev.sparkrec.ml.param.HasFeatureIdsCol;
import dev.sparkrec.ml.param.HasFeatureValuesCol;
import dev.sparkrec.ml.param.HasInitStd;
import dev.sparkrec.ml.param.HasLabelCol;
import dev.sparkrec.ml.param.HasNumFeatures;
import dev.sparkrec.ml.param.HasPredictionCol;
import dev.sparkrec.ml.param.HasProbabilityCol;
import dev.sparkrec.ml.param.HasRawPredictionCol;
import dev.sparkrec.ml.param.HasSeed;
import dev.sparkrec.ml.param.HasThreshold;

/**
 * The params {@link FactorizationMachine} and {@link FactorizationMachineModel} share: the input and output columns
 * (the label column as Spark's classifiers keep it) and what {@link FmConfig#from} builds the network from, the
 * embedding size, {@code initStd} and the seed. {@link #setDefaults} sets embedding 10 and initStd 0.1.
 */
public interface FmParams extends HasFeatureIdsCol, HasFeatureValuesCol, HasLabelCol, HasRawPredictionCol,
    HasProbabilityCol, HasPredictionCol, HasThreshold, HasNumFeatures, HasEmbeddingDim, HasInitStd, HasSeed {

  /** Sets the FM default of the shared params whose default depends on the model: embedding 10. */
  static void setDefaults(FmParams stage) {
    stage.setDefault(stage.embeddingDim(), 10);
    // N(0, 0.1²): with MLlib's 0.01 the pairwise term starts near 0, and at 1-4 dimensions training stalls on the
    // linear model's plateau until early stopping ends it (Frappe, 2 dimensions: test AUC 0.934 against 0.955)
    stage.setDefault(stage.initStd(), 0.1);
  }
}
