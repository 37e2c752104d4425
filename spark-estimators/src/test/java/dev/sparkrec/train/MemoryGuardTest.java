package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.optim.Sgd;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.TinyCtrData;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/** The memory guard's estimate, heap, limit and message; it fails before any data is read. */
class MemoryGuardTest {

  private static final long MB = 1L << 20;
  /** 1,000,000 × 8 embedding + 32 × 1 weight + 1 bias. */
  private static final long PARAMETER_FLOATS = 8_000_033;

  private static ModelFactory largeModel() {
    return TinyCtrModel.factory(1_000_000, TinyCtrData.FIELDS, 8, 1);
  }

  @Test
  void describesAParameterByShapeAndMegabytes() {
    assertEquals("embedding table 'emb' 2,000,000 × 64 = 488 MB",
        MemoryGuard.describe("emb", new int[] {2_000_000, 64}, true));
    assertEquals("parameter 'proj.weight' 1,024 × 512 = 2 MB",
        MemoryGuard.describe("proj.weight", new int[] {1024, 512}, false));
  }

  @Test
  void estimateCountsDriverBroadcastAndPerTaskCopies() {
    // 4 bytes × [(P + S) driver + (P + S) broadcast + tasks × (2P + S)] = 4 × [3000 + 3000 + 3 × 4000]
    assertEquals(72_000, MemoryGuard.estimateBytes(1000, 2000, 3));
  }

  @Test
  void theShardedEstimateBroadcastsOnlyDenseParametersAndCachesTheTablesTwiceOverTheExecutors() {
    // P 1000, S 2000, tables Pt 400 with slots St 800 (T 1200), so Pd 600, Sd 1200; 3 tasks, 4 executors:
    // an executor: 4 × [(Pd + Sd) + 3 × (2Pd + Sd) + 2T / 4] = 4 × [1800 + 3 × 2400 + 600]
    assertEquals(38_400, MemoryGuard.estimateShardedExecutorBytes(1000, 2000, 400, 800, 3, 4));
    // the driver: 4 × (Pd + Sd), also when it resumes from a checkpoint (the executors read its tables)
    assertEquals(7_200, MemoryGuard.estimateShardedDriverBytes(1000, 2000, 400, 800));
  }

