package dev.sparkrec.pipelines;

import dev.sparkrec.afn.AFN;
import dev.sparkrec.afn.AFNModel;
import dev.sparkrec.data.SampleData;
import dev.sparkrec.eval.LogLossEvaluator;
import dev.sparkrec.features.FeatureIdsToVector;
import dev.sparkrec.features.FieldEncoder;
import dev.sparkrec.features.FieldEncoderModel;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/sparkrec demo}: SparkRec's main job on the generated sample CTR data. It encodes the raw
 * fields with {@link FieldEncoder}, trains SparkRec's {@link AFN} on the encoded ids in one {@link Pipeline} (the
 * distributed trainer), and MLlib's {@link LogisticRegression} on the same encoding as the baseline, evaluates both
 * on the test rows (AUC, logloss), lists AFN's leading cross features, saves the fitted AFN pipeline, and writes
 * AFN's test predictions as a Delta table whose version is printed so a run can be reproduced and compared. Then
 * {@link DemoRecommendations}: matrix factorisation on the sample ratings with FIA-explained top-10
 * recommendations, as a Delta table; {@link DemoColdStart}: RESUS adapting cold users;
 * {@link DemoDimensionSearch}: NIS embedding dimensions; {@link DemoSequences}: LightningSeq on rating histories.
 * Every part's figures go to {@code report.html} and {@code metrics.json}.
 */
@Command(name = "demo", sortOptions = false,
    header = "The tour of SparkRec on the generated sample data.",
    description = {"The tour of SparkRec on the generated samples: FieldEncoder -> AFN against MLlib's",
        "LogisticRegression; MF with FIA-explained top-10 recommendations; RESUS warming up cold users; NIS",
        "searching FM's embedding dimensions; LightningSeq on rating histories. Delta tables and one report.html",
        "under --out."})
final class DemoJob implements Job {

  @Option(names = "--out", paramLabel = "DIR", description = "Where the outputs go; default: target/demo.")
  String outPath;

  @Option(names = "--sample-data", paramLabel = "DIR", description = "The samples; default: the project's sample-data.")
  String sampleData;

  @Option(names = "--only", paramLabel = "PART", description = "ctr: the click-through part alone.")
  String only;

  @Mixin
  StandardOptions standard;

  /** One model's training time and test metrics. */
  record ModelScores(String name, double trainSeconds, double auc, double logLoss) {}

  /** What the demo measured and wrote. */
  static final class Result {
    final long trainRows;
    final long testRows;
    final int numFeatures;
    final ModelScores afn;
    final ModelScores baseline;
    final List<String> crossFeatures;
    final String predictionsPath;
    final long predictionsVersion;
    final String modelPath;
    final DemoRecommendations.Result recommendations;
    final DemoColdStart.Result coldStart;
    final DemoDimensionSearch.Result dimensionSearch;
    final DemoSequences.Result sequences;
    final String reportPath;

    Result(long trainRows, long testRows, int numFeatures, ModelScores afn, ModelScores baseline,
        List<String> crossFeatures, String predictionsPath, long predictionsVersion, String modelPath,
        DemoRecommendations.Result recommendations, DemoColdStart.Result coldStart,
        DemoDimensionSearch.Result dimensionSearch, DemoSequences.Result sequences, String reportPath) {
      this.trainRows = trainRows;
      this.testRows = testRows;
      this.numFeatures = numFeatures;
      this.afn = afn;
      this.baseline = baseline;
      this.crossFeatures = crossFeatures;
      this.predictionsPath = predictionsPath;
      this.predictionsVersion = predictionsVersion;
      this.modelPath = modelPath;
      this.recommendations = recommendations;
      this.coldStart = coldStart;
      this.dimensionSearch = dimensionSearch;
      this.sequences = sequences;
      this.reportPath = reportPath;
    }
  }

