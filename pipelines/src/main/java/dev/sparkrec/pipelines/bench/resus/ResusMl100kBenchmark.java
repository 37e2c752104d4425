package dev.sparkrec.pipelines.bench.resus;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.col;

import dev.sparkrec.deepfm.DeepFM;
import dev.sparkrec.deepfm.DeepFMModel;
import dev.sparkrec.deepfm.DeepFmNetwork;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.pipelines.bench.BenchContext;
import dev.sparkrec.pipelines.bench.BenchReport;
import dev.sparkrec.pipelines.bench.BenchSuite;
import dev.sparkrec.pipelines.bench.StageConfig;
import dev.sparkrec.pipelines.bench.resus.MovieLensColdStart.Episodes;
import dev.sparkrec.pipelines.bench.resus.MovieLensColdStart.UserRows;
import dev.sparkrec.resus.RESUS;
import dev.sparkrec.resus.RESUSModel;
import dev.sparkrec.resus.ResusNetwork;
import dev.sparkrec.train.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench resus-ml100k}: RESUS's cold-start protocol (Shen et al., TOIS 2023) on MovieLens-100K, the base
 * DeepFM, the base fine-tuned per user, RESUS-NN and RESUS-RR side by side.
 *
 * <p><b>Data</b> ({@link MovieLensColdStart}): ratings binarised (≥ 4 stars → 1) with the fields item, gender, age
 * bucket, occupation, first genre and release decade, no user id; users split 70/10/20 by id (seed
 * {@value MovieLensColdStart#SPLIT_SEED}). The base DeepFM (the estimator's defaults: embedding 10, 400-400-400,
 * Adam 1e-3, batches of 1024, at most 100 epochs) trains on the training users' rows and stops early on the
 * validation users' AUC; RESUS reuses it as its frozen base ({@code setBaseModel}) and meta-trains its encoder and
 * learner on the training users, stopping early on the validation users.
 *
 * <p><b>Evaluation</b>: for every test user and support size {@code i = 1..}{@value #MAX_SUPPORT}, the support is
 * the user's first {@code i} rows in time order and the query the rest. AUC (exact) and log loss are pooled over
 * all query rows of all test users: per {@code i} ({@code auc_by_support}, {@code logloss_by_support}) and per
 * cold-start group, I ({@code i = 1–5}), II ({@code 6–10}) and III ({@code 11–15}) ({@code auc_cold_1..3},
 * {@code logloss_cold_1..3}). RESUS scores every episode in one Spark transform, each episode keyed as a user of
 * its own ({@code user·100 + i}); the base and fine-tuning run on the driver.
 *
 * <p><b>Fine-tuning</b> ({@code finetune}, {@link SupportFineTuning}): per user and {@code i}, the base's parameters
 * take a few plain full-batch SGD steps on the support rows. Its learning rate and steps are tuned on the
 * validation users, who are evaluated exactly as the test users: the grid learning rate {@link #FINETUNE_RATES} ×
 * steps {@link #FINETUNE_STEPS} (20 settings), selected by the mean of the per-{@code i} validation AUCs; the row
 * lists every setting tried.
 *
 * <p><b>RESUS</b> ({@code resus-nn}, {@code resus-rr}): {@code maxSupport} {@value #MAX_SUPPORT}, so meta-training
 * draws the support sizes the evaluation covers; the initial residual scale is chosen from {@link #INIT_SCALES}
 * (the reference code's values) by the same validation protocol as fine-tuning, every setting tried listed in the
 * row; the rest are the estimator's defaults (the published code's).
 *
 * <p><b>Adaptation latency</b> ({@code adapt_ms_per_user}): the median over test users, at support size
 * {@value #MAX_SUPPORT}, of one user's adaptation on one driver thread, timed after an untimed pass over the same
 * users: RESUS, the support rows' base logits and {@link ResusNetwork#adapt}; fine-tuning, copying the base
 * parameters and the SGD steps; the base has none (0). Every row records the configuration it ran
 * ({@code config}).
 *
 * <p>{@code --quick} keeps {@value #QUICK_USERS} users of the seeded shuffle and trains 2 base epochs and 1
 * meta-training epoch; its figures are for smoke tests only.
 */
public final class ResusMl100kBenchmark implements BenchSuite {

  private static final Logger LOG = LoggerFactory.getLogger(ResusMl100kBenchmark.class);
  static final int MAX_SUPPORT = 15;
  static final long SEED = 17;
  static final double[] FINETUNE_RATES = {3e-4, 1e-3, 3e-3, 1e-2, 1e-1};
  static final int[] FINETUNE_STEPS = {1, 5, 10, 20};
  static final int QUICK_USERS = 60;
  static final double[] INIT_SCALES = {1, 3, 6};
  private static final String VALIDATION_COL = "isValidation";

  @Override
  public String name() {
    return "resus-ml100k";
  }

  @Override
  public String description() {
    return "RESUS-NN and RESUS-RR vs base DeepFM and per-user fine-tuning, cold-start users of MovieLens-100K "
        + "(AUC and logloss by support size, adaptation ms)";
  }

  @Override
  public boolean needsData() {
    return true;
  }

  @Override
  public void run(BenchContext context, BenchReport report) {
    SparkSession spark = context.spark();
    boolean quick = context.quick();
    MovieLensColdStart data = MovieLensColdStart.read(spark, context.dataDir().resolve("movielens-100k"),
        quick ? QUICK_USERS : 0);
    List<UserRows> validationUsers = data.collect(MovieLensColdStart.VALIDATION);
    List<UserRows> testUsers = data.collect(MovieLensColdStart.TEST);
    LOG.info("MovieLens-100K cold start: {} users per split, {} feature ids", Arrays.toString(data.usersPerSplit()),
        data.numFeatures());

    DeepFM baseEstimator = new DeepFM().setFeatureIdsCol("featureIds").setFeatureValuesCol("").setLabelCol("label")
        .setValidationIndicatorCol(VALIDATION_COL).setNumFeatures(data.numFeatures()).setSeed(SEED);
    if (quick) {
      baseEstimator.setMaxIter(2);
    }
    Map<String, Object> baseConfig = new LinkedHashMap<>();
    baseConfig.put("data", dataConfig(data, quick));
    baseConfig.put("base", StageConfig.of(baseEstimator));
    DeepFMModel[] base = new DeepFMModel[1];
    report.measure("base", () -> {
      long start = System.nanoTime();
      base[0] = baseEstimator.fit(data.fitRows());
      double trainSeconds = (System.nanoTime() - start) / 1e9;
      SupportCurve curve = new SupportFineTuning(base[0]).baseCurve(testUsers, MAX_SUPPORT);
      Map<String, Object> row = curve.metrics();
      row.put("adapt_ms_per_user", 0.0);
      row.put("train_seconds", trainSeconds);
      row.put("epochs", base[0].summary().epochs());
      row.put("best_epoch", base[0].summary().bestEpoch());
      row.put("config", baseConfig);
      return row;
    });

    report.measure("finetune", () -> fineTuning(fittedBase(base), validationUsers, testUsers, baseConfig));

    Episodes validation = MovieLensColdStart.episodes(data.split(MovieLensColdStart.VALIDATION), MAX_SUPPORT);
    Episodes test = MovieLensColdStart.episodes(data.split(MovieLensColdStart.TEST), MAX_SUPPORT);
    for (String learner : new String[] {"nn", "rr"}) {
      report.measure("resus-" + learner, () -> {
        RESUS resus = new RESUS().setUserCol("user").setFeatureIdsCol("featureIds").setFeatureValuesCol("")
            .setLabelCol("label").setTimeCol("position").setValidationIndicatorCol(VALIDATION_COL)
            .setLearner(learner).setMaxSupport(MAX_SUPPORT).setSeed(SEED).setBaseModel(fittedBase(base));
        if (quick) {
          resus.setMaxIter(1);
        }
        return resus(resus, quick ? new double[] {INIT_SCALES[INIT_SCALES.length - 1]} : INIT_SCALES, data,
            validation, test, testUsers, fittedBase(base), baseConfig);
      });
    }
  }

  private static DeepFMModel fittedBase(DeepFMModel[] base) {
    if (base[0] == null) {
      throw new IllegalStateException("the base DeepFM failed to train (see the 'base' row); this system builds on "
          + "it");
    }
    return base[0];
  }

  /** The fine-tuning row: the grid on the validation users, the selected setting on the test users. */
  private static Map<String, Object> fineTuning(DeepFMModel base, List<UserRows> validationUsers,
      List<UserRows> testUsers, Map<String, Object> baseConfig) {
    SupportFineTuning fineTuning = new SupportFineTuning(base);
    long tuningStart = System.nanoTime();
    List<Map<String, Object>> tried = new ArrayList<>();
    double bestRate = Double.NaN;
    int bestSteps = 0;
    double bestAuc = Double.NEGATIVE_INFINITY;
    for (double rate : FINETUNE_RATES) {
      SupportCurve[] curves = fineTuning.curves(validationUsers, MAX_SUPPORT, rate, FINETUNE_STEPS);
      for (int k = 0; k < FINETUNE_STEPS.length; k++) {
        double auc = curves[k].meanAuc();
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("learningRate", rate);
        entry.put("steps", FINETUNE_STEPS[k]);
        entry.put("validation_mean_auc", auc);
        tried.add(entry);
        LOG.info("finetune lr {} steps {}: validation mean AUC {}", rate, FINETUNE_STEPS[k], auc);
        if (auc > bestAuc) {
          bestAuc = auc;
          bestRate = rate;
          bestSteps = FINETUNE_STEPS[k];
        }
      }
    }
    double tuningSeconds = (System.nanoTime() - tuningStart) / 1e9;
    double baseValidationAuc = fineTuning.baseCurve(validationUsers, MAX_SUPPORT).meanAuc();

    SupportCurve curve = fineTuning.curves(testUsers, MAX_SUPPORT, bestRate, new int[] {bestSteps})[0];
    Map<String, Object> row = curve.metrics();
    row.put("adapt_ms_per_user", SupportFineTuning.median(
        fineTuning.adaptationMillis(testUsers, MAX_SUPPORT, bestRate, bestSteps)));
    row.put("adapt_ms_measured", "median over test users at support size " + MAX_SUPPORT + ", one driver thread "
        + "after a warm-up pass: copying the base parameters and " + bestSteps + " SGD steps on the support rows");
    row.put("validation_mean_auc", bestAuc);
    row.put("base_validation_mean_auc", baseValidationAuc);
    row.put("budget", "grid learningRate " + Arrays.toString(FINETUNE_RATES) + " x steps "
        + Arrays.toString(FINETUNE_STEPS) + " (" + FINETUNE_RATES.length * FINETUNE_STEPS.length
        + " settings) on the validation users' episodes (support sizes 1-" + MAX_SUPPORT
        + "), selected by the mean of the per-support-size validation AUCs");
    row.put("tuning_seconds", tuningSeconds);
    row.put("tried", tried);
    Map<String, Object> fineTuningConfig = new LinkedHashMap<>();
    fineTuningConfig.put("learningRate", bestRate);
    fineTuningConfig.put("steps", bestSteps);
    fineTuningConfig.put("optimizer", "plain SGD, full batch: the mean BCE of the support rows, every parameter");
    Map<String, Object> config = new LinkedHashMap<>(baseConfig);
    config.put("finetune", fineTuningConfig);
    row.put("config", config);
    return row;
  }

  /**
   * A RESUS row: meta-training with each initial scale of {@code scales}, the one with the best mean per-support-size
   * AUC on the validation users' episodes (scored exactly as the test users'), then its test episodes in one
   * transform and its adaptation latency.
   */
  private static Map<String, Object> resus(RESUS resus, double[] scales, MovieLensColdStart data,
      Episodes validation, Episodes test, List<UserRows> testUsers, DeepFMModel base,
      Map<String, Object> baseConfig) {
    List<Map<String, Object>> tried = new ArrayList<>();
    RESUSModel model = null;
    RESUS selected = null;
    double trainSeconds = 0;
    double bestAuc = Double.NEGATIVE_INFINITY;
    long tuningStart = System.nanoTime();
    for (double scale : scales) {
      RESUS candidateStage = resus.copy(ParamMap.empty()).setInitScale(scale);
      long start = System.nanoTime();
      RESUSModel candidate = candidateStage.fit(data.fitRows());
      double seconds = (System.nanoTime() - start) / 1e9;
      double auc = curve(candidate, validation).meanAuc();
      LOG.info("RESUS-{} initScale {}: validation mean AUC {}", resus.getLearner(), scale, auc);
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("initScale", scale);
      entry.put("validation_mean_auc", auc);
      entry.put("epochs", candidate.summary().epochs());
      entry.put("train_seconds", seconds);
      tried.add(entry);
      if (auc > bestAuc) {
        bestAuc = auc;
        model = candidate;
        selected = candidateStage;
        trainSeconds = seconds;
      }
    }
    double tuningSeconds = (System.nanoTime() - tuningStart) / 1e9;
    long evalStart = System.nanoTime();
    SupportCurve curve = curve(model, test);
    double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
    Map<String, Object> row = curve.metrics();
    row.put("adapt_ms_per_user", SupportFineTuning.median(adaptationMillis(model.network(), base, testUsers)));
    row.put("adapt_ms_measured", "median over test users at support size " + MAX_SUPPORT + ", one driver thread "
        + "after a warm-up pass: the support rows' base logits and ResusNetwork.adapt");
    row.put("train_seconds", trainSeconds);
    row.put("epochs", model.summary().epochs());
    row.put("best_epoch", model.summary().bestEpoch());
    row.put("eval_seconds", evalSeconds);
    row.put("validation_mean_auc", bestAuc);
    row.put("budget", "initScale " + Arrays.toString(scales) + " (the reference code's initial scales: 1 and 3 in "
        + "its first release, 6 published), each meta-trained with the defaults otherwise, selected by the mean of "
        + "the per-support-size AUCs on the validation users' episodes (support sizes 1-" + MAX_SUPPORT + ")");
    row.put("tuning_seconds", tuningSeconds);
    row.put("tried", tried);
    Map<String, Object> config = new LinkedHashMap<>(baseConfig);
    config.put("resus", StageConfig.of(selected));
    row.put("config", config);
    return row;
  }

  /** Pooled AUC and log loss per support size of {@code model} over {@code episodes}, in one transform. */
  private static SupportCurve curve(RESUSModel model, Episodes episodes) {
    List<Row> scored = model.setSupport(episodes.support()).transform(episodes.query())
        .select(col("supportSize"), col("label"), vector_to_array(col("rawPrediction"), "float64").getItem(1))
        .collectAsList();
    SupportCurve curve = new SupportCurve(MAX_SUPPORT);
    for (Row r : scored) {
      curve.add(r.getInt(0), r.getDouble(2), r.getDouble(1));
    }
    return curve;
  }

  /** Milliseconds of RESUS's adaptation per test user at support size {@link #MAX_SUPPORT}, after a warm-up pass. */
  private static double[] adaptationMillis(ResusNetwork network, DeepFMModel base, List<UserRows> users) {
    DeepFmNetwork baseNetwork = base.network();
    Tape tape = new Tape().training(false);
    List<UserRows> timed = users.stream().filter(u -> u.size() > MAX_SUPPORT).toList();
    double[] millis = new double[timed.size()];
    float[] baseLogits = new float[MAX_SUPPORT];
    for (int pass = 0; pass < 2; pass++) { // the first pass warms up the JIT
      for (int u = 0; u < timed.size(); u++) {
        Batch support = timed.get(u).batch(0, MAX_SUPPORT);
        long start = System.nanoTime();
        tape.reset();
        baseNetwork.logits(tape, support, baseLogits);
        network.adapt(support, baseLogits);
        millis[u] = (System.nanoTime() - start) / 1e6;
      }
    }
    return millis;
  }

  /** The data settings every row records. */
  private static Map<String, Object> dataConfig(MovieLensColdStart data, boolean quick) {
    int[] users = data.usersPerSplit();
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("dataset", "movielens-100k u.data, u.user, u.item");
    config.put("label", "rating >= " + MovieLensColdStart.POSITIVE_RATING);
    config.put("fields", Arrays.asList(MovieLensColdStart.FIELDS));
    config.put("numFeatures", data.numFeatures());
    config.put("splitSeed", MovieLensColdStart.SPLIT_SEED);
    Map<String, Object> userCounts = new LinkedHashMap<>();
    userCounts.put("train", users[0]);
    userCounts.put("validation", users[1]);
    userCounts.put("test", users[2]);
    config.put("users", userCounts);
    config.put("maxSupport", MAX_SUPPORT);
    config.put("quick", quick);
    return config;
  }
}
