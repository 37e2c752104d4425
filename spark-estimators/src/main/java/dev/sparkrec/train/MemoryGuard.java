package dev.sparkrec.train;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.storage.BlockManagerId;

/**
 * Refuses to start training when the parameters cannot fit: estimates the memory of parameters, gradients
 * and optimizer slots and compares it with {@code maxMemoryFraction} of the executor heap.
 *
 * <p>Estimate, for P parameter floats and S optimizer-slot floats:
 * {@code 4 bytes × [(P + S) (driver copy) + (P + S) (broadcast copy) + tasks × (P + P + S) (each concurrent
 * task's working parameters, gradients and slots)]}. The heap is the driver JVM's max heap in local mode
 * (where {@code spark.executor.memory} has no effect), the executor memory of a {@code local-cluster}
 * master, and {@code spark.executor.memory} (Spark's default 1g) otherwise; concurrent tasks are the local
 * thread count, or {@code spark.executor.cores / spark.task.cpus}.
 *
 * <p>On the sharded embedding path ({@link ShardedTables}) the broadcast carries only the dense parameters
 * (P<sub>d</sub> + S<sub>d</sub>), the executors cache the shards of the tables and their slots
 * (T = P<sub>t</sub> + S<sub>t</sub> floats) twice while a round replaces them, and a task's model holds the dense
 * parameters with their gradients and slots and, of the tables, only the rows its round touches (compact tables,
 * proportional to the round's examples, not to the vocabulary, and not counted here):
 * {@code 4 bytes × [(P<sub>d</sub> + S<sub>d</sub>) + tasks × (2P<sub>d</sub> + S<sub>d</sub>) + 2T / executors]}
 * on an executor. The driver holds no table, neither while it trains, writes checkpoints or resumes from one (the
 * executors read the checkpoint's tables into the shards) nor in the result (the tables stay in the cluster: {@link
 * TrainedParameters}): {@code 4 bytes × (P<sub>d</sub> + S<sub>d</sub>)}, checked against the driver JVM's max heap,
 * or added to the executor's estimate in local mode, where they share one heap.
 * Before the tables are sharded, {@link #checkShards} also compares 2T with the storage memory the executors report
 * and one shard (2T / shards) with the largest executor's.
 */
final class MemoryGuard {

