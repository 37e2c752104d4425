package dev.sparkrec.train;

import java.io.Serializable;

/**
 * What one epoch did: its 1-based number, the mean training loss (weighted by batch size, measured while
 * training), the validation log loss and AUC (NaN without validation data or when the monitored metric is
 * RMSE), the validation RMSE (NaN unless the monitored metric is RMSE), the wall-clock seconds of the
 * epoch's training and validation, the training throughput in examples per second, the
 * learning rate the epoch trained with, and whether the monitored metric reached a new best. Immutable.
 */
public final class EpochReport implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int epoch;
  private final double trainLoss;
  private final double validationLogLoss;
  private final double validationAuc;
  private final double validationRmse;
  private final double seconds;
  private final double examplesPerSecond;
  private final double learningRate;
  private final boolean best;

  /** A report without a validation RMSE (NaN), as for binary labels. */
  public EpochReport(int epoch, double trainLoss, double validationLogLoss, double validationAuc, double seconds,
      double examplesPerSecond, double learningRate, boolean best) {
    this(epoch, trainLoss, validationLogLoss, validationAuc, Double.NaN, seconds, examplesPerSecond, learningRate,
        best);
  }

  public EpochReport(int epoch, double trainLoss, double validationLogLoss, double validationAuc,
      double validationRmse, double seconds, double examplesPerSecond, double learningRate, boolean best) {
    this.epoch = epoch;
    this.trainLoss = trainLoss;
    this.validationLogLoss = validationLogLoss;
    this.validationAuc = validationAuc;
    this.validationRmse = validationRmse;
    this.seconds = seconds;
    this.examplesPerSecond = examplesPerSecond;
    this.learningRate = learningRate;
    this.best = best;
  }

  /** 1-based epoch number. */
  public int epoch() {
    return epoch;
  }

  public double trainLoss() {
    return trainLoss;
  }

  /** Validation log loss, NaN without validation data. */
  public double validationLogLoss() {
    return validationLogLoss;
  }

  /** Validation ROC AUC, NaN without validation data (or with a single class). */
  public double validationAuc() {
    return validationAuc;
  }

  /** Validation root mean squared error (weighted), NaN unless the monitored metric is "rmse". */
  public double validationRmse() {
    return validationRmse;
  }

  public double seconds() {
    return seconds;
  }

  public double examplesPerSecond() {
    return examplesPerSecond;
  }

  /** The learning rate this epoch trained with. */
  public double learningRate() {
    return learningRate;
  }

  /** True when this epoch improved the monitored metric (it is the best epoch so far). */
  public boolean isBest() {
    return best;
  }

  @Override
  public String toString() {
    return "EpochReport(epoch=" + epoch + ", trainLoss=" + trainLoss + ", validationLogLoss=" + validationLogLoss
        + ", validationAuc=" + validationAuc + ", validationRmse=" + validationRmse + ", seconds=" + seconds
        + ", examplesPerSecond=" + examplesPerSecond + ", learningRate=" + learningRate + ", best=" + best + ")";
  }
}
