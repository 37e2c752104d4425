package dev.sparkrec.train;

import dev.sparkrec.ml.ParameterTables;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Per-epoch training checkpoints as Parquet, enough to continue a run bit for bit.
 *
 * <p>{@code checkpointDir/epoch=K/parameters} holds the tables in {@link ParameterTables}' grouped layout: group
 * "parameter" (the values), "slot0", "slot1", … (the optimizer's slots, by slot index) and "best" (the best
 * epoch's values, when an epoch was selected). {@code checkpointDir/epoch=K/state} holds one row: {@code epoch}
 * int, {@code steps} long (optimizer steps), {@code learningRate} double (for the next epoch), the early-stopping
 * state ({@code bestMetric} double, {@code bestEpoch} int, {@code epochsSinceBest} int, {@code epochsSinceDecay}
 * int, {@code stopped} boolean), {@code seed} long and {@code history}, an array of {@link EpochReport#SCHEMA}
 * rows. The state is written last, so a checkpoint is complete when {@code state/_SUCCESS} exists.
 */
final class Checkpoints {

  static final String PARAMETER = "parameter";
  static final String SLOT = "slot";
  static final String BEST = "best";

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
      .add("history", DataTypes.createArrayType(EpochReport.SCHEMA, false), false);

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
    /** The embedding tables left in the cluster, or null when the state holds them. */
    final TablesInCluster tables;

    Restored(int epoch, float[][] bestValues, double bestMetric, int bestEpoch, int epochsSinceBest,
        int epochsSinceDecay, boolean stopped, long seed, List<EpochReport> history, TablesInCluster tables) {
      this.epoch = epoch;
      this.bestValues = bestValues;
      this.bestMetric = bestMetric;
      this.bestEpoch = bestEpoch;
      this.epochsSinceBest = epochsSinceBest;
      this.epochsSinceDecay = epochsSinceDecay;
      this.stopped = stopped;
      this.seed = seed;
      this.history = history;
      this.tables = tables;
    }
  }

  /**
   * A checkpoint's embedding tables as chunks for the executors to read ({@link ShardedTables#restore}): the values,
   * each optimizer slot, and the best epoch's values (null when the checkpoint has none).
   */
  record TablesInCluster(JavaRDD<TrainedTables.Chunk> values, List<JavaRDD<TrainedTables.Chunk>> slots,
      JavaRDD<TrainedTables.Chunk> best) {}

  static String epochDir(String dir, int epoch) {
    return new Path(dir, "epoch=" + epoch).toString();
  }

  /**
   * Writes the checkpoint of epoch {@code epoch}, replacing an incomplete one. With sharded {@code tables} (else
   * null) the embedding tables, their slots and the best epoch's tables not in {@code bestValues} are written from
   * the shards ({@link ShardedTables#chunks}): the driver holds none of them.
   */
  static void write(SparkSession spark, String dir, int epoch, ModelState state, float[][] bestValues,
      ShardedTables tables, PlateauSchedule schedule, long seed, List<EpochReport> history) {
    Map<String, Map<String, float[]>> groups = new LinkedHashMap<>();
    Map<String, JavaRDD<TrainedTables.Chunk>> fromCluster = new HashMap<>();
    for (int i = 0; i < state.size(); i++) {
      boolean inCluster = tables != null && state.isSparseRows(i);
      groups.computeIfAbsent(PARAMETER, g -> new LinkedHashMap<>()).put(state.name(i),
          inCluster ? null : state.values(i));
      for (int k = 0; k < state.slots(i).length; k++) {
        groups.computeIfAbsent(SLOT + k, g -> new LinkedHashMap<>()).put(state.name(i),
            inCluster ? null : state.slots(i)[k]);
        if (inCluster) {
          int slot = k;
          fromCluster.computeIfAbsent(SLOT + k, g -> tables.chunks(false, slot, ParameterTables.CHUNK_FLOATS));
        }
      }
      if (bestValues != null) {
        boolean bestInCluster = inCluster && bestValues[i].length != state.floats(i);
        groups.computeIfAbsent(BEST, g -> new LinkedHashMap<>()).put(state.name(i),
            bestInCluster ? null : bestValues[i]);
        if (bestInCluster) {
          fromCluster.computeIfAbsent(BEST, g -> tables.chunks(true, -1, ParameterTables.CHUNK_FLOATS));
        }
      }
      if (inCluster) {
        fromCluster.computeIfAbsent(PARAMETER, g -> tables.chunks(false, -1, ParameterTables.CHUNK_FLOATS));
      }
    }
    String path = epochDir(dir, epoch);
    ParameterTables.writeGroups(spark, new Path(path, "parameters").toString(), groups, fromCluster);
    List<Row> reports = new ArrayList<>();
    for (EpochReport r : history) {
      reports.add(r.toRow());
    }
    Row stateRow = RowFactory.create(epoch, state.steps(), schedule.learningRate(), schedule.bestMetric(),
        schedule.bestEpoch(), schedule.epochsSinceBest(), schedule.epochsSinceDecay(), schedule.stopped(), seed,
        reports);
    spark.createDataFrame(List.of(stateRow), STATE_SCHEMA).coalesce(1)
        .write().mode(SaveMode.Overwrite).parquet(new Path(path, "state").toString());
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
   * rate), after checking it holds the same parameters, and returns the rest. With {@code tablesInCluster} the
   * sparse-row tables (values, slots and best values) are left for the executors to read ({@link Restored#tables}):
   * the state holds none of them and the best values hold an empty array in their place.
   */
  static Restored read(SparkSession spark, String dir, int epoch, ModelState state, boolean tablesInCluster) {
    String path = epochDir(dir, epoch);
    Set<String> inCluster = new HashSet<>();
    for (int i = 0; tablesInCluster && i < state.size(); i++) {
      if (state.isSparseRows(i)) {
        inCluster.add(state.name(i));
      }
    }
    Map<String, Map<String, float[]>> groups;
    Map<String, Map<String, Integer>> sizes;
    Map<String, JavaRDD<TrainedTables.Chunk>> chunks;
    try {
      ParameterTables.GroupedTables read = ParameterTables.readGroups(spark, new Path(path, "parameters").toString(),
          inCluster);
      groups = read.tables();
      sizes = read.sizes();
      chunks = read.chunks();
    } catch (IllegalStateException e) {
      throw new IllegalStateException("Checkpoint " + path + " cannot be read: " + e.getMessage() + " Resume "
          + "from a checkpoint written by this version of SparkRec or use another checkpointDir.", e);
    }
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < state.size(); i++) {
      index.put(state.name(i), i);
    }
    for (Map.Entry<String, Map<String, float[]>> group : groups.entrySet()) {
      String kind = group.getKey();
      if (!kind.equals(PARAMETER) && !kind.equals(BEST) && !kind.matches(SLOT + "\\d+")) {
        throw new IllegalStateException("Checkpoint " + path + " holds tables of unknown kind '" + kind + "'.");
      }
      for (Map.Entry<String, Integer> table : sizes.get(kind).entrySet()) {
        Integer i = index.get(table.getKey());
        if (i == null || table.getValue() != state.floats(i)) {
          throw new IllegalStateException("Checkpoint " + path + " holds parameter '" + table.getKey() + "' of "
              + table.getValue() + " values which the model does not have (its parameters: "
              + describe(state) + "); resume with the model that wrote the checkpoint or use another checkpointDir.");
        }
        if (kind.startsWith(SLOT) && Integer.parseInt(kind.substring(SLOT.length())) >= state.slots(i).length) {
          throw new IllegalStateException("Checkpoint " + path + " holds optimizer " + kind + " of '"
              + table.getKey() + "' but the optimizer keeps " + state.slots(i).length + " slots; resume with the "
              + "same optimizer.");
        }
      }
    }
    Map<String, float[]> best = groups.get(BEST);
    float[][] bestValues = best == null ? null : new float[state.size()][];
    int slotGroups = 0;
    for (int i = 0; i < state.size(); i++) {
      String name = state.name(i);
      boolean left = inCluster.contains(name);
      copy(path, groups.get(PARAMETER), name, left ? null : state.values(i), "values");
      for (int k = 0; k < state.slots(i).length; k++) {
        copy(path, groups.get(SLOT + k), name, left ? null : state.slots(i)[k], "optimizer slot " + k);
        slotGroups = left ? Math.max(slotGroups, k + 1) : slotGroups;
      }
      if (best != null) {
        bestValues[i] = new float[left ? 0 : state.floats(i)];
        copy(path, best, name, left ? null : bestValues[i], "best-epoch values");
      }
    }
    TablesInCluster tables = null;
    if (!inCluster.isEmpty()) {
      List<JavaRDD<TrainedTables.Chunk>> slots = new ArrayList<>();
      for (int k = 0; k < slotGroups; k++) {
        slots.add(chunks.get(SLOT + k));
      }
      tables = new TablesInCluster(chunks.get(PARAMETER), slots, best == null ? null : chunks.get(BEST));
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
      history.add(EpochReport.fromRow(r));
    }
    return new Restored(s.getInt(0), bestValues, s.getDouble(3), s.getInt(4), s.getInt(5), s.getInt(6),
        s.getBoolean(7), s.getLong(8), history, tables);
  }

  /**
   * Copies the table {@code name} of {@code tables} into {@code target} (only checks it is there when {@code target}
   * is null: a table left in the cluster), failing when the checkpoint lacks it.
   */
  private static void copy(String path, Map<String, float[]> tables, String name, float[] target, String what) {
    if (tables == null || !tables.containsKey(name)) {
      throw new IllegalStateException("Checkpoint " + path + " lacks the " + what + " of '" + name + "'; it is "
          + "incomplete or from another model or optimizer.");
    }
    if (target != null) {
      System.arraycopy(tables.get(name), 0, target, 0, target.length);
    }
  }

  private static String describe(ModelState state) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < state.size(); i++) {
      names.add(state.name(i) + " " + Arrays.toString(state.shape(i)));
    }
    return String.join(", ", names);
  }
}
