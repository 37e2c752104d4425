package dev.sparkrec.train;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.RowInit;
import dev.sparkrec.nn.optim.Optimizer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The embedding tables of a run (its sparse-row parameters) and their optimizer slots, kept in the cluster as
 * shards instead of in every round's broadcast: the {@link TrainingConfig#SHARDED} embedding sync.
 *
 * <p><b>Layout.</b> Row r of every table belongs to shard {@code r mod S}, at local row {@code r div S}, where
 * S is the number of training partitions; a shard keeps its rows in chunks of {@value #CHUNK_ROWS} rows. The
 * shards are a cached RDD with one {@link TableShard} per partition.
 *
 * <p><b>One sync round</b> ({@link #round}):
 * <ol>
 *   <li><i>Pull.</i> Each training partition lists, per shard, the rows its batches of the round touch
 *       ({@link PartitionTrainer#rowsToPull}); the lists are shuffled to the shards, which answer with those
 *       rows' values and slots, shuffled back to the partitions.
 *   <li><i>Train.</i> The partition's task loads the broadcast dense state ({@link ModelState#withoutSparseRows})
 *       and its pulled rows, into tables that hold only those rows ({@linkplain Parameter#compact compact}
 *       tables, so a task's memory follows the rows of its round, not the vocabulary), trains as on the broadcast
 *       path, and returns its dense sums, aggregated to the driver by {@link FixedOrderTreeAggregate}, and a push
 *       of its weighted touched rows to every shard.
 *   <li><i>Push.</i> Each shard merges the pushes it received in the averaging tree's order
 *       ({@link FixedOrderTreeAggregate#foldInTreeOrder}) and writes {@code Σ w_p θ_p / Σ w_p} into each touched
 *       row: the arithmetic, in the order, of the broadcast path's averaging, so both paths give bit-identical
 *       parameters. An update copies only the chunks it writes; the previous shards are never modified, so a
 *       retried task reads what its first attempt read.
 * </ol>
 * The new shards are persisted and locally checkpointed each round, so the lineage does not grow with the
 * rounds; losing an executor's cached shards therefore fails the job, and the run continues from its last
 * epoch checkpoint ({@code checkpointDir}, {@code resume}).
 *
 * <p><b>The driver.</b> The shards initialise their rows themselves where the driver's state holds a table's
 * {@link RowInit} instead of its values ({@link #create}); once the shards are built the driver's state drops any
 * table it held ({@link ModelState#detachSparseRows}). Validation pulls rows as a round does, values only
 * ({@link #score}). A checkpoint writes the tables and their slots from the shards, as chunks assembled on the
 * executors ({@link #chunks}), and a resumed run's executors read them back into shards ({@link #restore}). The
 * driver gathers the tables ({@link #values}, one shard at a time as a few large {@link Slab}s, not its many
 * chunks) only for a listener that asks for them. The version of the shards an epoch
 * selected as the best is kept cached ({@link #keepAsBest}) instead of copied to the driver; it shares every chunk
 * later rounds did not write. The result's tables stay in the cluster too ({@link #trainedTables}, {@link
 * TrainedParameters}).
 */
final class ShardedTables {

  /**
   * Local rows per chunk: an update copies the chunks it writes, so smaller chunks copy less per round. A round
   * touches rows scattered over a large table, mostly one per chunk: with 64-row chunks a round at 10⁷ ids copied
   * up to 64 times the rows it wrote.
   */
  static final int CHUNK_ROWS = 8;

  private final int shards;
  private final int[] sparse;
  /** Per table (in {@link #sparse} order): its name, rows and row size. */
  private final String[] names;
  private final int[] rows;
  private final int[] rowSizes;
  private JavaRDD<TableShard> current;
  /** The version {@link #keepAsBest} kept, or null. */
  private JavaRDD<TableShard> best;
  /** The broadcast the first shards were built from; their RDD refers to it until a round replaces them. */
  private Broadcast<ModelState> initial;

  private ShardedTables(int shards, int[] sparse, ModelState state, JavaRDD<TableShard> current,
      Broadcast<ModelState> initial) {
    this.shards = shards;
    this.sparse = sparse;
    this.names = new String[sparse.length];
    this.rows = new int[sparse.length];
    this.rowSizes = new int[sparse.length];
    for (int j = 0; j < sparse.length; j++) {
      int[] shape = state.shape(sparse[j]);
      names[j] = state.name(sparse[j]);
      rows[j] = shape[0];
      rowSizes[j] = shape[shape.length - 1];
    }
    this.current = current;
    this.initial = initial;
  }

  /**
   * Whether a run with {@code config} on {@code state} shards its tables: always with {@link
   * TrainingConfig#SHARDED}, never with {@link TrainingConfig#BROADCAST}, and with {@link TrainingConfig#AUTO} when
   * the model has tables, no dimension search runs and the tables and slots hold at least
   * {@link TrainingConfig#AUTO_SHARDED_BYTES}.
   */
  static boolean chosen(TrainingConfig config, ModelState state) {
    switch (config.embeddingSync()) {
      case TrainingConfig.SHARDED:
        return true;
      case TrainingConfig.BROADCAST:
        return false;
      default:
        long bytes = 4L * state.sparseRowFloats();
        return config.dimensionSearch() == null && bytes > 0 && bytes >= TrainingConfig.AUTO_SHARDED_BYTES;
    }
  }

  /**
   * Shards the sparse-row parameters of {@code state} into {@code shards} partitions (one broadcast, once): the
   * values a table holds in {@code state}, or, for a table it holds none of ({@link ModelState#startWithoutValues}),
   * rows initialised on the executors by its {@link ModelState#rowInit}, so the driver never holds that table.
   */
  static ShardedTables create(JavaSparkContext jsc, ModelState state, int shards) {
    int[] sparse = sparseIndices(state);
    for (int i : sparse) {
      if (!state.holdsValues(i) && state.rowInit(i) == null) {
        throw new IllegalArgumentException("table '" + state.name(i) + "' has neither values nor a row initialiser");
      }
    }
    Broadcast<ModelState> initial = jsc.broadcast(state);
    try {
      List<Integer> indices = new ArrayList<>();
      for (int s = 0; s < shards; s++) {
        indices.add(s);
      }
      JavaRDD<TableShard> tables = jsc.parallelize(indices, shards)
          .mapPartitionsWithIndex((s, it) -> List.of(TableShard.of(initial.value(), sparse, s, shards))
              .iterator(), true)
          .persist(StorageLevel.MEMORY_AND_DISK());
      tables.rdd().localCheckpoint();
      tables.count();
      return new ShardedTables(shards, sparse, state, tables, initial);
    } catch (RuntimeException e) {
      initial.destroy();
      throw e;
    }
  }

  /**
   * Shards the sparse-row parameters of {@code state} into {@code shards} partitions from a checkpoint's chunks,
   * read and assembled on the executors, so the driver holds no table: {@code values} (every table's values), {@code
   * slots} (chunk k: every table's optimizer slot k, for the tables that keep it) and, when not null, {@code best}
   * (the best epoch's values, kept as the best version, without slots). The caller checked that the chunks cover
   * each table exactly once.
   */
  static ShardedTables restore(ModelState state, int shards, JavaRDD<TrainedTables.Chunk> values,
      List<JavaRDD<TrainedTables.Chunk>> slots, JavaRDD<TrainedTables.Chunk> best) {
    int[] sparse = sparseIndices(state);
    String[] names = new String[sparse.length];
    int[] rows = new int[sparse.length];
    int[] rowSizes = new int[sparse.length];
    int[] slotCounts = new int[sparse.length];
    for (int j = 0; j < sparse.length; j++) {
      int[] shape = state.shape(sparse[j]);
      names[j] = state.name(sparse[j]);
      rows[j] = shape[0];
      rowSizes[j] = shape[shape.length - 1];
      slotCounts[j] = state.slots(sparse[j]).length;
    }
    JavaRDD<Tuple2<Integer, TrainedTables.Chunk>> layered = values.map(chunk -> new Tuple2<>(0, chunk));
    for (int k = 0; k < slots.size(); k++) {
      int layer = k + 1;
      layered = layered.union(slots.get(k).map(chunk -> new Tuple2<>(layer, chunk)));
    }
    JavaRDD<TableShard> current = TrainedTables.shard(layered, shards, names, rows, rowSizes, slotCounts);
    ShardedTables tables = new ShardedTables(shards, sparse, state, current, null);
    if (best != null) {
      tables.best = TrainedTables.shard(best.map(chunk -> new Tuple2<>(0, chunk)), shards, names, rows, rowSizes,
          new int[sparse.length]);
    }
    return tables;
  }

  private static int[] sparseIndices(ModelState state) {
    int[] sparse = new int[state.size()];
    int n = 0;
    for (int i = 0; i < state.size(); i++) {
      if (state.isSparseRows(i)) {
        sparse[n++] = i;
      }
    }
    return Arrays.copyOf(sparse, n);
  }

  /**
   * Runs one sync round of {@code task} over {@code train} (see the class comment), updates the shards and
   * returns the dense sums for {@link ModelState#applyAverage}.
   */
  WeightedSums round(ExampleData train, PartitionTrainer task, int fanIn) {
    if (train.numPartitions() != shards) {
      throw new IllegalStateException("the tables have " + shards + " shards but the data " + train.numPartitions()
          + " partitions");
    }
    HashPartitioner toShards = new HashPartitioner(shards);
    JavaRDD<PulledRows> pulled = pull(train.blocks(), task.rowsToPull(shards), true);
    JavaRDD<RoundOutput> outputs = train.blocks().zipPartitions(pulled, task.withPulledRows(shards))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      WeightedSums dense = FixedOrderTreeAggregate.aggregate(outputs.map(o -> o.dense), WeightedSums::merge, fanIn);
      JavaRDD<ShardPush> pushes = JavaPairRDD.fromJavaRDD(outputs.flatMap(o -> o.pushes.iterator()))
          .partitionBy(toShards).values();
      JavaRDD<TableShard> next = current.zipPartitions(pushes, new ApplyPushes(train.numPartitions(), fanIn, shards))
          .persist(StorageLevel.MEMORY_AND_DISK());
      next.rdd().localCheckpoint();
      next.count();
      if (current != best) {
        current.unpersist(false);
      }
      current = next;
      dropInitialBroadcast();
      return dense;
    } finally {
      outputs.unpersist(false);
    }
  }

  /**
   * Scores {@code validation} with the current tables and the dense state {@code scorer} broadcasts: each partition
   * lists the rows its examples read, pulls their values (no slots) and scores, so the driver never holds a table.
   */
  List<ValidationScores> score(ExampleData validation, ValidationScorer scorer) {
    JavaRDD<PulledRows> pulled = pull(validation.blocks(), scorer.rowsToPull(shards), false);
    return validation.blocks().zipPartitions(pulled, scorer.withPulledRows()).collect();
  }

  /**
   * The rows {@code lister} lists for each partition of {@code blocks} (as {@code (shard, request)} pairs), pulled
   * from the current shards with their optimizer slots or without: partition p of the result holds partition p's
   * answers, one per shard asked.
   */
  private JavaRDD<PulledRows> pull(JavaRDD<ExampleBlock> blocks,
      Function2<Integer, Iterator<ExampleBlock>, Iterator<Tuple2<Integer, RowRequest>>> lister, boolean withSlots) {
    // HashPartitioner(n) puts an integer key k (0 <= k < n) in partition k.
    JavaRDD<RowRequest> requests = JavaPairRDD.fromJavaRDD(blocks.mapPartitionsWithIndex(lister, false))
        .partitionBy(new HashPartitioner(shards)).values();
    return JavaPairRDD.fromJavaRDD(current.zipPartitions(requests, new Answer(shards, withSlots)))
        .partitionBy(new HashPartitioner(blocks.getNumPartitions())).values();
  }

  /**
   * New full-size arrays of every table's values (no slots), indexed like the state's parameters (null for a dense
   * one): of the version {@link #keepAsBest} kept when {@code bestVersion} (which must exist), else of the current.
   */
  float[][] values(ModelState state, boolean bestVersion) {
    JavaRDD<TableShard> version = version(bestVersion);
    float[][] out = new float[state.size()][];
    for (int i : sparse) {
      out[i] = new float[state.floats(i)];
    }
    Iterator<Slab> it = version.flatMap(shard -> Slab.of(shard, false).iterator()).toLocalIterator();
    while (it.hasNext()) {
      Slab slab = it.next();
      slab.copyInto(shards, out[sparse[slab.table]], new float[0][]);
    }
    return out;
  }

  /**
   * The values of every table, of the version {@link #keepAsBest} kept when {@code bestVersion} (which must exist),
   * else of the current, kept in the cluster for a result ({@link TrainedTables#keep}); the driver reads none.
   */
  TrainedTables trainedTables(boolean bestVersion) {
    return TrainedTables.keep(version(bestVersion), shards, names, rows, rowSizes);
  }

  /**
   * Every table's values, or with {@code slot >= 0} its optimizer slot {@code slot}, of the version {@link
   * #keepAsBest} kept when {@code bestVersion}, else of the current, as chunks of {@code chunkFloats} assembled on the
   * executors ({@link TrainedTables#chunks(int)}): what a checkpoint writes without the driver holding a table.
   */
  JavaRDD<TrainedTables.Chunk> chunks(boolean bestVersion, int slot, int chunkFloats) {
    return TrainedTables.chunks(version(bestVersion), shards, names, rows, rowSizes, slot, chunkFloats);
  }

  private JavaRDD<TableShard> version(boolean bestVersion) {
    JavaRDD<TableShard> version = bestVersion ? best : current;
    if (version == null) {
      throw new IllegalStateException("no version of the tables was kept as the best");
    }
    return version;
  }

  /** Keeps the current version cached as the best so far (dropping the one kept before). */
  void keepAsBest() {
    if (best != null && best != current) {
      best.unpersist(false);
    }
    best = current;
  }

  /** Whether the best version kept is the current one. */
  boolean bestIsCurrent() {
    return best == current;
  }

  /** Drops the cached shards. */
  void unpersist() {
    current.unpersist(false);
    if (best != null && best != current) {
      best.unpersist(false);
    }
    dropInitialBroadcast();
  }

  private void dropInitialBroadcast() {
    if (initial != null) {
      initial.destroy();
      initial = null;
    }
  }

  /** The rows of one shard: for each table, local row l is global row {@code l·shards + shard}. */
  static final class TableShard implements Serializable {
    private static final long serialVersionUID = 1L;
    final int shard;
    final Table[] tables;

    TableShard(int shard, Table[] tables) {
      this.shard = shard;
      this.tables = tables;
    }

    /** Shard {@code shard}'s rows of the tables of {@code state}, from its values or else its row initialisers. */
    static TableShard of(ModelState state, int[] sparse, int shard, int shards) {
      Table[] tables = new Table[sparse.length];
      for (int j = 0; j < sparse.length; j++) {
        int i = sparse[j];
        int[] shape = state.shape(i);
        boolean held = state.holdsValues(i);
        tables[j] = Table.of(held ? state.values(i) : null, held ? null : state.rowInit(i), state.slots(i), shape[0],
            shape[shape.length - 1], shard, shards);
      }
      return new TableShard(shard, tables);
    }

    /** This shard's rows without their optimizer slots (sharing the value chunks, which no version modifies). */
    TableShard withoutSlots() {
      Table[] out = new Table[tables.length];
      for (int j = 0; j < tables.length; j++) {
        Table t = tables[j];
        out[j] = new Table(t.rowSize, t.rows, t.values, new float[0][][]);
      }
      return new TableShard(shard, out);
    }
  }

  /** One table's rows in a shard, and their optimizer slots, in chunks of {@link #CHUNK_ROWS} local rows. */
  static final class Table implements Serializable {
    private static final long serialVersionUID = 1L;
    final int rowSize;
    final int rows;
    private final float[][] values;
    /** [slot][chunk]. */
    private final float[][][] slots;

    private Table(int rowSize, int rows, float[][] values, float[][][] slots) {
      this.rowSize = rowSize;
      this.rows = rows;
      this.values = values;
      this.slots = slots;
    }

    /**
     * Shard {@code shard}'s rows of a {@code totalRows × rowSize} table held in {@code values}, or else initialised
     * by {@code init}, with its {@code slots} (a slot of one row stands for that row in every row).
     */
    static Table of(float[] values, RowInit init, float[][] slots, int totalRows, int rowSize, int shard,
        int shards) {
      int rows = totalRows > shard ? (totalRows - shard + shards - 1) / shards : 0;
      int chunks = (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
      Table t = new Table(rowSize, rows, new float[chunks][], new float[slots.length][chunks][]);
      for (int c = 0; c < chunks; c++) {
        int n = Math.min(CHUNK_ROWS, rows - c * CHUNK_ROWS);
        t.values[c] = new float[n * rowSize];
        for (int k = 0; k < slots.length; k++) {
          t.slots[k][c] = new float[n * rowSize];
        }
        for (int r = 0; r < n; r++) {
          long global = (long) (c * CHUNK_ROWS + r) * shards + shard;
          int from = (int) (global * rowSize);
          if (values != null) {
            System.arraycopy(values, from, t.values[c], r * rowSize, rowSize);
          } else {
            init.fillRow(global, rowSize, t.values[c], r * rowSize);
          }
          for (int k = 0; k < slots.length; k++) {
            // a slot of one row: the row every row starts with (ModelState.adoptValues)
            System.arraycopy(slots[k], slots[k].length == rowSize ? 0 : from, t.slots[k][c], r * rowSize, rowSize);
          }
        }
      }
      return t;
    }

    /**
     * Shard {@code shard}'s rows of a {@code totalRows × rowSize} table and its {@code slotCount} optimizer slots,
     * all zero: for a caller that writes every value ({@link TrainedTables#shard}).
     */
    static Table zeros(int totalRows, int rowSize, int slotCount, int shard, int shards) {
      return of(null, RowInit.ZERO, new float[slotCount][rowSize], totalRows, rowSize, shard, shards);
    }

    int slotCount() {
      return slots.length;
    }

    int chunks() {
      return values.length;
    }

    /** Chunk {@code c}'s values: local rows {@code c·CHUNK_ROWS ..}, {@link #rowSize} floats each. */
    float[] values(int c) {
      return values[c];
    }

    /** Chunk {@code c}'s optimizer slot {@code k}. */
    float[] slot(int k, int c) {
      return slots[k][c];
    }

    /** A new version sharing every chunk with this one; {@link #writable} copies a chunk before it is written. */
    Table shallowCopy() {
      float[][][] s = new float[slots.length][][];
      for (int k = 0; k < slots.length; k++) {
        s[k] = slots[k].clone();
      }
      return new Table(rowSize, rows, values.clone(), s);
    }

    /** Makes chunk {@code c} of this version its own copy, once ({@code copied} tracks which are). */
    void writable(int c, BitSet copied) {
      if (!copied.get(c)) {
        values[c] = values[c].clone();
        for (float[][] slot : slots) {
          slot[c] = slot[c].clone();
        }
        copied.set(c);
      }
    }
  }

  /** Consecutive local rows of one table of one shard, with their slots, in flat arrays. */
  static final class Slab implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Local rows per slab: about 2.6 MB of values per slab at 10 floats a row. */
    static final int ROWS = 1 << 16;
    final int table;
    final int shard;
    final int firstRow;
    final int rowSize;
    final float[] values;
    final float[][] slots;

    private Slab(int table, int shard, int firstRow, int rowSize, float[] values, float[][] slots) {
      this.table = table;
      this.shard = shard;
      this.firstRow = firstRow;
      this.rowSize = rowSize;
      this.values = values;
      this.slots = slots;
    }

    /**
     * Every table of {@code shard} as slabs of {@link #ROWS} local rows (ROWS is a multiple of the chunk rows), with
     * their optimizer slots or without.
     */
    static List<Slab> of(TableShard shard, boolean withSlots) {
      List<Slab> out = new ArrayList<>();
      for (int j = 0; j < shard.tables.length; j++) {
        Table t = shard.tables[j];
        int d = t.rowSize;
        for (int first = 0; first < t.rows; first += ROWS) {
          int n = Math.min(ROWS, t.rows - first);
          float[] values = new float[n * d];
          float[][] slots = new float[withSlots ? t.slotCount() : 0][n * d];
          for (int c = first / CHUNK_ROWS; c * CHUNK_ROWS < first + n; c++) {
            int at = (c * CHUNK_ROWS - first) * d;
            float[] v = t.values(c);
            System.arraycopy(v, 0, values, at, v.length);
            for (int k = 0; k < slots.length; k++) {
              System.arraycopy(t.slot(k, c), 0, slots[k], at, v.length);
            }
          }
          out.add(new Slab(j, shard.shard, first, d, values, slots));
        }
      }
      return out;
    }

    /** Writes the slab's rows into the full table {@code targetValues} and its slots {@code targetSlots}. */
    void copyInto(int shards, float[] targetValues, float[][] targetSlots) {
      int n = values.length / rowSize;
      for (int r = 0; r < n; r++) {
        int to = (int) (((long) (firstRow + r) * shards + shard) * rowSize);
        System.arraycopy(values, r * rowSize, targetValues, to, rowSize);
        for (int k = 0; k < slots.length; k++) {
          System.arraycopy(slots[k], r * rowSize, targetSlots[k], to, rowSize);
        }
      }
    }
  }

  /** The rows (sorted global ids) a partition needs from one shard, per table. */
  static final class RowRequest implements Serializable {
    private static final long serialVersionUID = 1L;
    final int partition;
    final int[][] rows;

    RowRequest(int partition, int[][] rows) {
      this.partition = partition;
      this.rows = rows;
    }

    /**
     * {@code (shard, request)} for every shard holding some of {@code touched} ({@code touched[i]}: sorted rows
     * of parameter i, null for a dense parameter), with the tables in parameter order.
     */
    static List<Tuple2<Integer, RowRequest>> perShard(int partition, int[][] touched, int shards) {
      List<int[]> tables = new ArrayList<>();
      for (int[] rows : touched) {
        if (rows != null) {
          tables.add(rows);
        }
      }
      List<Tuple2<Integer, RowRequest>> out = new ArrayList<>();
      for (int s = 0; s < shards; s++) {
        int[][] rows = new int[tables.size()][];
        boolean any = false;
        for (int j = 0; j < rows.length; j++) {
          rows[j] = ofShard(tables.get(j), s, shards);
          any |= rows[j].length > 0;
        }
        if (any) {
          out.add(new Tuple2<>(s, new RowRequest(partition, rows)));
        }
      }
      return out;
    }
  }

  /** The sorted rows of {@code rows} that shard {@code s} holds. */
  static int[] ofShard(int[] rows, int s, int shards) {
    int n = 0;
    for (int r : rows) {
      if (r % shards == s) {
        n++;
      }
    }
    int[] out = new int[n];
    n = 0;
    for (int r : rows) {
      if (r % shards == s) {
        out[n++] = r;
      }
    }
    return out;
  }

  /** A shard's answer to a {@link RowRequest}: the rows' values and slots (none when pulled to score), per table. */
  static final class PulledRows implements Serializable {
    private static final long serialVersionUID = 1L;
    final int[][] rows;
    final float[][] values;
    final float[][][] slots;

    PulledRows(int[][] rows, float[][] values, float[][][] slots) {
      this.rows = rows;
      this.values = values;
      this.slots = slots;
    }

    /**
     * Makes the model's sparse-row parameters {@linkplain Parameter#compact compact}, holding exactly the pulled
     * rows, and writes their values and, unless {@code optimizer} is null (rows pulled without slots, to score),
     * their optimizer slots; a row the task then reads without having pulled it fails ({@link Parameter#slot}).
     */
    static void loadAll(Iterator<PulledRows> pulled, List<Parameter> parameters, Optimizer optimizer) {
      List<PulledRows> parts = new ArrayList<>();
      pulled.forEachRemaining(parts::add);
      int j = 0;
      for (Parameter p : parameters) {
        if (!p.isSparseRows()) {
          continue;
        }
        int rows = 0;
        for (PulledRows part : parts) {
          rows += part.rows[j].length;
        }
        p.compact(rows);
        List<float[]> slots = optimizer == null ? List.of() : optimizer.slots(p);
        int d = p.rowSize();
        for (PulledRows part : parts) {
          int[] ids = part.rows[j];
          for (int r = 0; r < ids.length; r++) {
            int at = p.admit(ids[r]) * d;
            System.arraycopy(part.values[j], r * d, p.data(), at, d);
            for (int k = 0; k < slots.size(); k++) {
              System.arraycopy(part.slots[j][k], r * d, slots.get(k), at, d);
            }
          }
        }
        j++;
      }
    }
  }

  /** Answers a shard's requests: {@code (partition, rows)} for each. */
  static final class Answer
      implements FlatMapFunction2<Iterator<TableShard>, Iterator<RowRequest>, Tuple2<Integer, PulledRows>> {
    private static final long serialVersionUID = 1L;
    private final int shards;
    private final boolean withSlots;

    Answer(int shards, boolean withSlots) {
      this.shards = shards;
      this.withSlots = withSlots;
    }

    @Override
    public Iterator<Tuple2<Integer, PulledRows>> call(Iterator<TableShard> shardIt, Iterator<RowRequest> requests) {
      TableShard shard = shardIt.next();
      List<Tuple2<Integer, PulledRows>> out = new ArrayList<>();
      while (requests.hasNext()) {
        RowRequest request = requests.next();
        int n = shard.tables.length;
        float[][] values = new float[n][];
        float[][][] slots = new float[n][][];
        for (int j = 0; j < n; j++) {
          Table t = shard.tables[j];
          int[] rows = request.rows[j];
          int d = t.rowSize;
          values[j] = new float[rows.length * d];
          slots[j] = new float[withSlots ? t.slotCount() : 0][rows.length * d];
          for (int r = 0; r < rows.length; r++) {
            int local = rows[r] / shards;
            int c = local / CHUNK_ROWS;
            int at = (local % CHUNK_ROWS) * d;
            System.arraycopy(t.values(c), at, values[j], r * d, d);
            for (int k = 0; k < slots[j].length; k++) {
              System.arraycopy(t.slot(k, c), at, slots[j][k], r * d, d);
            }
          }
        }
        out.add(new Tuple2<>(request.partition, new PulledRows(request.rows, values, slots)));
      }
      return out.iterator();
    }
  }

  /** A partition's weighted sums of the rows it touched in one shard, per table (possibly no rows). */
  static final class ShardPush implements Serializable {
    private static final long serialVersionUID = 1L;
    final int partition;
    final WeightedSums.ParameterSum[] sums;

    ShardPush(int partition, WeightedSums.ParameterSum[] sums) {
      this.partition = partition;
      this.sums = sums;
    }
  }

  /** A sharded round's result of one partition: its dense sums and its pushes {@code (shard, push)}. */
  static final class RoundOutput implements Serializable {
    private static final long serialVersionUID = 1L;
    final WeightedSums dense;
    final List<Tuple2<Integer, ShardPush>> pushes;

    private RoundOutput(WeightedSums dense, List<Tuple2<Integer, ShardPush>> pushes) {
      this.dense = dense;
      this.pushes = pushes;
    }

    /**
     * Splits a partition's sums: the sparse-row sums leave {@code sums} (replaced by empty ones) and go to the
     * shards, one push per shard with that shard's rows. A partition that trained pushes to every shard, even
     * rows-less, so that each shard merges exactly the contributions the broadcast path's tree merges.
     */
    static RoundOutput split(WeightedSums sums, int partition, int shards) {
      if (!sums.trained()) {
        return new RoundOutput(sums, List.of());
      }
      List<Integer> tables = new ArrayList<>();
      for (int i = 0; i < sums.parameterCount(); i++) {
        if (sums.parameter(i).rows() != null) {
          tables.add(i);
        }
      }
      WeightedSums.ParameterSum[][] perShard = new WeightedSums.ParameterSum[shards][tables.size()];
      for (int j = 0; j < tables.size(); j++) {
        int i = tables.get(j);
        WeightedSums.ParameterSum sum = sums.parameter(i);
        for (int s = 0; s < shards; s++) {
          perShard[s][j] = rowsOfShard(sum, s, shards);
        }
        sums.setParameter(i, rowsOfShard(sum, -1, shards)); // no rows: the dense sums carry none
      }
      List<Tuple2<Integer, ShardPush>> pushes = new ArrayList<>(shards);
      for (int s = 0; s < shards; s++) {
        pushes.add(new Tuple2<>(s, new ShardPush(partition, perShard[s])));
      }
      return new RoundOutput(sums, pushes);
    }
  }

  /** The rows of {@code sum} that shard {@code s} holds (none for {@code s} = -1), with their sums. */
  static WeightedSums.ParameterSum rowsOfShard(WeightedSums.ParameterSum sum, int s, int shards) {
    int[] all = sum.rows();
    int d = all.length > 0 ? sum.values().length / all.length : 0;
    int[] rows = s < 0 ? new int[0] : ofShard(all, s, shards);
    double[] rowWeights = new double[rows.length];
    double[] values = new double[rows.length * d];
    double[][] slots = new double[sum.slots().length][rows.length * d];
    int r = 0;
    for (int from = 0; from < all.length && r < rows.length; from++) {
      if (all[from] == rows[r]) {
        rowWeights[r] = sum.rowWeights()[from];
        System.arraycopy(sum.values(), from * d, values, r * d, d);
        for (int k = 0; k < slots.length; k++) {
          System.arraycopy(sum.slots()[k], from * d, slots[k], r * d, d);
        }
        r++;
      }
    }
    return new WeightedSums.ParameterSum(rows, rowWeights, values, slots);
  }

  /**
   * Merges the pushes a shard received in the averaging tree's order and writes the averages into a new version
   * of the shard.
   */
  private static final class ApplyPushes
      implements FlatMapFunction2<Iterator<TableShard>, Iterator<ShardPush>, TableShard> {
    private static final long serialVersionUID = 1L;
    private final int partitions;
    private final int fanIn;
    private final int shards;

    ApplyPushes(int partitions, int fanIn, int shards) {
      this.partitions = partitions;
      this.fanIn = fanIn;
      this.shards = shards;
    }

    @Override
    public Iterator<TableShard> call(Iterator<TableShard> shardIt, Iterator<ShardPush> pushes) {
      TableShard old = shardIt.next();
      List<WeightedSums.ParameterSum[]> leaves = new ArrayList<>(java.util.Collections.nCopies(partitions, null));
      while (pushes.hasNext()) {
        ShardPush push = pushes.next();
        if (leaves.set(push.partition, push.sums) != null) {
          throw new IllegalStateException("shard " + old.shard + " received two pushes from partition "
              + push.partition);
        }
      }
      WeightedSums.ParameterSum[] total = FixedOrderTreeAggregate.foldInTreeOrder(leaves, (a, b) -> {
        WeightedSums.ParameterSum[] merged = new WeightedSums.ParameterSum[a.length];
        for (int j = 0; j < a.length; j++) {
          merged[j] = WeightedSums.ParameterSum.merge(a[j], b[j]);
        }
        return merged;
      }, fanIn);
      if (total == null) {
        return List.of(old).iterator();
      }
      Table[] tables = new Table[old.tables.length];
      for (int j = 0; j < tables.length; j++) {
        Table t = old.tables[j].shallowCopy();
        BitSet copied = new BitSet(t.chunks());
        WeightedSums.ParameterSum sum = total[j];
        int[] rows = sum.rows();
        int d = t.rowSize;
        for (int r = 0; r < rows.length; r++) {
          int local = rows[r] / shards;
          int c = local / CHUNK_ROWS;
          int at = (local % CHUNK_ROWS) * d;
          t.writable(c, copied);
          float[] values = t.values(c);
          double w = sum.rowWeights()[r];
          for (int col = 0; col < d; col++) {
            // θ_row = Σ_{p touched row} w_p θ_p,row / Σ_{p touched row} w_p, as ModelState.applyAverage
            values[at + col] = (float) (sum.values()[r * d + col] / w);
          }
          for (int k = 0; k < t.slotCount(); k++) {
            float[] slot = t.slot(k, c);
            for (int col = 0; col < d; col++) {
              slot[at + col] = (float) (sum.slots()[k][r * d + col] / w);
            }
          }
        }
        tables[j] = t;
      }
      return List.of(new TableShard(old.shard, tables)).iterator();
    }
  }
}