  @Override
  public int run(PrintStream out) {
    if (only != null && !only.equals("ctr")) {
      throw new UsageException("demo --only takes 'ctr' (the click-through part alone); got '" + only + "'.");
    }
    Path outDir = outPath != null ? ProjectPaths.resolve(outPath) : ProjectPaths.home().resolve("target/demo");
    Path samples = sampleData != null ? ProjectPaths.resolve(sampleData) : ProjectPaths.sampleData();
    SparkSession spark = Main.session("sparkrec demo");
    Result r = run(spark, samples, outDir, only == null);
    out.println("SparkRec demo: click-through prediction on the generated sample CTR data");
    out.println("  data             " + samples + " (train " + r.trainRows + " rows, test " + r.testRows + " rows)");
    out.println("  encoding         FieldEncoder -> " + r.numFeatures + " feature ids");
    out.println("  model            test AUC   test logloss   train");
    for (ModelScores m : List.of(r.afn, r.baseline)) {
      out.println(String.format(Locale.ROOT, "  %-16s %-10s %-14s %.1f s", m.name(), Main.fmt(m.auc()),
          Main.fmt(m.logLoss()), m.trainSeconds()));
    }
    out.println("  AFN cross features (top neurons on the test rows, field^order):");
    for (String cross : r.crossFeatures) {
      out.println("    " + cross);
    }
    out.println("  predictions      " + r.predictionsPath + " (AFN; Delta table, version " + r.predictionsVersion
        + ")");
    out.println("  fitted pipeline  " + r.modelPath);
    if (r.recommendations == null) {
      out.println("  report           " + r.reportPath);
      return 0;
    }
    DemoRecommendations.Result rec = r.recommendations;
    out.println("SparkRec demo: matrix factorisation with FIA explanations on the generated sample ratings");
    out.println(String.format(Locale.ROOT, "  MF               %d ratings, trained in %.1f s", rec.ratings(),
        rec.trainSeconds()));
    out.println("  top " + DemoRecommendations.K + " of users 0-" + (DemoRecommendations.USERS - 1)
        + ", explained by FIA; user 0:");
    for (String explained : rec.example()) {
      out.println("    " + explained);
    }
    out.println("  recommendations  " + rec.path() + " (Delta table, version " + rec.version() + ", " + rec.rows()
        + " rows)");
    DemoColdStart.Result cold = r.coldStart;
    out.println("SparkRec demo: RESUS warms up cold users on the generated cold-start sample");
    out.println(String.format(Locale.ROOT, "  RESUS            DeepFM base + residual on %d warm-user rows, trained in "
        + "%.1f s", cold.warmRows(), cold.trainSeconds()));
    out.println(String.format(Locale.ROOT, "  cold users       %d, adapted from their first %d interactions; on their "
        + "later ones AUC base %s, RESUS %s; logloss base %s, RESUS %s", cold.coldUsers(), DemoColdStart.SUPPORT,
        Main.fmt(cold.cold().baseAuc()), Main.fmt(cold.cold().resusAuc()), Main.fmt(cold.cold().baseLogLoss()),
        Main.fmt(cold.cold().resusLogLoss())));
    StringBuilder supports = new StringBuilder();
    StringBuilder baseAucs = new StringBuilder();
    StringBuilder resusAucs = new StringBuilder();
    for (int s = 0; s < DemoColdStart.NEW_USER_SUPPORT.length; s++) {
      String sep = s == 0 ? "" : " / ";
      supports.append(sep).append(DemoColdStart.NEW_USER_SUPPORT[s]);
      baseAucs.append(sep).append(Main.fmt(cold.newUser()[s].baseAuc()));
      resusAucs.append(sep).append(Main.fmt(cold.newUser()[s].resusAuc()));
    }
    out.println(String.format(Locale.ROOT, "  new users        %d held-out warm users, adapted from their first %s "
        + "interactions; AUC on the rest: base %s, RESUS %s", cold.newUsers(), supports, baseAucs, resusAucs));
    out.println("  adaptation       " + cold.path() + " (Delta table, version " + cold.version()
        + ", one row per user)");
    DemoDimensionSearch.Result nis = r.dimensionSearch;
    out.println("SparkRec demo: NIS searches the FM's embedding dimension per feature block (sample CTR data)");
    out.println(String.format(Locale.ROOT, "  FM uniform dim %d %d embedding parameters, test AUC %s",
        DemoDimensionSearch.DIM, nis.uniformParams(), Main.fmt(nis.uniformAuc())));
    out.println(String.format(Locale.ROOT, "  FM with NIS dims %d embedding parameters (budget 1/%d), test AUC %s; "
        + "dims per block %s", nis.searchedParams(), DemoDimensionSearch.BUDGET_DIVISOR, Main.fmt(nis.searchedAuc()),
        java.util.Arrays.toString(nis.blockDims())));
    out.println("  embedding dims   " + nis.path() + " (Delta table, version " + nis.version() + ")");
    DemoSequences.Result seq = r.sequences;
    out.println("SparkRec demo: LightningSeq reads each user's rating history (sample ratings as sequences)");
    out.println(String.format(Locale.ROOT, "  LightningSeq     %d train rows, %.0f history events each on average "
        + "(last %d kept), trained in %.1f s", seq.trainRows(), seq.meanHistory(), DemoSequences.MAX_HISTORY,
        seq.trainSeconds()));
    out.println(String.format(Locale.ROOT, "  test AUC         LightningSeq %s, DeepFM without the history %s (%d rows)",
        Main.fmt(seq.lightningAuc()), Main.fmt(seq.noHistoryAuc()), seq.testRows()));
    out.println("  sequence scores  " + seq.path() + " (Delta table, version " + seq.version() + ")");
    out.println("  report           " + r.reportPath);
    return 0;
  }

