package dev.sparkrec.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Per-epoch training checkpoints as Parquet, enough to continue a run bit for bit.
 *
 * <p>{@code checkpointDir/epoch=K/parameters} holds one row per chunk of up to 2^20 floats:
 * {@code kind} string ("parameter", "slot" or "best"), {@code name} string, {@code slot} int (the slot
 * index, -1 otherwise), {@code shape} array&lt;int&gt;, {@code offset} long (the chunk's first element) and
 * {@code values} array&lt;float&gt;; "best" rows are the best epoch's parameter values.
 * {@code checkpointDir/epoch=K/state} holds one row: {@code epoch} int, {@code steps} long (optimizer
 * steps), {@code learningRate} double (for the next epoch), the early-stopping state ({@code bestMetric}
 * double, {@code bestEpoch} int, {@code epochsSinceBest} int, {@code epochsSinceDecay} int,
 * {@code stopped} boolean), {@code seed} long and {@code history}, an array of per-epoch report structs
 * (validation RMSE last, so older checkpoints without it still read, as NaN).
 * The state is written last, so a checkpoint is complete when {@code state/_SUCCESS} exists.
 */
final class Checkpoints {

  static final String PARAMETER = "parameter";
  static final String SLOT = "slot";
  static final String BEST = "best";
  private static final int CHUNK = 1 << 20;

  static final StructType PARAMETERS_SCHEMA = new StructType()
      .add("kind", DataTypes.StringType, false)
      .add("name", DataTypes.StringType, false)
      .add("slot", DataTypes.IntegerType, false)
      .add("shape", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add("offset", DataTypes.LongType, false)
      .add("values", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  static final StructType REPORT_SCHEMA = new StructType()
      .add("epoch", DataTypes.IntegerType, false)
      .add("trainLoss", DataTypes.DoubleType, false)
      .add("validationLogLoss", DataTypes.DoubleType, false)
      .add("validationAuc", DataTypes.DoubleType, false)
      .add("seconds", DataTypes.DoubleType, false)
      .add("examplesPerSecond", DataTypes.DoubleType, false)
      .add("learningRate", DataTypes.DoubleType, false)
      .add("best", DataTypes.BooleanType, false)
      .add("validationRmse", DataTypes.DoubleType, false);

  static final StructType STATE_SCHEMA = new StructType()
      .add("epoch", DataTypes.IntegerType, false)
      .add("steps", DataTypes.LongType, false)
      .add("learningRate", DataTypes.DoubleType, false)
      .add("bestMetric", DataTypes.DoubleType, false)
      .add("bestEpoch", DataTypes.IntegerType, false)
      .add("epochsSinceBest", DataTypes.IntegerType, false)
      .add("epochsSinceDecay", DataTypes.IntegerType, false)
      .add("stopped", DataTypes.BooleanType, false)
      .add("seed", DataTypes.LongType, false)
      .add("history", DataTypes.createArrayType(REPORT_SCHEMA, false), false);

  private Checkpoints() {}

  /** What a checkpoint restores besides the model state. */
  static final class Restored {
    final int epoch;
    final float[][] bestValues;
    final double bestMetric;
    final int bestEpoch;
    final int epochsSinceBest;
    final int epochsSinceDecay;
    final boolean stopped;
    final long seed;
    final List<EpochReport> history;

    Restored(int epoch, float[][] bestValues, double bestMetric, int bestEpoch, int epochsSinceBest,
        int epochsSinceDecay, boolean stopped, long seed, List<EpochReport> history) {
      this.epoch = epoch;
      this.bestValues = bestValues;
      this.bestMetric = bestMetric;
      this.bestEpoch = bestEpoch;
      this.epochsSinceBest = epochsSinceBest;
      this.epochsSinceDecay = epochsSinceDecay;
      this.stopped = stopped;
      this.seed = seed;
      this.history = history;
    }
  }

  static String epochDir(String dir, int epoch) {
    return new Path(dir, "epoch=" + epoch).toString();
  }

  /** Writes the checkpoint of epoch {@code epoch}, replacing an incomplete one. */
  static void write(SparkSession spark, String dir, int epoch, ModelState state, float[][] bestValues,
      PlateauSchedule schedule, long seed, List<EpochReport> history) {
    List<Row> rows = new ArrayList<>();
    long floats = 0;
    for (int i = 0; i < state.size(); i++) {
      floats += addChunks(rows, PARAMETER, state.name(i), -1, state.shape(i), state.values(i));
      for (int k = 0; k < state.slots(i).length; k++) {
        floats += addChunks(rows, SLOT, state.name(i), k, state.shape(i), state.slots(i)[k]);
      }
      if (bestValues != null) {
        floats += addChunks(rows, BEST, state.name(i), -1, state.shape(i), bestValues[i]);
      }
    }
    int slices = (int) Math.max(1, Math.min(rows.size(), floats / (4L * CHUNK)));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String path = epochDir(dir, epoch);
    spark.createDataFrame(jsc.parallelize(rows, slices), PARAMETERS_SCHEMA)
        .write().mode(SaveMode.Overwrite).parquet(new Path(path, "parameters").toString());
    List<Row> reports = new ArrayList<>();
    for (EpochReport r : history) {
      reports.add(RowFactory.create(r.epoch(), r.trainLoss(), r.validationLogLoss(), r.validationAuc(), r.seconds(),
          r.examplesPerSecond(), r.learningRate(), r.isBest(), r.validationRmse()));
    }
    Row stateRow = RowFactory.create(epoch, state.steps(), schedule.learningRate(), schedule.bestMetric(),
        schedule.bestEpoch(), schedule.epochsSinceBest(), schedule.epochsSinceDecay(), schedule.stopped(), seed,
        reports);
    spark.createDataFrame(List.of(stateRow), STATE_SCHEMA).coalesce(1)
        .write().mode(SaveMode.Overwrite).parquet(new Path(path, "state").toString());
  }

  private static long addChunks(List<Row> rows, String kind, String name, int slot, int[] shape, float[] values) {
    Integer[] boxedShape = Arrays.stream(shape).boxed().toArray(Integer[]::new);
    int offset = 0;
    do {
      float[] chunk = Arrays.copyOfRange(values, offset, Math.min(values.length, offset + CHUNK));
      rows.add(RowFactory.create(kind, name, slot, boxedShape, (long) offset, chunk));
      offset += CHUNK;
    } while (offset < values.length);
    return values.length;
  }

  /** The highest epoch with a complete checkpoint in {@code dir}, if any. */
  static OptionalInt latestEpoch(SparkSession spark, String dir) {
    try {
      Path root = new Path(dir);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(root)) {
        return OptionalInt.empty();
      }
      int latest = -1;
      for (FileStatus status : fs.listStatus(root)) {
        String name = status.getPath().getName();
        if (status.isDirectory() && name.matches("epoch=\\d+")) {
          int epoch = Integer.parseInt(name.substring("epoch=".length()));
          if (epoch > latest && fs.exists(new Path(status.getPath(), "state/_SUCCESS"))) {
            latest = epoch;
          }
        }
      }
      return latest < 0 ? OptionalInt.empty() : OptionalInt.of(latest);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads the checkpoint of epoch {@code epoch} into {@code state} (values, slots, step count, learning
   * rate), after checking it holds the same parameters, and returns the rest.
   */
  static Restored read(SparkSession spark, String dir, int epoch, ModelState state) {
    String path = epochDir(dir, epoch);
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < state.size(); i++) {
      index.put(state.name(i), i);
    }
    float[][] best = null;
    long[] filled = new long[state.size()];
    long[] filledSlots = new long[state.size()];
    for (Row row : spark.read().parquet(new Path(path, "parameters").toString()).collectAsList()) {
      String kind = row.getString(0);
      String name = row.getString(1);
      int slot = row.getInt(2);
      Integer i = index.get(name);
      List<Integer> shape = row.getList(3);
      if (i == null || !shape.equals(Arrays.stream(state.shape(i)).boxed().toList())) {
        throw new IllegalStateException("Checkpoint " + path + " holds parameter '" + name + "' " + shape
            + " which the model does not have (its parameters: " + index.keySet() + "); resume with the model "
            + "that wrote the checkpoint or use another checkpointDir.");
      }
      float[] target;
      if (PARAMETER.equals(kind)) {
        target = state.values(i);
      } else if (SLOT.equals(kind)) {
        if (slot < 0 || slot >= state.slots(i).length) {
          throw new IllegalStateException("Checkpoint " + path + " holds optimizer slot " + slot + " of '" + name
              + "' but the optimizer keeps " + state.slots(i).length + "; resume with the same optimizer.");
        }
        target = state.slots(i)[slot];
      } else if (BEST.equals(kind)) {
        if (best == null) {
          best = new float[state.size()][];
        }
        if (best[i] == null) {
          best[i] = new float[state.values(i).length];
        }
        target = best[i];
      } else {
        throw new IllegalStateException("Checkpoint " + path + " has a row of unknown kind '" + kind + "'");
      }
      List<Float> values = row.getList(5);
      int offset = (int) row.getLong(4);
      for (int j = 0; j < values.size(); j++) {
        target[offset + j] = values.get(j);
      }
      if (PARAMETER.equals(kind)) {
        filled[i] += values.size();
      } else if (SLOT.equals(kind)) {
        filledSlots[i] += values.size();
      }
    }
    for (int i = 0; i < state.size(); i++) {
      long slotFloats = (long) state.values(i).length * state.slots(i).length;
      if (filled[i] != state.values(i).length || filledSlots[i] != slotFloats) {
        throw new IllegalStateException("Checkpoint " + path + " holds " + filled[i] + " of the "
            + state.values(i).length + " values and " + filledSlots[i] + " of the " + slotFloats
            + " optimizer-slot values of '" + state.name(i) + "'; it is incomplete or from another model or "
            + "optimizer.");
      }
    }
    List<Row> stateRows = spark.read().parquet(new Path(path, "state").toString()).collectAsList();
    if (stateRows.size() != 1) {
      throw new IllegalStateException("Checkpoint " + path + "/state must hold one row, found " + stateRows.size());
    }
    Row s = stateRows.get(0);
    state.setSteps(s.getLong(1));
    state.setLearningRate(s.getDouble(2));
    List<EpochReport> history = new ArrayList<>();
    for (Row r : s.<Row>getList(9)) {
      double rmse = r.size() > 8 ? r.getDouble(8) : Double.NaN; // checkpoints written before RMSE existed
      history.add(new EpochReport(r.getInt(0), r.getDouble(1), r.getDouble(2), r.getDouble(3), rmse, r.getDouble(4),
          r.getDouble(5), r.getDouble(6), r.getBoolean(7)));
    }
    return new Restored(s.getInt(0), best, s.getDouble(3), s.getInt(4), s.getInt(5), s.getInt(6), s.getBoolean(7),
        s.getLong(8), history);
  }
}
