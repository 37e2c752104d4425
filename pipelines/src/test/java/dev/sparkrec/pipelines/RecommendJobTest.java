package dev.sparkrec.pipelines;

import static dev.sparkrec.pipelines.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.data.SampleData;
import dev.sparkrec.fia.CollaborativeFilteringModel;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.train.PulledRowsScoring;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recommend} on an MF model saved by {@code train}: one row per (user, rank) holding the model's own
 * {@code recommendForAllUsers} lists, merged on rerun; the same rows when the model's tables are loaded into the
 * cluster as shards; each item's top users with {@code --for items}.
 */
class RecommendJobTest {

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static String model;

  @BeforeAll
  static void trainModel() {
    spark = SparkTestSession.get();
    String ratings = dir.resolve("ratings").toString();
    SampleData.ratings(spark, ProjectPaths.sampleData()).where("user < 150").write().format("delta").save(ratings);
    model = dir.resolve("mf").toString();
    CommandRun trained = run("train", "--model", "mf", "--input", ratings, "--max-iter", "3", "--seed", "1",
        "--params", "rank=4", "--model-out", model);
    assertEquals(0, trained.status(), trained.printed());
  }

  @Test
  void everyUsersTopKIsMergedOneRowPerSlotAsTheModelRanksThem() {
    String output = dir.resolve("recommended").toString();
    String[] recommend = {"recommend", "--model", model, "--k", "4", "--output", output};
    CommandRun first = run(recommend);
    assertEquals(0, first.status(), first.printed());
    assertTrue(first.out().contains("merged on user, rank)"), first.out());
    CommandRun again = run(recommend);
    assertEquals(0, again.status(), again.printed());
    assertTrue(again.out().contains("(Delta table, version 1, merged on user, rank)"), again.out());

    Dataset<Row> rows = spark.read().format("delta").load(output);
    assertEquals(List.of("user", "item", "rank", "prediction", "model_uid"), List.of(rows.columns()));
    CollaborativeFilteringModel<?> mf = ratingModel();
    Dataset<Row> expected = mf.recommendForAllUsers(4)
        .selectExpr("user", "posexplode(recommendations) AS (pos, r)")
        .selectExpr("user", "r.item AS item", "pos + 1 AS rank", "r.rating AS prediction");
    assertEquals(150 * 4, expected.count());
    assertSameRows(expected, rows);
    assertEquals(0, rows.where("model_uid <> '" + mf.uid() + "'").count());

    // Loaded above the broadcast limit, the tables stay in the cluster as shards and users meet items in blocks.
    String sharded = dir.resolve("recommended-sharded").toString();
    spark.conf().set(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES, "0");
    CommandRun fromShards;
    try {
      fromShards = run("recommend", "--model", model, "--k", "4", "--output", sharded);
    } finally {
      spark.conf().unset(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES);
    }
    assertEquals(0, fromShards.status(), fromShards.printed());
    assertSameRows(expected, spark.read().format("delta").load(sharded));
  }

  @Test
  void eachItemsTopUsersWithForItems() {
    String output = dir.resolve("audiences").toString();
    CommandRun result = run("recommend", "--model", model, "--k", "2", "--for", "items", "--output", output);
    assertEquals(0, result.status(), result.printed());
    assertTrue(result.out().contains("the top 2 users of every item"), result.out());
    assertTrue(result.out().contains("merged on item, rank)"), result.out());
    Dataset<Row> rows = spark.read().format("delta").load(output);
    CollaborativeFilteringModel<?> mf = ratingModel();
    assertSameRows(mf.recommendForAllItems(2).selectExpr("posexplode(recommendations) AS (pos, r)", "item")
        .selectExpr("r.user AS user", "item", "pos + 1 AS rank", "r.rating AS prediction"), rows);
    assertEquals(rows.count(), rows.select("item", "rank").distinct().count());
  }

  @Test
  void aBadCountOrAudienceIsAUsageError() {
    String output = dir.resolve("never").toString();
    CommandRun zero = run("recommend", "--model", model, "--k", "0", "--output", output);
    assertEquals(2, zero.status(), zero.printed());
    assertTrue(zero.err().contains("--k must be at least 1, got 0."), zero.err());
    CommandRun whom = run("recommend", "--model", model, "--k", "3", "--for", "sessions", "--output", output);
    assertEquals(2, whom.status(), whom.printed());
    assertTrue(whom.err().contains("--for must be users or items, got sessions."), whom.err());
  }

  private static CollaborativeFilteringModel<?> ratingModel() {
    org.apache.spark.ml.Transformer[] stages = PipelineModel.load(model).stages();
    return (CollaborativeFilteringModel<?>) stages[stages.length - 1];
  }

  /** {@code actual} holds exactly {@code expected}'s (user, item, rank, prediction) rows. */
  private static void assertSameRows(Dataset<Row> expected, Dataset<Row> actual) {
    Dataset<Row> a = actual.select("user", "item", "rank", "prediction");
    Dataset<Row> e = expected.select("user", "item", "rank", "prediction");
    assertEquals(e.count(), a.count());
    assertEquals(0, e.exceptAll(a).count(), "rows the job did not write");
  }
}