  /** The demo; {@code tour} adds the MF/FIA, RESUS and NIS parts to the click-through one. */
  static Result run(SparkSession spark, Path samples, Path outDir, boolean tour) {
    Dataset<Row> train = SampleData.ctrTrain(spark, samples).cache();
    Dataset<Row> test = SampleData.ctrTest(spark, samples).cache();

    List<String> fields = new ArrayList<>();
    for (StructField f : train.schema().fields()) {
      boolean categorical = f.dataType().equals(DataTypes.StringType);
      boolean numeric = f.dataType().equals(DataTypes.DoubleType) || f.dataType().equals(DataTypes.FloatType);
      if (!f.name().equals("label") && !f.name().equals("rowId") && (categorical || numeric)) {
        fields.add(f.name());
      }
    }
    FieldEncoder encoder = new FieldEncoder()
        .setInputCols(fields.toArray(new String[0]))
        .setNumericMode("bucketize")
        .setNumBuckets(10)
        .setMinCount(2)
        .setHandleInvalid("keep");
    FeatureIdsToVector toVector = new FeatureIdsToVector().setOutputCol("features");
    LogisticRegression lr = new LogisticRegression()
        .setLabelCol("label")
        .setFeaturesCol("features")
        .setMaxIter(100)
        .setRegParam(1e-4);
    AFN afn = new AFN()
        .setEmbeddingDim(8)
        .setLogNeurons(16)
        .setHiddenLayers(64)
        .setBatchSize(1024)
        .setStepSize(0.003)
        .setMaxIter(4)
        .setSeed(7);

    // SparkRec's AFN on the encoded ids, then MLlib's logistic regression on the same fitted encoding as the
    // baseline (its time excludes the encoder's fit).
    long start = System.nanoTime();
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {encoder, afn}).fit(train);
    double afnSeconds = (System.nanoTime() - start) / 1e9;
    FieldEncoderModel encoding = (FieldEncoderModel) model.stages()[0];
    start = System.nanoTime();
    PipelineModel baselineModel = new Pipeline().setStages(new PipelineStage[] {encoding, toVector, lr}).fit(train);
    double baselineSeconds = (System.nanoTime() - start) / 1e9;

