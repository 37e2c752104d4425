package dev.sparkrec.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoJobTest {

  @TempDir
  Path dir;

  @Test
  void trainsEvaluatesAndWritesVersionedDeltaPredictions() throws Exception {
    SparkSession spark = SparkTestSession.get();
    DemoJob.Result first = DemoJob.run(spark, ProjectPaths.sampleData(), dir, true);
    assertEquals(40_000, first.trainRows);
    assertEquals(10_000, first.testRows);
    // The planted signal is learnable: both models beat chance clearly, and logloss beats the constant
    // predictor's ln 2 = 0.693 (the sample is about half clicks).
    for (DemoJob.ModelScores m : List.of(first.afn, first.baseline)) {
      assertTrue(m.auc() > 0.70 && m.auc() < 1.0, m.name() + " AUC " + m.auc());
      assertTrue(m.logLoss() < 0.65, m.name() + " logloss " + m.logLoss());
    }
    assertEquals(3, first.crossFeatures.size(), first.crossFeatures.toString());
    assertTrue(first.crossFeatures.get(0).startsWith("#1 "), first.crossFeatures.toString());
    assertEquals(0, first.predictionsVersion);

    Dataset<Row> predictions = spark.read().format("delta").load(first.predictionsPath);
    assertEquals(10_000, predictions.count());
    assertEquals("rowId,label,probability,prediction", String.join(",", predictions.columns()));
    org.w3c.dom.Document report = TrainingReportTest.parse(java.nio.file.Files.readString(Path.of(first.reportPath)));
    assertEquals(4, TrainingReportTest.byId(report, "svg", "train_loss").getElementsByTagName("circle")
        .getLength(), "AFN's four epochs");
    assertTrue(TrainingReportTest.byId(report, "table", "metrics").getTextContent().contains("mllib_lr_test_auc"));

    DemoRecommendations.Result recommended = first.recommendations;
    Dataset<Row> recommendations = spark.read().format("delta").load(recommended.path());
    assertEquals(DemoRecommendations.USERS * DemoRecommendations.K, recommended.rows());
    assertEquals(recommended.rows(), recommendations.select("user", "rank").distinct().count(), "one row per slot");
    assertEquals(0, recommendations.where("size(explanations) <> 3").count(), "three explaining ratings each");
    assertEquals(3, recommended.example().size(), recommended.example().toString());
    assertTrue(recommended.example().get(0).startsWith("#1 item "), recommended.example().toString());
    org.w3c.dom.NodeList explained = TrainingReportTest.byId(report, "table", "fia_explanations")
        .getElementsByTagName("tr");
    assertEquals(DemoRecommendations.K + 1, explained.getLength(), "a header and user 0's top K");
    assertEquals(3, explained.item(1).getChildNodes().item(4).getTextContent().split("; ").length,
        "three influential ratings per recommendation");

    DemoColdStart.Result cold = first.coldStart;
    Dataset<Row> adaptation = spark.read().format("delta").load(cold.path());
    assertTrue(cold.coldUsers() > 1000, cold.coldUsers() + " cold users");
    assertEquals(cold.coldUsers(), adaptation.select("user").distinct().count(), "one row per user");
    assertEquals(0, adaptation.where("supportSize < 1 OR supportSize > " + DemoColdStart.SUPPORT).count());
    for (double auc : new double[] {cold.cold().baseAuc(), cold.cold().resusAuc()}) {
      assertTrue(auc > 0.5 && auc < 1.0, "cold users' AUC " + auc);
    }
    assertTrue(cold.cold().resusLogLoss() <= cold.cold().baseLogLoss(), "two clicks must not make the cold users' "
        + "predictions worse: logloss RESUS " + cold.cold().resusLogLoss() + " vs base " + cold.cold().baseLogLoss());
    assertTrue(cold.newUsers() > 50, cold.newUsers() + " held-out users");
    assertEquals(DemoColdStart.NEW_USER_SUPPORT.length, cold.newUser().length);
    DemoColdStart.Scores most = cold.newUser()[cold.newUser().length - 1];
    assertTrue(most.resusAuc() > most.baseAuc() + 0.02, "adapted from " + DemoColdStart.NEW_USER_SUPPORT[
        cold.newUser().length - 1] + " interactions, RESUS " + most.resusAuc() + " vs base " + most.baseAuc());

    DemoDimensionSearch.Result nis = first.dimensionSearch;
    assertTrue(nis.searchedParams() <= nis.uniformParams() / DemoDimensionSearch.BUDGET_DIVISOR, "within the budget");
    assertTrue(nis.uniformAuc() > 0.7 && nis.searchedAuc() > 0.6, nis.uniformAuc() + " " + nis.searchedAuc());
    assertEquals(nis.blockDims().length, spark.read().format("delta").load(nis.path()).count(), "a row per block");
    assertEquals(nis.blockDims().length, TrainingReportTest.byId(report, "svg", "nis_block_dims")
        .getElementsByTagName("rect").getLength(), "the report's dimension-per-block chart");

    DemoSequences.Result seq = first.sequences;
    Dataset<Row> scores = spark.read().format("delta").load(seq.path());
    assertEquals(seq.testRows(), scores.count());
    assertEquals(seq.testRows(), scores.select("user", "position").distinct().count(), "one row per target");
    assertTrue(seq.meanHistory() > 10, "targets come with histories: " + seq.meanHistory());
    assertTrue(seq.lightningAuc() > 0.55, "LightningSeq reads the histories: AUC " + seq.lightningAuc());
    assertTrue(TrainingReportTest.byId(report, "table", "metrics").getTextContent()
        .contains("seq_lightningseq_test_auc"));

    DemoJob.Result second = DemoJob.run(spark, ProjectPaths.sampleData(), dir, false); // --only ctr
    assertEquals(1, second.predictionsVersion, "a rerun is a new version of the same Delta table");
    // Same data and settings give the same model: the two versions hold identical predictions, bit for bit.
    Dataset<Row> v0 = spark.read().format("delta").option("versionAsOf", 0).load(first.predictionsPath);
    Dataset<Row> v1 = spark.read().format("delta").option("versionAsOf", 1).load(first.predictionsPath);
    assertEquals(v0.orderBy("rowId").collectAsList(), v1.orderBy("rowId").collectAsList());
    // MLlib's evaluator merges shuffled partial sums in arrival order, so the metric itself may differ
    // in the last bits between runs.
    assertEquals(first.afn.auc(), second.afn.auc(), 1e-12);
    assertEquals(first.baseline.auc(), second.baseline.auc(), 1e-12);
    assertTrue(second.recommendations == null && second.coldStart == null && second.dimensionSearch == null
        && second.sequences == null,
        "--only ctr runs the click-through part alone");
  }
}
