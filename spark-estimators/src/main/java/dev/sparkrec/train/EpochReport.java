package dev.sparkrec.train;

import java.io.Serializable;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What one epoch did: its 1-based number, the mean training loss (weighted by batch size, measured while
 * training), the validation log loss and AUC (NaN without validation data or when the monitored metric is
 * RMSE), the validation RMSE (NaN unless the monitored metric is RMSE), the wall-clock seconds of the
 * epoch's training and validation, the training throughput in examples per second, the
 * learning rate the epoch trained with, and whether the monitored metric reached a new best. Immutable; two
 * reports are equal when every field is (NaN equals NaN).
 */
public final class EpochReport implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * A report as a row, the form in which checkpoints and model summaries store it: {@code epoch} int,
   * {@code trainLoss}, {@code validationLogLoss}, {@code validationAuc}, {@code seconds},
   * {@code examplesPerSecond}, {@code learningRate} double, {@code best} boolean and {@code validationRmse} double
   * (last, so rows written before it existed still read, as NaN).
   */
  public static final StructType SCHEMA = new StructType()
      .add("epoch", DataTypes.IntegerType, false)
      .add("trainLoss", DataTypes.DoubleType, false)
      .add("validationLogLoss", DataTypes.DoubleType, false)
      .add("validationAuc", DataTypes.DoubleType, false)
      .add("seconds", DataTypes.DoubleType, false)
      .add("examplesPerSecond", DataTypes.DoubleType, false)
      .add("learningRate", DataTypes.DoubleType, false)
      .add("best", DataTypes.BooleanType, false)
      .add("validationRmse", DataTypes.DoubleType, false);

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

  /** This report as a row of {@link #SCHEMA}. */
  public Row toRow() {
    return RowFactory.create(epoch, trainLoss, validationLogLoss, validationAuc, seconds, examplesPerSecond,
        learningRate, best, validationRmse);
  }

  /** Reads a row of {@link #SCHEMA}; a row without {@code validationRmse} (written before it existed) reads NaN. */
  public static EpochReport fromRow(Row r) {
    double rmse = r.size() > 8 ? r.getDouble(8) : Double.NaN;
    return new EpochReport(r.getInt(0), r.getDouble(1), r.getDouble(2), r.getDouble(3), rmse, r.getDouble(4),
        r.getDouble(5), r.getDouble(6), r.getBoolean(7));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof EpochReport)) {
      return false;
    }
    EpochReport r = (EpochReport) o;
    return epoch == r.epoch && Double.compare(trainLoss, r.trainLoss) == 0
        && Double.compare(validationLogLoss, r.validationLogLoss) == 0
        && Double.compare(validationAuc, r.validationAuc) == 0 && Double.compare(validationRmse, r.validationRmse) == 0
        && Double.compare(seconds, r.seconds) == 0 && Double.compare(examplesPerSecond, r.examplesPerSecond) == 0
        && Double.compare(learningRate, r.learningRate) == 0 && best == r.best;
  }

  @Override
  public int hashCode() {
    return Objects.hash(epoch, trainLoss, validationLogLoss, validationAuc, validationRmse, seconds,
        examplesPerSecond, learningRate, best);
  }

  @Override
  public String toString() {
    return "EpochReport(epoch=" + epoch + ", trainLoss=" + trainLoss + ", validationLogLoss=" + validationLogLoss
        + ", validationAuc=" + validationAuc + ", validationRmse=" + validationRmse + ", seconds=" + seconds
        + ", examplesPerSecond=" + examplesPerSecond + ", learningRate=" + learningRate + ", best=" + best + ")";
  }
}