    Dataset<Row> predictions = model.transform(test).cache();
    ModelScores afnScores = scores("AFN (SparkRec)", afnSeconds, predictions);
    ModelScores baselineScores = scores("MLlib LR", baselineSeconds, baselineModel.transform(test));
    AFNModel afnModel = (AFNModel) model.stages()[1];
    List<String> crosses = new ArrayList<>();
    for (Row neuron : afnModel.crossFeatures(encoding.transform(test), 3).collectAsList()) {
      crosses.add(crossFeature(neuron));
    }

    String predictionsPath = outDir.resolve("predictions").toString();
    predictions
        .select(predictions.col("rowId"), predictions.col("label"),
            functions.vector_to_array(predictions.col("probability"), "float64").getItem(1).alias("probability"),
            predictions.col("prediction"))
        .write().format("delta").mode("overwrite").save(predictionsPath);
    long version = DeltaTable.forPath(spark, predictionsPath).history(1).select("version").first().getLong(0);

    String modelPath = outDir.resolve("model").toString();
    try {
      model.write().overwrite().save(modelPath);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not save the fitted pipeline to " + modelPath, e);
    }
    int numFeatures = encoding.numFeatures();
    long trainRows = train.count();
    long testRows = test.count();
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("train_rows", trainRows);
    metrics.put("test_rows", testRows);
    metrics.put("feature_ids", numFeatures);
    for (ModelScores m : List.of(afnScores, baselineScores)) {
      String key = m == afnScores ? "afn" : "mllib_lr";
      metrics.put(key + "_test_auc", m.auc());
      metrics.put(key + "_test_logloss", m.logLoss());
      metrics.put(key + "_train_seconds", m.trainSeconds());
    }
    metrics.put("afn_cross_features", crosses);
    metrics.put("predictions", predictionsPath);
    metrics.put("predictions_version", version);
    metrics.put("model", modelPath);
    TrainingReport report;
    DemoRecommendations.Result recommended = null;
    DemoColdStart.Result cold = null;
    DemoDimensionSearch.Result nis = null;
    DemoSequences.Result seq = null;
    if (tour) {
      recommended = DemoRecommendations.run(spark, samples, outDir);
      metrics.put("mf_ratings", recommended.ratings());
      metrics.put("mf_train_seconds", recommended.trainSeconds());
      metrics.put("recommendations", recommended.path());
      metrics.put("recommendations_version", recommended.version());
      metrics.put("recommendations_rows", recommended.rows());
      metrics.put("user_0_recommendations", recommended.example());
      cold = DemoColdStart.run(spark, samples, outDir);
      metrics.put("resus_warm_rows", cold.warmRows());
      metrics.put("resus_train_seconds", cold.trainSeconds());
      metrics.put("resus_cold_users", cold.coldUsers());
      metrics.put("cold_users_later_auc_base", cold.cold().baseAuc());
      metrics.put("cold_users_later_auc_resus", cold.cold().resusAuc());
      metrics.put("cold_users_later_logloss_base", cold.cold().baseLogLoss());
      metrics.put("cold_users_later_logloss_resus", cold.cold().resusLogLoss());
      metrics.put("resus_new_users", cold.newUsers());
      for (int s = 0; s < DemoColdStart.NEW_USER_SUPPORT.length; s++) {
        int support = DemoColdStart.NEW_USER_SUPPORT[s];
        metrics.put("new_users_support_" + support + "_auc_base", cold.newUser()[s].baseAuc());
        metrics.put("new_users_support_" + support + "_auc_resus", cold.newUser()[s].resusAuc());
      }
      metrics.put("adaptation", cold.path());
      metrics.put("adaptation_version", cold.version());
      nis = DemoDimensionSearch.run(spark, encoding.transform(train), encoding.transform(test),
          numFeatures, outDir);
      metrics.put("fm_uniform_embedding_parameters", nis.uniformParams());
      metrics.put("fm_uniform_test_auc", nis.uniformAuc());
      metrics.put("fm_nis_embedding_parameters", nis.searchedParams());
      metrics.put("fm_nis_test_auc", nis.searchedAuc());
      metrics.put("nis_search_seconds", nis.searchSeconds());
      metrics.put("embedding_dims", nis.path());
      metrics.put("embedding_dims_version", nis.version());
      seq = DemoSequences.run(spark, samples, outDir);
      metrics.put("seq_train_rows", seq.trainRows());
      metrics.put("seq_mean_history", seq.meanHistory());
      metrics.put("seq_train_seconds", seq.trainSeconds());
      metrics.put("seq_lightningseq_test_auc", seq.lightningAuc());
      metrics.put("seq_deepfm_no_history_test_auc", seq.noHistoryAuc());
      metrics.put("sequence_scores", seq.path());
      metrics.put("sequence_scores_version", seq.version());
      String[] blocks = new String[nis.blockDims().length];
      double[] blockDims = new double[blocks.length];
      for (int b = 0; b < blocks.length; b++) {
        blocks[b] = "b" + b;
        blockDims[b] = nis.blockDims()[b];
      }
      report = new TrainingReport("SparkRec demo: AFN vs MLlib logistic regression, MF with FIA "
          + "explanations, RESUS for cold users, NIS embedding dimensions, LightningSeq on histories", metrics,
          afnModel.hasSummary() ? afnModel.summary() : null)
          .withBars("nis_block_dims", "NIS: FM embedding dimension per feature block (most frequent first)", blocks,
              blockDims)
          .withTable("fia_explanations", "FIA: user 0's top " + DemoRecommendations.K + " recommendations, each "
              + "with its most influential training ratings",
              ExplanationTable.columns(true), recommended.explained());
    } else {
      report = new TrainingReport("SparkRec demo: AFN vs MLlib logistic regression", metrics,
          afnModel.hasSummary() ? afnModel.summary() : null);
    }
    String reportPath = report.write(spark, outDir.toString()).toString();
    Result result = new Result(trainRows, testRows, numFeatures, afnScores, baselineScores, crosses,
        predictionsPath, version, modelPath, recommended, cold, nis, seq, reportPath);
    predictions.unpersist();
    train.unpersist();
    test.unpersist();
    return result;
  }

  /** Writes {@code rows} as the Delta table at {@code path}, replacing its rows and schema; returns that version. */
  static long overwriteDelta(Dataset<Row> rows, String path) {
    rows.write().format("delta").mode("overwrite").option("overwriteSchema", "true").save(path);
    return DeltaTable.forPath(rows.sparkSession(), path).history(1).select("version").first().getLong(0);
  }

  private static ModelScores scores(String name, double trainSeconds, Dataset<Row> predictions) {
    double auc = new BinaryClassificationEvaluator().setLabelCol("label")
        .setRawPredictionCol("rawPrediction").setMetricName("areaUnderROC").setNumBins(0) // exact
        .evaluate(predictions);
    double logLoss = new LogLossEvaluator().setLabelCol("label").setProbabilityCol("probability")
        .evaluate(predictions);
    return new ModelScores(name, trainSeconds, auc, logLoss);
  }

  /** A neuron of {@link AFNModel#crossFeatures} as "#rank C0^0.84 · C1^0.61 (importance 0.0123)". */
  private static String crossFeature(Row neuron) {
    List<String> fields = neuron.getList(neuron.fieldIndex("fields"));
    List<Double> orders = neuron.getList(neuron.fieldIndex("orders"));
    List<String> terms = new ArrayList<>();
    for (int f = 0; f < fields.size(); f++) {
      terms.add(String.format(Locale.ROOT, "%s^%.2f", fields.get(f), orders.get(f)));
    }
    return String.format(Locale.ROOT, "#%d %s (importance %.4f)", neuron.getInt(neuron.fieldIndex("rank")),
        terms.isEmpty() ? "(no varying field)" : String.join(" · ", terms),
        neuron.getDouble(neuron.fieldIndex("importance")));
  }
}
