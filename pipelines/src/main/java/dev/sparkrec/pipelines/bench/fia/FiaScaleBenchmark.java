package dev.sparkrec.pipelines.bench.fia;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import dev.sparkrec.data.SyntheticRatings;
import dev.sparkrec.fia.FactorizedModel;
import dev.sparkrec.fia.InfluenceCalculator;
import dev.sparkrec.fia.InfluenceExplainer;
import dev.sparkrec.fia.MatrixFactorization;
import dev.sparkrec.fia.MatrixFactorizationModel;
import dev.sparkrec.pipelines.bench.BenchContext;
import dev.sparkrec.pipelines.bench.BenchReport;
import dev.sparkrec.pipelines.bench.BenchSuite;
import dev.sparkrec.pipelines.bench.HeapSampler;
import dev.sparkrec.pipelines.bench.StageConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code bench fia-scale}: the nightly "recommend and explain" job at scale, on generated ratings
 * ({@link SyntheticRatings}: {@value #USERS} users, {@value #ITEMS} items, Zipf item popularity with exponent
 * {@value #POPULARITY}, about 1.04 M ratings whose most popular item has about 113 k; 90 % train, 10 % test, seeded).
 *
 * <p>Rows: {@code data} (the counts); {@code mf} and {@code als} (train seconds and test RMSE of SparkRec's matrix
 * factorisation and MLlib ALS, both rank {@value #RANK}, on the same split; ALS's regParam tuned over
 * {@link #ALS_REGS} on a seeded 10 % validation part of the training ratings; {@code mf-epochs-5} and
 * {@code mf-epochs-10}: MF stopped after that many epochs, its time-to-RMSE curve); {@code explainer}: one
 * {@link InfluenceExplainer#recommendAndExplain} action (top {@value #K} unrated items for every user, each with its
 * top-10 explanations, MF model) writing Parquet, with its pairs, seconds, pairs per second, the median and largest
 * task time of its heaviest stage (the per-side scoring; skew shows as a slow task), the bytes it shuffled and the
 * driver JVM's heap during the action ({@link HeapSampler}: {@code driver_heap_peak_bytes} garbage included,
 * {@code driver_heap_peak_after_gc_bytes} right after a collection, {@code driver_heap_before_bytes} before it);
 * {@code per-pair-calculator}: {@link InfluenceCalculator} on a seeded hash sample of {@value #SAMPLE} of those pairs, one
 * pair at a time on one thread from the pair's full rating lists, the per-pair baseline.
 */
public final class FiaScaleBenchmark implements BenchSuite {

  static final int USERS = 120_000;
  static final int ITEMS = 10_000;
  static final double POPULARITY = 1.4;
  static final int RANK = 8;
  static final double[] ALS_REGS = {0.05, 0.1, 0.2};
  static final int K = 10;
  static final int SAMPLE = 1_000;
  private static final long SEED = 41;
  private static final String GROUP = "sparkrec-fia-scale-explain";

  @Override
  public String name() {
    return "fia-scale";
  }

  @Override
  public String description() {
    return "recommend and explain top-10 items for every user of 1 M generated Zipf ratings; MF vs ALS training";
  }

  @Override
  public void run(BenchContext context, BenchReport report) {
    SparkSession spark = context.spark();
    boolean quick = context.quick();
    SyntheticRatings generator = SyntheticRatings.builder().numUsers(quick ? 2_000 : USERS).numItems(quick ? 500 : ITEMS)
        .minRatingsPerUser(5).activityExponent(2.2).itemPopularityExponent(POPULARITY).seed(SEED).numPartitions(8)
        .build();
    Dataset<Row>[] split = generator.generate(spark).randomSplit(new double[] {0.9, 0.1}, SEED);
    Dataset<Row> train = split[0].cache();
    Dataset<Row> test = split[1].cache();
    report.measure("data", () -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("train_ratings", train.count());
      row.put("test_ratings", test.count());
      row.put("users", generator.numUsers());
      row.put("items", generator.numItems());
      row.put("item_popularity_exponent", POPULARITY);
      row.put("most_popular_item_train_ratings", train.groupBy("item").count().orderBy(desc("count")).first()
          .getLong(1));
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("generator", "SyntheticRatings minRatingsPerUser 5, activityExponent 2.2, numPartitions 8");
      config.put("seed", SEED);
      config.put("split", "randomSplit [0.9, 0.1], seed " + SEED);
      row.put("config", config);
      return row;
    });

    MatrixFactorizationModel[] mf = new MatrixFactorizationModel[1];
    report.measure("mf", () -> {
      MatrixFactorization estimator = new MatrixFactorization().setRank(RANK).setSeed(SEED);
      if (quick) {
        estimator.setMaxIter(3);
      }
      long start = System.nanoTime();
      mf[0] = estimator.fit(train);
      double seconds = (System.nanoTime() - start) / 1e9;
      return trainingRow(seconds, AlsTuning.rmse(mf[0].setColdStartStrategy("drop").transform(test)), StageConfig.of(estimator));
    });
    // ALS tuned on a seeded 10% validation part of the training ratings (rank fixed at MF's).
    report.measure("als", () -> {
      Dataset<Row>[] parts = train.randomSplit(new double[] {0.9, 0.1}, SEED);
      return AlsTuning.tuned(parts[0], parts[1], train, test, new int[] {RANK},
          quick ? new double[] {0.1} : ALS_REGS, quick ? 3 : 10, SEED, "the training ratings");
    });
    // MF's time-to-RMSE curve beside ALS: the same estimator stopped after fewer epochs (every row is reported).
    for (int epochs : quick ? new int[] {1, 2} : new int[] {5, 10}) {
      report.measure("mf-epochs-" + epochs, () -> {
        MatrixFactorization estimator = new MatrixFactorization().setRank(RANK).setSeed(SEED).setMaxIter(epochs);
        long start = System.nanoTime();
        MatrixFactorizationModel model = estimator.fit(train);
        double seconds = (System.nanoTime() - start) / 1e9;
        return trainingRow(seconds, AlsTuning.rmse(model.setColdStartStrategy("drop").transform(test)),
            StageConfig.of(estimator));
      });
    }
    if (mf[0] == null) {
      return;
    }

    InfluenceExplainer explainer = new InfluenceExplainer().setModel(mf[0]).setTrainingRatings(train).setTopK(10);
    String out = "target/bench/fia-scale-explanations";
    report.measure("explainer", () -> {
      HeapSampler heap = new HeapSampler();
      heap.start();
      TaskTimes times = new TaskTimes(GROUP);
      spark.sparkContext().addSparkListener(times);
      spark.sparkContext().setJobGroup(GROUP, "recommendAndExplain at scale", false);
      long start = System.nanoTime();
      try {
        explainer.recommendAndExplain(K).write().mode("overwrite").parquet(out);
      } finally {
        spark.sparkContext().clearJobGroup();
        heap.stop();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      spark.sparkContext().removeSparkListener(times);
      long pairs = spark.read().parquet(out).count();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("pairs", pairs);
      row.put("seconds", seconds);
      row.put("pairs_per_second", pairs / seconds);
      row.putAll(times.summary());
      row.put("driver_max_heap_bytes", Runtime.getRuntime().maxMemory());
      // The driver JVM's heap during the action (local mode: the executors' tasks share it): in use at its largest,
      // garbage included; in use right after a collection at its largest (what was held, with any old garbage not
      // yet collected); and in use before the action, after full collections.
      row.put("driver_heap_peak_bytes", heap.peak());
      row.put("driver_heap_peak_after_gc_bytes", heap.peakAfterGc());
      row.put("driver_heap_before_bytes", heap.baseline());
      row.put("output", out + " (Parquet)");
      row.put("config", StageConfig.of(explainer));
      return row;
    });
    report.measure("per-pair-calculator", () -> perPair(spark, mf[0], train, spark.read().parquet(out),
        explainer, quick ? 100 : SAMPLE));
  }

  private static Map<String, Object> trainingRow(double seconds, double rmse, Object config) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("train_seconds", seconds);
    row.put("test_rmse", rmse);
    row.put("config", config);
    return row;
  }

  /** The per-pair calculator on a seeded sample of the explained pairs, from their full rating lists. */
  private static Map<String, Object> perPair(SparkSession spark, FactorizedModel model, Dataset<Row> train,
      Dataset<Row> explained, InfluenceExplainer explainer, int samples) {
    long total = explained.count();
    // Deterministic whatever the files' order: pairs whose seeded hash falls in one bucket, the first by id.
    long buckets = Math.max(1, total / (2L * samples));
    List<Row> sample = explained.select("user", "item")
        .filter(pmod(xxhash64(col("user"), col("item"), lit(SEED)), lit(buckets)).equalTo(0))
        .orderBy("user", "item").limit(samples).collectAsList();
    Dataset<Row> sampled = spark.createDataFrame(sample, explained.select("user", "item").schema());
    List<Row> related = train
        .join(sampled.select(col("user").as("u")).distinct(), col("user").equalTo(col("u")), "left_semi")
        .unionByName(train.join(sampled.select(col("item").as("i")).distinct(), col("item").equalTo(col("i")),
            "left_semi"))
        .distinct().collectAsList();
    Map<Integer, float[]> users = vectors(model.userVectors());
    Map<Integer, float[]> items = vectors(model.itemVectors());
    Map<Integer, List<Row>> byUser = new HashMap<>();
    Map<Integer, List<Row>> byItem = new HashMap<>();
    for (Row r : related) {
      byUser.computeIfAbsent(r.getInt(0), k -> new ArrayList<>()).add(r);
      byItem.computeIfAbsent(r.getInt(1), k -> new ArrayList<>()).add(r);
    }
    InfluenceCalculator calculator = new InfluenceCalculator(model.predictor(), explainer.getDamping(),
        model.predictor().quadraticInEachVector());
    long relatedRatings = 0;
    long start = System.nanoTime();
    for (Row pair : sample) {
      int u = pair.getInt(0);
      int i = pair.getInt(1);
      List<Row> rated = byUser.getOrDefault(u, List.of());
      List<Row> raters = byItem.getOrDefault(i, List.of());
      relatedRatings += rated.size() + raters.size();
      calculator.explain(u, users.get(u), i, items.get(i),
          rated.stream().mapToInt(r -> r.getInt(1)).toArray(), ratings(rated),
          rated.stream().map(r -> items.get(r.getInt(1))).toArray(float[][]::new),
          raters.stream().mapToInt(r -> r.getInt(0)).toArray(), ratings(raters),
          raters.stream().map(r -> users.get(r.getInt(0))).toArray(float[][]::new), 10);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("pairs", sample.size());
    row.put("seconds", seconds);
    row.put("pairs_per_second", sample.size() / seconds);
    row.put("threads", 1);
    row.put("mean_related_ratings", (double) relatedRatings / sample.size());
    row.put("note", "one thread, rating lists already in memory (no Spark): the per-pair cost alone");
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("damping", explainer.getDamping());
    config.put("leaveOneOut", model.predictor().quadraticInEachVector());
    config.put("topK", 10);
    config.put("sample", "seeded hash (seed " + SEED + ") of the explained pairs, first " + samples + " by id");
    row.put("config", config);
    return row;
  }

  private static float[] ratings(List<Row> rows) {
    float[] out = new float[rows.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = rows.get(k).getFloat(2);
    }
    return out;
  }

  private static Map<Integer, float[]> vectors(Dataset<Row> factors) {
    Map<Integer, float[]> map = new HashMap<>();
    for (Row r : factors.collectAsList()) {
      List<?> v = r.getList(1);
      float[] a = new float[v.size()];
      for (int d = 0; d < a.length; d++) {
        a[d] = ((Number) v.get(d)).floatValue();
      }
      map.put(r.getInt(0), a);
    }
    return map;
  }

  /** Task durations and shuffle bytes of the stages run under one job group. */
  static final class TaskTimes extends SparkListener {
    private final String group;
    private final Map<Integer, Boolean> stages = new ConcurrentHashMap<>();
    private final Map<Integer, ConcurrentLinkedQueue<Long>> durations = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<StageInfo> completed = new ConcurrentLinkedQueue<>();

    TaskTimes(String group) {
      this.group = group;
    }

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
      if (jobStart.properties() != null && group.equals(jobStart.properties().getProperty("spark.jobGroup.id"))) {
        for (Object id : scala.collection.JavaConverters.seqAsJavaList(jobStart.stageIds())) {
          stages.put((Integer) id, true);
        }
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
      if (stages.containsKey(taskEnd.stageId()) && taskEnd.taskInfo() != null) {
        durations.computeIfAbsent(taskEnd.stageId(), k -> new ConcurrentLinkedQueue<>())
            .add(taskEnd.taskInfo().duration());
      }
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted stageCompleted) {
      if (stages.containsKey(stageCompleted.stageInfo().stageId())) {
        completed.add(stageCompleted.stageInfo());
      }
    }

    /** Median and largest task of the stage with the most task time, shuffle bytes written, per-stage summary. */
    Map<String, Object> summary() {
      long shuffleBytes = 0;
      int heaviest = -1;
      long heaviestTime = -1;
      List<Map<String, Object>> perStage = new ArrayList<>();
      for (StageInfo info : completed) {
        shuffleBytes += info.taskMetrics().shuffleWriteMetrics().bytesWritten();
        long[] tasks = sorted(info.stageId());
        long sum = Arrays.stream(tasks).sum();
        if (sum > heaviestTime) {
          heaviestTime = sum;
          heaviest = info.stageId();
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("stage", info.stageId());
        s.put("tasks", tasks.length);
        s.put("task_seconds_total", sum / 1e3);
        s.put("max_task_seconds", tasks.length == 0 ? 0 : tasks[tasks.length - 1] / 1e3);
        s.put("shuffle_write_bytes", info.taskMetrics().shuffleWriteMetrics().bytesWritten());
        perStage.add(s);
      }
      long[] tasks = sorted(heaviest);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("median_task_seconds", tasks.length == 0 ? Double.NaN : median(tasks) / 1e3);
      row.put("max_task_seconds", tasks.length == 0 ? Double.NaN : tasks[tasks.length - 1] / 1e3);
      row.put("heaviest_stage_tasks", tasks.length);
      row.put("shuffle_bytes", shuffleBytes);
      row.put("stages", perStage);
      return row;
    }

    private long[] sorted(int stage) {
      ConcurrentLinkedQueue<Long> d = durations.get(stage);
      long[] out = d == null ? new long[0] : d.stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(out);
      return out;
    }

    private static double median(long[] sorted) {
      int n = sorted.length;
      return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
  }
}
