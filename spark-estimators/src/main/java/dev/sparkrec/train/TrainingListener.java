package dev.sparkrec.train;

/** Receives the {@link Trainer}'s progress, e.g. to plot curves in a notebook or build a report. */
@FunctionalInterface
public interface TrainingListener {

  /** Called on the driver after each epoch's validation and checkpoint, in epoch order. */
  void onEpochEnd(EpochReport report);
}