  private static final long MB = 1L << 20;
  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:\\s*,\\s*\\d+)?\\])?");
  private static final Pattern LOCAL_CLUSTER =
      Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\]");

  private MemoryGuard() {}

  /** The heap one executor has, in bytes, and where that figure comes from. */
  static final class Heap {
    final long bytes;
    final String source;
    final int concurrentTasks;
    /** Whether the driver runs in this heap too (local mode). */
    final boolean sharedWithDriver;

    Heap(long bytes, String source, int concurrentTasks) {
      this(bytes, source, concurrentTasks, true);
    }

    Heap(long bytes, String source, int concurrentTasks, boolean sharedWithDriver) {
      this.bytes = bytes;
      this.source = source;
      this.concurrentTasks = concurrentTasks;
      this.sharedWithDriver = sharedWithDriver;
    }
  }

  /** The executor heap and task slots of the cluster described by {@code master} and {@code conf}. */
  static Heap executorHeap(String master, SparkConf conf) {
    int taskCpus = Math.max(1, conf.getInt("spark.task.cpus", 1));
    Matcher local = LOCAL.matcher(master);
    if (local.matches()) {
      String threads = local.group(1);
      int n = threads == null ? 1
          : threads.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads);
      return new Heap(Runtime.getRuntime().maxMemory(), "the driver JVM's max heap (local mode)",
          Math.max(1, n / taskCpus));
    }
    Matcher cluster = LOCAL_CLUSTER.matcher(master);
    if (cluster.matches()) {
      return new Heap(Long.parseLong(cluster.group(3)) * MB, "the local-cluster executor memory",
          Math.max(1, Integer.parseInt(cluster.group(2)) / taskCpus), false);
    }
    long bytes = conf.getSizeAsBytes("spark.executor.memory", "1g");
    int cores = conf.getInt("spark.executor.cores", 1);
    return new Heap(bytes, "spark.executor.memory", Math.max(1, cores / taskCpus), false);
  }

  /** Estimated bytes for {@code parameterFloats} P and {@code slotFloats} S (see the class comment). */
  static long estimateBytes(long parameterFloats, long slotFloats, int concurrentTasks) {
    long driverCopy = parameterFloats + slotFloats;
    long broadcastCopy = parameterFloats + slotFloats;
    long perTask = 2 * parameterFloats + slotFloats;
    return 4L * (driverCopy + broadcastCopy + concurrentTasks * perTask);
  }

  /**
   * Estimated executor bytes on the sharded path for P {@code parameterFloats} and S {@code slotFloats}, of which
   * {@code tableParameterFloats} P<sub>t</sub> and {@code tableSlotFloats} S<sub>t</sub> belong to the sharded
   * tables, cached by {@code executors}: the dense broadcast, each concurrent task's dense working copy and the
   * executor's part of the shards, twice (see the class comment).
   */
  static long estimateShardedExecutorBytes(long parameterFloats, long slotFloats, long tableParameterFloats,
      long tableSlotFloats, int concurrentTasks, int executors) {
    long denseParameters = parameterFloats - tableParameterFloats;
    long denseSlots = slotFloats - tableSlotFloats;
    long broadcastCopy = denseParameters + denseSlots;
    long perTask = 2 * denseParameters + denseSlots;
    long shards = (2 * (tableParameterFloats + tableSlotFloats) + executors - 1) / executors;
    return 4L * (broadcastCopy + concurrentTasks * perTask + shards);
  }

  /**
   * Estimated driver bytes on the sharded path for P {@code parameterFloats} and S {@code slotFloats}, of which
   * P<sub>t</sub> {@code tableParameterFloats} and S<sub>t</sub> {@code tableSlotFloats} belong to the tables: the
   * dense parameters and slots (the tables stay in the cluster, also when a run resumes from a checkpoint, whose
   * tables the executors read).
   */
  static long estimateShardedDriverBytes(long parameterFloats, long slotFloats, long tableParameterFloats,
      long tableSlotFloats) {
    return 4L * (parameterFloats - tableParameterFloats + slotFloats - tableSlotFloats);
  }

  /** The storage memory (on and off heap) of the executors that would cache shards, and of the largest one. */
  record Storage(int executors, long totalBytes, long largestBytes) {

    /**
     * What the live executors of {@code sc} report; in local mode the driver is the executor. Null when no
     * executor has registered yet.
     */
    static Storage of(SparkContext sc) {
      boolean local = sc.isLocal();
      BlockManagerId driver = SparkEnv.get() == null ? null : SparkEnv.get().blockManager().blockManagerId();
      int executors = 0;
      long total = 0;
      long largest = 0;
      for (SparkExecutorInfo info : sc.statusTracker().getExecutorInfos()) {
        boolean isDriver = driver != null && info.host().equals(driver.host()) && info.port() == driver.port();
        if (isDriver && !local) {
          continue;
        }
        long bytes = info.totalOnHeapStorageMemory() + info.totalOffHeapStorageMemory();
        executors++;
        total += bytes;
        largest = Math.max(largest, bytes);
      }
      return executors == 0 ? null : new Storage(executors, total, largest);
    }
  }

  /** Fails when the broadcast path's estimate for {@code state} exceeds {@code maxFraction} of {@code heap}. */
  static void check(ModelState state, Heap heap, double maxFraction) {
    check(state, heap, maxFraction, 0, 0);
  }

  /**
   * Fails when the estimate for {@code state} exceeds {@code maxFraction} of {@code heap}; with {@code
   * shardExecutors} > 0 the estimate is the sharded path's, the tables cached over that many executors. On that
   * path the driver's part is checked against {@code driverHeapBytes} when the executors have heaps of their own,
   * and added to theirs in local mode.
   */
  static void check(ModelState state, Heap heap, double maxFraction, int shardExecutors, long driverHeapBytes) {
    long parameterFloats = 0;
    long slotFloats = 0;
    long tableParameterFloats = 0;
    long tableSlotFloats = 0;
    int largest = -1;
    for (int i = 0; i < state.size(); i++) {
      int size = state.floats(i);
      parameterFloats += size;
      slotFloats += (long) size * state.slots(i).length;
      if (state.isSparseRows(i)) {
        tableParameterFloats += size;
        tableSlotFloats += (long) size * state.slots(i).length;
      }
      if (largest < 0 || size > state.floats(largest)) {
        largest = i;
      }
    }
    boolean sharded = shardExecutors > 0;
    long driverPart = sharded
        ? estimateShardedDriverBytes(parameterFloats, slotFloats, tableParameterFloats, tableSlotFloats) : 0;
    if (sharded && !heap.sharedWithDriver) {
      checkDriver(state, driverPart, maxFraction, driverHeapBytes);
    }
    long estimate = sharded
        ? estimateShardedExecutorBytes(parameterFloats, slotFloats, tableParameterFloats, tableSlotFloats,
            heap.concurrentTasks, shardExecutors) + (heap.sharedWithDriver ? driverPart : 0)
        : estimateBytes(parameterFloats, slotFloats, heap.concurrentTasks);
    long limit = (long) (maxFraction * heap.bytes);
    if (estimate <= limit) {
      return;
    }
    StringBuilder message = new StringBuilder();
    String copies = sharded
        ? String.format(Locale.ROOT, "%sa broadcast of the dense parameters, a working copy of the "
            + "dense parameters with gradients and slots for each of %d concurrent tasks and the embedding shards "
            + "cached twice over %d executor(s)", heap.sharedWithDriver ? "the driver's parameters, " : "",
            heap.concurrentTasks, shardExecutors)
        : String.format(Locale.ROOT, "a driver copy, a broadcast copy and a working copy with gradients and slots "
            + "for each of %d concurrent tasks", heap.concurrentTasks);
    message.append(String.format(Locale.ROOT, "Training needs an estimated %,d MB for parameters, gradients and "
        + "optimizer slots (%,d parameter and %,d slot floats × 4 bytes: %s), more than the limit of %,d MB "
        + "(maxMemoryFraction %s × %,d MB, %s).", mb(estimate), parameterFloats, slotFloats, copies, mb(limit),
        maxFraction, mb(heap.bytes), heap.source));
    if (largest >= 0) {
      message.append(" Largest parameter: ").append(describe(state, largest)).append('.');
    }
    message.append(" Reduce the embedding dimension, raise FieldEncoder's minCount (or lower maxCategoriesPerField) "
        + "to shrink the id space, or give executors more memory (spark.executor.memory).");
    throw new IllegalArgumentException(message.toString());
  }

  /**
   * Fails when the sharded path's driver part, {@code estimate} bytes (the dense parameters and their slots),
   * exceeds {@code maxFraction} of the driver's heap.
   */
  private static void checkDriver(ModelState state, long estimate, double maxFraction, long driverHeapBytes) {
    long limit = (long) (maxFraction * driverHeapBytes);
    if (estimate <= limit) {
      return;
    }
    int largest = -1;
    for (int i = 0; i < state.size(); i++) {
      if (!state.isSparseRows(i) && (largest < 0 || state.floats(i) > state.floats(largest))) {
        largest = i;
      }
    }
    StringBuilder message = new StringBuilder(String.format(Locale.ROOT, "The driver needs an estimated %,d MB for "
        + "the dense parameters and their optimizer slots, more than the limit of %,d MB (maxMemoryFraction %s × "
        + "%,d MB, the driver JVM's max heap).", mb(estimate), mb(limit), maxFraction, mb(driverHeapBytes)));
    if (largest >= 0) {
      message.append(" Largest parameter: ").append(describe(state, largest)).append('.');
    }
    message.append(" Give the driver more memory (spark.driver.memory).");
    throw new IllegalArgumentException(message.toString());
  }

  /**
   * Fails when the embedding shards of {@code state}, split into {@code shards} partitions, cannot be cached by the
   * executors of {@code storage}: all of them twice (a round keeps the previous shards until the new ones are
   * cached) beyond the executors' storage memory together, or one shard twice beyond the largest executor's.
   */
  static void checkShards(ModelState state, int shards, Storage storage) {
    long tableBytes = 4L * state.sparseRowFloats();
    long needed = 2 * tableBytes;
    long perShard = 2 * ((tableBytes + shards - 1) / shards);
    String what = String.format(Locale.ROOT, "%,d MB of embedding tables and their optimizer slots, held twice while "
        + "a round replaces them", mb(tableBytes));
    StringBuilder message = new StringBuilder();
    if (needed > storage.totalBytes()) {
      message.append(String.format(Locale.ROOT, "The embedding shards need an estimated %,d MB of executor storage "
          + "memory (%s), more than the %,d MB the %d executor(s) can cache (their storage memory: "
          + "spark.executor.memory × spark.memory.fraction).", mb(needed), what, mb(storage.totalBytes()),
          storage.executors()));
    } else if (perShard > storage.largestBytes()) {
      message.append(String.format(Locale.ROOT, "One embedding shard needs an estimated %,d MB of executor storage "
          + "memory (%s, over %d training partitions), more than the %,d MB the largest executor can cache.",
          mb(perShard), what, shards, mb(storage.largestBytes())));
    } else {
      return;
    }
    int largest = -1;
    for (int i = 0; i < state.size(); i++) {
      if (state.isSparseRows(i) && (largest < 0 || state.floats(i) > state.floats(largest))) {
        largest = i;
      }
    }
    if (largest >= 0) {
      message.append(" Largest table: ").append(describe(state, largest)).append('.');
    }
    message.append(" Give the cluster more executors or more spark.executor.memory, split the training data into "
        + "more partitions so each shard is smaller, reduce the embedding dimension, or raise FieldEncoder's minCount "
        + "(or lower maxCategoriesPerField) to shrink the id space.");
    throw new IllegalArgumentException(message.toString());
  }

  /** E.g. "embedding table 'emb' 2,000,000 × 64 = 488 MB". */
  static String describe(ModelState state, int i) {
    return describe(state.name(i), state.shape(i), state.isSparseRows(i));
  }

  /** E.g. "embedding table 'emb' 2,000,000 × 64 = 488 MB" for a sparse-row table, "parameter 'w' …" otherwise. */
  static String describe(String name, int[] shape, boolean sparseRows) {
    StringBuilder dims = new StringBuilder();
    long size = 1;
    for (int d = 0; d < shape.length; d++) {
      if (d > 0) {
        dims.append(" × ");
      }
      dims.append(String.format(Locale.ROOT, "%,d", shape[d]));
      size *= shape[d];
    }
    String kind = sparseRows ? "embedding table" : "parameter";
    return kind + " '" + name + "' " + dims + " = " + String.format(Locale.ROOT, "%,d MB", mb(4L * size));
  }

  private static long mb(long bytes) {
    return Math.round((double) bytes / MB);
  }
}
