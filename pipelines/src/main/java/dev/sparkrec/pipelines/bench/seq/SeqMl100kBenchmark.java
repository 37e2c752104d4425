package dev.sparkrec.pipelines.bench.seq;

import dev.sparkrec.deepfm.DeepFM;
import dev.sparkrec.deepfm.DeepFMModel;
import dev.sparkrec.pipelines.bench.BenchContext;
import dev.sparkrec.pipelines.bench.BenchReport;
import dev.sparkrec.pipelines.bench.BenchSuite;
import dev.sparkrec.pipelines.bench.CtrFrappeBenchmark;
import dev.sparkrec.pipelines.bench.SeedStats;
import dev.sparkrec.pipelines.bench.StageConfig;
import dev.sparkrec.seq.LightningSeq;
import dev.sparkrec.seq.LightningSeqModel;
import dev.sparkrec.train.EpochReport;
import dev.sparkrec.train.TrainingSummary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bench seq-ml100k}: click prediction with and without the user's behaviour history on MovieLens-100K,
 * LightningSeq (lightning-attention layers, target attention) against the same network without sequence layers
 * (mean of the history) and DeepFM on the target alone.
 *
 * <p><b>Data</b> ({@link MovieLensSequences}): ratings binarised (≥ 4 stars → 1); a target is [user, item], its
 * history every earlier rating of the user as "liked item" / "did not like item" events, oldest first, never
 * truncated, in the target's id space (users, items, liked items, not-liked items: {@code U + 3I} ids). Per user in
 * time order: the last {@value MovieLensSequences#TEST_PER_USER} ratings are test targets, the
 * {@value MovieLensSequences#VALIDATION_PER_USER} before them validation targets, and at most
 * {@value MovieLensSequences#TRAIN_PER_USER} of the earlier ones, a seeded uniform sample (seed
 * {@value MovieLensSequences#TRAIN_SAMPLE_SEED}), training targets. Every system fits on the training and
 * validation rows, stopping early on the validation rows' AUC ({@code validationIndicatorCol}) and keeping the best
 * epoch, and is scored on the test rows only.
 *
 * <p><b>Systems</b>, one configuration each, from the constants below (no tuning):
 * <ul>
 *   <li>{@code lightningseq}: {@link LightningSeq} with {@value #NUM_LAYERS} lightning layers of {@value #NUM_HEADS}
 *       heads (blocks of {@value #BLOCK_SIZE}), each with {@value #NUM_EXPERTS} SwiGLU experts of width
 *       {@value #EXPERT_HIDDEN_DIM} routed top-{@value #TOP_K}, and target-attention pooling;
 *   <li>{@code meanpool}: the same estimator with no sequence layers and mean pooling: the history as a bag of
 *       events;
 *   <li>{@code deepfm}: {@link DeepFM} on {@code featureIds} alone, no history.
 * </ul>
 * The peers (meanpool, deepfm) are tuned on the validation rows: Adam step {@link #PEER_STEP_SIZES} × embedding size
 * {@link #PEER_EMBEDDING_DIMS}, one fit each with seed {@value #SEED}, the best validation AUC kept (their rows list
 * every configuration tried, {@code tried}, and the {@code budget}); LightningSeq runs its one configuration.
 * All three: hidden layers {@link #HIDDEN_LAYERS}, batches of {@value #BATCH_SIZE}, at most {@value #MAX_ITER}
 * epochs, patience {@value #PATIENCE}; LightningSeq with embeddings of {@value #EMBEDDING_DIM} and Adam
 * {@value #STEP_SIZE}; each trained with the model seeds {@link #SEEDS} on the same data.
 *
 * <p><b>Row</b>: {@code test_auc} (exact ROC AUC) and {@code test_logloss} on the test rows and {@code validation_auc}
 * of the kept epoch, each the mean over the seeds, with every seed's test figures ({@code test_auc_by_seed},
 * {@code test_logloss_by_seed}); {@code train_seconds}, the median wall time of {@code fit}; {@code epochs} and
 * {@code best_epoch} per seed; row counts, {@code history_events_per_epoch} (the summed history lengths of the
 * training rows, the events one epoch reads; 0 for DeepFM, which reads none) and {@code config}: the data settings
 * and every param of the estimator.
 *
 * <p>{@code --quick} keeps {@value #QUICK_USERS} users of the seeded shuffle and trains 1 epoch with seed
 * {@value #SEED}; its figures are for smoke tests only.
 */
public final class SeqMl100kBenchmark implements BenchSuite {

  private static final Logger LOG = LoggerFactory.getLogger(SeqMl100kBenchmark.class);
  static final long SEED = 17;
  /** Model seeds of a full run; the data are the same for every seed. */
  static final long[] SEEDS = {17, 18, 19};
  static final int QUICK_USERS = 60;
  static final int EMBEDDING_DIM = 16;
  static final int[] HIDDEN_LAYERS = {64, 32};
  static final int NUM_LAYERS = 2;
  static final int NUM_HEADS = 4;
  static final int NUM_EXPERTS = 4;
  static final int TOP_K = 2;
  static final int EXPERT_HIDDEN_DIM = 32;
  static final int BLOCK_SIZE = 64;
  static final int BATCH_SIZE = 256;
  static final double STEP_SIZE = 1e-3;
  static final int MAX_ITER = 10;
  static final int PATIENCE = 2;
  /** The peers' tuning grid: Adam step sizes and embedding sizes, chosen on the validation rows. */
  static final double[] PEER_STEP_SIZES = {1e-3, 3e-3};
  static final int[] PEER_EMBEDDING_DIMS = {8, 16, 32};
  private static final String VALIDATION_COL = "isValidation";

  @Override
  public String name() {
    return "seq-ml100k";
  }

  @Override
  public String description() {
    return "LightningSeq vs mean-pooled history vs DeepFM without history, next ratings of MovieLens-100K users "
        + "(test AUC, train seconds)";
  }

  @Override
  public boolean needsData() {
    return true;
  }

  @Override
  public void run(BenchContext context, BenchReport report) {
    boolean quick = context.quick();
    MovieLensSequences data = MovieLensSequences.read(context.spark(),
        context.dataDir().resolve("movielens-100k"), quick ? QUICK_USERS : 0);
    LOG.info("MovieLens-100K sequences: {} users, {} train / {} validation / {} test rows, {} history events per "
        + "epoch, {} feature ids", data.keptUsers(), data.rows(MovieLensSequences.TRAIN),
        data.rows(MovieLensSequences.VALIDATION), data.rows(MovieLensSequences.TEST), data.trainHistoryEvents(),
        data.numFeatures());
    int maxIter = quick ? 1 : MAX_ITER;
    Map<String, Object> dataConfig = dataConfig(data, quick);

    long[] seeds = quick ? new long[] {SEED} : SEEDS;
    report.measure("lightningseq", () -> row("lightningseq",
        seed -> lightningSeq(data, maxIter, NUM_LAYERS, LightningSeq.ATTENTION, seed), LightningSeqModel::summary,
        data, data.trainHistoryEvents(), dataConfig, seeds));
    report.measure("meanpool", () -> tunedRow("meanpool",
        (choice, seed) -> lightningSeq(data, maxIter, 0, LightningSeq.MEAN, seed)
            .setStepSize(choice.stepSize()).setEmbeddingDim(choice.embeddingDim()),
        LightningSeqModel::summary, data, data.trainHistoryEvents(), dataConfig, seeds, quick));
    report.measure("deepfm", () -> tunedRow("deepfm",
        (choice, seed) -> new DeepFM().setFeatureIdsCol("featureIds").setFeatureValuesCol("").setLabelCol("label")
            .setValidationIndicatorCol(VALIDATION_COL).setNumFeatures(data.numFeatures())
            .setEmbeddingDim(choice.embeddingDim()).setHiddenLayers(HIDDEN_LAYERS).setBatchSize(BATCH_SIZE)
            .setStepSize(choice.stepSize()).setMaxIter(maxIter).setPatience(PATIENCE).setSeed(seed),
        DeepFMModel::summary, data, 0, dataConfig, seeds, quick));
  }

  /** One configuration of a peer's grid. */
  record PeerConfig(double stepSize, int embeddingDim) {}

  /** Builds a peer's estimator for a configuration and a seed. */
  @FunctionalInterface
  interface PeerFactory<M extends Model<M>> {
    Estimator<M> create(PeerConfig config, long seed);
  }

  /**
   * A peer's row: every configuration of {@link #PEER_STEP_SIZES} × {@link #PEER_EMBEDDING_DIMS} fitted with seed
   * {@value #SEED} and scored on the validation rows only (the kept epoch's AUC), then the best one run as
   * {@link #row} does; the row adds every configuration tried ({@code tried}) and the budget ({@code budget}). A
   * quick run tries the LightningSeq configuration alone.
   */
  private static <M extends Model<M>> Map<String, Object> tunedRow(String system, PeerFactory<M> factory,
      Function<M, TrainingSummary> summaryOf, MovieLensSequences data, long historyEvents,
      Map<String, Object> dataConfig, long[] seeds, boolean quick) {
    List<PeerConfig> grid = new ArrayList<>();
    for (double stepSize : quick ? new double[] {STEP_SIZE} : PEER_STEP_SIZES) {
      for (int dim : quick ? new int[] {EMBEDDING_DIM} : PEER_EMBEDDING_DIMS) {
        grid.add(new PeerConfig(stepSize, dim));
      }
    }
    List<Map<String, Object>> tried = new ArrayList<>();
    PeerConfig best = null;
    double bestAuc = Double.NEGATIVE_INFINITY;
    for (PeerConfig candidate : grid) {
      long start = System.nanoTime();
      M model = factory.create(candidate, SEED).fit(data.fitRows());
      double validationAuc = keptEpoch(summaryOf.apply(model)).validationAuc();
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("stepSize", candidate.stepSize());
      entry.put("embeddingDim", candidate.embeddingDim());
      entry.put("validation_auc", validationAuc);
      entry.put("seconds", (System.nanoTime() - start) / 1e9);
      tried.add(entry);
      if (validationAuc > bestAuc) {
        bestAuc = validationAuc;
        best = candidate;
      }
    }
    PeerConfig chosen = best;
    LOG.info("{}: chose {} of {} configurations by validation AUC {}", system, chosen, grid.size(), bestAuc);
    Map<String, Object> row = row(system, seed -> factory.create(chosen, seed), summaryOf, data, historyEvents,
        dataConfig, seeds);
    row.put("tried", tried);
    row.put("budget", grid.size() + " configurations (stepSize × embeddingDim), one fit each with seed " + SEED
        + ", chosen by the kept epoch's validation AUC");
    return row;
  }

  /** LightningSeq with {@code numLayers} sequence layers, the encoded history pooled by {@code pooling}. */
  private static LightningSeq lightningSeq(MovieLensSequences data, int maxIter, int numLayers, String pooling,
      long seed) {
    return new LightningSeq().setFeatureIdsCol("featureIds").setFeatureValuesCol("")
        .setHistoryCol("history").setLabelCol("label").setValidationIndicatorCol(VALIDATION_COL)
        .setNumFeatures(data.numFeatures()).setEmbeddingDim(EMBEDDING_DIM).setNumLayers(numLayers)
        .setNumHeads(NUM_HEADS).setNumExperts(NUM_EXPERTS).setTopK(TOP_K).setExpertHiddenDim(EXPERT_HIDDEN_DIM)
        .setBlockSize(BLOCK_SIZE).setHiddenLayers(HIDDEN_LAYERS).setPooling(pooling).setBatchSize(BATCH_SIZE)
        .setStepSize(STEP_SIZE).setMaxIter(maxIter).setPatience(PATIENCE).setSeed(seed);
  }

  /**
   * Fits the estimator of each seed on the training and validation rows and scores the test rows; the row holds
   * the means over seeds ({@code test_auc}, {@code test_logloss}, {@code validation_auc}), every seed's figures
   * ({@code *_by_seed}) and the median {@code train_seconds}.
   */
  private static <M extends Model<M>> Map<String, Object> row(String system, LongFunction<Estimator<M>> estimator,
      Function<M, TrainingSummary> summaryOf, MovieLensSequences data, long historyEvents,
      Map<String, Object> dataConfig, long[] seeds) {
    List<Double> aucs = new ArrayList<>();
    List<Double> loglosses = new ArrayList<>();
    List<Double> validationAucs = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    List<Integer> epochs = new ArrayList<>();
    List<Integer> bestEpochs = new ArrayList<>();
    Estimator<M> first = null;
    for (long seed : seeds) {
      Estimator<M> stage = estimator.apply(seed);
      first = first == null ? stage : first;
      long start = System.nanoTime();
      M model = stage.fit(data.fitRows());
      seconds.add((System.nanoTime() - start) / 1e9);
      TrainingSummary summary = summaryOf.apply(model);
      Dataset<Row> scored = model.transform(data.testRows()).cache(); // scored once for both metrics
      Map<String, Object> metrics = CtrFrappeBenchmark.testMetrics(scored);
      scored.unpersist();
      aucs.add(((Number) metrics.get("test_auc")).doubleValue());
      loglosses.add(((Number) metrics.get("test_logloss")).doubleValue());
      validationAucs.add(keptEpoch(summary).validationAuc());
      epochs.add(summary.epochs());
      bestEpochs.add(summary.bestEpoch());
      LOG.info("{} seed {}: test AUC {}, {} epochs in {} s", system, seed, aucs.get(aucs.size() - 1),
          summary.epochs(), seconds.get(seconds.size() - 1));
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("test_auc", SeedStats.mean(aucs));
    row.put("test_logloss", SeedStats.mean(loglosses));
    row.put("validation_auc", SeedStats.mean(validationAucs));
    row.put("train_seconds", SeedStats.median(seconds));
    row.put("test_auc_by_seed", aucs);
    row.put("test_logloss_by_seed", loglosses);
    row.put("train_seconds_by_seed", seconds);
    row.put("epochs", epochs);
    row.put("best_epoch", bestEpochs);
    row.put("train_rows", data.rows(MovieLensSequences.TRAIN));
    row.put("validation_rows", data.rows(MovieLensSequences.VALIDATION));
    row.put("test_rows", data.rows(MovieLensSequences.TEST));
    row.put("history_events_per_epoch", historyEvents);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("data", dataConfig);
    config.put(system.equals("deepfm") ? "deepfm" : "lightningseq", StageConfig.of(first));
    config.put("seeds", Arrays.stream(seeds).boxed().toList());
    row.put("config", config);
    return row;
  }

  /** The report of the epoch whose parameters the model holds. */
  private static EpochReport keptEpoch(TrainingSummary summary) {
    List<EpochReport> history = summary.history();
    for (EpochReport epoch : history) {
      if (epoch.epoch() == summary.bestEpoch()) {
        return epoch;
      }
    }
    throw new IllegalStateException("the training summary has no report of its best epoch " + summary.bestEpoch()
        + " among " + history.size() + " epochs");
  }

  /** The data settings every row records. */
  private static Map<String, Object> dataConfig(MovieLensSequences data, boolean quick) {
    int u = data.numUsers();
    int i = data.numItems();
    Map<String, Object> ids = new LinkedHashMap<>();
    ids.put("user", "[0, " + u + ")");
    ids.put("item", "[" + u + ", " + (u + i) + ")");
    ids.put("history_liked_item", "[" + (u + i) + ", " + (u + 2 * i) + ")");
    ids.put("history_not_liked_item", "[" + (u + 2 * i) + ", " + (u + 3 * i) + ")");
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("dataset", "movielens-100k u.data");
    config.put("label", "rating >= " + MovieLensSequences.POSITIVE_RATING);
    config.put("fields", List.of("user", "item"));
    config.put("history", "every earlier rating of the user, oldest first, liked (rating >= "
        + MovieLensSequences.POSITIVE_RATING + ") or not, untruncated");
    config.put("ids", ids);
    config.put("numFeatures", data.numFeatures());
    config.put("users", data.keptUsers());
    config.put("testPerUser", MovieLensSequences.TEST_PER_USER);
    config.put("validationPerUser", MovieLensSequences.VALIDATION_PER_USER);
    config.put("trainPerUser", MovieLensSequences.TRAIN_PER_USER);
    config.put("trainSampleSeed", MovieLensSequences.TRAIN_SAMPLE_SEED);
    config.put("userShuffleSeed", MovieLensSequences.USER_SHUFFLE_SEED);
    config.put("quick", quick);
    return config;
  }
}
