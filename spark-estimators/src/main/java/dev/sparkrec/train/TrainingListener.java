package dev.sparkrec.train;

import java.util.function.Supplier;

/**
 * Receives training progress after every epoch, e.g. to plot curves in a notebook, build a report or score a
 * test set with the model selected so far. The one listener type of SparkRec: the {@link Trainer} hands it the
 * selected parameters ({@code M} = {@code Map<String, float[]>}), every estimator's
 * {@code addTrainingListener} the selected model ({@code M} = the estimator's model type).
 *
 * @param <M> what {@code selected} supplies
 */
@FunctionalInterface
public interface TrainingListener<M> {

  /**
   * Called on the driver after each epoch's validation and checkpoint, in epoch order. {@code selected} builds,
   * on each call, a fresh copy of what training would return if it stopped now (the best epoch's parameters by
   * validation, the current ones without validation); building it copies every parameter, so call it only when
   * needed, and only during this call: afterwards it throws.
   */
  void onEpochEnd(EpochReport report, Supplier<? extends M> selected);
}
