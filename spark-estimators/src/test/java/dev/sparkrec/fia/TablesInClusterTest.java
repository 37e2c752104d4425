package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.CfTestData;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.train.PulledRowsScoring;
import dev.sparkrec.train.TrainedParameters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A collaborative-filtering model whose embedding tables a sharded run left in the cluster, above the broadcast
 * limit, reads them where they are: its vectors, factor tables, recommendations and NCF's influence predictor come
 * out as they do from the tables on the driver, and no table is read to the driver on the way.
 */
class TablesInClusterTest {

  private static final SparkSession SPARK = SparkTestSession.get();

  @Test
  void matrixFactorizationReadsItsTablesInTheCluster() {
    Dataset<Row> ratings = CfTestData.ratings(1);
    MatrixFactorizationModel model = MatrixFactorizationTest.tinyMf().setEmbeddingSync("sharded").fit(ratings);
    // unrated pairs (the tiny model is not at a minimum, which the joint solve of a training rating would need)
    Dataset<Row> pairs = ratings.select("user").distinct().crossJoin(ratings.select("item").distinct())
        .join(ratings, new String[] {"user", "item"}, "left_anti");
    InfluenceExplainer explainer = new InfluenceExplainer().setModel(model).setTrainingRatings(ratings).setTopK(3)
        .setDamping(0.1);
    assertSameAsOnTheDriver(model, Map.of("userFactors", model::userFactors, "itemFactors", model::itemFactors,
        "explanations", () -> explainer.transform(pairs).orderBy("user", "item")));
  }

  @Test
  void neuralCfReadsItsTablesInTheCluster() {
    NeuralCFModel model = NeuralCFTest.tinyNcf().setLoss("bce").setEmbeddingSync("sharded")
        .fit(CfTestData.ratings(1).withColumn("rating", col("rating").geq(3).cast("float")));
    assertSameAsOnTheDriver(model, Map.of("userFactors", model::userFactors, "itemFactors", model::itemFactors));
  }

  /** What reads a model's tables and gives a table of rows. */
  private interface Reading {
    Dataset<Row> read();
  }

  private static void assertSameAsOnTheDriver(CollaborativeFilteringModel<?> model, Map<String, Reading> factors) {
    TrainedParameters trained = assertInstanceOf(TrainedParameters.class, model.data().parameters());
    Map<String, Reading> readings = new LinkedHashMap<>(factors);
    readings.put("userVectors", model::userVectors);
    readings.put("itemVectors", model::itemVectors);
    readings.put("recommendForAllUsers(3)", () -> model.recommendForAllUsers(3));
    readings.put("recommendForAllItems(25)", () -> model.recommendForAllItems(25)); // more than a shard's 15 users
    readings.put("recommendForAllUsers(4), blocks of 8 rows", () -> ShardedTopK.recommend(SPARK, trained,
        model.networkFactory(), model.data().idsOnly(), model.predictsProbabilities(), true,
        model.userVectorParts(), model.itemVectorParts(), 4,
        RatingSchema.recommendations(model.getUserCol(), model.getItemCol()), 8));
    readings.put("recommendForAllItems(40), blocks of 8 rows", () -> ShardedTopK.recommend(SPARK, trained,
        model.networkFactory(), model.data().idsOnly(), model.predictsProbabilities(), false,
        model.userVectorParts(), model.itemVectorParts(), 40,
        RatingSchema.recommendations(model.getItemCol(), model.getUserCol()), 8));

    Map<String, List<Row>> inCluster = new LinkedHashMap<>();
    double predicted;
    SPARK.conf().set(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES, "0");
    try {
      readings.forEach((name, reading) -> inCluster.put(name, sortedById(reading.read())));
      predicted = predictFirstPair(model, inCluster);
    } finally {
      SPARK.conf().unset(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES);
    }
    for (String table : trained.tablesInCluster().names()) {
      assertFalse(trained.isHeld(table), table + " was read to the driver");
    }

    // the same readings from the tables on the driver (below the limit: broadcast), which reads them
    assertEquals(predictFirstPair(model, inCluster), predicted, name(model) + " predictor");
    readings.forEach((name, reading) -> {
      List<Row> expected = sortedById(name.contains("blocks of 8") ? (name.startsWith("recommendForAllUsers")
          ? model.recommendForAllUsers(4) : model.recommendForAllItems(40)) : reading.read());
      assertSameRows(name, expected, inCluster.get(name));
    });
    assertTrue(trained.isHeld(trained.tablesInCluster().names().get(0)));
  }

  /** The influence predictor's prediction for the first user and item vectors (NCF's reads the dense weights). */
  private static double predictFirstPair(CollaborativeFilteringModel<?> model, Map<String, List<Row>> vectors) {
    return model.predictor().predict(SideExplanations.floats(vectors.get("userVectors").get(0).getList(1)),
        SideExplanations.floats(vectors.get("itemVectors").get(0).getList(1)));
  }

  private static String name(CollaborativeFilteringModel<?> model) {
    return model.getClass().getSimpleName();
  }

  private static List<Row> sortedById(Dataset<Row> rows) {
    return rows.orderBy(col(rows.columns()[0]), col(rows.columns()[1])).collectAsList();
  }

  /** Rows equal, except that recommendation scores may differ by float rounding (batches of other sizes). */
  private static void assertSameRows(String name, List<Row> expected, List<Row> actual) {
    assertEquals(expected.size(), actual.size(), name);
    for (int r = 0; r < expected.size(); r++) {
      Row e = expected.get(r);
      Row a = actual.get(r);
      if (!name.startsWith("recommend")) {
        assertEquals(e, a, name + ", row " + r);
        continue;
      }
      assertEquals(e.getInt(0), a.getInt(0), name);
      List<Row> eTop = e.getList(1);
      List<Row> aTop = a.getList(1);
      assertEquals(eTop.size(), aTop.size(), name + " for " + e.getInt(0));
      for (int i = 0; i < eTop.size(); i++) {
        assertEquals(eTop.get(i).getInt(0), aTop.get(i).getInt(0), name + " for " + e.getInt(0) + ", rank " + i);
        assertEquals(eTop.get(i).getFloat(1), aTop.get(i).getFloat(1), 1e-6, name + " for " + e.getInt(0));
      }
    }
  }
}
