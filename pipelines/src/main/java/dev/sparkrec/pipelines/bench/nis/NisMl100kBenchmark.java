package dev.sparkrec.pipelines.bench.nis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.sparkrec.data.MovieLensReader;
import dev.sparkrec.fia.MatrixFactorization;
import dev.sparkrec.fia.NeuralCF;
import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.nis.EmbeddingDimensionsModel;
import dev.sparkrec.nis.NeuralInputSearch;
import dev.sparkrec.pipelines.bench.BenchContext;
import dev.sparkrec.pipelines.bench.BenchReport;
import dev.sparkrec.pipelines.bench.BenchSuite;
import dev.sparkrec.pipelines.bench.SeedStats;
import dev.sparkrec.pipelines.bench.StageConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code bench nis-ml100k}: neural input search for MF and NCF on MovieLens-100K ({@code u1.base} → {@code u1.test};
 * a seeded 10% of {@code u1.base} is the validation split every run uses for early stopping and the search's α
 * steps).
 *
 * <p>Per base model: uniform embedding dimensions {@link #UNIFORM_DIMS} ({@code <base>-uniform}), then a DNIS
 * search at 64 dimensions (10 frequency blocks per table), pruned to several budgets of stored embedding entries —
 * each uniform run's own count, and half and a quarter of the best uniform run's — and retrained with those mixed
 * dimensions ({@code <base>-dnis}). Every system runs with the model seeds {@link #SEEDS} (rows hold the mean test
 * RMSE, every seed's and their standard deviation); every row records the embedding parameters (user and item
 * tables; biases are not embeddings), the training seconds, the search seconds and the configuration it ran.
 * Everything else is each estimator's defaults.
 *
 * <p>The searches run with {@link #MF_SEARCH} and {@link #NCF_SEARCH}, chosen by {@code bin/sparkrec bench
 * nis-ml100k --sweep}: each base searched at 64 dimensions with every setting of {@link #SEARCH_GRID}, once per
 * model seed of {@link #SEEDS}, pruned by dimension to the entries of uniform 4, 8 and 16 dimensions and retrained;
 * the setting of lowest mean validation RMSE over the seeds and budgets wins ({@code <base>-dnis-sweep} rows, test
 * RMSE reported but not used). The reference's {@code l1} 1e-5 drives NCF's GMF tables to α = 0: their data
 * gradients are far below 1e-5, and the per-block gradient normalisation turns the penalty alone into a full step.
 */
public final class NisMl100kBenchmark implements BenchSuite {

  static final int[] UNIFORM_DIMS = {1, 2, 4, 8, 16, 32, 64};
  static final int[] BEST_DIVISORS = {2, 4};
  static final long[] SEEDS = {17, 18, 19};
  /** The uniform dimensions whose entry counts the sweep prunes to. */
  static final int[] SWEEP_BUDGET_DIMS = {4, 8, 16};
  /** The settings {@code --sweep} compares: the reference's l1 and smaller and larger ones. */
  static final List<SearchSetting> SEARCH_GRID = List.of(new SearchSetting(0, 0.01, 5),
      new SearchSetting(1e-6, 0.01, 5), SearchSetting.REFERENCE, new SearchSetting(1e-4, 0.01, 5));
  /** MF's search setting in the comparison: the sweep's selection. */
  static final SearchSetting MF_SEARCH = new SearchSetting(0, 0.01, 5);
  /** NCF's search setting in the comparison: the sweep's selection. */
  static final SearchSetting NCF_SEARCH = new SearchSetting(0, 0.01, 5);
  private static final double VALIDATION_FRACTION = 0.1;
  private static final long SPLIT_SEED = 17;
  private static final String VALIDATION = "isValidation";

  @Override
  public String name() {
    return "nis-ml100k";
  }

  @Override
  public String description() {
    return "DNIS mixed embedding dimensions vs uniform dimensions for MF and NCF on MovieLens-100K (test RMSE)";
  }

  @Override
  public boolean needsData() {
    return true;
  }

  @Override
  public boolean hasSweep() {
    return true;
  }

  @Override
  public void run(BenchContext context, BenchReport report) {
    SparkSession spark = context.spark();
    boolean quick = context.quick();
    String dir = context.dataDir().resolve("movielens-100k").toString();
    int partitions = Math.max(1, spark.sparkContext().defaultParallelism());
    Dataset<Row> trainFile = MovieLensReader.ratings100k(spark, dir + "/u1.base").select("user", "item", "rating");
    Dataset<Row> testFile = MovieLensReader.ratings100k(spark, dir + "/u1.test").select("user", "item", "rating");
    if (quick) {
      trainFile = trainFile.limit(20_000);
      testFile = testFile.limit(2_000);
    }
    Dataset<Row>[] split = trainFile.randomSplit(new double[] {1 - VALIDATION_FRACTION, VALIDATION_FRACTION},
        SPLIT_SEED);
    Dataset<Row> labelled = split[0].withColumn(VALIDATION, lit(false))
        .unionByName(split[1].withColumn(VALIDATION, lit(true))).repartition(partitions).cache();
    Dataset<Row> test = testFile.cache();
    labelled.count();
    test.count();

    if (context.sweep()) {
      sweep("mf", (d, seed) -> mf(d, seed, quick), labelled, test, quick, report);
      sweep("ncf", (d, seed) -> ncf(d, seed, quick), labelled, test, quick, report);
      return;
    }
    int[] dims = quick ? new int[] {2, 8} : UNIFORM_DIMS;
    long[] seeds = quick ? new long[] {SEEDS[0]} : SEEDS;
    DimensionComparison.Metric rmse = new DimensionComparison.Metric("test_rmse", NisMl100kBenchmark::rmse, false);
    DimensionComparison.run("mf", (d, seed) -> mf(d, seed, quick), MF_SEARCH::apply, dims, BEST_DIVISORS, seeds,
        labelled, test, rmse, VALIDATION, quick, report);
    DimensionComparison.run("ncf", (d, seed) -> ncf(d, seed, quick), NCF_SEARCH::apply, dims, BEST_DIVISORS, seeds,
        labelled, test, rmse, VALIDATION, quick, report);
  }

  /**
   * One base searched at its largest dimension with every setting of {@link #SEARCH_GRID}, once per model seed of
   * the comparison ({@link #SEEDS}; a quick run the first), each search pruned by dimension to the entries of each of
   * {@link #SWEEP_BUDGET_DIMS} uniform dimensions and retrained from random embeddings with its seed; the lowest
   * validation RMSE, the mean over seeds and budgets, selects.
   */
  private static void sweep(String base, DimensionComparison.BaseEstimator estimator, Dataset<Row> labelled,
      Dataset<Row> test, boolean quick, BenchReport report) {
    int maxDim = quick ? 8 : UNIFORM_DIMS[UNIFORM_DIMS.length - 1];
    long[] seeds = quick ? new long[] {SEEDS[0]} : SEEDS;
    Dataset<Row> validation = labelled.filter(col(VALIDATION));
    SearchSetting best = null;
    double bestRmse = Double.POSITIVE_INFINITY;
    for (SearchSetting setting : SEARCH_GRID) {
      Map<String, Object> row = report.measure(base + "-dnis-sweep", () -> {
        int budgets = SWEEP_BUDGET_DIMS.length;
        List<List<Double>> validationRmse = new ArrayList<>(); // [seed][budget]
        List<List<Double>> testRmse = new ArrayList<>();
        long[] params = new long[budgets];
        List<Double> searchSeconds = new ArrayList<>();
        NeuralInputSearch first = null;
        for (long seed : seeds) {
          NeuralInputSearch search = setting.apply(new NeuralInputSearch()
              .setEstimator(estimator.at(maxDim, seed)).setValidationIndicatorCol(VALIDATION));
          if (quick) {
            search.setWarmStartEpochs(1).setSearchEpochs(1);
          }
          first = first == null ? search : first;
          EmbeddingDimensionsModel searched = search.fit(labelled);
          searchSeconds.add(searched.searchSeconds());
          List<Double> seedValidation = new ArrayList<>();
          List<Double> seedTest = new ArrayList<>();
          for (int b = 0; b < budgets; b++) {
            EmbeddingDimensionsModel dims = searched.withParameterBudget(searched.embeddingParametersBefore()
                * SWEEP_BUDGET_DIMS[b] / maxDim);
            Estimator<?> retrain = estimator.at(dims.embeddingDim(), seed);
            ((EmbeddingEstimator<?>) retrain).setEmbeddingDimensions(dims);
            Model<?> model = (Model<?>) retrain.fit(labelled);
            seedValidation.add(rmse(model.transform(validation)));
            seedTest.add(rmse(model.transform(test)));
            params[b] = Math.max(params[b], dims.embeddingParametersAfter());
          }
          validationRmse.add(seedValidation);
          testRmse.add(seedTest);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("base", base);
        r.put("setting", setting.config());
        r.put("budget_dims", Arrays.stream(SWEEP_BUDGET_DIMS).boxed().toList());
        r.put("embedding_params", Arrays.stream(params).boxed().toList());
        r.put("validation_rmse", SeedStats.mean(validationRmse.stream().flatMap(List::stream).toList()));
        r.put("validation_rmse_by_budget", meanByBudget(validationRmse, budgets));
        r.put("validation_rmse_by_seed", validationRmse);
        r.put("test_rmse_by_budget", meanByBudget(testRmse, budgets));
        r.put("test_rmse_by_seed", testRmse);
        r.put("search_seconds", SeedStats.median(searchSeconds));
        r.put("config", Map.of("search", StageConfig.of(first), "seeds", Arrays.stream(seeds).boxed().toList()));
        return r;
      });
      if (row.get("validation_rmse") instanceof Double value && value < bestRmse) {
        bestRmse = value;
        best = setting;
      }
    }
    SearchSetting selected = best;
    double selectedRmse = bestRmse;
    report.measure(base + "-dnis-sweep-selected", () -> {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("base", base);
      r.put("setting", selected == null ? null : selected.config());
      r.put("validation_rmse", selectedRmse);
      r.put("grid", SEARCH_GRID.stream().map(SearchSetting::config).toList());
      r.put("seeds", Arrays.stream(seeds).boxed().toList());
      return r;
    });
  }

  /** Each budget's mean over the seeds of {@code bySeed} ({@code [seed][budget]}). */
  private static List<Double> meanByBudget(List<List<Double>> bySeed, int budgets) {
    List<Double> out = new ArrayList<>();
    for (int b = 0; b < budgets; b++) {
      int at = b;
      out.add(SeedStats.mean(bySeed.stream().map(seed -> seed.get(at)).toList()));
    }
    return out;
  }

  private static MatrixFactorization mf(int dim, long seed, boolean quick) {
    MatrixFactorization mf = new MatrixFactorization().setRank(dim).setSeed(seed).setColdStartStrategy("drop")
        .setValidationIndicatorCol(VALIDATION);
    return quick ? mf.setMaxIter(3) : mf;
  }

  private static NeuralCF ncf(int dim, long seed, boolean quick) {
    NeuralCF ncf = new NeuralCF().setEmbeddingDim(dim).setSeed(seed).setColdStartStrategy("drop")
        .setValidationIndicatorCol(VALIDATION);
    return quick ? ncf.setMaxIter(2) : ncf;
  }

  private static double rmse(Dataset<Row> predictions) {
    return new RegressionEvaluator().setMetricName("rmse").setLabelCol("rating").setPredictionCol("prediction")
        .evaluate(predictions);
  }
}
