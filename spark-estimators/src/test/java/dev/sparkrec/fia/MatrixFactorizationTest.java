package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.testing.CfTestData;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.StageContract;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.EpochReport;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.PulledRowsScoring;
import dev.sparkrec.train.TrainableModel;
import dev.sparkrec.train.TrainedParameters;
import dev.sparkrec.train.TrainingSummary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang3.SerializationUtils;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** MatrixFactorization and its model: Spark contract, prediction formula, cold start, bad input, recommendations. */
class MatrixFactorizationTest extends StageContract {

  static MatrixFactorization tinyMf() {
    return new MatrixFactorization().setRank(3).setMaxIter(4).setStepSize(0.02).setBatchSize(32).setSeed(5);
  }

  @Override
  protected PipelineStage newStage() {
    return tinyMf().setPredictionCol("score").setColdStartStrategy("drop");
  }

  @Override
  protected Dataset<Row> inputData() {
    return CfTestData.ratings(1);
  }

  @Override
  protected void assertSameModelData(Transformer expected, Transformer actual) {
    MatrixFactorizationModel a = (MatrixFactorizationModel) expected;
    MatrixFactorizationModel b = (MatrixFactorizationModel) actual;
    assertArrayEquals(a.userIds(), b.userIds());
    assertArrayEquals(a.itemIds(), b.itemIds());
    assertEquals(a.globalMean(), b.globalMean(), 0.0);
    assertEquals(a.rank(), b.rank());
    assertEquals(a.userVectors().collectAsList(), b.userVectors().collectAsList());
    assertEquals(a.itemVectors().collectAsList(), b.itemVectors().collectAsList());
    assertEquals(a.summary(), b.summary());
  }

  @Test
  void predictsGlobalMeanPlusDotProductPlusBiases() {
    Dataset<Row> data = inputData();
    MatrixFactorizationModel model = tinyMf().fit(data);
    assertEquals(3, model.rank());
    double mean = data.agg(org.apache.spark.sql.functions.avg("rating")).first().getDouble(0);
    assertEquals(mean, model.globalMean(), 1e-9);
    int[] users = data.select("user").distinct().orderBy("user").collectAsList().stream().mapToInt(r -> r.getInt(0))
        .toArray();
    assertArrayEquals(users, model.userIds());
    assertTrue(users[0] < 0, "ids may be negative");

    // The factor and vector tables are made on the executors: no row per id is built on the driver into the plan.
    for (Dataset<Row> table : List.of(model.userFactors(), model.itemFactors(), model.userVectors(),
        model.itemVectors())) {
      assertFalse(table.queryExecution().analyzed().toString().contains("LocalRelation"), table.schema().toString());
    }
    Map<Integer, float[]> p = CfTestData.arrays(model.userFactors(), "features");
    Map<Integer, Float> bu = CfTestData.scalars(model.userFactors(), "bias");
    Map<Integer, float[]> q = CfTestData.arrays(model.itemFactors(), "features");
    Map<Integer, Float> bi = CfTestData.scalars(model.itemFactors(), "bias");
    List<Row> scored = model.transform(data).collectAsList();
    assertEquals(data.count(), scored.size());
    for (Row row : scored) {
      int u = row.getInt(0);
      int i = row.getInt(1);
      double expected = model.globalMean() + bu.get(u) + bi.get(i); // r̂ = μ + p_u·q_i + b_u + b_i
      for (int f = 0; f < 3; f++) {
        expected += (double) p.get(u)[f] * q.get(i)[f];
      }
      assertEquals(expected, row.getFloat(row.fieldIndex("prediction")), 1e-5, "user " + u + ", item " + i);
    }

    // x_u = [p_u; b_u], y_i = [q_i; b_i]
    Map<Integer, float[]> x = CfTestData.arrays(model.userVectors(), "vector");
    Map<Integer, float[]> y = CfTestData.arrays(model.itemVectors(), "vector");
    int someUser = users[4];
    int someItem = model.itemIds()[2];
    assertArrayEquals(RatingNetworksTest.concat(p.get(someUser), new float[] {bu.get(someUser)}), x.get(someUser));
    assertArrayEquals(RatingNetworksTest.concat(q.get(someItem), new float[] {bi.get(someItem)}), y.get(someItem));

    FactorizedPredictor predictor = model.predictor();
    assertEquals(4, predictor.userDim());
    assertEquals(4, predictor.itemDim());
    assertEquals(model.getRegParam(), predictor.regParam());
    for (Row row : scored.subList(0, 20)) {
      assertEquals(row.getFloat(row.fieldIndex("prediction")),
          predictor.predict(x.get(row.getInt(0)), y.get(row.getInt(1))), 1e-5, row.toString());
    }
  }

