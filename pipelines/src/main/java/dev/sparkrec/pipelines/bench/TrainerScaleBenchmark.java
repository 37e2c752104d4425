package dev.sparkrec.pipelines.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.sparkrec.afn.AFN;
import dev.sparkrec.afn.AFNModel;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench trainer-scale}: how the trainer's two embedding syncs scale with the vocabulary. Generated CTR rows
 * ({@value #ROWS} training, {@value #TEST_ROWS} test, {@value #FIELDS} fields) with vocabularies of 10⁴ to 10⁷ feature
 * ids train one AFN epoch on each path ({@code embeddingSync} "broadcast" and "sharded"); a path the memory guard
 * refuses gets a row with {@code "fits": false} and the guard's message. Each row: {@code epoch_seconds} (the
 * epoch's wall seconds from the model's summary), {@code driver_peak_heap_mb} (the largest heap in use in the driver
 * JVM, sampled every {@value #SAMPLE_MS} ms during {@code fit}, garbage included), {@code
 * driver_peak_heap_after_gc_mb} (the largest heap in use right after a garbage collection during {@code fit}: what
 * the driver JVM held, with any old-generation garbage not yet collected; in local mode the tasks run in that JVM
 * too), {@code driver_epochs_peak_heap_mb} and {@code driver_epochs_peak_heap_after_gc_mb} (the same two up to the
 * end of the last epoch's report, before the trainer builds the result), {@code shuffle_bytes} (shuffle
 * bytes written by the fit's tasks) and {@code test_auc}.
 *
 * <p>The data: feature {@code f·(V/F) + ⌊(V/F)·u³⌋} per field f (u uniform, so ids are power-law popular and a round
 * touches a small part of a large vocabulary), and a click drawn from sigmoid(−1 + Σ w(id) + 0.8·s(id₀)·s(id₁)) with
 * per-id weights w and signs s hashed from the id and the seed: nothing of size V is built anywhere but the model.
 * Every draw hashes (seed, row id), so the rows do not depend on the partitioning.
 *
 * <p>The AFN is the one measured when the sharded path was planned: 32 logarithmic neurons, hidden 256-256,
 * embedding 10, batch 512, averaging every 10 batches, one epoch. {@code --quick} trains 10,000 rows of 10³ and 10⁴
 * ids with a smaller AFN, for smoke tests only.
 *
 * <p>An unrecorded fit per path on {@value #WARM_UP_ROWS} rows comes first (not with {@code --quick}), so that JIT
 * compilation is not charged to whichever fit runs first. Two JVM properties narrow a run (pass them through
 * {@code SPARKREC_JAVA_OPTS}): {@code -Dsparkrec.bench.features=10000,10000000} measures only those vocabularies and
 * {@code -Dsparkrec.bench.paths=sharded} only that path.
 */
public final class TrainerScaleBenchmark implements BenchSuite {

  private static final Logger LOG = LoggerFactory.getLogger(TrainerScaleBenchmark.class);
  static final int ROWS = 1_000_000;
  static final int TEST_ROWS = 100_000;
  static final int FIELDS = 8;
  static final int[] VOCABULARIES = {10_000, 100_000, 1_000_000, 10_000_000};
  static final String[] PATHS = {"broadcast", "sharded"};
  static final long SAMPLE_MS = 20;
  static final int WARM_UP_ROWS = 20_000;
  static final String FEATURES_PROPERTY = "sparkrec.bench.features";
  static final String PATHS_PROPERTY = "sparkrec.bench.paths";
  private static final long SEED = 17;
  private static final double MB = 1 << 20;

  @Override
  public String name() {
    return "trainer-scale";
  }

  @Override
  public String description() {
    return "AFN epoch seconds, driver heap and shuffle bytes as the vocabulary grows, broadcast vs sharded tables";
  }

  @Override
  public void run(BenchContext context, BenchReport report) {
    SparkSession spark = context.spark();
    boolean quick = context.quick();
    int rows = quick ? 10_000 : ROWS;
    int testRows = quick ? 2_000 : TEST_ROWS;
    int[] vocabularies = quick ? new int[] {1_000, 10_000} : VOCABULARIES;
    String features = System.getProperty(FEATURES_PROPERTY);
    if (features != null) {
      vocabularies = Arrays.stream(features.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }
    String[] paths = Arrays.stream(System.getProperty(PATHS_PROPERTY, String.join(",", PATHS)).split(","))
        .map(String::trim).toArray(String[]::new);
    for (String path : paths) {
      if (!List.of(PATHS).contains(path)) {
        throw new IllegalArgumentException(PATHS_PROPERTY + " lists '" + path + "'; the paths are "
            + String.join(", ", PATHS) + ".");
      }
    }
    if (!quick) {
      warmUp(spark, paths);
    }
    for (int vocabulary : vocabularies) {
      Dataset<Row> train = generate(spark, vocabulary, 0, rows).cache();
      Dataset<Row> test = generate(spark, vocabulary, rows, testRows).cache();
      train.count();
      test.count();
      for (String path : paths) {
        report.measure(path, () -> measure(spark, afn(vocabulary, path, quick), train, test, vocabulary, rows));
      }
      train.unpersist();
      test.unpersist();
    }
  }

  /**
   * One unrecorded fit per path on {@value #WARM_UP_ROWS} rows of 10⁴ ids, so that the first measured fit does not also
   * pay for compiling the training code.
   */
  private static void warmUp(SparkSession spark, String[] paths) {
    Dataset<Row> rows = generate(spark, 10_000, 0, WARM_UP_ROWS).cache();
    for (String path : paths) {
      afn(10_000, path, false).fit(rows);
    }
    rows.unpersist();
  }

  static AFN afn(int vocabulary, String path, boolean quick) {
    AFN afn = new AFN().setFeatureIdsCol("featureIds").setFeatureValuesCol("").setNumFeatures(vocabulary)
        .setEmbeddingDim(10).setMaxIter(1).setSeed(SEED).setEmbeddingSync(path);
    return quick ? afn.setLogNeurons(8).setHiddenLayers(16).setBatchSize(256).setSyncEveryBatches(4)
        : afn.setLogNeurons(32).setHiddenLayers(256, 256).setBatchSize(512).setSyncEveryBatches(10);
  }

  private static Map<String, Object> measure(SparkSession spark, AFN afn, Dataset<Row> train, Dataset<Row> test,
      int vocabulary, int rows) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("model", "afn");
    row.put("features", vocabulary);
    row.put("rows", rows);
    ShuffleBytes shuffle = new ShuffleBytes();
    HeapSampler heap = new HeapSampler();
    spark.sparkContext().addSparkListener(shuffle);
    AFNModel model;
    try {
      heap.start();
      // the last epoch's report comes before the trainer builds the result
      model = afn.addTrainingListener((report, selected) -> heap.markEpochsEnd()).fit(train);
    } catch (IllegalArgumentException e) {
      if (e.getMessage() == null || !e.getMessage().contains("estimated")) {
        throw e;
      }
      LOG.info("{} at {} features: refused by the memory guard", afn.getEmbeddingSync(), vocabulary);
      row.put("fits", false);
      row.put("refused", e.getMessage());
      row.put("config", StageConfig.of(afn));
      return row;
    } finally {
      heap.stop();
      awaitListeners(spark);
      spark.sparkContext().removeSparkListener(shuffle);
    }
    row.put("fits", true);
    row.put("epoch_seconds", model.summary().history().get(0).seconds());
    row.put("driver_peak_heap_mb", heap.peak() / MB);
    row.put("driver_peak_heap_after_gc_mb", heap.peakAfterGc() / MB);
    row.put("driver_epochs_peak_heap_mb", heap.epochsPeak() / MB);
    row.put("driver_epochs_peak_heap_after_gc_mb", heap.epochsPeakAfterGc() / MB);
    row.put("driver_heap_before_mb", heap.baseline() / MB);
    row.put("shuffle_bytes", shuffle.bytes.get());
    row.put("test_auc", CtrFrappeBenchmark.exactAuc(model.transform(test)));
    row.put("driver_max_heap_mb", Runtime.getRuntime().maxMemory() / MB);
    row.put("master", spark.sparkContext().master());
    row.put("config", StageConfig.of(afn));
    LOG.info("{} at {} features: epoch {} s, driver peak heap {} MB ({} MB after a GC), shuffle {} bytes, test AUC {}",
        afn.getEmbeddingSync(), vocabulary, row.get("epoch_seconds"), row.get("driver_peak_heap_mb"),
        row.get("driver_peak_heap_after_gc_mb"), row.get("shuffle_bytes"), row.get("test_auc"));
    return row;
  }

  /** Waits until the listeners have seen every event of the fit, so the shuffle bytes are complete. */
  private static void awaitListeners(SparkSession spark) {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (TimeoutException e) {
      LOG.warn("Spark's listener bus did not drain in time; shuffle_bytes may miss the last tasks");
    }
  }

  /** Rows {@code [first, first + n)} of the generated data over {@code vocabulary} ids (see the class comment). */
  static Dataset<Row> generate(SparkSession spark, int vocabulary, long first, long n) {
    StructType schema = new StructType()
        .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
        .add("label", DataTypes.DoubleType, false);
    int partitions = spark.sparkContext().defaultParallelism();
    return spark.range(first, first + n, 1, partitions).map(new RowOf(vocabulary, SEED), Encoders.row(schema));
  }

  /** One generated row from its id. */
  static final class RowOf implements MapFunction<Long, Row> {
    private static final long serialVersionUID = 1L;
    private final int perField;
    private final long seed;

    RowOf(int vocabulary, long seed) {
      this.perField = vocabulary / FIELDS;
      this.seed = seed;
    }

    @Override
    public Row call(Long rowId) {
      long h = mix(seed ^ mix(rowId));
      Integer[] ids = new Integer[FIELDS];
      double logit = -1;
      for (int f = 0; f < FIELDS; f++) {
        double u = unit(mix(h + f));
        int id = f * perField + Math.min(perField - 1, (int) (perField * u * u * u));
        ids[f] = id;
        logit += weight(id);
      }
      logit += 0.8 * sign(ids[0]) * sign(ids[1]);
      double label = unit(mix(h + FIELDS)) < 1 / (1 + Math.exp(-logit)) ? 1.0 : 0.0;
      return RowFactory.create(ids, label);
    }

    /** A weight in [-0.9, 0.9], roughly bell-shaped (the mean of three uniforms), hashed from the id. */
    private double weight(int id) {
      long w = mix(seed * 31 + id);
      return 0.6 * (unit(w) + unit(mix(w)) + unit(mix(w + 1)) - 1.5);
    }

    private int sign(int id) {
      return (mix(seed * 37 + id) & 1) == 0 ? 1 : -1;
    }

    private static double unit(long bits) {
      return (bits >>> 11) * 0x1.0p-53;
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
      z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
      z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
      return z ^ (z >>> 31);
    }
  }

  /** Shuffle bytes written by every task that ends while it is registered. */
  private static final class ShuffleBytes extends SparkListener {
    final AtomicLong bytes = new AtomicLong();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
      if (taskEnd.taskMetrics() != null) {
        bytes.addAndGet(taskEnd.taskMetrics().shuffleWriteMetrics().bytesWritten());
      }
    }
  }

  /**
   * The largest heap in use, sampled on a daemon thread every {@value #SAMPLE_MS} ms after a GC, and the largest heap
   * in use right after a collection (from the collectors' notifications).
   */
  private static final class HeapSampler {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong peak = new AtomicLong();
    private volatile boolean running;
    private Thread thread;
    private long baseline;
    private volatile long epochsPeak;
    private volatile long epochsPeakAfterGc;

    private final AtomicLong peakAfterGc = new AtomicLong();
    private final NotificationListener afterGc = (notification, handback) -> {
      if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
        long used = 0;
        for (MemoryUsage pool : GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData())
            .getGcInfo().getMemoryUsageAfterGc().values()) {
          used += pool.getUsed();
        }
        peakAfterGc.accumulateAndGet(used, Math::max);
      }
    };

    void start() {
      System.gc();
      peakAfterGc.set(memory.getHeapMemoryUsage().getUsed());
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((NotificationEmitter) gc).addNotificationListener(afterGc, null, null);
      }
      baseline = memory.getHeapMemoryUsage().getUsed();
      peak.set(baseline);
      running = true;
      thread = new Thread(() -> {
        while (running) {
          peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
          try {
            Thread.sleep(SAMPLE_MS);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "trainer-scale heap sampler");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() {
      running = false;
      if (thread != null) {
        thread.interrupt();
      }
      peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        try {
          ((NotificationEmitter) gc).removeNotificationListener(afterGc);
        } catch (ListenerNotFoundException e) {
          // not registered on this collector
        }
      }
    }

    /** Records the peaks so far as those of the training epochs (before the trainer builds the result). */
    void markEpochsEnd() {
      epochsPeak = peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
      epochsPeakAfterGc = peakAfterGc.get();
    }

    long epochsPeak() {
      return epochsPeak;
    }

    long epochsPeakAfterGc() {
      return epochsPeakAfterGc;
    }

    long peakAfterGc() {
      return peakAfterGc.get();
    }

    long peak() {
      return peak.get();
    }

    long baseline() {
      return baseline;
    }
  }
}
