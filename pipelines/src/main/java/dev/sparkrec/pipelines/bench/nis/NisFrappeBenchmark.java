package dev.sparkrec.pipelines.bench.nis;

import static org.apache.spark.sql.functions.lit;

import dev.sparkrec.afn.AFN;
import dev.sparkrec.features.FeatureIdsToVector;
import dev.sparkrec.fm.FactorizationMachine;
import dev.sparkrec.pipelines.bench.BenchContext;
import dev.sparkrec.pipelines.bench.BenchReport;
import dev.sparkrec.pipelines.bench.BenchSuite;
import dev.sparkrec.pipelines.bench.CtrFrappeBenchmark;
import dev.sparkrec.pipelines.bench.StageConfig;
import java.util.Map;
import org.apache.spark.ml.Model;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code bench nis-frappe}: neural input search for SparkRec's FM and AFN on Frappe (the NFM split: train,
 * validation, test as given), and SparkRec's FM against MLlib's FMClassifier.
 *
 * <p>First MLlib's FMClassifier, tuned on validation exactly as {@code bench ctr-frappe} tunes it
 * ({@code mllib-fm}), and SparkRec's {@link FactorizationMachine} with the same factor size (10) and its defaults
 * ({@code fm}: early stopping on validation), side by side: test AUC and training seconds. Then per base model
 * (FM; AFN in the configuration {@code bench ctr-frappe --sweep} selected): uniform embedding dimensions
 * ({@code <base>-uniform}), one DNIS search at the largest of them (10 frequency blocks), pruned to budgets of
 * stored embedding entries — each uniform run's own count (from 4 dimensions up) and a tenth and a twentieth of the
 * best uniform run's — and retrained with those mixed dimensions ({@code <base>-dnis}). Every row records its
 * embedding parameters, test AUC, training and search seconds and configuration.
 */
public final class NisFrappeBenchmark implements BenchSuite {

  static final int[] FM_DIMS = {1, 2, 4, 8, 16, 32, 64};
  static final int[] AFN_DIMS = {2, 4, 8, 16};
  static final int[] BEST_DIVISORS = {10, 20};
  static final long SEED = 42;
  private static final String VALIDATION = "isValidation";

  @Override
  public String name() {
    return "nis-frappe";
  }

  @Override
  public String description() {
    return "DNIS mixed embedding dimensions vs uniform for FM and AFN on Frappe; SparkRec FM vs MLlib FMClassifier";
  }

  @Override
  public boolean needsData() {
    return true;
  }

  @Override
  public void run(BenchContext context, BenchReport report) {
    boolean quick = context.quick();
    CtrFrappeBenchmark.FrappeSplit split = CtrFrappeBenchmark.FrappeSplit.read(context);
    Dataset<Row> train = split.train();
    Dataset<Row> validation = split.validation();
    Dataset<Row> test = split.test();
    long trainRows = split.trainRows();
    Dataset<Row> labelled = train.withColumn(VALIDATION, lit(false))
        .unionByName(validation.withColumn(VALIDATION, lit(true))).cache();
    labelled.count();

    FeatureIdsToVector vectors = new FeatureIdsToVector().setNumFeatures(CtrFrappeBenchmark.NUM_FEATURES);
    report.measure("mllib-fm",
        () -> CtrFrappeBenchmark.factorizationMachine(vectors, train, validation, test, trainRows, quick));
    report.measure("fm", () -> {
      FactorizationMachine fm = fm(10, quick);
      long start = System.nanoTime();
      Model<?> model = fm.fit(labelled);
      double seconds = (System.nanoTime() - start) / 1e9;
      Map<String, Object> row = CtrFrappeBenchmark.testMetrics(model.transform(test));
      row.put("train_seconds", seconds);
      row.put("validation_auc", CtrFrappeBenchmark.exactAuc(model.transform(validation)));
      row.put("config", StageConfig.of(fm));
      return row;
    });

    DimensionComparison.Metric auc = new DimensionComparison.Metric("test_auc", CtrFrappeBenchmark::exactAuc, true);
    DimensionComparison.run("fm", d -> fm(d, quick), quick ? new int[] {2, 8} : FM_DIMS, BEST_DIVISORS, labelled,
        test, auc, VALIDATION, quick, report);
    DimensionComparison.run("afn", d -> afn(d, quick), quick ? new int[] {2, 4} : AFN_DIMS, BEST_DIVISORS, labelled,
        test, auc, VALIDATION, quick, report);
  }

  private static FactorizationMachine fm(int dim, boolean quick) {
    FactorizationMachine fm = new FactorizationMachine().setNumFeatures(CtrFrappeBenchmark.NUM_FEATURES)
        .setEmbeddingDim(dim).setSeed(SEED).setValidationIndicatorCol(VALIDATION);
    return quick ? fm.setMaxIter(2) : fm;
  }

  private static AFN afn(int dim, boolean quick) {
    return CtrFrappeBenchmark.benchAfn(false, quick).setEmbeddingDim(dim).setSeed(SEED);
  }
}
