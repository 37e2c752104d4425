package dev.sparkrec.train;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;

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

    Heap(long bytes, String source, int concurrentTasks) {
      this.bytes = bytes;
      this.source = source;
      this.concurrentTasks = concurrentTasks;
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
          Math.max(1, Integer.parseInt(cluster.group(2)) / taskCpus));
    }
    long bytes = conf.getSizeAsBytes("spark.executor.memory", "1g");
    int cores = conf.getInt("spark.executor.cores", 1);
    return new Heap(bytes, "spark.executor.memory", Math.max(1, cores / taskCpus));
  }

  /** Estimated bytes for {@code parameterFloats} P and {@code slotFloats} S (see the class comment). */
  static long estimateBytes(long parameterFloats, long slotFloats, int concurrentTasks) {
    long driverCopy = parameterFloats + slotFloats;
    long broadcastCopy = parameterFloats + slotFloats;
    long perTask = 2 * parameterFloats + slotFloats;
    return 4L * (driverCopy + broadcastCopy + concurrentTasks * perTask);
  }

  /** Fails when the estimate for {@code state} exceeds {@code maxFraction} of {@code heap}. */
  static void check(ModelState state, Heap heap, double maxFraction) {
    long parameterFloats = 0;
    long slotFloats = 0;
    int largest = -1;
    for (int i = 0; i < state.size(); i++) {
      int size = state.values(i).length;
      parameterFloats += size;
      slotFloats += (long) size * state.slots(i).length;
      if (largest < 0 || size > state.values(largest).length) {
        largest = i;
      }
    }
    long estimate = estimateBytes(parameterFloats, slotFloats, heap.concurrentTasks);
    long limit = (long) (maxFraction * heap.bytes);
    if (estimate <= limit) {
      return;
    }
    StringBuilder message = new StringBuilder();
    message.append(String.format(Locale.ROOT, "Training needs an estimated %,d MB for parameters, gradients and "
        + "optimizer slots (%,d parameter and %,d slot floats × 4 bytes: a driver copy, a broadcast copy and a "
        + "working copy with gradients and slots for each of %d concurrent tasks), more than the limit of %,d MB "
        + "(maxMemoryFraction %s × %,d MB, %s).", mb(estimate), parameterFloats, slotFloats,
        heap.concurrentTasks, mb(limit), maxFraction, mb(heap.bytes), heap.source));
    if (largest >= 0) {
      message.append(" Largest parameter: ").append(describe(state, largest)).append('.');
    }
    message.append(" Reduce the embedding dimension, raise FieldEncoder's minCount (or lower maxCategoriesPerField) "
        + "to shrink the id space, or give executors more memory (spark.executor.memory).");
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
