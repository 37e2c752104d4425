package dev.sparkrec.pipelines.bench.nis;

import static org.apache.spark.sql.functions.lit;

import dev.sparkrec.data.MovieLensReader;
import dev.sparkrec.fia.MatrixFactorization;
import dev.sparkrec.fia.NeuralCF;
import dev.sparkrec.pipelines.bench.BenchContext;
import dev.sparkrec.pipelines.bench.BenchReport;
import dev.sparkrec.pipelines.bench.BenchSuite;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code bench nis-ml100k}: neural input search for MF and NCF on MovieLens-100K ({@code u1.base} → {@code u1.test};
 * a seeded 10% of {@code u1.base} is the validation split every run uses for early stopping and the search's α
 * steps).
 *
 * <p>Per base model: uniform embedding dimensions {@link #UNIFORM_DIMS} ({@code <base>-uniform}), then one DNIS
 * search at 64 dimensions (10 frequency blocks per table), pruned to several budgets of stored
 * embedding entries — each uniform run's own count, and half and a quarter of the best uniform run's — and
 * retrained with those mixed dimensions ({@code <base>-dnis}). Every row records the embedding parameters (user and
 * item tables; biases are not embeddings), the test RMSE, the training seconds, the search seconds and the
 * configuration it ran. Everything else is each estimator's defaults with seed {@value #SEED}.
 */
public final class NisMl100kBenchmark implements BenchSuite {

  static final int[] UNIFORM_DIMS = {1, 2, 4, 8, 16, 32, 64};
  static final int[] BEST_DIVISORS = {2, 4};
  static final long SEED = 17;
  private static final double VALIDATION_FRACTION = 0.1;
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
    Dataset<Row>[] split = trainFile.randomSplit(new double[] {1 - VALIDATION_FRACTION, VALIDATION_FRACTION}, SEED);
    Dataset<Row> labelled = split[0].withColumn(VALIDATION, lit(false))
        .unionByName(split[1].withColumn(VALIDATION, lit(true))).repartition(partitions).cache();
    Dataset<Row> test = testFile.cache();
    labelled.count();
    test.count();

    int[] dims = quick ? new int[] {2, 8} : UNIFORM_DIMS;
    DimensionComparison.Metric rmse = new DimensionComparison.Metric("test_rmse", NisMl100kBenchmark::rmse, false);
    DimensionComparison.run("mf", d -> mf(d, quick), dims, BEST_DIVISORS, labelled, test, rmse, VALIDATION, quick,
        report);
    DimensionComparison.run("ncf", d -> ncf(d, quick), dims, BEST_DIVISORS, labelled, test, rmse, VALIDATION, quick,
        report);
  }

  private static MatrixFactorization mf(int dim, boolean quick) {
    MatrixFactorization mf = new MatrixFactorization().setRank(dim).setSeed(SEED).setColdStartStrategy("drop")
        .setValidationIndicatorCol(VALIDATION);
    return quick ? mf.setMaxIter(3) : mf;
  }

  private static NeuralCF ncf(int dim, boolean quick) {
    NeuralCF ncf = new NeuralCF().setEmbeddingDim(dim).setSeed(SEED).setColdStartStrategy("drop")
        .setValidationIndicatorCol(VALIDATION);
    return quick ? ncf.setMaxIter(2) : ncf;
  }

  private static double rmse(Dataset<Row> predictions) {
    return new RegressionEvaluator().setMetricName("rmse").setLabelCol("rating").setPredictionCol("prediction")
        .evaluate(predictions);
  }
}
