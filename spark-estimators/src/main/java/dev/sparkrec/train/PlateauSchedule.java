package dev.sparkrec.train;

/**
 * Early stopping, best-epoch tracking and learning-rate decay on a plateau of one monitored metric.
 *
 * <p>After each epoch {@link #update} compares the metric with the best so far (strictly better; a NaN
 * never improves). On improvement the epoch becomes the best and both counters reset. Otherwise both
 * counters grow; when the decay counter reaches {@code lrDecayPatience} (> 0) the learning rate becomes
 * {@code max(lr · lrDecayFactor, minLearningRate)} and that counter resets (Keras' ReduceLROnPlateau);
 * when the epochs since the best reach {@code patience} (> 0), training stops.
 */
final class PlateauSchedule {

  private final boolean higherIsBetter;
  private final int patience;
  private final int decayPatience;
  private final double decayFactor;
  private final double minLearningRate;

  private double learningRate;
  private double bestMetric = Double.NaN;
  private int bestEpoch;
  private int epochsSinceBest;
  private int epochsSinceDecay;
  private boolean stopped;

  PlateauSchedule(boolean higherIsBetter, TrainingConfig config) {
    this.higherIsBetter = higherIsBetter;
    this.patience = config.patience();
    this.decayPatience = config.lrDecayPatience();
    this.decayFactor = config.lrDecayFactor();
    this.minLearningRate = config.minLearningRate();
    this.learningRate = config.learningRate();
  }

  /** Records epoch {@code epoch}'s metric; returns true when it is the new best. */
  boolean update(int epoch, double metric) {
    boolean improved = !Double.isNaN(metric)
        && (bestEpoch == 0 || (higherIsBetter ? metric > bestMetric : metric < bestMetric));
    if (improved) {
      bestMetric = metric;
      bestEpoch = epoch;
      epochsSinceBest = 0;
      epochsSinceDecay = 0;
      return true;
    }
    epochsSinceBest++;
    epochsSinceDecay++;
    if (decayPatience > 0 && epochsSinceDecay >= decayPatience) {
      learningRate = Math.max(learningRate * decayFactor, minLearningRate);
      epochsSinceDecay = 0;
    }
    if (patience > 0 && epochsSinceBest >= patience) {
      stopped = true;
    }
    return false;
  }

  /** The learning rate for the next epoch. */
  double learningRate() {
    return learningRate;
  }

  double bestMetric() {
    return bestMetric;
  }

  /** The best epoch so far, 0 before any epoch improved. */
  int bestEpoch() {
    return bestEpoch;
  }

  int epochsSinceBest() {
    return epochsSinceBest;
  }

  int epochsSinceDecay() {
    return epochsSinceDecay;
  }

  boolean stopped() {
    return stopped;
  }

  /** Restores the state saved in a checkpoint. */
  void restore(double learningRate, double bestMetric, int bestEpoch, int epochsSinceBest, int epochsSinceDecay,
      boolean stopped) {
    this.learningRate = learningRate;
    this.bestMetric = bestMetric;
    this.bestEpoch = bestEpoch;
    this.epochsSinceBest = epochsSinceBest;
    this.epochsSinceDecay = epochsSinceDecay;
    this.stopped = stopped;
  }
}
