package dev.sparkrec.pipelines.bench.nis;

import static org.apache.spark.sql.functions.lit;

import dev.sparkrec.afn.AFN;
import dev.sparkrec.features.FeatureIdsToVector;
import dev.sparkrec.fm.FactorizationMachine;
import dev.sparkrec.nis.EmbeddingDimensionsModel;
import dev.sparkrec.nis.NeuralInputSearch;
import dev.sparkrec.pipelines.bench.BenchContext;
import dev.sparkrec.pipelines.bench.BenchReport;
import dev.sparkrec.pipelines.bench.BenchSuite;
import dev.sparkrec.pipelines.bench.CtrFrappeBenchmark;
import dev.sparkrec.pipelines.bench.StageConfig;
import java.util.LinkedHashMap;
import java.util.List;
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
 *
 * <p>FM's search runs with {@link #FM_SEARCH} ({@code l1} 1e-4, selection step 0.01, 5 + 5 epochs), chosen by
 * {@code bin/sparkrec bench nis-frappe --sweep}: FM searched at 64 dimensions with each setting of
 * {@link #SEARCH_GRID}, pruned by magnitude to a tenth of its entries and retrained from the searched embeddings;
 * the setting of best validation AUC wins ({@code fm-dnis-sweep} rows, test AUC reported but not used). AFN's
 * search runs with the reference scripts' settings (NeuralInputSearch's defaults).
 */
public final class NisFrappeBenchmark implements BenchSuite {

  static final int[] FM_DIMS = {1, 2, 4, 8, 16, 32, 64};
  static final int[] AFN_DIMS = {2, 4, 8, 16};
  static final int[] BEST_DIVISORS = {10, 20};
  static final long SEED = 42;

  /** The settings {@code --sweep} compares: the reference's (1e-5, 0.01, 5) and its neighbours. */
  static final List<SearchSetting> SEARCH_GRID = List.of(SearchSetting.REFERENCE,
      new SearchSetting(1e-5, 0.001, 5), new SearchSetting(1e-5, 0.1, 5), new SearchSetting(1e-4, 0.01, 5),
      new SearchSetting(1e-5, 0.01, 2));

  /** FM's search setting in the comparison: the sweep's selection. */
  static final SearchSetting FM_SEARCH = new SearchSetting(1e-4, 0.01, 5);
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
  public boolean hasSweep() {
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
    if (context.sweep()) {
      sweep(labelled, validation, test, quick, report);
      return;
    }

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
    long[] seeds = {SEED};
    DimensionComparison.run("fm", (d, seed) -> fm(d, quick).setSeed(seed), FM_SEARCH::apply,
        quick ? new int[] {2, 8} : FM_DIMS, BEST_DIVISORS, seeds, labelled, test, auc, VALIDATION, quick, report);
    DimensionComparison.run("afn", (d, seed) -> afn(d, quick).setSeed(seed), quick ? new int[] {2, 4} : AFN_DIMS,
        BEST_DIVISORS, seeds, labelled, test, auc, VALIDATION, quick, report);
  }

  /**
   * FM searched at its largest dimension with every setting of {@link #SEARCH_GRID}, pruned by magnitude to a tenth
   * of the searched entries and retrained from the searched embeddings; the best validation AUC selects.
   */
  private static void sweep(Dataset<Row> labelled, Dataset<Row> validation, Dataset<Row> test, boolean quick,
      BenchReport report) {
    int maxDim = quick ? 8 : FM_DIMS[FM_DIMS.length - 1];
    SearchSetting best = null;
    double bestAuc = Double.NEGATIVE_INFINITY;
    for (SearchSetting setting : SEARCH_GRID) {
      Map<String, Object> row = report.measure("fm-dnis-sweep", () -> {
        NeuralInputSearch search = setting.apply(new NeuralInputSearch().setEstimator(fm(maxDim, quick))
            .setValidationIndicatorCol(VALIDATION).setPruning("magnitude"));
        if (quick) {
          search.setWarmStartEpochs(1).setSearchEpochs(1);
        }
        EmbeddingDimensionsModel searched = search.fit(labelled);
        EmbeddingDimensionsModel dims = searched.withParameterBudget(searched.embeddingParametersBefore() / 10)
            .setWarmStart(true);
        FactorizationMachine retrain = fm(dims.embeddingDim(), quick);
        retrain.setEmbeddingDimensions(dims);
        Model<?> model = retrain.fit(labelled);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("setting", setting.config());
        r.put("embedding_params", dims.embeddingParametersAfter());
        r.put("validation_auc", CtrFrappeBenchmark.exactAuc(model.transform(validation)));
        r.put("test_auc", CtrFrappeBenchmark.exactAuc(model.transform(test)));
        r.put("search_seconds", searched.searchSeconds());
        r.put("config", StageConfig.of(search));
        return r;
      });
      if (row.get("validation_auc") instanceof Double auc && auc > bestAuc) {
        bestAuc = auc;
        best = setting;
      }
    }
    SearchSetting selected = best;
    double selectedAuc = bestAuc;
    report.measure("fm-dnis-sweep-selected", () -> {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("setting", selected == null ? null : selected.config());
      r.put("validation_auc", selectedAuc);
      r.put("grid", SEARCH_GRID.stream().map(SearchSetting::config).toList());
      return r;
    });
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
