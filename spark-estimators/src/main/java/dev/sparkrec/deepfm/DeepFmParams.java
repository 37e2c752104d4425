package dev.sparkrec.deepfm;

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

/**
 * The params {@link DeepFM} and {@link DeepFMModel} share: the input and output columns (the label column as
 * Spark's classifiers keep it) and what {@link DeepFmConfig#from} builds the network from, the embedding size, the
 * hidden layer sizes and the seed. {@link #setDefaults} sets RESUS's reference sizes, embedding 10 and hidden
 * 400-400-400.
 */
public interface DeepFmParams extends HasFeatureIdsCol, HasFeatureValuesCol, HasLabelCol, HasRawPredictionCol,
    HasProbabilityCol, HasPredictionCol, HasThreshold, HasNumFeatures, HasEmbeddingDim, HasHiddenLayers, HasSeed {

  /** Sets the DeepFM defaults of the shared params whose default depends on the model: embedding 10, 400-400-400. */
  static void setDefaults(DeepFmParams stage) {
    stage.setDefault(stage.embeddingDim(), 10);
    stage.setDefault(stage.hiddenLayers(), new int[] {400, 400, 400});
  }
}
