package dev.sparkrec.train;

/** Receives the {@link Trainer}'s progress, e.g. to plot curves in a notebook or build a report. */
@FunctionalInterface
public interface TrainingListener {

  /** Called on the driver after each epoch's validation and checkpoint, in epoch order. */
  void onEpochEnd(EpochReport report);

  /**
   * True when the listener wants {@link #onSelectedParameters} after each epoch; copying the parameters
   * costs driver memory, so it is off by default.
   */
  default boolean wantsSelectedParameters() {
    return false;
  }

  /**
   * Called after {@link #onEpochEnd} with a fresh copy of the parameters training would return if it stopped
   * now: the best epoch's by validation (the current ones without validation), in model order.
   */
  default void onSelectedParameters(EpochReport report, java.util.Map<String, float[]> parameters) {}
}
