package dev.sparkrec.pipelines.bench;

import dev.sparkrec.afn.AFN;
import dev.sparkrec.afn.AFNModel;
import dev.sparkrec.fia.MatrixFactorization;
import dev.sparkrec.fia.MatrixFactorizationModel;
import dev.sparkrec.train.TrainingSummary;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
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
 * {@code bench trainer-scale}: how the trainer's two embedding syncs scale with the vocabulary. {@value #ROWS}
 * generated training rows and {@value #TEST_ROWS} test rows per vocabulary of 10⁴ to 10⁷ ids train one epoch of AFN
 * (CTR rows of {@value #FIELDS} fields) and of matrix factorization (ratings of V/2 users and V/2 items) on each path
 * ({@code embeddingSync} "broadcast" and "sharded"); a path the memory guard refuses gets a row with {@code "fits":
 * false} and the guard's message. Each row: {@code model} ("afn" or "mf"), {@code epoch_seconds} (the epoch's wall
 * seconds from the model's summary), {@code driver_peak_heap_mb} (the largest heap in use in the driver JVM during
 * {@code fit}, garbage included: the heap just before each collection, and sampled every {@value HeapSampler#SAMPLE_MS} ms
 * between), {@code driver_peak_heap_after_gc_mb} (the
 * largest heap in use right after a garbage collection during {@code fit}: what the driver JVM held, with any
 * old-generation garbage not yet collected; in local mode the tasks run in that JVM too), {@code
 * driver_epochs_peak_heap_mb} and {@code driver_epochs_peak_heap_after_gc_mb} (the same two up to the end of the
 * last epoch's report, before the trainer builds the result), {@code driver_epochs_live_heap_mb} (the heap in use
 * after a full collection at that point: what the driver holds once it has trained, measured after {@code
 * epoch_seconds}), {@code driver_heap_before_mb} (in use before the fit, after full collections that let Spark drop
 * what earlier fits left), {@code shuffle_bytes} (shuffle bytes written by the fit's tasks) and {@code test_auc}
 * (AFN) or {@code test_rmse} and {@code test_rows_scored} (MF: the test ratings of users and items seen in
 * training), {@code driver_max_heap_mb}, {@code driver_jvm} (the driver JVM's collectors and {@code -X} options) and
 * {@code broadcast_block_size} ({@code spark.broadcast.blockSize}). Heap figures count the heap's pools only.
 *
 * <p>About a third of what the driver allocates is Spark's broadcast buffers (a whole {@code spark.broadcast.blockSize}
 * chunk for the dense parameters and for each stage's task binary, every round) and a quarter the tasks' results.
 * Under G1's default 2 MB regions of a 4 GB heap those are humongous objects, kept outside the young generation
 * until a collection frees them, and the garbage-included peak moved by up to 2× between runs of one configuration;
 * {@code bin/sparkrec} gives the driver 16 MB regions, which make them young objects. What remains of the peak's
 * noise is G1 resizing the heap (and with it the young generation) as it goes, so {@code
 * -Dsparkrec.bench.repeats=3} fits each (model, vocabulary, path) three times and reports the medians, each fit's
 * figures in {@code <figure>_by_repeat} ({@code shuffle_bytes} and the test metric are the last fit's; the fits are
 * identical). The heap after a collection and the live heap are the stable measures of what the driver holds.
 *
 * <p>The CTR data: feature {@code f·(V/F) + ⌊(V/F)·u³⌋} per field f (u uniform, so ids are power-law popular and a
 * round touches a small part of a large vocabulary), and a click drawn from sigmoid(−1 + Σ w(id) + 0.8·s(id₀)·s(id₁))
 * with per-id weights w and signs s hashed from the id and the seed. The ratings: user and item {@code ⌊(V/2)·u³⌋},
 * rating {@code 3 + 1.5·(w(user) + w(item)) + 0.5·s(user)·s(item)} plus noise, clipped to [1, 5]. Nothing of size V
 * is built anywhere but the model, and every draw hashes (seed, row id), so the rows do not depend on the
 * partitioning.
 *
 * <p>The AFN is the one measured when the sharded path was planned: 32 logarithmic neurons, hidden 256-256,
 * embedding 10, batch 512, averaging every 10 batches, one epoch; the MF has rank 10 with the same batch and
 * averaging. {@code --quick} trains 10,000 rows of 10³ and 10⁴ ids with smaller models, for smoke tests only.
 *
 * <p>An unrecorded fit per model and path on {@value #WARM_UP_ROWS} rows of 10⁴ ids comes first (not with {@code
 * --quick}), so that JIT compilation is not charged to whichever fit runs first. JVM properties narrow a run
 * (pass them through {@code SPARKREC_JAVA_OPTS}): {@code -Dsparkrec.bench.features=10000,10000000} measures only those
 * vocabularies, {@code -Dsparkrec.bench.paths=sharded} only that path and {@code -Dsparkrec.bench.models=afn} only
 * that model; {@code -Dsparkrec.bench.repeats=3} repeats each fit (above).
 */
public final class TrainerScaleBenchmark implements BenchSuite {

  private static final Logger LOG = LoggerFactory.getLogger(TrainerScaleBenchmark.class);
  static final int ROWS = 1_000_000;
  static final int TEST_ROWS = 100_000;
  static final int FIELDS = 8;
  static final int[] VOCABULARIES = {10_000, 100_000, 1_000_000, 10_000_000};
  static final String[] PATHS = {"broadcast", "sharded"};
  static final int WARM_UP_ROWS = 20_000;
  static final String FEATURES_PROPERTY = "sparkrec.bench.features";
  static final String PATHS_PROPERTY = "sparkrec.bench.paths";
  static final String MODELS_PROPERTY = "sparkrec.bench.models";
  static final String[] MODELS = {"afn", "mf"};
  static final String REPEATS_PROPERTY = "sparkrec.bench.repeats";
  /** What each fit measures; a row holds each one's median over the repeated fits. */
  static final String[] FIGURES = {"epoch_seconds", "driver_peak_heap_mb", "driver_peak_heap_after_gc_mb",
      "driver_epochs_peak_heap_mb", "driver_epochs_peak_heap_after_gc_mb", "driver_epochs_live_heap_mb",
      "driver_heap_before_mb"};
  private static final long SEED = 17;
  private static final double MB = 1 << 20;

  @Override
  public String name() {
    return "trainer-scale";
  }

  @Override
  public String description() {
    return "AFN and MF epoch seconds, driver heap and shuffle bytes as the vocabulary grows, broadcast vs sharded "
        + "tables";
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
    String[] paths = listed(PATHS_PROPERTY, PATHS);
    List<Subject> subjects = Arrays.stream(listed(MODELS_PROPERTY, MODELS))
        .map(m -> m.equals("afn") ? (Subject) new AfnSubject() : new MfSubject()).toList();
    if (!quick) {
      for (Subject subject : subjects) {
        warmUp(spark, subject, paths);
      }
    }
    for (int vocabulary : vocabularies) {
      for (Subject subject : subjects) {
        Dataset<Row> train = subject.generate(spark, vocabulary, 0, rows).cache();
        Dataset<Row> test = subject.generate(spark, vocabulary, rows, testRows).cache();
        train.count();
        test.count();
        for (String path : paths) {
          report.measure(path, () -> measure(spark, subject, vocabulary, path, quick, train, test, rows));
        }
        train.unpersist();
        test.unpersist();
      }
    }
  }

  /** The values of JVM property {@code property} (comma-separated), each one of {@code allowed}; all when unset. */
  private static String[] listed(String property, String[] allowed) {
    String[] values = Arrays.stream(System.getProperty(property, String.join(",", allowed)).split(","))
        .map(String::trim).toArray(String[]::new);
    for (String value : values) {
      if (!List.of(allowed).contains(value)) {
        throw new IllegalArgumentException(property + " lists '" + value + "'; the values are "
            + String.join(", ", allowed) + ".");
      }
    }
    return values;
  }

  /**
   * One unrecorded fit of {@code subject} per path on {@value #WARM_UP_ROWS} rows of 10⁴ ids, so that the first
   * measured fit does not also pay for compiling the training code.
   */
  private static void warmUp(SparkSession spark, Subject subject, String[] paths) {
    Dataset<Row> rows = subject.generate(spark, 10_000, 0, WARM_UP_ROWS).cache();
    for (String path : paths) {
      subject.estimator(10_000, path, false, () -> { }).fit(rows);
    }
    rows.unpersist();
  }

  static AFN afn(int vocabulary, String path, boolean quick) {
    AFN afn = new AFN().setFeatureIdsCol("featureIds").setFeatureValuesCol("").setNumFeatures(vocabulary)
        .setEmbeddingDim(10).setMaxIter(1).setSeed(SEED).setEmbeddingSync(path);
    return quick ? afn.setLogNeurons(8).setHiddenLayers(16).setBatchSize(256).setSyncEveryBatches(4)
        : afn.setLogNeurons(32).setHiddenLayers(256, 256).setBatchSize(512).setSyncEveryBatches(10);
  }

  static MatrixFactorization mf(String path, boolean quick) {
    MatrixFactorization mf = new MatrixFactorization().setUserCol("user").setItemCol("item").setRatingCol("rating")
        .setMaxIter(1).setSeed(SEED).setEmbeddingSync(path);
    return quick ? mf.setRank(4).setBatchSize(256).setSyncEveryBatches(4)
        : mf.setRank(10).setBatchSize(512).setSyncEveryBatches(10);
  }

  private static Map<String, Object> measure(SparkSession spark, Subject subject, int vocabulary, String path,
      boolean quick, Dataset<Row> train, Dataset<Row> test, int rows) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("model", subject.name());
    row.put("features", vocabulary);
    row.put("rows", rows);
    int repeats = Integer.getInteger(REPEATS_PROPERTY, 1);
    if (repeats < 1) {
      throw new IllegalArgumentException(REPEATS_PROPERTY + " must be at least 1 but is " + repeats);
    }
    Estimator<?> estimator = null;
    Model<?> model = null;
    long shuffleBytes = 0;
    double[][] figures = new double[FIGURES.length][repeats];
    for (int r = 0; r < repeats; r++) {
      model = null; // the previous fit's model (and the tables it caches) may go before the next fit
      ShuffleBytes shuffle = new ShuffleBytes();
      HeapSampler heap = new HeapSampler();
      // the last epoch's report comes before the trainer builds the result
      estimator = subject.estimator(vocabulary, path, quick, heap::markEpochsEnd);
      spark.sparkContext().addSparkListener(shuffle);
      try {
        heap.start();
        model = estimator.fit(train);
      } catch (IllegalArgumentException e) {
        if (e.getMessage() == null || !e.getMessage().contains("estimated")) {
          throw e;
        }
        LOG.info("{} {} at {} features: refused by the memory guard", subject.name(), path, vocabulary);
        row.put("fits", false);
        row.put("refused", e.getMessage());
        row.put("config", StageConfig.of(estimator));
        return row;
      } finally {
        heap.stop();
        awaitListeners(spark);
        spark.sparkContext().removeSparkListener(shuffle);
      }
      double[] fit = {subject.summary(model).history().get(0).seconds(), heap.peak() / MB, heap.peakAfterGc() / MB,
          heap.epochsPeak() / MB, heap.epochsPeakAfterGc() / MB, heap.epochsLive() / MB, heap.baseline() / MB};
      for (int f = 0; f < FIGURES.length; f++) {
        figures[f][r] = fit[f];
      }
      shuffleBytes = shuffle.bytes.get();
    }
    row.put("fits", true);
    row.put("repeats", repeats);
    for (int f = 0; f < FIGURES.length; f++) {
      row.put(FIGURES[f], SeedStats.median(Arrays.stream(figures[f]).boxed().toList()));
    }
    if (repeats > 1) {
      for (int f = 0; f < FIGURES.length; f++) {
        row.put(FIGURES[f] + "_by_repeat", figures[f]);
      }
    }
    row.put("shuffle_bytes", shuffleBytes);
    subject.test(model, test, row);
    row.put("driver_max_heap_mb", Runtime.getRuntime().maxMemory() / MB);
    row.put("driver_jvm", driverJvm());
    row.put("broadcast_block_size", spark.sparkContext().getConf().get("spark.broadcast.blockSize", "4m"));
    row.put("master", spark.sparkContext().master());
    row.put("config", StageConfig.of(estimator));
    LOG.info("{} {} at {} features: epoch {} s, driver peak heap {} MB ({} MB after a GC), shuffle {} bytes, {}",
        subject.name(), path, vocabulary, row.get("epoch_seconds"), row.get("driver_peak_heap_mb"),
        row.get("driver_peak_heap_after_gc_mb"), row.get("shuffle_bytes"),
        row.containsKey("test_auc") ? "test AUC " + row.get("test_auc") : "test RMSE " + row.get("test_rmse"));
    return row;
  }

  /** The driver JVM's collectors and its {@code -X} options (heap and young generation sizes, collector flags). */
  static Map<String, Object> driverJvm() {
    Map<String, Object> jvm = new LinkedHashMap<>();
    jvm.put("collectors", ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
        .toList());
    jvm.put("options", ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(option -> option.startsWith("-X")).toList());
    return jvm;
  }

  /** Waits until the listeners have seen every event of the fit, so the shuffle bytes are complete. */
  private static void awaitListeners(SparkSession spark) {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (TimeoutException e) {
      LOG.warn("Spark's listener bus did not drain in time; shuffle_bytes may miss the last tasks");
    }
  }

  /** A model the benchmark trains: its data, its estimator on a path, and its test metric. */
  private interface Subject {
    String name();

    /** Rows {@code [first, first + n)} of the generated data over {@code vocabulary} ids. */
    Dataset<Row> generate(SparkSession spark, int vocabulary, long first, long n);

    /** The estimator on {@code path}, calling {@code epochEnd} after each epoch's report. */
    Estimator<?> estimator(int vocabulary, String path, boolean quick, Runnable epochEnd);

    TrainingSummary summary(Model<?> model);

    /** Adds the test metric of {@code model} on {@code test} to {@code row}. */
    void test(Model<?> model, Dataset<Row> test, Map<String, Object> row);
  }

  /** AFN on generated CTR rows; {@code test_auc}. */
  private static final class AfnSubject implements Subject {
    @Override
    public String name() {
      return "afn";
    }

    @Override
    public Dataset<Row> generate(SparkSession spark, int vocabulary, long first, long n) {
      return TrainerScaleBenchmark.generate(spark, vocabulary, first, n);
    }

    @Override
    public Estimator<?> estimator(int vocabulary, String path, boolean quick, Runnable epochEnd) {
      return afn(vocabulary, path, quick).addTrainingListener((report, selected) -> epochEnd.run());
    }

    @Override
    public TrainingSummary summary(Model<?> model) {
      return ((AFNModel) model).summary();
    }

    @Override
    public void test(Model<?> model, Dataset<Row> test, Map<String, Object> row) {
      row.put("test_auc", CtrFrappeBenchmark.exactAuc(model.transform(test)));
    }
  }

  /**
   * Matrix factorization on generated ratings with {@code V/2} users and {@code V/2} items (so its two tables hold
   * the vocabulary's rows); {@code test_rmse} over the test ratings of users and items seen in training ({@code
   * test_rows_scored} of them: the model drops the others).
   */
  private static final class MfSubject implements Subject {
    @Override
    public String name() {
      return "mf";
    }

    @Override
    public Dataset<Row> generate(SparkSession spark, int vocabulary, long first, long n) {
      StructType schema = new StructType()
          .add("user", DataTypes.IntegerType, false)
          .add("item", DataTypes.IntegerType, false)
          .add("rating", DataTypes.DoubleType, false);
      int partitions = spark.sparkContext().defaultParallelism();
      return spark.range(first, first + n, 1, partitions).map(new RatingOf(vocabulary, SEED), Encoders.row(schema));
    }

    @Override
    public Estimator<?> estimator(int vocabulary, String path, boolean quick, Runnable epochEnd) {
      return mf(path, quick).addTrainingListener((report, selected) -> epochEnd.run());
    }

    @Override
    public TrainingSummary summary(Model<?> model) {
      return ((MatrixFactorizationModel) model).summary();
    }

    @Override
    public void test(Model<?> model, Dataset<Row> test, Map<String, Object> row) {
      Dataset<Row> scored = ((MatrixFactorizationModel) model).setColdStartStrategy("drop").transform(test).cache();
      row.put("test_rmse", new RegressionEvaluator().setMetricName("rmse").setLabelCol("rating")
          .setPredictionCol("prediction").evaluate(scored));
      row.put("test_rows_scored", scored.count());
      scored.unpersist();
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

  /** SplitMix64's finaliser. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** The top 53 bits of {@code bits} as a double in [0, 1). */
  static double unit(long bits) {
    return (bits >>> 11) * 0x1.0p-53;
  }

  /** A weight in [-0.9, 0.9], roughly bell-shaped (the mean of three uniforms), hashed from the id and the seed. */
  static double weight(long seed, int id) {
    long w = mix(seed * 31 + id);
    return 0.6 * (unit(w) + unit(mix(w)) + unit(mix(w + 1)) - 1.5);
  }

  /** ±1 hashed from the id and the seed. */
  static int sign(long seed, int id) {
    return (mix(seed * 37 + id) & 1) == 0 ? 1 : -1;
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
        logit += weight(seed, id);
      }
      logit += 0.8 * sign(seed, ids[0]) * sign(seed, ids[1]);
      double label = unit(mix(h + FIELDS)) < 1 / (1 + Math.exp(-logit)) ? 1.0 : 0.0;
      return RowFactory.create(ids, label);
    }
  }

  /**
   * One generated rating from its id: user and item {@code ⌊(V/2)·u³⌋} (power-law popular), rating {@code 3 + 1.5·(w(user)
   * + w(item)) + 0.5·s(user)·s(item)} plus uniform noise in ±0.5, clipped to [1, 5].
   */
  static final class RatingOf implements MapFunction<Long, Row> {
    private static final long serialVersionUID = 1L;
    private final int half;
    private final long seed;

    RatingOf(int vocabulary, long seed) {
      this.half = vocabulary / 2;
      this.seed = seed;
    }

    @Override
    public Row call(Long rowId) {
      long h = mix(seed ^ mix(rowId ^ 0x5bd1e995L));
      double u = unit(mix(h));
      double v = unit(mix(h + 1));
      int user = Math.min(half - 1, (int) (half * u * u * u));
      int item = Math.min(half - 1, (int) (half * v * v * v));
      double rating = 3 + 1.5 * (weight(seed, user) + weight(seed, half + item))
          + 0.5 * sign(seed, user) * sign(seed, half + item) + unit(mix(h + 2)) - 0.5;
      return RowFactory.create(user, item, Math.max(1, Math.min(5, rating)));
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
}
