package dev.sparkrec.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An estimator's training listeners: what {@code addTrainingListener} adds, what {@code copy} carries over and
 * what {@code fit} attaches to its {@link Trainer}, turning the trainer's selected parameters into the
 * estimator's model. Listeners are not params: an estimator keeps this list in a transient field, so it is not
 * saved with the estimator.
 *
 * @param <M> the estimator's model type
 */
public final class TrainingListeners<M> {

  private final List<TrainingListener<? super M>> listeners = new ArrayList<>();

  /** Adds {@code listener}; returns this. */
  public TrainingListeners<M> add(TrainingListener<? super M> listener) {
    if (listener == null) {
      throw new IllegalArgumentException("a training listener is required, got null");
    }
    listeners.add(listener);
    return this;
  }

  /** Adds every listener of {@code other} (as an estimator's {@code copy} does); returns this. */
  public TrainingListeners<M> addAll(TrainingListeners<M> other) {
    listeners.addAll(other.listeners);
    return this;
  }

  public boolean isEmpty() {
    return listeners.isEmpty();
  }

  /**
   * Adds every listener to {@code trainer}; each is handed the model {@code modelOf} builds from the selected
   * parameters when it asks for it.
   */
  public void attachTo(Trainer trainer, Function<Map<String, float[]>, ? extends M> modelOf) {
    for (TrainingListener<? super M> listener : listeners) {
      trainer.addListener((TrainingListener<Map<String, float[]>>) (report, parameters) ->
          listener.onEpochEnd(report, () -> modelOf.apply(parameters.get())));
    }
  }
}
