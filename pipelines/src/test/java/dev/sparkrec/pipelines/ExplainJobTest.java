package dev.sparkrec.pipelines;

import static dev.sparkrec.pipelines.CommandRun.run;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.data.SampleData;
import dev.sparkrec.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code explain} on a model saved by {@code train}: the ratings come from the model's record at the version it was
 * trained on, even after the table moved on; reruns merge, keeping one row per key.
 */
class ExplainJobTest {

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static String ratings;
  private static String model;

  @BeforeAll
  static void trainModel() {
    spark = SparkTestSession.get();
    Dataset<Row> all = SampleData.ratings(spark, ProjectPaths.sampleData());
    ratings = dir.resolve("ratings").toString();
    all.where("user < 150").write().format("delta").save(ratings); // version 0
    model = dir.resolve("mf").toString();
    CommandRun trained = run("train", "--model", "mf", "--input", ratings, "--max-iter", "5", "--seed", "1",
        "--params", "rank=4", "--model-out", model);
    assertEquals(0, trained.status(), trained.printed());
    // Later ratings land in the table; explanations must still use the version the model was trained on.
    all.where("user >= 150 AND user < 200").write().format("delta").mode("append").save(ratings);
  }

  @Test
  void recommendAndExplainMergesOneRowPerUserAndRank() {
    String output = dir.resolve("recommended").toString();
    String[] explain = {"explain", "--model", model, "--recommend", "3", "--top-k", "2", "--output", output};
    CommandRun first = run(explain);
    assertEquals(0, first.status(), first.printed());
    assertTrue((first.out()).contains("(delta version 0, "), first.out());
    assertEquals(0, run(explain).status());
    Dataset<Row> rows = spark.read().format("delta").load(output);
    assertEquals(List.of("user", "item", "rank", "prediction", "explanations", "model_uid", "ratings_version"),
        List.of(rows.columns()));
    assertEquals(150 * 3, rows.count(), "the users of version 0, three slots each, after two runs");
    assertEquals(150 * 3, rows.select("user", "rank").distinct().count());
    assertEquals(0, rows.where("ratings_version <> 0 OR size(explanations) <> 2").count());
  }

  @Test
  void pairsFromATableAreExplainedAndMerged() throws Exception {
    String pairs = dir.resolve("pairs").toString();
    spark.sql("SELECT user, item FROM VALUES (1, 5), (2, 7), (3, 11) AS t(user, item)").write().format("delta")
        .save(pairs);
    String output = dir.resolve("explained").toString();
    String report = dir.resolve("explained-report").toString();
    String[] explain = {"explain", "--model", model, "--input", pairs, "--output", output, "--report", report};
    assertEquals(0, run(explain).status());
    CommandRun again = run(explain);
    assertEquals(0, again.status(), again.printed());
    Dataset<Row> rows = spark.read().format("delta").load(output);
    assertEquals(3, rows.count());
    assertEquals(3, rows.where("size(explanations) = 10").count(), "topK 10 by default");

    assertTrue(again.out().contains("  report          "), again.out());
    org.w3c.dom.Document page = TrainingReportTest.parse(
        java.nio.file.Files.readString(Path.of(report, TrainingReport.HTML_FILE)));
    org.w3c.dom.NodeList lines = TrainingReportTest.byId(page, "table", "explanations").getElementsByTagName("tr");
    assertEquals(4, lines.getLength(), "a header and the three pairs");
    String first = lines.item(1).getTextContent();
    assertTrue(first.startsWith("15") && first.split("; ").length == 10, first);
    assertTrue(first.contains("user 1 rated item "), "the user's own ratings explain: " + first);

    // (1, 5), (2, 7), (3, 11) are training ratings, which keep the leave-one-out form; unrated pairs re-fit.
    String unrated = dir.resolve("unrated-pairs").toString();
    Dataset<Row> trained = spark.read().format("delta").option("versionAsOf", 0).load(ratings);
    trained.select("item").distinct().crossJoin(spark.sql("SELECT explode(array(1, 2, 3)) AS user")).as("p")
        .join(trained.as("r"), col("p.user").equalTo(col("r.user")).and(col("p.item").equalTo(col("r.item"))),
            "left_anti")
        .select("user", "item").orderBy("user", "item").limit(6).write().format("delta").save(unrated);
    String byDefault = dir.resolve("explained-default").toString();
    String refitted = dir.resolve("explained-refit").toString();
    assertEquals(0, run("explain", "--model", model, "--input", unrated, "--output", byDefault).status());
    CommandRun refit = run("explain", "--model", model, "--input", unrated, "--output", refitted, "--influence-form",
        "refitNeighbours");
    assertEquals(0, refit.status(), refit.printed());
    Dataset<Row> other = spark.read().format("delta").load(refitted);
    assertEquals(6, other.where("size(explanations) = 10").count());
    assertEquals(6, other.as("o").join(spark.read().format("delta").load(byDefault).as("d"),
            col("o.user").equalTo(col("d.user")).and(col("o.item").equalTo(col("d.item"))))
        .where("NOT (" + influences("o") + " <=> " + influences("d") + ")").count(),
        "refitNeighbours gives other influences than the default form");
    CommandRun bad = run("explain", "--model", model, "--input", unrated, "--output", refitted, "--influence-form",
        "exact");
    assertEquals(2, bad.status(), bad.printed());
    assertTrue(bad.printed().contains("--influence-form must be auto, firstOrder, leaveOneOut or refitNeighbours,"
        + " got exact."), bad.printed());
  }

  private static String influences(String table) {
    return "transform(" + table + ".explanations, e -> e.influence)";
  }

  @Test
  void aCtrModelCannotBeExplained() {
    String ctr = dir.resolve("ctr").toString();
    SampleData.ctrTrain(spark, ProjectPaths.sampleData()).limit(500).write().format("delta").save(ctr);
    String fm = dir.resolve("fm").toString();
    assertEquals(0, run("train", "--model", "fm", "--input", ctr, "--categorical", "C0,C1", "--max-iter", "1",
        "--model-out", fm).status());
    CommandRun result = run("explain", "--model", fm, "--recommend", "2", "--output", dir.resolve("x").toString());
    assertEquals(1, result.status());
    assertTrue((result.err()).startsWith("sparkrec explain: model " + fm + " is [FieldRoleCheck, "
        + "FieldEncoderModel, FactorizationMachineModel]; explain needs a rating model"), result.err());
  }
}