  @Test
  void unknownOrNullIdsPredictNaNOrAreDropped() {
    MatrixFactorizationModel model = tinyMf().fit(inputData());
    int user = model.userIds()[0];
    int item = model.itemIds()[0];
    Dataset<Row> pairs = CfTestData.rows(new Object[] {9999, item, 3f}, new Object[] {user, -9999, 3f},
        new Object[] {null, item, 3f}, new Object[] {user, null, 3f}, new Object[] {user, item, 3f});
    List<Row> nan = model.transform(pairs).collectAsList();
    assertEquals(5, nan.size());
    for (int r = 0; r < 4; r++) {
      assertTrue(Float.isNaN(nan.get(r).getFloat(3)), "row " + r + " is cold: " + nan.get(r));
    }
    assertFalse(Float.isNaN(nan.get(4).getFloat(3)));
    List<Row> dropped = model.setColdStartStrategy("drop").transform(pairs).collectAsList();
    assertEquals(List.of(nan.get(4)), dropped);

    Dataset<Row> longIds = pairs.withColumn("user", col("user").cast("long"));
    assertEquals(nan.get(4).getFloat(3), model.transform(longIds).collectAsList().get(0).getFloat(3));
    assertThrows(IllegalArgumentException.class, () -> model.transform(pairs.drop("item")));
  }

  /**
   * A sharded model scored by pulling rows treats cold rows as the broadcast does, also in a partition holding only
   * cold rows (it pulls nothing) and with both cold-start strategies.
   */
  @Test
  void pulledRowsScoreColdRowsAsTheBroadcast() {
    MatrixFactorizationModel model = tinyMf().setEmbeddingSync("sharded").fit(inputData());
    int user = model.userIds()[0];
    int item = model.itemIds()[1];
    Dataset<Row> cold = CfTestData.rows(new Object[] {9999, item, 3f}, new Object[] {null, item, 3f});
    Dataset<Row> mixed = CfTestData.rows(new Object[] {user, -9999, 3f}, new Object[] {user, item, 3f},
        new Object[] {model.userIds()[2], model.itemIds()[0], 3f});
    Dataset<Row> pairs = cold.coalesce(1).union(mixed.coalesce(1));
    Map<String, List<Row>> pulled = new HashMap<>();
    SparkTestSession.get().conf().set(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES, "0");
    try {
      for (String strategy : List.of("nan", "drop")) {
        pulled.put(strategy, model.setColdStartStrategy(strategy).transform(pairs).collectAsList());
      }
    } finally {
      SparkTestSession.get().conf().unset(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES);
    }
    assertFalse(((TrainedParameters) model.data().parameters()).isHeld(MatrixFactorizationNetwork.USER_FACTORS));
    for (String strategy : List.of("nan", "drop")) {
      assertEquals(model.setColdStartStrategy(strategy).transform(pairs).collectAsList(), pulled.get(strategy),
          strategy);
    }
    assertEquals(5, pulled.get("nan").size());
    assertEquals(2, pulled.get("drop").size());
  }