  @Test
  void onAClusterTheShardedPathChecksTheDriversPartAgainstTheDriversHeap() {
    ModelState state = ModelState.wrap(largeModel().create().parameters(), new Sgd(0.1));
    MemoryGuard.Heap executor = new MemoryGuard.Heap(64 * MB, "spark.executor.memory", 2, false);
    // an executor: 4 × [33 + 2 × 66 + 2 × 8,000,000 / 4] bytes = 15 MB, under 0.5 × 64 MB
    MemoryGuard.check(state, executor, 0.5, 4, 64 * MB);
    // the tables stay in the cluster: the driver holds 4 × Pd = 132 bytes, whatever the vocabulary
    MemoryGuard.check(state, executor, 0.5, 4, 264);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MemoryGuard.check(state, executor, 0.5, 4, 263));
    assertTrue(e.getMessage().startsWith("The driver needs an estimated 0 MB for the dense parameters and their "
        + "optimizer slots, more than the limit of 0 MB (maxMemoryFraction 0.5 × 0 MB, the driver JVM's max heap)."),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("Largest parameter: parameter 'proj.weight' 32 × 1 = 0 MB. Give the "
        + "driver more memory (spark.driver.memory)."), e.getMessage());
  }

  @Test
  void shardsThatTheExecutorsCannotCacheFailWithTheEstimateAndWhatToChange() {
    ModelState state = ModelState.wrap(largeModel().create().parameters(), new Sgd(0.1));
    // tables 8,000,000 floats = 31 MB, held twice = 61 MB
    IllegalArgumentException all = assertThrows(IllegalArgumentException.class,
        () -> MemoryGuard.checkShards(state, 2, new MemoryGuard.Storage(2, 50 * MB, 25 * MB)));
    assertEquals("The embedding shards need an estimated 61 MB of executor storage memory (31 MB of embedding tables "
        + "and their optimizer slots, held twice while a round replaces them), more than the 50 MB the 2 executor(s) "
        + "can cache (their storage memory: spark.executor.memory × spark.memory.fraction). Largest table: embedding "
        + "table 'emb' 1,000,000 × 8 = 31 MB. Give the cluster more executors or more spark.executor.memory, split the "
        + "training data into more partitions so each shard is smaller, reduce the embedding dimension, or raise "
        + "FieldEncoder's minCount (or lower maxCategoriesPerField) to shrink the id space.", all.getMessage());
    // enough storage together, but one of 2 shards (twice 15 MB) is more than the largest executor's 20 MB
    IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
        () -> MemoryGuard.checkShards(state, 2, new MemoryGuard.Storage(5, 100 * MB, 20 * MB)));
    assertEquals(true, one.getMessage().startsWith("One embedding shard needs an estimated 31 MB of executor storage "
        + "memory (31 MB of embedding tables and their optimizer slots, held twice while a round replaces them, over "
        + "2 training partitions), more than the 20 MB the largest executor can cache."), one.getMessage());
    MemoryGuard.checkShards(state, 4, new MemoryGuard.Storage(5, 100 * MB, 20 * MB)); // 4 shards of 15 MB fit
  }

  @Test
  void localModeCachesShardsInTheDriversStorageMemory() {
    MemoryGuard.Storage storage = MemoryGuard.Storage.of(SparkTestSession.get().sparkContext());
    assertEquals(1, storage.executors());
    assertEquals(true, storage.totalBytes() > 0 && storage.totalBytes() < Runtime.getRuntime().maxMemory(),
        storage.toString());
    assertEquals(storage.totalBytes(), storage.largestBytes());
  }

  @Test
  void heapAndConcurrentTasksFollowTheMaster() {
    SparkConf conf = new SparkConf(false);
    long jvm = Runtime.getRuntime().maxMemory();
    assertHeap(jvm, 1, MemoryGuard.executorHeap("local", conf));
    assertHeap(jvm, 2, MemoryGuard.executorHeap("local[2]", conf));
    assertHeap(jvm, 3, MemoryGuard.executorHeap("local[3,2]", conf));
    assertHeap(jvm, Runtime.getRuntime().availableProcessors(), MemoryGuard.executorHeap("local[*]", conf));
    assertHeap(1024 * MB, 3, MemoryGuard.executorHeap("local-cluster[2,3,1024]", conf));
    assertHeap(1024 * MB, 1, MemoryGuard.executorHeap("yarn", conf));
    SparkConf cluster = new SparkConf(false).set("spark.executor.memory", "4g").set("spark.executor.cores", "4")
        .set("spark.task.cpus", "2");
    assertHeap(4096 * MB, 2, MemoryGuard.executorHeap("spark://host:7077", cluster));
    assertEquals("spark.executor.memory", MemoryGuard.executorHeap("spark://host:7077", cluster).source);
  }

  private static void assertHeap(long bytes, int tasks, MemoryGuard.Heap heap) {
    assertEquals(bytes, heap.bytes, heap.source);
    assertEquals(tasks, heap.concurrentTasks, heap.source);
  }

  @Test
  void failsWithTheEstimateTheLimitTheLargestParameterAndWhatToChange() {
    ModelState state = ModelState.wrap(largeModel().create().parameters(), new Sgd(0.1));
    MemoryGuard.Heap heap = new MemoryGuard.Heap(256 * MB, "a test heap", 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MemoryGuard.check(state, heap, 0.5));
    // 4 × [2P + 2 × 2P] = 24 × 8,000,033 bytes = 183.1 MB; limit 0.5 × 256 MB = 128 MB.
    assertEquals("Training needs an estimated 183 MB for parameters, gradients and optimizer slots (8,000,033 "
        + "parameter and 0 slot floats × 4 bytes: a driver copy, a broadcast copy and a working copy with gradients "
        + "and slots for each of 2 concurrent tasks), more than the limit of 128 MB (maxMemoryFraction 0.5 × 256 MB, "
        + "a test heap). Largest parameter: embedding table 'emb' 1,000,000 × 8 = 31 MB. Reduce the embedding "
        + "dimension, raise FieldEncoder's minCount (or lower maxCategoriesPerField) to shrink the id space, or give "
        + "executors more memory (spark.executor.memory).", e.getMessage());
    MemoryGuard.check(state, heap, 0.75); // 183 MB fits under 192 MB
  }

  /** A label column that fails the job if anything reads it. */
  private static final class ReadingFails implements UDF1<Double, Double> {
    private static final long serialVersionUID = 1L;

    @Override
    public Double call(Double label) {
      throw new IllegalStateException("the training data was read");
    }
  }

  @Test
  void fitFailsAtOnceBeforeReadingTheData() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> poisoned = TrainFixtures.train(spark, 100, 2)
        .withColumn("label", functions.udf(new ReadingFails(), DataTypes.DoubleType).apply(functions.col("label")));
    long estimate = MemoryGuard.estimateBytes(PARAMETER_FLOATS, 0, 2); // local[2]: 2 concurrent tasks
    double fraction = 0.5 * estimate / Runtime.getRuntime().maxMemory();
    TrainingConfig config = TrainingConfig.builder().maxMemoryFraction(fraction).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(largeModel(), config).fit(poisoned, null, TrainFixtures.COLUMNS));
    assertEquals(true, e.getMessage().startsWith("Training needs an estimated 183 MB"), e.getMessage());
    assertEquals(true, e.getMessage().contains("the driver JVM's max heap (local mode)). Largest parameter: "
        + "embedding table 'emb' 1,000,000 × 8 = 31 MB."), e.getMessage());
  }

  @Test
  void aShardedFitIsGuardedWithTheShardedEstimateBeforeReadingTheData() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> poisoned = TrainFixtures.train(spark, 100, 2)
        .withColumn("label", functions.udf(new ReadingFails(), DataTypes.DoubleType).apply(functions.col("label")));
    // local mode: one executor, the driver, caches the 8,000,000 table floats twice
    long estimate = MemoryGuard.estimateShardedExecutorBytes(PARAMETER_FLOATS, 0, 8_000_000, 0, 2, 1)
        + MemoryGuard.estimateShardedDriverBytes(PARAMETER_FLOATS, 0, 8_000_000, 0);
    double fraction = 0.5 * estimate / Runtime.getRuntime().maxMemory();
    TrainingConfig config = TrainingConfig.builder().maxMemoryFraction(fraction)
        .embeddingSync(TrainingConfig.SHARDED).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(largeModel(), config).fit(poisoned, null, TrainFixtures.COLUMNS));
    // 4 × [33 (the driver's dense parameters) + 33 + 2 × (2 × 33) + 2 × 8,000,000] bytes = 61 MB
    assertEquals(true, e.getMessage().startsWith("Training needs an estimated 61 MB"), e.getMessage());
    assertEquals(true, e.getMessage().contains("a broadcast of the dense parameters, a working copy of the dense "
        + "parameters with gradients and slots for each of 2 concurrent tasks and the embedding shards cached twice "
        + "over 1 executor(s)"), e.getMessage());
  }
}
