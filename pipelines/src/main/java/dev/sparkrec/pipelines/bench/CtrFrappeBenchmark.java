package dev.sparkrec.pipelines.bench;

import static org.apache.spark.sql.functions.lit;

import dev.sparkrec.afn.AFN;
import dev.sparkrec.afn.AFNModel;
import dev.sparkrec.data.LibFmReader;
import dev.sparkrec.eval.LogLossEvaluator;
import dev.sparkrec.features.FeatureIdsToVector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.FMClassificationModel;
import org.apache.spark.ml.classification.FMClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench ctr-frappe}: AFN and AFN+ against MLlib's LogisticRegression and FMClassifier on Frappe
 * (the NFM split in {@code DIR/frappe/nfm}: train / validation / test as given), in one run.
 *
 * <p>Every system is tuned on validation only, within a stated budget, and reports the test AUC (exact) and
 * logloss of its selected configuration; every row records the configuration it ran ({@code config}) and the
 * peers' rows every configuration tried ({@code tried}: config, validation AUC, seconds) with the budget:
 * <ul>
 *   <li>LogisticRegression (maxIter 100): the full grid regParam {1e-5, 1e-4, 1e-3, 1e-2} × elasticNetParam
 *       {0, 0.5}, 8 fits.</li>
 *   <li>FMClassifier (factorSize 10, adamW): a budget of {@value #FM_BUDGET} configurations, the previous
 *       fixed one (stepSize 0.01, regParam 1e-5, miniBatchFraction 1, maxIter 200) and then distinct draws
 *       (seed {@value #FM_SEARCH_SEED}) from stepSize {0.003, 0.01, 0.03} × regParam {0, 1e-5, 1e-4, 1e-3} ×
 *       miniBatchFraction {0.1, 0.5, 1} × maxIter {100, 200, 400}.</li>
 *   <li>AFN and AFN+: the epoch by early stopping on validation; the configuration by the sweep below.</li>
 * </ul>
 * AFN also reports {@code seconds_to_fm_auc}: the training wall time from the start of {@code fit} (its
 * statistics pass and block caching included, as FM's {@code train_seconds} includes FM's) until its
 * validation-selected model's test AUC first reaches the tuned FM's test AUC (test scored after each epoch for
 * this measure only; the scoring time is left out), and its GFLOP/s with the efficiency against raw sgemm of
 * the same shapes run on as many threads at once as the job has task slots ({@code sgemm_gflops},
 * {@code sgemm_threads}).
 *
 * <p><b>The AFN configuration</b> is chosen by {@code bin/sparkrec bench ctr-frappe --sweep}: it tunes FM as
 * above, then trains plain AFN for {@value #SWEEP_EPOCHS} epochs in each configuration of {@link #SWEEP} (log
 * neurons, hidden layers, batch, Adam step, averaging interval; the reference's embedding size), one row each
 * with its config, validation AUC per epoch and seconds from the start of {@code fit}, and selects the one
 * fastest to come within {@value #WITHIN} of FM's validation AUC. The last such run selected 32 log neurons,
 * hidden layers 256-256, batch 512, Adam 0.003, averaged every 10 batches ({@link #BENCH}), which the
 * comparison uses. The estimator's defaults stay the reference code's (600 log neurons, 400-400-400, batch
 * 4096), which reached a similar AUC (0.977) in about twenty times the training time on two cores.
 *
 * <p>AFN and AFN+ stop early on validation AUC − logloss ({@code validationMetric} "auc-logloss", the
 * estimator's default), the reference code's rule: stopping on AUC alone let AFN+'s ensemble layer grow
 * over-confident (AFN+ test logloss 0.277 against AFN's 0.193; with the rule, 0.161 against 0.181).
 */
public final class CtrFrappeBenchmark implements BenchSuite {

  private static final Logger LOG = LoggerFactory.getLogger(CtrFrappeBenchmark.class);
  public static final int NUM_FEATURES = 5382;
  private static final int FIELDS = 10;
  private static final double[] LR_REG = {1e-5, 1e-4, 1e-3, 1e-2};
  private static final double[] LR_ELASTIC_NET = {0, 0.5};
  private static final int FM_BUDGET = 10;
  private static final long FM_SEARCH_SEED = 7;
  private static final double[] FM_STEP = {0.003, 0.01, 0.03};
  private static final double[] FM_REG = {0, 1e-5, 1e-4, 1e-3};
  private static final double[] FM_MINI_BATCH = {0.1, 0.5, 1.0};
  private static final int[] FM_MAX_ITER = {100, 200, 400};
  private static final int SWEEP_EPOCHS = 3;
  private static final double WITHIN = 0.0005;
  private static final String STOPPING_METRIC = "auc-logloss";

  /** One AFN training configuration of the sweep: what it varies, on top of the estimator's defaults. */
  record AfnSetting(int logNeurons, int[] hiddenLayers, int batchSize, double stepSize, int syncEveryBatches) {

    AFN applyTo(AFN afn) {
      return afn.setLogNeurons(logNeurons).setHiddenLayers(hiddenLayers).setDnnHiddenLayers(hiddenLayers)
          .setBatchSize(batchSize).setStepSize(stepSize).setSyncEveryBatches(syncEveryBatches);
    }

    /** E.g. {@code 32/256x2/512/0.003/every 10}. */
    String label() {
      boolean same = Arrays.stream(hiddenLayers).allMatch(h -> h == hiddenLayers[0]);
      String hidden = same ? hiddenLayers[0] + "x" + hiddenLayers.length : Arrays.toString(hiddenLayers);
      return logNeurons + "/" + hidden + "/" + batchSize + "/" + stepSize + "/"
          + (syncEveryBatches == 0 ? "per-epoch" : "every " + syncEveryBatches);
    }
  }

  /** The configurations the sweep compares (log neurons / hidden / batch / Adam step / averaging). */
  static final List<AfnSetting> SWEEP = List.of(
      new AfnSetting(100, new int[] {400, 400, 400}, 1024, 0.001, 0),
      new AfnSetting(100, new int[] {400, 400, 400}, 1024, 0.003, 0),
      new AfnSetting(64, new int[] {256, 256}, 512, 0.003, 0),
      new AfnSetting(64, new int[] {256, 256}, 512, 0.003, 20),
      new AfnSetting(64, new int[] {256, 256}, 512, 0.001, 5),
      new AfnSetting(64, new int[] {256, 256}, 512, 0.005, 10),
      new AfnSetting(100, new int[] {400, 400}, 1024, 0.003, 10),
      new AfnSetting(64, new int[] {256, 256}, 256, 0.002, 40),
      new AfnSetting(64, new int[] {256, 256}, 512, 0.003, 10),
      new AfnSetting(32, new int[] {256, 256}, 512, 0.003, 10),
      new AfnSetting(64, new int[] {128, 128}, 512, 0.003, 10));

  /** The configuration the comparison uses: the sweep's selection (see the class comment). */
  static final AfnSetting BENCH = SWEEP.get(9);

  @Override
  public String name() {
    return "ctr-frappe";
  }

  @Override
  public String description() {
    return "AFN, AFN+, MLlib LogisticRegression and FMClassifier on Frappe (test AUC, logloss, time)";
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
    FrappeSplit split = FrappeSplit.read(context);
    Dataset<Row> train = split.train();
    Dataset<Row> validation = split.validation();
    Dataset<Row> test = split.test();
    long trainRows = split.trainRows();

    FeatureIdsToVector vectors = new FeatureIdsToVector().setNumFeatures(NUM_FEATURES);
    Dataset<Row> labelled = train.withColumn("isValidation", lit(false))
        .unionByName(validation.withColumn("isValidation", lit(true)));
    if (!context.sweep()) {
      report.measure("mllib-lr", () -> logisticRegression(vectors, train, validation, test, trainRows, quick));
    }
    Map<String, Object> fm = report.measure("mllib-fm",
        () -> factorizationMachine(vectors, train, validation, test, trainRows, quick));
    if (context.sweep()) {
      double fmValidationAuc = number(fm.get("validation_auc"));
      sweep(labelled, fmValidationAuc, quick, report);
      return;
    }
    double fmAuc = number(fm.get("test_auc"));
    report.measure("afn", () -> afn(labelled, test, trainRows, false, fmAuc, quick));
    report.measure("afn+", () -> afn(labelled, test, trainRows, true, fmAuc, quick));
  }

  /**
   * The NFM split of Frappe in {@code DIR/frappe/nfm} as given (quick: the first 8,000 / 2,000 / 2,000 rows), cached:
   * training rows spread over the session's default parallelism.
   */
  public record FrappeSplit(Dataset<Row> train, Dataset<Row> validation, Dataset<Row> test, long trainRows) {

    public static FrappeSplit read(BenchContext context) {
      SparkSession spark = context.spark();
      String dir = context.dataDir().resolve("frappe/nfm").toString();
      LibFmReader reader = new LibFmReader();
      Dataset<Row> trainFile = reader.read(spark, dir + "/frappe.train.libfm.gz");
      Dataset<Row> validationFile = reader.read(spark, dir + "/frappe.validation.libfm.gz");
      Dataset<Row> testFile = reader.read(spark, dir + "/frappe.test.libfm");
      if (context.quick()) {
        trainFile = trainFile.limit(8000);
        validationFile = validationFile.limit(2000);
        testFile = testFile.limit(2000);
      }
      int partitions = Math.max(1, spark.sparkContext().defaultParallelism());
      Dataset<Row> train = trainFile.repartition(partitions).cache();
      Dataset<Row> validation = validationFile.cache();
      Dataset<Row> test = testFile.cache();
      long trainRows = train.count();
      validation.count();
      test.count();
      return new FrappeSplit(train, validation, test, trainRows);
    }
  }

  private static double number(Object value) {
    return value instanceof Double ? (Double) value : Double.NaN;
  }

  /** One fitted candidate of a peer's tuning: its config, validation AUC, fit seconds and model. */
  private record Candidate(Map<String, Object> config, double validationAuc, double seconds, PipelineModel model) {

    Map<String, Object> summary() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("config", config);
      s.put("validation_auc", validationAuc);
      s.put("seconds", seconds);
      return s;
    }
  }

  private static Candidate fitCandidate(String system, Map<String, Object> config, PipelineStage estimator,
      FeatureIdsToVector vectors, Dataset<Row> train, Dataset<Row> validation) {
    long start = System.nanoTime();
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {vectors, estimator}).fit(train);
    double seconds = (System.nanoTime() - start) / 1e9;
    double validationAuc = exactAuc(model.transform(validation));
    LOG.info("{} {}: validation AUC {} in {} s", system, config, validationAuc, seconds);
    return new Candidate(config, validationAuc, seconds, model);
  }

  /** The tuned peer's row: the selected candidate's test metrics and config, every candidate tried, the budget. */
  private static Map<String, Object> tunedRow(List<Candidate> tried, Dataset<Row> test, String budget) {
    Candidate best = tried.get(0);
    for (Candidate c : tried) {
      if (c.validationAuc() > best.validationAuc()) {
        best = c;
      }
    }
    Map<String, Object> row = testMetrics(best.model().transform(test));
    row.put("train_seconds", best.seconds());
    row.put("validation_auc", best.validationAuc());
    row.put("config", best.config());
    row.put("budget", budget);
    row.put("tuning_seconds", tried.stream().mapToDouble(Candidate::seconds).sum());
    List<Map<String, Object>> summaries = new ArrayList<>();
    tried.forEach(c -> summaries.add(c.summary()));
    row.put("tried", summaries);
    return row;
  }

  private static Map<String, Object> logisticRegression(FeatureIdsToVector vectors, Dataset<Row> train,
      Dataset<Row> validation, Dataset<Row> test, long trainRows, boolean quick) {
    int maxIter = quick ? 10 : 100;
    List<Candidate> tried = new ArrayList<>();
    for (double reg : LR_REG) {
      for (double elasticNet : LR_ELASTIC_NET) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("regParam", reg);
        config.put("elasticNetParam", elasticNet);
        config.put("maxIter", maxIter);
        LogisticRegression lr = new LogisticRegression().setRegParam(reg).setElasticNetParam(elasticNet)
            .setMaxIter(maxIter);
        tried.add(fitCandidate("mllib-lr", config, lr, vectors, train, validation));
      }
    }
    Map<String, Object> row = tunedRow(tried, test, "grid regParam " + Arrays.toString(LR_REG) + " x elasticNetParam "
        + Arrays.toString(LR_ELASTIC_NET) + " (" + tried.size() + " fits, maxIter " + maxIter
        + "), selected by validation AUC");
    Candidate best = tried.stream().filter(c -> c.config() == row.get("config")).findFirst().orElseThrow();
    int iterations = ((LogisticRegressionModel) best.model().stages()[1]).summary().totalIterations();
    row.put("epochs", iterations);
    row.put("examples_per_second", trainRows * (double) iterations / best.seconds());
    return row;
  }

  /** FM's configurations: the previous fixed one, then distinct seeded draws from the search space. */
  static List<Map<String, Object>> fmConfigurations(boolean quick) {
    List<Map<String, Object>> configs = new ArrayList<>();
    if (quick) {
      configs.add(fmConfig(0.01, 1e-5, 1.0, 5));
      configs.add(fmConfig(0.03, 1e-4, 0.5, 10));
      return configs;
    }
    configs.add(fmConfig(0.01, 1e-5, 1.0, 200));
    SplittableRandom random = new SplittableRandom(FM_SEARCH_SEED);
    while (configs.size() < FM_BUDGET) {
      Map<String, Object> c = fmConfig(FM_STEP[random.nextInt(FM_STEP.length)],
          FM_REG[random.nextInt(FM_REG.length)], FM_MINI_BATCH[random.nextInt(FM_MINI_BATCH.length)],
          FM_MAX_ITER[random.nextInt(FM_MAX_ITER.length)]);
      if (!configs.contains(c)) {
        configs.add(c);
      }
    }
    return configs;
  }

  private static Map<String, Object> fmConfig(double stepSize, double regParam, double miniBatchFraction,
      int maxIter) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("factorSize", 10);
    c.put("solver", "adamW");
    c.put("stepSize", stepSize);
    c.put("regParam", regParam);
    c.put("miniBatchFraction", miniBatchFraction);
    c.put("maxIter", maxIter);
    c.put("seed", 42L);
    return c;
  }

  public static Map<String, Object> factorizationMachine(FeatureIdsToVector vectors, Dataset<Row> train,
      Dataset<Row> validation, Dataset<Row> test, long trainRows, boolean quick) {
    List<Candidate> tried = new ArrayList<>();
    for (Map<String, Object> c : fmConfigurations(quick)) {
      FMClassifier fm = new FMClassifier().setFactorSize((Integer) c.get("factorSize"))
          .setSolver((String) c.get("solver")).setStepSize((Double) c.get("stepSize"))
          .setRegParam((Double) c.get("regParam")).setMiniBatchFraction((Double) c.get("miniBatchFraction"))
          .setMaxIter((Integer) c.get("maxIter")).setSeed((Long) c.get("seed"));
      tried.add(fitCandidate("mllib-fm", c, fm, vectors, train, validation));
    }
    String budget = quick ? tried.size() + " configurations (quick)" : FM_BUDGET + " configurations: stepSize 0.01, "
        + "regParam 1e-5, miniBatchFraction 1, maxIter 200, then seeded random draws (seed " + FM_SEARCH_SEED
        + ") from stepSize " + Arrays.toString(FM_STEP) + " x regParam " + Arrays.toString(FM_REG)
        + " x miniBatchFraction " + Arrays.toString(FM_MINI_BATCH) + " x maxIter " + Arrays.toString(FM_MAX_ITER)
        + "; selected by validation AUC";
    Map<String, Object> row = tunedRow(tried, test, budget);
    FMClassificationModel fm = (FMClassificationModel) tried.stream()
        .filter(c -> c.config() == row.get("config")).findFirst().orElseThrow().model().stages()[1];
    row.put("epochs", fm.getMaxIter());
    row.put("examples_per_second", trainRows * (double) fm.getMaxIter() * fm.getMiniBatchFraction()
        / (Double) row.get("train_seconds"));
    return row;
  }

  public static AFN benchAfn(boolean ensemble, boolean quick) {
    AFN afn = new AFN().setNumFeatures(NUM_FEATURES).setEnsemble(ensemble).setValidationIndicatorCol("isValidation")
        .setMaxIter(quick ? 2 : 30).setPatience(3).setValidationMetric(STOPPING_METRIC);
    BENCH.applyTo(afn);
    if (quick) {
      afn.setLogNeurons(20).setHiddenLayers(32).setDnnHiddenLayers(32).setBatchSize(1024);
    }
    return afn;
  }

  private static Map<String, Object> afn(Dataset<Row> labelled, Dataset<Row> test, long trainRows, boolean ensemble,
      double fmAuc, boolean quick) {
    AFN afn = benchAfn(ensemble, quick);
    List<double[]> curve = new ArrayList<>(); // {seconds since fit began, test AUC of the selected model, examples/s}
    long[] fitStart = {0};
    double[] scoringSeconds = {0};
    afn.addTrainingListener((report, selected) -> {
      long enter = System.nanoTime();
      double trainingSoFar = (enter - fitStart[0]) / 1e9 - scoringSeconds[0];
      double auc = exactAuc(selected.get().transform(test));
      curve.add(new double[] {trainingSoFar, auc, report.examplesPerSecond()});
      LOG.info("{} epoch {}: selected model's test AUC {} after {} s of training", ensemble ? "afn+" : "afn",
          report.epoch(), auc, trainingSoFar);
      scoringSeconds[0] += (System.nanoTime() - enter) / 1e9;
    });
    fitStart[0] = System.nanoTime();
    AFNModel model = afn.fit(labelled);
    double wall = (System.nanoTime() - fitStart[0]) / 1e9;
    Map<String, Object> row = testMetrics(model.transform(test));
    row.put("train_seconds", wall - scoringSeconds[0]);
    row.put("test_scoring_seconds", scoringSeconds[0]);
    row.put("epochs", curve.size());
    double[] rates = curve.stream().mapToDouble(c -> c[2]).sorted().toArray();
    double examplesPerSecond = rates.length == 0 ? Double.NaN : rates[rates.length / 2];
    row.put("examples_per_second", examplesPerSecond);
    Double secondsToFm = null;
    for (double[] point : curve) {
      if (point[1] >= fmAuc) {
        secondsToFm = point[0];
        break;
      }
    }
    row.put("seconds_to_fm_auc", secondsToFm);
    row.put("config", StageConfig.of(afn));
    row.put("selected_by", "bin/sparkrec bench ctr-frappe --sweep (" + BENCH.label() + ")");
    int[][] products = products(model, afn.getBatchSize());
    double flopsPerExample = SgemmTimer.stepFlops(products) / afn.getBatchSize();
    double gflops = flopsPerExample * examplesPerSecond / 1e9;
    // The job trains on every task slot at once, so the reference runs the same step on as many threads at once.
    int slots = Math.max(1, test.sparkSession().sparkContext().defaultParallelism());
    double sgemmSeconds = SgemmTimer.medianStepSeconds(SgemmTimer.backend(), products, quick ? 3 : 7, 1, slots);
    double sgemmGflops = slots * SgemmTimer.stepFlops(products) / sgemmSeconds / 1e9;
    row.put("gflops", gflops);
    row.put("sgemm_gflops", sgemmGflops);
    row.put("sgemm_threads", slots);
    row.put("efficiency", gflops / sgemmGflops);
    row.put("test_auc_by_epoch", Arrays.toString(curve.stream().mapToDouble(c -> Math.round(c[1] * 1e4) / 1e4)
        .toArray()));
    return row;
  }

  /**
   * The sweep: plain AFN in every configuration of {@link #SWEEP} for {@value #SWEEP_EPOCHS} epochs (no early
   * stopping), one row each, then a {@code selection} row naming the configuration fastest to come within
   * {@value #WITHIN} of FM's validation AUC (seconds from the start of {@code fit}).
   */
  private static void sweep(Dataset<Row> labelled, double fmValidationAuc, boolean quick, BenchReport report) {
    String[] selected = {null};
    double[] selectedSeconds = {Double.POSITIVE_INFINITY};
    for (AfnSetting candidate : SWEEP) {
      report.measure("afn " + candidate.label(), () -> {
        AFN afn = candidate.applyTo(new AFN().setNumFeatures(NUM_FEATURES).setEnsemble(false)
            .setValidationIndicatorCol("isValidation").setMaxIter(SWEEP_EPOCHS).setPatience(0));
        List<double[]> epochs = new ArrayList<>(); // {seconds since fit began, validation AUC}
        long fitStart = System.nanoTime();
        afn.addTrainingListener((r, soFar) -> epochs.add(new double[] {(System.nanoTime() - fitStart) / 1e9,
            r.validationAuc()}));
        afn.fit(labelled);
        double seconds = (System.nanoTime() - fitStart) / 1e9;
        Double secondsToFm = null;
        for (double[] e : epochs) {
          if (e[1] >= fmValidationAuc - WITHIN) {
            secondsToFm = e[0];
            break;
          }
        }
        if (secondsToFm != null && secondsToFm < selectedSeconds[0]) {
          selectedSeconds[0] = secondsToFm;
          selected[0] = candidate.label();
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("validation_auc", epochs.isEmpty() ? null : epochs.get(epochs.size() - 1)[1]);
        row.put("train_seconds", seconds);
        row.put("seconds_to_fm_validation_auc", secondsToFm);
        row.put("validation_auc_by_epoch", round(epochs, 1));
        row.put("seconds_by_epoch", round(epochs, 0));
        row.put("config", StageConfig.of(afn));
        return row;
      });
    }
    report.measure("selection", () -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("rule", "fastest (seconds from the start of fit) to a validation AUC within " + WITHIN
          + " of the tuned FM's (" + fmValidationAuc + "), epochs 1-" + SWEEP_EPOCHS);
      row.put("selected", selected[0]);
      row.put("seconds_to_fm_validation_auc", selected[0] == null ? null : selectedSeconds[0]);
      row.put("bench_uses", BENCH.label());
      if (!quick && selected[0] != null && !selected[0].equals(BENCH.label())) {
        LOG.warn("The sweep selected {}, the comparison uses {}: update CtrFrappeBenchmark.BENCH", selected[0],
            BENCH.label());
      }
      return row;
    });
  }

  private static String round(List<double[]> points, int column) {
    return Arrays.toString(points.stream().mapToDouble(p -> Math.round(p[column] * 1e4) / 1e4).toArray());
  }

  /**
   * The dense products of one AFN(+) training batch: the logarithmic layer ({@code [B·K × F]·[F × O]}), the
   * hidden layers and the logit, and for AFN+ the DNN branch; every product but the DNN's first needs an
   * input gradient.
   */
  static int[][] products(AFNModel model, int batch) {
    int k = model.getEmbeddingDim();
    int o = model.getLogNeurons();
    List<int[]> products = new ArrayList<>();
    products.add(new int[] {batch * k, o, FIELDS, 1});
    int in = k * o;
    for (int h : model.getHiddenLayers()) {
      products.add(new int[] {batch, h, in, 1});
      in = h;
    }
    products.add(new int[] {batch, 1, in, 1});
    if (model.getEnsemble()) {
      in = FIELDS * k;
      boolean first = true;
      for (int h : model.getDnnHiddenLayers()) {
        products.add(new int[] {batch, h, in, first ? 0 : 1});
        first = false;
        in = h;
      }
      products.add(new int[] {batch, 1, in, 1});
    }
    return products.toArray(new int[0][]);
  }

  public static Map<String, Object> testMetrics(Dataset<Row> scored) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("test_auc", exactAuc(scored));
    row.put("test_logloss", new LogLossEvaluator().evaluate(scored));
    return row;
  }

  public static double exactAuc(Dataset<Row> scored) {
    return new BinaryClassificationEvaluator().setNumBins(0).evaluate(scored);
  }
}