  @Test
  void badRatingsAndIdsFailNamingTheColumnAndARow() {
    Dataset<Row> nanRating = CfTestData.rows(new Object[] {1, 2, 4f}, new Object[] {3, 5, Float.NaN});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tinyMf().fit(nanRating));
    assertEquals("Column 'rating' must hold a finite number in every row, but 1 rows do not, e.g. the row "
        + "(user 3, item 5, rating NaN).", e.getMessage());
    Dataset<Row> nullRating = CfTestData.rows(new Object[] {1, 2, null}, new Object[] {3, 5, 4f});
    assertTrue(assertThrows(IllegalArgumentException.class, () -> tinyMf().fit(nullRating)).getMessage()
        .endsWith("e.g. the row (user 1, item 2, rating null)."));
    Dataset<Row> nullUser = CfTestData.rows(new Object[] {null, 2, 4f}, new Object[] {3, 5, 4f});
    assertEquals("Column 'user' must hold an id in every row, but 1 rows hold null, e.g. the row "
        + "(user null, item 2, rating 4.0).",
        assertThrows(IllegalArgumentException.class, () -> tinyMf().fit(nullUser)).getMessage());
    Dataset<Row> hugeItem = CfTestData.rows(new Object[] {1, 2, 4f})
        .withColumn("item", lit(3_000_000_000L));
    assertEquals("Column 'item' holds id 3000000000, outside the int range [-2147483648, 2147483647]; ids must "
        + "fit an int (re-index them, e.g. with StringIndexer).",
        assertThrows(IllegalArgumentException.class, () -> tinyMf().fit(hugeItem)).getMessage());
    Dataset<Row> stringUsers = CfTestData.rows(new Object[] {1, 2, 4f}).withColumn("user", col("user").cast("string"));
    assertEquals("Column 'user' must be of type int or bigint but is string.",
        assertThrows(IllegalArgumentException.class, () -> tinyMf().fit(stringUsers)).getMessage());
    Dataset<Row> negativeWeight = CfTestData.rows(new Object[] {1, 2, 4f}).withColumn("w", lit(-1.0));
    assertEquals("Column 'w' must hold a finite number >= 0 in every row, but 1 rows do not, e.g. the row "
        + "(user 1, item 2, rating 4.0, w -1.0).",
        assertThrows(IllegalArgumentException.class, () -> tinyMf().setWeightCol("w").fit(negativeWeight))
            .getMessage());
  }

  @Test
  void theSameSeedGivesIdenticalFactors() {
    Dataset<Row> data = inputData();
    List<Row> first = tinyMf().fit(data).userVectors().collectAsList();
    assertEquals(first, tinyMf().fit(data).userVectors().collectAsList());
    assertNotEquals(first, tinyMf().setSeed(6).fit(data).userVectors().collectAsList());
  }

  @Test
  void recommendationsAreTheBruteForceTopK() {
    MatrixFactorizationModel model = tinyMf().fit(inputData());
    assertBruteForceTopK(model, 3);
  }

  /** recommendForAllUsers/Items equal ranking every pair's transform prediction (ties by smaller id). */
  static void assertBruteForceTopK(CollaborativeFilteringModel<?> model, int k) {
    Dataset<Row> users = SparkTestSession.get().createDataFrame(
        Arrays.stream(model.userIds()).mapToObj(RowFactory::create).toList(),
        new StructType().add("user", DataTypes.IntegerType));
    Dataset<Row> items = SparkTestSession.get().createDataFrame(
        Arrays.stream(model.itemIds()).mapToObj(RowFactory::create).toList(),
        new StructType().add("item", DataTypes.IntegerType));
    List<Row> all = model.transform(users.crossJoin(items)).collectAsList();

    Dataset<Row> forUsers = model.recommendForAllUsers(k);
    assertEquals("user:int\nrecommendations:array<struct<item:int,rating:float>>\n", describe(forUsers));
    assertTopK(forUsers.collectAsList(), all, 0, 1, k, model.userIds().length);
    Dataset<Row> forItems = model.recommendForAllItems(k);
    assertEquals("item:int\nrecommendations:array<struct<user:int,rating:float>>\n", describe(forItems));
    assertTopK(forItems.collectAsList(), all, 1, 0, k, model.itemIds().length);
  }

  private static void assertTopK(List<Row> recommended, List<Row> all, int keyColumn, int otherColumn, int k,
      int expectedRows) {
    assertEquals(expectedRows, recommended.size());
    for (Row row : recommended) {
      int key = row.getInt(0);
      List<float[]> candidates = new ArrayList<>();
      for (Row pair : all) {
        if (pair.getInt(keyColumn) == key) {
          candidates.add(new float[] {pair.getInt(otherColumn), pair.getFloat(2)});
        }
      }
      candidates.sort((a, b) -> a[1] != b[1] ? Float.compare(b[1], a[1]) : Float.compare(a[0], b[0]));
      List<Row> top = row.getList(1);
      assertEquals(k, top.size());
      for (int r = 0; r < k; r++) {
        assertEquals((int) candidates.get(r)[0], top.get(r).getInt(0), "rank " + r + " for " + key);
        assertEquals(candidates.get(r)[1], top.get(r).getFloat(1), 1e-6, "rank " + r + " for " + key);
      }
    }
  }

  private static String describe(Dataset<Row> data) {
    StringBuilder out = new StringBuilder();
    for (var field : data.schema().fields()) {
      out.append(field.name()).append(':').append(field.dataType().catalogString()).append('\n');
    }
    return out.toString();
  }

  @Test
  void topKKeepsTheBestAndBreaksTiesBySmallerIndex() {
    TopKRecommender.TopK top = new TopKRecommender.TopK(3);
    float[] scores = {1f, 5f, 3f, 5f, 2f, 3f, 9f};
    for (int i = 0; i < scores.length; i++) {
      top.offer(i, scores[i]);
    }
    assertEquals(3, top.size());
    assertArrayEquals(new int[] {6, 1, 3}, new int[] {top.index(0), top.index(1), top.index(2)});
    assertEquals(5f, top.score(2));
  }

  @Test
  void theNetworkReadsIndexedBatchesStartsWarmAndAZeroWeightRemovesARating() {
    MatrixFactorizationModel model = tinyMf().fit(inputData());
    int[] users = model.userIds();
    int[] items = model.itemIds();
    TrainableModel network = model.network();
    // (users[2], items[5]) and (users[7], items[0]) as [userIndex, numUsers + itemIndex]
    int[] ids = {2, users.length + 5, 7, users.length + 0};
    float[] out = new float[2];
    network.logits(new Tape().training(false), Batch.of(2, ids, null, new float[2], null), out);
    List<Row> scored = model.transform(CfTestData.rows(new Object[] {users[2], items[5], 1f},
        new Object[] {users[7], items[0], 1f})).collectAsList();
    assertEquals(scored.get(0).getFloat(3), out[0], 0f);
    assertEquals(scored.get(1).getFloat(3), out[1], 0f);

    ModelFactory shipped = (ModelFactory) SerializationUtils.roundtrip(model.warmStartFactory());
    List<Parameter> warm = shipped.create().parameters();
    assertEquals(4, warm.size());
    for (Parameter p : network.parameters()) {
      Parameter same = warm.stream().filter(w -> w.name().equals(p.name())).findFirst().orElseThrow();
      assertArrayEquals(p.data(), same.data(), p.name());
    }

    int[] three = {2, users.length + 5, 4, users.length + 1, 7, users.length};
    float[] labels = {4f, 1f, 3f};
    float withZero = network.loss(new Tape(), Batch.of(2, three, null, labels, new float[] {1f, 0f, 2f})).item();
    int[] two = {2, users.length + 5, 7, users.length};
    float without = network.loss(new Tape(), Batch.of(2, two, null, new float[] {4f, 3f}, new float[] {1f, 2f}))
        .item();
    assertEquals(without, withZero, 1e-6);
  }

  @Test
  void weightsSetTheGlobalMeanAndValidationRowsOnlyMonitorTraining() throws Exception {
    Dataset<Row> data = inputData()
        .withColumn("w", org.apache.spark.sql.functions.when(col("item").lt(50), 2.0).otherwise(0.5))
        .withColumn("isVal", col("user").equalTo(-40).or(col("user").plus(col("item")).mod(7).equalTo(0)));
    List<EpochReport> reports = new ArrayList<>();
    MatrixFactorizationModel model = tinyMf().setWeightCol("w").setValidationIndicatorCol("isVal")
        .addTrainingListener((report, selected) -> reports.add(report)).fit(data);
    Row sums = data.where("NOT isVal").agg(org.apache.spark.sql.functions.sum(col("w").multiply(col("rating"))),
        org.apache.spark.sql.functions.sum("w")).first();
    assertEquals(sums.getDouble(0) / sums.getDouble(1), model.globalMean(), 1e-9); // μ = Σ w·r / Σ w
    assertEquals(4, reports.size());
    for (EpochReport report : reports) {
      assertTrue(Double.isFinite(report.validationRmse()), report.toString());
    }
    TrainingSummary summary = model.summary();
    assertEquals(reports, summary.history(), "the summary holds what the listener saw");
    assertEquals(reports.stream().filter(EpochReport::isBest).mapToInt(EpochReport::epoch).max().orElse(0),
        summary.bestEpoch(), "the kept epoch is the last that improved validation RMSE");
    assertEquals(TrainingSummary.MAX_ITER, summary.stopReason());
    String path = tempDir.resolve("mf-summary").toString();
    model.save(path);
    assertEquals(summary, MatrixFactorizationModel.load(path).summary());
    assertFalse(Arrays.stream(model.userIds()).anyMatch(u -> u == -40), "user -40 rated only validation rows");

    Dataset<Row> coldValidation = inputData().withColumn("isVal", col("user").equalTo(-40));
    assertEquals("No validation row (column 'isVal') has a user and an item with training ratings, so none can be "
        + "scored to monitor training; mark other rows or leave validationIndicatorCol empty.",
        assertThrows(IllegalArgumentException.class,
            () -> tinyMf().setValidationIndicatorCol("isVal").fit(coldValidation)).getMessage());
  }
}
