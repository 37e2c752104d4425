package dev.sparkrec.pipelines.bench.fia;

import dev.sparkrec.data.MovieLensReader;
import dev.sparkrec.fia.AlsFactorizedModel;
import dev.sparkrec.fia.FactorPredictor;
import dev.sparkrec.fia.FactorizedModel;
import dev.sparkrec.fia.FactorizedPredictor;
import dev.sparkrec.fia.FullInfluence;
import dev.sparkrec.fia.InfluenceCalculator;
import dev.sparkrec.fia.InfluenceExplainer;
import dev.sparkrec.fia.InfluenceExplanation;
import dev.sparkrec.fia.MatrixFactorization;
import dev.sparkrec.fia.MatrixFactorizationModel;
import dev.sparkrec.fia.NeighbourRefit;
import dev.sparkrec.fia.NeuralCF;
import dev.sparkrec.fia.NeuralCFModel;
import dev.sparkrec.gpu.SparkRecFunctions;
import dev.sparkrec.pipelines.bench.BenchContext;
import dev.sparkrec.pipelines.bench.BenchReport;
import dev.sparkrec.pipelines.bench.BenchSuite;
import dev.sparkrec.pipelines.bench.SeedStats;
import dev.sparkrec.pipelines.bench.StageConfig;
import dev.sparkrec.train.TrainableModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench fia-ml100k}: matrix factorisation, neural CF and MLlib ALS on MovieLens-100K {@code u1.base} →
 * {@code u1.test}, then FIA's correctness protocol (from the FIA reference code) and its speed against the full
 * influence function of Koh &amp; Liang.
 *
 * <p>Per model: test RMSE and train seconds (MF trains {@value #MF_EPOCHS} epochs, close to a minimum of its
 * objective, which influence functions assume). Then for {@code pairs} random test pairs (seeded) known to all
 * three models: FIA's most influential training rating z (top-1 by |influence| among the ratings whose removal
 * keeps the pair's user and item rated; {@code pairs_with_orphaning_ratings} counts the pairs where an orphaning
 * rating ranked first) and its predicted effect. The
 * actual effect is measured by retraining warm-started from the fitted model with z removed and subtracting the
 * same retraining on the full data (the drift), so {@code actual = f_{−z}(u,i) − f_full(u,i)} after the same
 * steps: {@value #REFIT_SWEEPS} alternating exact ridge sweeps for MF and ALS (ALS's own algorithm, on each
 * model's objective); for NCF {@value #NCF_RETRAIN_EPOCHS} Adam epochs (batch {@value #NCF_RETRAIN_BATCH}, NCF's
 * own step size {@value #NCF_RETRAIN_STEP} decayed linearly to nearly 0) in one fixed order per seed, z at weight 0,
 * for three seeds of the batch order, the actual effect the mean over the seeds. NCF's row reports each seed's
 * Pearson r, how well the seeds' actual effects agree ({@code actual_between_seeds_pearson_r}), the steps, and the
 * norm of the full-batch gradient of the objective at the fitted model and after each seed's retraining on all
 * ratings, which says how far from converged the retraining ends.
 * Reported: Pearson r of actual vs predicted over the pairs with a bootstrap 95% interval ({@code *_ci95},
 * {@value #BOOTSTRAP_RESAMPLES} resamples of the pairs): first-order, {@code pearson_r_leave_one_out} for the same z
 * in the leave-one-out form (with z's leverage), for MF and ALS with z's star re-fitted ({@code
 * pearson_r_refit_neighbours}, {@link NeighbourRefit}; {@code median_abs_ratio_*} gives each form's median
 * |actual / predicted|, and {@code ms_per_refit_neighbours_explanation} one whole explanation in that form over the
 * first {@value #REFIT_TIMED_PAIRS} pairs), and a random-removal arm ({@code random_removal_*}: per pair one
 * related rating drawn with seed {@value #SEED}, not orphaning, removed and retrained the same way); and the mean
 * milliseconds of one first-order explanation. The
 * baseline ({@code full-influence-mf}) solves the full Hessian system over all MF parameters and all training
 * ratings by conjugate gradient for the same pairs and the same z (its row reports the damping conjugate gradient
 * needed and the largest final relative residual, {@code cg_relative_residual_max}). Finally all of {@code u1.test} is explained
 * ({@code topK = 10}) by one {@link InfluenceExplainer} action creating a Delta table (removed first, so every run
 * writes the same Delta history); its pairs per second and
 * the Spark jobs that action ran are reported, then the median of {@value #WARM_RUNS} repetitions of the action
 * once warm, writing Delta and writing nothing ({@code noop}), with the input's partition count (the broadcast plan
 * explains each partition in one task where it lies); then once more with {@code influenceScoring =
 * "arrayFunctions"} and once with {@code influenceForm = "refitNeighbours"} (writing nothing).
 *
 * <p>MLlib ALS is also tuned as a peer ({@code mllib-als}): rank {8, 10, 16, 32} × regParam {0.05, 0.1, 0.2}
 * (20 iterations, 12 fits) on the validation split MF's and NCF's training settings are documented against (a
 * seeded 90/10 split of {@code u1.base}, {@link #validationSplit}), selected by validation RMSE, retrained on all
 * of {@code u1.base} and scored on {@code u1.test}; MF's row reports its RMSE on the same validation split. FIA's
 * protocol runs on ALS of MF's rank (16, regParam 0.1). Every row records the configuration it ran
 * ({@code config}).
 */
public final class FiaMl100kBenchmark implements BenchSuite {

  private static final Logger LOG = LoggerFactory.getLogger(FiaMl100kBenchmark.class);
  private static final int RANK = 16;
  private static final double ALS_REG = 0.1;
  private static final long SEED = 17;
  private static final int MF_EPOCHS = 60;
  private static final int REFIT_SWEEPS = 10;
  private static final int NCF_RETRAIN_EPOCHS = 10;
  private static final int NCF_RETRAIN_BATCH = 1024;
  /** NCF's own default step size (the one it was fitted with). */
  private static final double NCF_RETRAIN_STEP = 5e-4;
  private static final long[] NCF_RETRAIN_SEEDS = {SEED, SEED + 1, SEED + 2};
  /** The retraining lengths {@code --sweep} compares; it selected {@value #NCF_RETRAIN_EPOCHS}. */
  private static final int[] SWEEP_EPOCHS = {3, 10, 20, 40};
  private static final double SWEEP_TOLERANCE = 0.1;
  private static final int BOOTSTRAP_RESAMPLES = 2000;
  /** Pairs whose whole refitNeighbours explanation is timed. */
  private static final int REFIT_TIMED_PAIRS = 20;
  /** Repetitions of the u1.test action after the first (cold) one; a quick run repeats it once. */
  private static final int WARM_RUNS = 5;
  private static final int[] ALS_RANKS = {8, 10, 16, 32};
  private static final double[] ALS_REGS = {0.05, 0.1, 0.2};
  /** A quick run's grid: two points, enough to exercise the tuning. */
  private static final int[] QUICK_ALS_RANKS = {8};
  private static final double[] QUICK_ALS_REGS = {0.1, 0.2};
  private static final int ALS_ITERATIONS = 20;
  private static final double VALIDATION_FRACTION = 0.1;

  @Override
  public String name() {
    return "fia-ml100k";
  }

  @Override
  public String description() {
    return "MF, NCF and MLlib ALS on MovieLens-100K u1; FIA correctness (Pearson r) and speed vs full influence";
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
    Dataset<Row> train = (quick ? trainFile.limit(20_000) : trainFile).repartition(partitions).cache();
    Dataset<Row> test = (quick ? testFile.limit(2_000) : testFile).cache();
    train.count();
    test.count();
    List<Row> trainRows = train.collectAsList();
    if (context.sweep()) {
      retrainSweep(train, test, trainRows, quick, report);
      return;
    }
    int pairCount = quick ? 8 : 100;

    if (spark.sparkContext().getCheckpointDir().isEmpty()) {
      // ALS truncates its lineage every checkpointInterval iterations only when a checkpoint directory is set;
      // without one, 20 iterations build a lineage too deep to serialize.
      spark.sparkContext().setCheckpointDir("target/bench/checkpoints");
    }
    Dataset<Row>[] split = validationSplit(quick ? trainFile.limit(20_000) : trainFile);
    Dataset<Row> fitPart = split[0].repartition(partitions).cache();
    Dataset<Row> validationPart = split[1].cache();
    report.measure("mllib-als", () -> tunedAls(fitPart, validationPart, train, test, quick));

    Fitted als = fit("als", () -> {
      ALS estimator = als(RANK, ALS_REG, quick);
      ALSModel model = estimator.fit(train);
      return new Fitted(new AlsFactorizedModel(model, ALS_REG), model.transform(test), StageConfig.of(estimator));
    });
    Fitted mf = fit("mf", () -> {
      // Influence functions assume the model sits at a minimum of its objective (FIA's reference trains MF for
      // 80,000 Adam steps), so MF trains MF_EPOCHS epochs rather than the 20 that generalise best.
      MatrixFactorization estimator = new MatrixFactorization().setRank(RANK).setSeed(SEED)
          .setMaxIter(quick ? 5 : MF_EPOCHS).setColdStartStrategy("drop");
      MatrixFactorizationModel model = estimator.fit(train);
      return new Fitted(model, model.transform(test), StageConfig.of(estimator));
    });
    // MF with its default epochs on the validation split, to compare with the tuned ALS's validation RMSE.
    MatrixFactorization mfDefaults = new MatrixFactorization().setRank(RANK).setSeed(SEED).setColdStartStrategy("drop");
    if (quick) {
      mfDefaults.setMaxIter(5);
    }
    double mfValidationRmse = rmse(mfDefaults.fit(fitPart).transform(validationPart));
    LOG.info("mf (default epochs) on the validation split: RMSE {}", mfValidationRmse);
    Fitted ncf = fitNcf(train, test, quick);

    int[][] pairs = samplePairs(test.collectAsList(), pairCount, als, mf, ncf);
    LOG.info("Explaining {} random test pairs with FIA and retraining", pairs.length);

    Protocol mfProtocol = new Protocol(mf, trainRows, pairs);
    AlternatingRefit mfRefit = new AlternatingRefit(mfProtocol.data, true,
        ((MatrixFactorizationModel) mf.model).globalMean(), mf.model.predictor().regParam());
    report.measure("mf", () -> {
      Map<String, Object> row = mfProtocol.row(mf, pairs, (removed, us, is) -> refitPredictions(mfRefit, quick,
          removed, us, is));
      row.put("validation_rmse_default_epochs", mfValidationRmse);
      row.put("refit", Map.of("sweeps", quick ? 2 : REFIT_SWEEPS, "algorithm", "alternating exact ridge"));
      return row;
    });
    report.measure("full-influence-mf", () -> mfProtocol.fullInfluenceRow(quick));

    Protocol alsProtocol = new Protocol(als, trainRows, pairs);
    AlternatingRefit alsRefit = new AlternatingRefit(alsProtocol.data, false, 0.0, ALS_REG);
    report.measure("als", () -> {
      Map<String, Object> row = alsProtocol.row(als, pairs, (removed, us, is) -> refitPredictions(alsRefit, quick,
          removed, us, is));
      row.put("refit", Map.of("sweeps", quick ? 2 : REFIT_SWEEPS, "algorithm", "alternating exact ridge"));
      return row;
    });

    Protocol ncfProtocol = new Protocol(ncf, trainRows, pairs);
    NeuralCFModel ncfModel = (NeuralCFModel) ncf.model;
    int ncfEpochs = quick ? 1 : NCF_RETRAIN_EPOCHS;
    long[] ncfSeeds = quick ? new long[] {SEED, SEED + 1} : NCF_RETRAIN_SEEDS;
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    List<WarmStartRetrain> ncfRetrains = new ArrayList<>();
    for (long seed : ncfSeeds) {
      ncfRetrains.add(new WarmStartRetrain(ncfModel::network, ncfProtocol.data, ncfEpochs, NCF_RETRAIN_BATCH,
          NCF_RETRAIN_STEP, seed, threads));
    }
    report.measure("ncf", () -> {
      Map<String, Object> row = ncfProtocol.row(ncf, pairs, new ArrayList<Retrain>(ncfRetrains));
      WarmStartRetrain first = ncfRetrains.get(0);
      row.put("gradient_norm_fitted", first.gradientNorm(ncfModel.network(), -1));
      double[] after = new double[ncfRetrains.size()];
      for (int s = 0; s < after.length; s++) {
        WarmStartRetrain retrain = ncfRetrains.get(s);
        after[s] = retrain.gradientNorm(retrain.retrain(-1), -1);
      }
      row.put("gradient_norm_after_retrain_by_seed", after);
      Map<String, Object> config = first.config();
      config.put("seeds", ncfSeeds);
      row.put("retrain", config);
      return row;
    });

    // The same removals retrained with the dense layers fixed (what FIA assumes), one seed: how much of the gap
    // between FIA and retraining the dense layers' response makes.
    WarmStartRetrain embeddingsOnly = new WarmStartRetrain(ncfModel::network, ncfProtocol.data, ncfEpochs,
        NCF_RETRAIN_BATCH, NCF_RETRAIN_STEP, SEED, threads, true);
    report.measure("ncf-embeddings-retrained", () -> {
      Map<String, Object> row = ncfProtocol.row(ncf, pairs, embeddingsOnly);
      row.put("gradient_norm_after_retrain", embeddingsOnly.gradientNorm(embeddingsOnly.retrain(-1), -1));
      Map<String, Object> config = embeddingsOnly.config();
      config.put("seeds", new long[] {SEED});
      row.put("retrain", config);
      return row;
    });

    report.measure("fia-mf-explain-test", () -> explainAll(spark, (MatrixFactorizationModel) mf.model, train, test,
        context));
    report.measure("fia-mf-explain-test-array-functions", () -> explainThroughArrayFunctions(spark,
        (MatrixFactorizationModel) mf.model, train, test, context));
    report.measure("fia-mf-explain-test-refit-neighbours", () -> explainRefittingNeighbours(spark,
        (MatrixFactorizationModel) mf.model, train, test));
  }

  /**
   * u1.test explained with {@code influenceForm = "refitNeighbours"}: one action writing nothing ({@code noop}), the
   * cost of re-fitting every related rating's star on data this dense, beside the default form's warm {@code noop}
   * figure in the {@code fia-mf-explain-test} row.
   */
  private static Map<String, Object> explainRefittingNeighbours(SparkSession spark, MatrixFactorizationModel model,
      Dataset<Row> train, Dataset<Row> test) {
    InfluenceExplainer explainer = new InfluenceExplainer().setModel(model).setTrainingRatings(train).setTopK(10)
        .setInfluenceForm("refitNeighbours");
    long pairs = test.count();
    long start = System.nanoTime();
    explainer.transform(test).write().format("noop").mode("overwrite").save();
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("pairs", pairs);
    row.put("seconds", seconds);
    row.put("pairs_per_second", pairs / seconds);
    row.put("output", "noop");
    row.put("config", StageConfig.of(explainer));
    return row;
  }

  @Override
  public boolean hasSweep() {
    return true;
  }

  private static Fitted fitNcf(Dataset<Row> train, Dataset<Row> test, boolean quick) {
    return fit("ncf", () -> {
      NeuralCF estimator = new NeuralCF().setEmbeddingDim(RANK).setSeed(SEED).setColdStartStrategy("drop");
      if (quick) {
        estimator.setMaxIter(5);
      }
      NeuralCFModel model = estimator.fit(train);
      return new Fitted(model, model.transform(test), StageConfig.of(estimator));
    });
  }

  /**
   * {@code --sweep}: the search behind NCF's retraining length. The fitted NCF is retrained on all ratings (seed
   * {@value #SEED}, batch {@value #NCF_RETRAIN_BATCH}, step size {@value #NCF_RETRAIN_STEP} decayed linearly) for
   * each epoch count of {@link #SWEEP_EPOCHS}, one row each with the full-batch gradient norm it ends at; the
   * selected length is the fewest epochs within {@value #SWEEP_TOLERANCE} (relative) of the lowest norm of the grid,
   * as longer retraining no longer brings the model nearer a minimum.
   */
  private static void retrainSweep(Dataset<Row> train, Dataset<Row> test, List<Row> trainRows, boolean quick,
      BenchReport report) {
    NeuralCFModel model = (NeuralCFModel) fitNcf(train, test, quick).model;
    RatingArrays data = new RatingArrays(trainRows, model.userVectors().collectAsList(),
        model.itemVectors().collectAsList());
    int[] grid = quick ? new int[] {1, 2} : SWEEP_EPOCHS;
    double[] norms = new double[grid.length];
    for (int g = 0; g < grid.length; g++) {
      int epochs = grid[g];
      WarmStartRetrain retrain = new WarmStartRetrain(model::network, data, epochs, NCF_RETRAIN_BATCH,
          NCF_RETRAIN_STEP, SEED, 1);
      report.measure("ncf-retrain-sweep", () -> {
        long start = System.nanoTime();
        TrainableModel network = retrain.retrain(-1);
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("epochs", epochs);
        row.put("gradient_norm", retrain.gradientNorm(network, -1));
        row.put("gradient_norm_fitted", retrain.gradientNorm(model.network(), -1));
        row.put("seconds", seconds);
        row.put("config", retrain.config());
        return row;
      });
      Object norm = report.rows().get(report.rows().size() - 1).get("gradient_norm");
      norms[g] = norm == null ? Double.NaN : ((Number) norm).doubleValue(); // NaN: that retraining failed
    }
    if (Arrays.stream(norms).anyMatch(Double::isNaN)) {
      return; // a failed retraining is already reported, and the bench exits 1
    }
    double lowest = Arrays.stream(norms).min().orElseThrow();
    int selected = 0;
    while (norms[selected] > lowest * (1 + SWEEP_TOLERANCE)) {
      selected++;
    }
    int chosen = grid[selected];
    double chosenNorm = norms[selected];
    report.measure("ncf-retrain-sweep-selected", () -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("epochs", chosen);
      row.put("gradient_norm", chosenNorm);
      row.put("lowest_gradient_norm", lowest);
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("grid_epochs", grid);
      config.put("rule", "fewest epochs within " + SWEEP_TOLERANCE + " (relative) of the lowest gradient norm");
      row.put("config", config);
      return row;
    });
  }

  /**
   * The validation split MF's and NCF's training settings are documented against: {@code u1.base} as read,
   * {@code randomSplit} 90/10 with seed {@value #SEED}; {fit part, validation part}.
   */
  static Dataset<Row>[] validationSplit(Dataset<Row> base) {
    return base.randomSplit(new double[] {1 - VALIDATION_FRACTION, VALIDATION_FRACTION}, SEED);
  }

  private static ALS als(int rank, double regParam, boolean quick) {
    return AlsTuning.als(rank, regParam, quick ? 5 : ALS_ITERATIONS, SEED);
  }

  private static double rmse(Dataset<Row> predictions) {
    return AlsTuning.rmse(predictions);
  }

  /** ALS tuned on the validation split by RMSE over rank × regParam, retrained on all of u1.base. */
  private static Map<String, Object> tunedAls(Dataset<Row> fitPart, Dataset<Row> validationPart, Dataset<Row> train,
      Dataset<Row> test, boolean quick) {
    return AlsTuning.tuned(fitPart, validationPart, train, test, quick ? QUICK_ALS_RANKS : ALS_RANKS,
        quick ? QUICK_ALS_REGS : ALS_REGS, quick ? 5 : ALS_ITERATIONS, SEED, "u1.base");
  }

  private static double[] refitPredictions(AlternatingRefit refit, boolean quick, int removed, int[] users,
      int[] items) {
    AlternatingRefit.Vectors v = refit.refit(quick ? 2 : REFIT_SWEEPS, removed);
    double[] out = new double[users.length];
    for (int p = 0; p < users.length; p++) {
      out[p] = refit.predict(v, users[p], items[p]);
    }
    return out;
  }

  /** A fitted model with its test predictions (cold-start rows dropped) and train seconds. */
  private static final class Fitted {
    final FactorizedModel model;
    final Dataset<Row> testPredictions;
    final Map<String, Object> config;
    double trainSeconds;
    double testRmse;

    Fitted(FactorizedModel model, Dataset<Row> testPredictions, Map<String, Object> config) {
      this.model = model;
      this.testPredictions = testPredictions;
      this.config = config;
    }
  }

  private interface FitStep {
    Fitted fit();
  }

  private static Fitted fit(String name, FitStep step) {
    long start = System.nanoTime();
    Fitted fitted = step.fit();
    fitted.trainSeconds = (System.nanoTime() - start) / 1e9;
    fitted.testRmse = rmse(fitted.testPredictions);
    LOG.info("{}: test RMSE {} after {} s of training", name, fitted.testRmse, fitted.trainSeconds);
    return fitted;
  }

  /** {@code count} test pairs (user id, item id) in a seeded random order, known to every model. */
  private static int[][] samplePairs(List<Row> testRows, int count, Fitted... models) {
    Row[] rows = testRows.toArray(new Row[0]);
    Arrays.sort(rows, (a, b) -> a.getInt(0) != b.getInt(0) ? Integer.compare(a.getInt(0), b.getInt(0))
        : Integer.compare(a.getInt(1), b.getInt(1)));
    SplittableRandom random = new SplittableRandom(SEED);
    for (int i = rows.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      Row t = rows[i];
      rows[i] = rows[j];
      rows[j] = t;
    }
    List<Set<Integer>> users = new ArrayList<>();
    List<Set<Integer>> items = new ArrayList<>();
    for (Fitted f : models) {
      users.add(ids(f.model.userVectors()));
      items.add(ids(f.model.itemVectors()));
    }
    List<int[]> pairs = new ArrayList<>();
    for (Row row : rows) {
      int u = row.getInt(0);
      int i = row.getInt(1);
      boolean known = true;
      for (int m = 0; m < models.length; m++) {
        known &= users.get(m).contains(u) && items.get(m).contains(i);
      }
      if (known) {
        pairs.add(new int[] {u, i});
        if (pairs.size() == count) {
          break;
        }
      }
    }
    return pairs.toArray(new int[0][]);
  }

  private static Set<Integer> ids(Dataset<Row> vectors) {
    Set<Integer> ids = new HashSet<>();
    for (Row r : vectors.select("id").collectAsList()) {
      ids.add(r.getInt(0));
    }
    return ids;
  }

  /** Predictions for pairs (user index, item index) after retraining without training rating {@code removed}. */
  @FunctionalInterface
  interface Retrain {
    double[] predictions(int removed, int[] users, int[] items);

    /** Pair p's prediction after retraining without rating {@code removed[p]}; one pair after another. */
    default double[] predictionsEach(int[] removed, int[] users, int[] items) {
      double[] out = new double[users.length];
      for (int p = 0; p < users.length; p++) {
        out[p] = predictions(removed[p], new int[] {users[p]}, new int[] {items[p]})[0];
      }
      return out;
    }
  }

  /** FIA on the sampled pairs for one model, against its retraining. */
  private static final class Protocol {
    final RatingArrays data;
    final FactorizedPredictor predictor;
    final int[] users;
    final int[] items;
    final int[] topRating;
    final double[] predicted;
    final boolean[] orphanedFirst;
    final double[] predictedLeaveOneOut;
    final int[] randomRating;
    final double[] randomPredicted;
    final double[] randomPredictedLeaveOneOut;
    final double[] leverage;
    final double msPerExplanation;
    /** The same ratings' changes from re-fitting their neighbours (MF, ALS; null for NCF). */
    double[] predictedRefit;
    double[] randomPredictedRefit;
    double msPerRefitExplanation = Double.NaN;
    int refitTimedPairs;
    double[] actual;
    double[] randomActual;

    Protocol(Fitted fitted, List<Row> trainRows, int[][] pairs) {
      data = new RatingArrays(trainRows, fitted.model.userVectors().collectAsList(),
          fitted.model.itemVectors().collectAsList());
      predictor = fitted.model.predictor();
      users = new int[pairs.length];
      items = new int[pairs.length];
      for (int p = 0; p < pairs.length; p++) {
        users[p] = data.userIndex(pairs[p][0]);
        items[p] = data.itemIndex(pairs[p][1]);
      }
      topRating = new int[pairs.length];
      predicted = new double[pairs.length];
      orphanedFirst = new boolean[pairs.length];
      InfluenceCalculator calculator = new InfluenceCalculator(predictor, 1e-6);
      double[] millis = new double[pairs.length];
      for (int round = 0; round < 2; round++) { // the first round warms up the JIT
        for (int p = 0; p < pairs.length; p++) {
          RelatedLists lists = new RelatedLists(data, users[p], items[p]);
          long start = System.nanoTime();
          InfluenceExplanation e = calculator.explain(pairs[p][0], lists.userVector, pairs[p][1],
              lists.itemVector, lists.userItems, lists.userRatings, lists.userItemVectors, lists.itemUsers,
              lists.itemRatings, lists.itemUserVectors, 10);
          millis[p] = (System.nanoTime() - start) / 1e6;
          // z: the top rating whose removal keeps the pair's user and item rated (orphaning ones come first)
          int top = 0;
          while (e.orphaned()[top]) {
            top++;
          }
          orphanedFirst[p] = top > 0;
          topRating[p] = lists.ratingIndex(e.users()[top], e.items()[top]);
          predicted[p] = e.influences()[top];
        }
      }
      msPerExplanation = Arrays.stream(millis).average().orElse(Double.NaN);
      // The same rating z in the leave-one-out form (corrected by its leverage).
      // The random-removal arm: a related rating drawn per pair (seeded; not orphaning), both forms.
      predictedLeaveOneOut = new double[pairs.length];
      leverage = new double[pairs.length];
      randomRating = new int[pairs.length];
      randomPredicted = new double[pairs.length];
      randomPredictedLeaveOneOut = new double[pairs.length];
      InfluenceCalculator leaveOneOut = new InfluenceCalculator(predictor, 1e-6, true);
      SplittableRandom random = new SplittableRandom(SEED);
      for (int p = 0; p < pairs.length; p++) {
        RelatedLists lists = new RelatedLists(data, users[p], items[p]);
        InfluenceExplanation e = leaveOneOut.explain(pairs[p][0], lists.userVector, pairs[p][1], lists.itemVector,
            lists.userItems, lists.userRatings, lists.userItemVectors, lists.itemUsers, lists.itemRatings,
            lists.itemUserVectors, Integer.MAX_VALUE);
        InfluenceExplanation first = calculator.explain(pairs[p][0], lists.userVector, pairs[p][1],
            lists.itemVector, lists.userItems, lists.userRatings, lists.userItemVectors, lists.itemUsers,
            lists.itemRatings, lists.itemUserVectors, Integer.MAX_VALUE);
        int drawn;
        do {
          drawn = random.nextInt(e.size());
        } while (e.orphaned()[drawn]);
        randomRating[p] = lists.ratingIndex(e.users()[drawn], e.items()[drawn]);
        randomPredictedLeaveOneOut[p] = e.influences()[drawn];
        for (int k = 0; k < e.size(); k++) {
          if (lists.ratingIndex(e.users()[k], e.items()[k]) == topRating[p]) {
            predictedLeaveOneOut[p] = e.influences()[k];
            leverage[p] = e.leverages()[k];
          }
        }
        for (int k = 0; k < first.size(); k++) {
          if (lists.ratingIndex(first.users()[k], first.items()[k]) == randomRating[p]) {
            randomPredicted[p] = first.influences()[k];
          }
        }
      }
      if (predictor.quadraticInEachVector()) {
        refitNeighbours(pairs);
      }
    }

    /**
     * The refitNeighbours form ({@link NeighbourRefit}) for the same top and random ratings, and the milliseconds of
     * one whole explanation in that form (every related rating re-fitted) over the first {@value #REFIT_TIMED_PAIRS}
     * pairs.
     */
    private void refitNeighbours(int[][] pairs) {
      NeighbourRefit refit = new NeighbourRefit(predictor);
      // each id's rating indices, ascending: the order RelatedLists lists them in
      int[][] byUser = AlternatingRefit.group(data.user, data.userIds.length);
      int[][] byItem = AlternatingRefit.group(data.item, data.itemIds.length);
      NeighbourRefit.NormalEquations[] userSystems = systems(refit, byUser, false);
      NeighbourRefit.NormalEquations[] itemSystems = systems(refit, byItem, true);
      predictedRefit = new double[pairs.length];
      randomPredictedRefit = new double[pairs.length];
      double[] dUser = new double[data.userDim];
      double[] dItem = new double[data.itemDim];
      for (int p = 0; p < pairs.length; p++) {
        RelatedLists lists = new RelatedLists(data, users[p], items[p]);
        predictor.predictWithGradients(lists.userVector, lists.itemVector, dUser, dItem);
        NeighbourRefit.NormalEquations[] ofUser = pick(itemSystems, byUser[users[p]], data.item);
        NeighbourRefit.NormalEquations[] ofItem = pick(userSystems, byItem[items[p]], data.user);
        int[] removed = {topRating[p], randomRating[p]};
        double[][] out = {predictedRefit, randomPredictedRefit};
        for (int a = 0; a < 2; a++) {
          int z = removed[a];
          boolean userSide = data.user[z] == users[p];
          int at = Arrays.binarySearch(userSide ? byUser[users[p]] : byItem[items[p]], z);
          double[] change = userSide
              ? refit.vectorChange(true, lists.userVector, lists.userItemVectors, lists.userRatings, ofUser, at)
              : refit.vectorChange(false, lists.itemVector, lists.itemUserVectors, lists.itemRatings, ofItem, at);
          out[a][p] = dot(userSide ? dUser : dItem, change);
        }
      }
      refitTimedPairs = Math.min(REFIT_TIMED_PAIRS, pairs.length);
      long start = System.nanoTime();
      for (int p = 0; p < refitTimedPairs; p++) {
        RelatedLists lists = new RelatedLists(data, users[p], items[p]);
        refit.vectorChanges(true, lists.userVector, lists.userItemVectors, lists.userRatings,
            pick(itemSystems, byUser[users[p]], data.item));
        refit.vectorChanges(false, lists.itemVector, lists.itemUserVectors, lists.itemRatings,
            pick(userSystems, byItem[items[p]], data.user));
      }
      msPerRefitExplanation = (System.nanoTime() - start) / 1e6 / Math.max(1, refitTimedPairs);
    }

    /** Every user's (or, {@code ofItem}, item's) normal equations over its training ratings. */
    private NeighbourRefit.NormalEquations[] systems(NeighbourRefit refit, int[][] rows, boolean ofItem) {
      NeighbourRefit.NormalEquations[] out = new NeighbourRefit.NormalEquations[rows.length];
      NeighbourRefit.Sum sum = refit.sum(ofItem);
      for (int id = 0; id < rows.length; id++) {
        if (rows[id].length == 0) {
          continue;
        }
        sum.reset();
        float[] own = ofItem ? itemVector(id) : userVector(id);
        for (int z : rows[id]) {
          sum.add(own, ofItem ? userVector(data.user[z]) : itemVector(data.item[z]), data.rating[z]);
        }
        out[id] = sum.result();
      }
      return out;
    }

    private float[] userVector(int index) {
      return Arrays.copyOfRange(data.userVectors, index * data.userDim, (index + 1) * data.userDim);
    }

    private float[] itemVector(int index) {
      return Arrays.copyOfRange(data.itemVectors, index * data.itemDim, (index + 1) * data.itemDim);
    }

    /** The systems of the counterparts of {@code rows}: {@code counterpart[z]} indexes {@code systems}. */
    private static NeighbourRefit.NormalEquations[] pick(NeighbourRefit.NormalEquations[] systems, int[] rows,
        int[] counterpart) {
      NeighbourRefit.NormalEquations[] out = new NeighbourRefit.NormalEquations[rows.length];
      for (int e = 0; e < rows.length; e++) {
        out[e] = systems[counterpart[rows[e]]];
      }
      return out;
    }

    private static double dot(double[] a, double[] b) {
      double s = 0;
      for (int k = 0; k < a.length; k++) {
        s += a[k] * b[k];
      }
      return s;
    }

    Map<String, Object> row(Fitted fitted, int[][] pairs, Retrain retrain) {
      return row(fitted, pairs, List.of(retrain));
    }

    /**
     * The row against retrainings that differ only by their seed (the order of the mini-batches): the actual effect
     * of a removal is the mean over the seeds of (retrained without z − retrained on all ratings); with several
     * seeds the row also gives each seed's Pearson r and how well the seeds' actual effects agree.
     */
    Map<String, Object> row(Fitted fitted, int[][] pairs, List<Retrain> retrains) {
      long start = System.nanoTime();
      int seeds = retrains.size();
      double[][] actualBySeed = new double[seeds][];
      double[][] randomActualBySeed = new double[seeds][];
      actual = new double[pairs.length];
      randomActual = new double[pairs.length];
      for (int s = 0; s < seeds; s++) {
        Retrain retrain = retrains.get(s);
        double[] full = retrain.predictions(-1, users, items);
        double[] without = retrain.predictionsEach(topRating, users, items);
        double[] randomWithout = retrain.predictionsEach(randomRating, users, items);
        actualBySeed[s] = new double[pairs.length];
        randomActualBySeed[s] = new double[pairs.length];
        for (int p = 0; p < pairs.length; p++) {
          actualBySeed[s][p] = without[p] - full[p];
          randomActualBySeed[s][p] = randomWithout[p] - full[p];
          actual[p] += actualBySeed[s][p] / seeds;
          randomActual[p] += randomActualBySeed[s][p] / seeds;
        }
      }
      double retrainSeconds = (System.nanoTime() - start) / 1e9;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("test_rmse", fitted.testRmse);
      row.put("train_seconds", fitted.trainSeconds);
      if (seeds > 1) {
        double[] bySeed = new double[seeds];
        double[] randomBySeed = new double[seeds];
        for (int s = 0; s < seeds; s++) {
          bySeed[s] = pearson(actualBySeed[s], predicted);
          randomBySeed[s] = pearson(randomActualBySeed[s], randomPredicted);
        }
        row.put("pearson_r_by_seed", bySeed);
        row.put("random_removal_pearson_r_by_seed", randomBySeed);
        row.put("actual_between_seeds_pearson_r", meanPairwisePearson(actualBySeed));
        row.put("random_actual_between_seeds_pearson_r", meanPairwisePearson(randomActualBySeed));
      }
      row.put("pearson_r", pearson(actual, predicted));
      row.put("pearson_r_ci95", bootstrapInterval(actual, predicted));
      row.put("pearson_r_leave_one_out", pearson(actual, predictedLeaveOneOut));
      row.put("pearson_r_leave_one_out_ci95", bootstrapInterval(actual, predictedLeaveOneOut));
      // FIA's reference RQ1 sets every prediction beyond ±1 to 0 before correlating; r the same way, beside r of
      // every prediction as it is, and how many predictions that zeroes
      double[] referenceClipped = referenceClipped(predicted);
      row.put("pearson_r_reference_clipped", pearson(actual, referenceClipped));
      row.put("pearson_r_reference_clipped_ci95", bootstrapInterval(actual, referenceClipped));
      row.put("pairs_reference_clipped", Arrays.stream(predicted).filter(p -> Math.abs(p) > 1).count());
      row.put("random_removal_pearson_r", pearson(randomActual, randomPredicted));
      row.put("random_removal_pearson_r_ci95", bootstrapInterval(randomActual, randomPredicted));
      row.put("random_removal_pearson_r_leave_one_out", pearson(randomActual, randomPredictedLeaveOneOut));
      row.put("random_removal_pearson_r_leave_one_out_ci95", bootstrapInterval(randomActual,
          randomPredictedLeaveOneOut));
      if (predictedRefit != null) {
        row.put("pearson_r_refit_neighbours", pearson(actual, predictedRefit));
        row.put("pearson_r_refit_neighbours_ci95", bootstrapInterval(actual, predictedRefit));
        row.put("random_removal_pearson_r_refit_neighbours", pearson(randomActual, randomPredictedRefit));
        row.put("random_removal_pearson_r_refit_neighbours_ci95", bootstrapInterval(randomActual,
            randomPredictedRefit));
        row.put("median_abs_ratio", medianAbsRatio(actual, predicted));
        row.put("median_abs_ratio_leave_one_out", medianAbsRatio(actual, predictedLeaveOneOut));
        row.put("median_abs_ratio_refit_neighbours", medianAbsRatio(actual, predictedRefit));
        row.put("ms_per_refit_neighbours_explanation", msPerRefitExplanation);
        row.put("refit_neighbours_timed_pairs", refitTimedPairs);
      }
      row.put("ms_per_explanation", msPerExplanation);
      row.put("pairs", pairs.length);
      int orphaned = 0;
      for (boolean o : orphanedFirst) {
        orphaned += o ? 1 : 0;
      }
      row.put("pairs_with_orphaning_ratings", orphaned);
      row.put("retrain_seconds", retrainSeconds);
      row.put("predicted", round(predicted));
      row.put("predicted_leave_one_out", round(predictedLeaveOneOut));
      row.put("leverage", round(leverage));
      row.put("actual", round(actual));
      row.put("random_predicted", round(randomPredicted));
      row.put("random_predicted_leave_one_out", round(randomPredictedLeaveOneOut));
      if (predictedRefit != null) {
        row.put("predicted_refit_neighbours", round(predictedRefit));
        row.put("random_predicted_refit_neighbours", round(randomPredictedRefit));
      }
      row.put("random_actual", round(randomActual));
      row.put("config", fitted.config);
      return row;
    }

    /** The predictions as FIA's reference RQ1 correlates them: those beyond ±1 set to 0 (a copy). */
    private static double[] referenceClipped(double[] predictions) {
      double[] out = predictions.clone();
      for (int p = 0; p < out.length; p++) {
        if (Math.abs(out[p]) > 1) {
          out[p] = 0;
        }
      }
      return out;
    }

    /** The full-influence baseline on the same pairs and the same removed ratings; needs {@link #row} first. */
    Map<String, Object> fullInfluenceRow(boolean quick) {
      // The fitted model is not exactly at a minimum of its objective (early stopping), so the full Hessian can be
      // indefinite there; as Koh & Liang, damp it: the smallest of 1e-6, 1e-5, ... that conjugate gradient accepts.
      double damping = 1e-6;
      double residual = 0;
      double[] influence = new double[users.length];
      double[] millis = new double[users.length];
      int[] iterations = new int[users.length];
      for (int p = 0; p < users.length; p++) {
        while (true) {
          FullInfluence full = new FullInfluence((FactorPredictor) predictor, data.user, data.item, data.rating,
              data.userVectors, data.itemVectors, damping, 1e-6, quick ? 50 : 500);
          try {
            long start = System.nanoTime();
            InfluenceExplanation e = full.explain(users[p], items[p], Integer.MAX_VALUE);
            millis[p] = (System.nanoTime() - start) / 1e6;
            iterations[p] = full.lastIterations();
            residual = Math.max(residual, full.lastRelativeResidual());
            int z = topRating[p];
            for (int k = 0; k < e.size(); k++) {
              if (e.users()[k] == data.user[z] && e.items()[k] == data.item[z]) {
                influence[p] = e.influences()[k];
              }
            }
            break;
          } catch (IllegalStateException notPositiveDefinite) {
            if (damping >= 1e4) {
              throw notPositiveDefinite;
            }
            damping *= 10;
            LOG.info("full influence: raising the damping to {} ({})", damping, notPositiveDefinite.getMessage());
          }
        }
      }
      Map<String, Object> row = new LinkedHashMap<>();
      double ms = Arrays.stream(millis).average().orElse(Double.NaN);
      row.put("ms_per_explanation", ms);
      row.put("fia_speedup", ms / msPerExplanation);
      row.put("pearson_r", pearson(actual, influence));
      row.put("pearson_r_ci95", bootstrapInterval(actual, influence));
      row.put("pearson_r_vs_fia", pearson(influence, predicted));
      row.put("damping", damping);
      row.put("cg_relative_residual_max", residual);
      row.put("cg_iterations_median", Arrays.stream(iterations).sorted().toArray()[iterations.length / 2]);
      row.put("predicted", round(influence));
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("model", "mf");
      config.put("damping", damping);
      config.put("cgTolerance", 1e-6);
      config.put("cgMaxIterations", quick ? 50 : 500);
      row.put("config", config);
      return row;
    }
  }

  /** The related ratings of one pair from the flat arrays, in the explainer's input form. */
  private static final class RelatedLists {
    final float[] userVector;
    final float[] itemVector;
    final int[] userItems;
    final float[] userRatings;
    final float[][] userItemVectors;
    final int[] itemUsers;
    final float[] itemRatings;
    final float[][] itemUserVectors;
    private final RatingArrays data;
    private final int u;
    private final int i;

    RelatedLists(RatingArrays data, int u, int i) {
      this.data = data;
      this.u = u;
      this.i = i;
      userVector = Arrays.copyOfRange(data.userVectors, u * data.userDim, (u + 1) * data.userDim);
      itemVector = Arrays.copyOfRange(data.itemVectors, i * data.itemDim, (i + 1) * data.itemDim);
      List<Integer> ofUser = new ArrayList<>();
      List<Integer> ofItem = new ArrayList<>();
      for (int z = 0; z < data.numRatings(); z++) {
        if (data.user[z] == u) {
          ofUser.add(z);
        }
        if (data.item[z] == i) {
          ofItem.add(z);
        }
      }
      userItems = new int[ofUser.size()];
      userRatings = new float[ofUser.size()];
      userItemVectors = new float[ofUser.size()][];
      for (int e = 0; e < ofUser.size(); e++) {
        int z = ofUser.get(e);
        userItems[e] = data.itemIds[data.item[z]];
        userRatings[e] = data.rating[z];
        userItemVectors[e] = Arrays.copyOfRange(data.itemVectors, data.item[z] * data.itemDim,
            (data.item[z] + 1) * data.itemDim);
      }
      itemUsers = new int[ofItem.size()];
      itemRatings = new float[ofItem.size()];
      itemUserVectors = new float[ofItem.size()][];
      for (int e = 0; e < ofItem.size(); e++) {
        int z = ofItem.get(e);
        itemUsers[e] = data.userIds[data.user[z]];
        itemRatings[e] = data.rating[z];
        itemUserVectors[e] = Arrays.copyOfRange(data.userVectors, data.user[z] * data.userDim,
            (data.user[z] + 1) * data.userDim);
      }
    }

    /** The training-rating index of (user id, item id). */
    int ratingIndex(int userId, int itemId) {
      int z = data.ratingIndex(data.userIndex(userId), data.itemIndex(itemId));
      if (z < 0) {
        throw new IllegalStateException("explanation (" + userId + ", " + itemId + ") is not a training rating");
      }
      return z;
    }
  }

  private static void removeTable(SparkSession spark, String path) {
    Path table = new Path(path);
    try {
      table.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(table, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + path, e);
    }
  }

  private static Map<String, Object> explainAll(SparkSession spark, MatrixFactorizationModel model,
      Dataset<Row> train, Dataset<Row> test, BenchContext context) {
    InfluenceExplainer explainer = new InfluenceExplainer().setModel(model).setTrainingRatings(train).setTopK(10);
    String out = "target/bench/fia-explanations";
    // Every run measures the same Delta history: the cold action creates the table, the warm ones overwrite it (no
    // run reaches Delta's checkpoint at every tenth commit, which an older table's log would reach at random).
    removeTable(spark, out);
    removeTable(spark, out + "-trivial");
    long pairs = test.count();
    String group = "sparkrec-fia-explain-test";
    spark.sparkContext().setJobGroup(group, "InfluenceExplainer over u1.test", false);
    long start = System.nanoTime();
    try {
      explainer.transform(test).write().format("delta").mode("overwrite").save(out);
    } finally {
      spark.sparkContext().clearJobGroup();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // The same action repeated once the JVM and Spark are warm, writing Delta and writing nothing ("noop"): at
    // 20,000 pairs the fixed cost of a Spark action (planning, code generation, the Delta commit) dominates.
    // Beside them, the floor any explainer writing Delta meets: as many two-column rows as pairs, overwritten into a
    // Delta table of their own.
    List<Double> warm = new ArrayList<>();
    List<Double> warmNoop = new ArrayList<>();
    List<Double> trivialDelta = new ArrayList<>();
    int warmRuns = context.quick() ? 1 : WARM_RUNS;
    for (int run = 0; run < warmRuns; run++) {
      long t = System.nanoTime();
      explainer.transform(test).write().format("delta").mode("overwrite").save(out);
      warm.add((System.nanoTime() - t) / 1e9);
      t = System.nanoTime();
      explainer.transform(test).write().format("noop").mode("overwrite").save();
      warmNoop.add((System.nanoTime() - t) / 1e9);
      t = System.nanoTime();
      spark.range(pairs).selectExpr("id", "id * 2 AS x").write().format("delta").mode("overwrite")
          .save(out + "-trivial");
      trivialDelta.add((System.nanoTime() - t) / 1e9);
    }
    double warmMedian = SeedStats.median(warm);
    double warmNoopMedian = SeedStats.median(warmNoop);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("pairs", pairs);
    row.put("seconds", seconds);
    row.put("pairs_per_second", pairs / seconds);
    row.put("warm_seconds_median", warmMedian);
    row.put("warm_pairs_per_second", pairs / warmMedian);
    row.put("warm_noop_seconds_median", warmNoopMedian);
    row.put("warm_noop_pairs_per_second", pairs / warmNoopMedian);
    row.put("warm_trivial_delta_seconds_median", SeedStats.median(trivialDelta));
    row.put("input_partitions", test.javaRDD().getNumPartitions());
    row.put("warm_runs", warmRuns);
    row.put("spark_jobs", spark.sparkContext().statusTracker().getJobIdsForGroup(group).length);
    row.put("output", out + " (Delta)");
    row.put("config", StageConfig.of(explainer));
    return row;
  }

  /**
   * u1.test explained with the influences scored as Spark SQL over {@code sparkrec_scaled_dot}
   * ({@code influenceScoring = "arrayFunctions"}, SparkRec's functions registered for this row only) against the
   * default in-JVM path in the same run: warm runs writing {@code noop}, the two paths alternated after one unrecorded
   * run each. {@code related_rating_rows} is the number of (pair, related rating) rows the SQL path scores.
   */
  private static Map<String, Object> explainThroughArrayFunctions(SparkSession spark, MatrixFactorizationModel model,
      Dataset<Row> train, Dataset<Row> test, BenchContext context) {
    InfluenceExplainer blocks = new InfluenceExplainer().setModel(model).setTrainingRatings(train).setTopK(10);
    InfluenceExplainer throughSql = blocks.copy(ParamMap.empty()).setInfluenceScoring("arrayFunctions");
    SparkRecFunctions.register(spark);
    try {
      List<Double> sqlSeconds = new ArrayList<>();
      List<Double> blockSeconds = new ArrayList<>();
      int runs = context.quick() ? 1 : WARM_RUNS;
      for (int run = -1; run < runs; run++) {
        long t = System.nanoTime();
        throughSql.transform(test).write().format("noop").mode("overwrite").save();
        double sql = (System.nanoTime() - t) / 1e9;
        t = System.nanoTime();
        blocks.transform(test).write().format("noop").mode("overwrite").save();
        double block = (System.nanoTime() - t) / 1e9;
        if (run >= 0) {
          sqlSeconds.add(sql);
          blockSeconds.add(block);
        }
      }
      long related = test.join(train.select("user"), "user").count() + test.join(train.select("item"), "item").count();
      double sqlMedian = SeedStats.median(sqlSeconds);
      double blockMedian = SeedStats.median(blockSeconds);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("pairs", test.count());
      row.put("related_rating_rows", related);
      row.put("warm_noop_seconds_median", sqlMedian);
      row.put("blocks_warm_noop_seconds_median", blockMedian);
      row.put("ratio_to_blocks", sqlMedian / blockMedian);
      row.put("warm_noop_seconds", sqlSeconds);
      row.put("blocks_warm_noop_seconds", blockSeconds);
      row.put("warm_runs", runs);
      row.put("config", StageConfig.of(throughSql));
      return row;
    } finally {
      for (String name : SparkRecFunctions.names()) {
        spark.sql("DROP TEMPORARY FUNCTION IF EXISTS " + name);
      }
    }
  }

  /**
   * The 2.5th and 97.5th percentiles of Pearson r over {@value #BOOTSTRAP_RESAMPLES} resamples of the pairs with
   * replacement (seeded).
   */
  static double[] bootstrapInterval(double[] x, double[] y) {
    SplittableRandom random = new SplittableRandom(SEED);
    int n = x.length;
    double[] rs = new double[BOOTSTRAP_RESAMPLES];
    double[] bx = new double[n];
    double[] by = new double[n];
    for (int b = 0; b < rs.length; b++) {
      for (int i = 0; i < n; i++) {
        int k = random.nextInt(n);
        bx[i] = x[k];
        by[i] = y[k];
      }
      rs[b] = pearson(bx, by);
    }
    Arrays.sort(rs);
    return new double[] {rs[(int) Math.floor(0.025 * (rs.length - 1))], rs[(int) Math.ceil(0.975 * (rs.length - 1))]};
  }

  /** The mean Pearson r over all pairs of rows of {@code x}. */
  static double meanPairwisePearson(double[][] x) {
    double sum = 0;
    int count = 0;
    for (int a = 0; a < x.length; a++) {
      for (int b = a + 1; b < x.length; b++) {
        sum += pearson(x[a], x[b]);
        count++;
      }
    }
    return sum / count;
  }

  /** The median of {@code |actual / predicted|} over the pairs: how far the estimate's scale is off. */
  static double medianAbsRatio(double[] actual, double[] predicted) {
    double[] ratios = new double[actual.length];
    for (int p = 0; p < ratios.length; p++) {
      ratios[p] = Math.abs(actual[p] / predicted[p]);
    }
    Arrays.sort(ratios);
    int n = ratios.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
  }

  private static double pearson(double[] x, double[] y) {
    int n = x.length;
    double mx = Arrays.stream(x).average().orElse(Double.NaN);
    double my = Arrays.stream(y).average().orElse(Double.NaN);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / Math.sqrt(sxx * syy);
  }

  private static String round(double[] values) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.5f", values[i]));
    }
    return s.append(']').toString();
  }
}
