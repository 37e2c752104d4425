package dev.sparkrec.fia;

import dev.sparkrec.ml.param.TrainingParams;
import dev.sparkrec.train.DimensionSearch;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.Trainer;
import dev.sparkrec.train.TrainingConfig;
import dev.sparkrec.train.TrainingListeners;
import dev.sparkrec.train.TrainingResult;
import java.util.Map;
import java.util.function.Function;

/**
 * The training core of the collaborative-filtering estimators: reads the training params into a
 * {@link TrainingConfig} ({@link TrainingParams#trainingConfig}: Adam, early stopping on the validation rows when
 * there are some) and runs SparkRec's
 * {@link Trainer} on prepared {@link RatingData}.
 */
final class CfTraining {

  private CfTraining() {}

  /**
   * Fits the network {@code factory} builds; {@code validationMetric} is "rmse" for ratings or "logloss" for 0/1
   * labels. The result's best parameters are those of the best validation epoch, or of the last epoch without
   * validation rows. With a {@code search} (may be null) the run is a dimension search on the validation rows.
   * Each listener gets the model {@code modelOf} builds from the parameters selected so far.
   */
  static <M> TrainingResult fit(RatingData data, TrainingParams p, ModelFactory factory, String validationMetric,
      DimensionSearch search, TrainingListeners<M> listeners, Function<Map<String, float[]>, M> modelOf) {
    TrainingConfig.Builder config = p.trainingConfig(data.validation() != null)
        .validationMetric(validationMetric);
    if (search != null) {
      config.dimensionSearch(search);
    }
    Trainer trainer = new Trainer(factory, config.build());
    listeners.attachTo(trainer, modelOf);
    return trainer.fit(data.train(), data.validation(), data.columns());
  }
}
