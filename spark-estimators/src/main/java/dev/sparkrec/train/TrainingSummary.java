package dev.sparkrec.train;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * How a model was trained: one {@link EpochReport} per epoch (training loss, validation metrics, seconds,
 * throughput, learning rate), the epoch whose parameters the model holds and why training stopped. What a
 * fitted model's {@code summary()} returns and saves beside its parameters. Immutable.
 */
public final class TrainingSummary implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Training ran every epoch up to {@code maxIter}. */
  public static final String MAX_ITER = "max-iter";

  /** The monitored metric did not improve for {@code patience} epochs, so training stopped before maxIter. */
  public static final String EARLY_STOPPING = "early-stopping";

  /** One row: {@code bestEpoch} int, {@code stopReason} string, {@code history} array of {@link EpochReport#SCHEMA}. */
  static final StructType SCHEMA = new StructType()
      .add("bestEpoch", DataTypes.IntegerType, false)
      .add("stopReason", DataTypes.StringType, false)
      .add("history", DataTypes.createArrayType(EpochReport.SCHEMA, false), false);

  private final List<EpochReport> history;
  private final int bestEpoch;
  private final String stopReason;

  TrainingSummary(List<EpochReport> history, int bestEpoch, String stopReason) {
    if (stopReason == null) {
      throw new IllegalArgumentException("a stop reason is required");
    }
    this.history = Collections.unmodifiableList(new ArrayList<>(history));
    this.bestEpoch = bestEpoch;
    this.stopReason = stopReason;
  }

  /**
   * A summary of a training loop other than {@link Trainer}'s (e.g. an episodic meta-training): its per-epoch
   * history, the 1-based epoch whose parameters were kept and why it stopped ({@link #MAX_ITER} or
   * {@link #EARLY_STOPPING}).
   */
  public static TrainingSummary of(List<EpochReport> history, int bestEpoch, String stopReason) {
    return new TrainingSummary(history, bestEpoch, stopReason);
  }

  /** The number of epochs trained, including those before a resumed checkpoint. */
  public int epochs() {
    return history.size();
  }

  /** One report per epoch trained, in epoch order. */
  public List<EpochReport> history() {
    return history;
  }

  /** The 1-based epoch whose parameters the model holds (the best by validation, else the last). */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** Why training stopped: {@link #MAX_ITER} or {@link #EARLY_STOPPING}. */
  public String stopReason() {
    return stopReason;
  }

  /** The summed wall-clock seconds of the epochs' training and validation. */
  public double totalSeconds() {
    double total = 0;
    for (EpochReport report : history) {
      total += report.seconds();
    }
    return total;
  }

  /** The mean training loss of each epoch, in epoch order (MLlib's {@code objectiveHistory}). */
  public double[] objectiveHistory() {
    return history.stream().mapToDouble(EpochReport::trainLoss).toArray();
  }

  /** The history as a DataFrame, one row per epoch in {@link EpochReport#SCHEMA}, in {@code spark}. */
  public Dataset<Row> toDF(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (EpochReport report : history) {
      rows.add(report.toRow());
    }
    return spark.createDataFrame(rows, EpochReport.SCHEMA);
  }

  /** {@link #toDF(SparkSession)} in the active session. */
  public Dataset<Row> toDF() {
    return toDF(SparkSession.active());
  }

  /** Writes this summary as one Parquet row of {@link #SCHEMA} at {@code path}, replacing what is there. */
  public void write(SparkSession spark, String path) {
    List<Row> reports = new ArrayList<>();
    for (EpochReport report : history) {
      reports.add(report.toRow());
    }
    spark.createDataFrame(List.of(RowFactory.create(bestEpoch, stopReason, reports)), SCHEMA).coalesce(1)
        .write().mode(SaveMode.Overwrite).parquet(path);
  }

  /** Reads what {@link #write} wrote at {@code path}, or returns null when nothing is there. */
  public static TrainingSummary readIfPresent(SparkSession spark, String path) {
    try {
      Path p = new Path(path);
      if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
        return null;
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + path + ": " + e.getMessage(), e);
    }
    List<Row> rows = spark.read().parquet(path).collectAsList();
    if (rows.size() != 1) {
      throw new IllegalStateException("The training summary at " + path + " must hold one row, found " + rows.size()
          + "; save the model again.");
    }
    Row row = rows.get(0);
    List<EpochReport> history = new ArrayList<>();
    for (Row report : row.<Row>getList(2)) {
      history.add(EpochReport.fromRow(report));
    }
    return new TrainingSummary(history, row.getInt(0), row.getString(1));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TrainingSummary)) {
      return false;
    }
    TrainingSummary s = (TrainingSummary) o;
    return bestEpoch == s.bestEpoch && stopReason.equals(s.stopReason) && history.equals(s.history);
  }

  @Override
  public int hashCode() {
    return Objects.hash(history, bestEpoch, stopReason);
  }

  @Override
  public String toString() {
    return "TrainingSummary(epochs=" + epochs() + ", bestEpoch=" + bestEpoch + ", stopReason=" + stopReason
        + ", totalSeconds=" + totalSeconds() + ")";
  }
}
