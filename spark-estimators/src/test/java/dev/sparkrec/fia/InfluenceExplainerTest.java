package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.CfTestData;
import dev.sparkrec.testing.StageContract;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The explainer's Spark glue over an MLlib ALS model: contract, agreement with the calculator, cold start, errors. */
class InfluenceExplainerTest extends StageContract {

  private static final StructType RATINGS = new StructType()
      .add("user", DataTypes.IntegerType).add("item", DataTypes.IntegerType).add("rating", DataTypes.FloatType);
  private static final double REG = 0.1;

  private static Dataset<Row> ratings;
  private static ALSModel als;

  /** 12 users × 15 items, about half rated, ratings from a rank-2 pattern plus noise; seeded. */
  private static synchronized void prepare() {
    if (ratings != null) {
      return;
    }
    SplittableRandom random = new SplittableRandom(7);
    List<Row> rows = new ArrayList<>();
    for (int u = 1; u <= 12; u++) {
      for (int i = 1; i <= 15; i++) {
        if (random.nextDouble() < 0.5) {
          double r = 3 + Math.sin(u) * Math.cos(i) + 0.5 * Math.cos(2 * u + i) + 0.3 * random.nextGaussian();
          rows.add(RowFactory.create(u, i, (float) Math.max(1, Math.min(5, r))));
        }
      }
    }
    ratings = spark().createDataFrame(rows, RATINGS).repartition(2).cache();
    als = new ALS().setRank(3).setRegParam(REG).setMaxIter(15).setSeed(3).setNumUserBlocks(2).setNumItemBlocks(2)
        .fit(ratings);
  }

  private static InfluenceExplainer explainer() {
    prepare();
    return new InfluenceExplainer().setModel(als, REG).setTrainingRatings(ratings);
  }

  private static Dataset<Row> pairs(int[][] pairs) {
    List<Row> rows = new ArrayList<>();
    for (int[] p : pairs) {
      rows.add(RowFactory.create(p[0], p[1], "pair " + p[0] + "-" + p[1]));
    }
    return spark().createDataFrame(rows, new StructType().add("user", DataTypes.IntegerType)
        .add("item", DataTypes.IntegerType).add("note", DataTypes.StringType));
  }

  @Override
  protected PipelineStage newStage() {
    // the contract compares rows in order, so it asks for the input's
    return explainer().setTopK(4).setDamping(1e-5).setKeepInputOrder(true);
  }

  @Override
  protected Dataset<Row> inputData() {
    return pairs(new int[][] {{1, 2}, {3, 4}, {5, 15}, {12, 1}, {99, 1}});
  }

  @Test
  void influenceFormAutoIsLeaveOneOutForAlsAndFirstOrderOnRequest() {
    int[][] asked = {{1, 2}, {6, 11}};
    Map<Integer, float[]> users = vectors(als.userFactors());
    Map<Integer, float[]> items = vectors(als.itemFactors());
    List<Row> all = ratings.collectAsList();
    FactorPredictor predictor = new FactorPredictor(3, false, 0, REG);
    assertTrue(predictor.quadraticInEachVector());
    for (String form : new String[] {"auto", "leaveOneOut", "firstOrder"}) {
      InfluenceCalculator calculator = new InfluenceCalculator(predictor, 1e-6, !form.equals("firstOrder"));
      List<Row> out = explainer().setTopK(3).setInfluenceForm(form).transform(pairs(asked)).orderBy("user", "item")
          .collectAsList();
      for (Row row : out) {
        InfluenceExplanation expected = explainDirectly(calculator, all, users, items, row.getInt(0), row.getInt(1),
            3);
        List<Row> explanations = row.getList(4);
        for (int k = 0; k < explanations.size(); k++) {
          assertEquals(expected.influences()[k], explanations.get(k).getDouble(3), 1e-12, form);
        }
      }
    }
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> explainer().setInfluenceForm("exact"));
    assertTrue(bad.getMessage().contains("influenceForm"), bad.getMessage());
  }

  @Test
  void refitNeighboursEqualsNeighbourRefitOnTheCollectedListsForAlsAndMf() {
    prepare();
    int[][] asked = {{1, 2}, {2, 7}, {6, 11}, {12, 15}, {3, 4}};
    List<Row> all = ratings.collectAsList();
    MatrixFactorizationModel mf = new MatrixFactorization().setRank(3).setMaxIter(5).setSeed(5).fit(ratings);
    Map<String, FactorizedModel> models = Map.of("als", new AlsFactorizedModel(als, REG), "mf", mf);
    for (Map.Entry<String, FactorizedModel> entry : models.entrySet()) {
      FactorizedModel model = entry.getValue();
      FactorizedPredictor predictor = model.predictor();
      Map<Integer, float[]> users = vectors(model.userVectors());
      Map<Integer, float[]> items = vectors(model.itemVectors());
      InfluenceExplainer explainer = new InfluenceExplainer().setModel(model).setTrainingRatings(ratings)
          .setTopK(100).setInfluenceForm("refitNeighbours");
      List<Row> out = explainer.transform(pairs(asked)).orderBy("user", "item").collectAsList();
      assertEquals(asked.length, out.size());
      int trainingPairs = 0;
      for (Row row : out) {
        int u = row.getInt(0);
        int i = row.getInt(1);
        List<Row> explanations = row.getList(4);
        boolean rated = all.stream().anyMatch(r -> r.getInt(0) == u && r.getInt(1) == i);
        if (rated) {
          // A pair that is a training rating keeps the leave-one-out form.
          trainingPairs++;
          InfluenceExplanation expected = explainDirectly(new InfluenceCalculator(predictor, 1e-6, true), all,
              users, items, u, i, 100);
          for (int k = 0; k < explanations.size(); k++) {
            assertEquals(expected.influences()[k], explanations.get(k).getDouble(3), 1e-12);
          }
          continue;
        }
        Map<List<Integer>, Double> expected = refitDirectly(predictor, all, users, items, u, i);
        assertEquals(expected.size(), explanations.size(), entry.getKey() + " pair " + u + "-" + i);
        for (int k = 0; k < explanations.size(); k++) {
          Row e = explanations.get(k);
          double influence = expected.get(List.of(e.getInt(0), e.getInt(1)));
          assertEquals(influence, e.getDouble(3), 1e-9 * (1 + Math.abs(influence)),
              entry.getKey() + " pair " + u + "-" + i + ", rating " + e.getInt(0) + "-" + e.getInt(1));
          assertTrue(e.getDouble(4) >= 0 && e.getDouble(4) < 1, "the leverage is still reported");
          assertTrue(k == 0 || Math.abs(explanations.get(k - 1).getDouble(3)) >= Math.abs(e.getDouble(3)));
        }
      }
      assertTrue(trainingPairs >= 1 && trainingPairs < asked.length, "asked pairs that are training ratings: "
          + trainingPairs);
    }

    InfluenceExplainer ncf = new InfluenceExplainer().setTrainingRatings(ratings).setInfluenceForm("refitNeighbours")
        .setModel(new NeuralCF().setEmbeddingDim(4).setHiddenLayers(4).setMaxIter(1).setSeed(5).fit(ratings));
    IllegalArgumentException notQuadratic = assertThrows(IllegalArgumentException.class,
        () -> ncf.transform(pairs(asked)));
    assertTrue(notQuadratic.getMessage().contains("influenceForm = \"refitNeighbours\" needs a model whose objective"
        + " is quadratic in each vector"), notQuadratic.getMessage());
    IllegalArgumentException onSql = assertThrows(IllegalArgumentException.class,
        () -> explainer().setInfluenceForm("refitNeighbours").setInfluenceScoring("arrayFunctions")
            .transform(pairs(asked)));
    assertTrue(onSql.getMessage().contains("set influenceScoring to \"blocks\""), onSql.getMessage());
  }

  /**
   * Each related rating of an unrated pair keyed by (user, item), with the change {@link NeighbourRefit} gives,
   * from the collected ratings and vectors.
   */
  private static Map<List<Integer>, Double> refitDirectly(FactorizedPredictor predictor, List<Row> all,
      Map<Integer, float[]> users, Map<Integer, float[]> items, int u, int i) {
    NeighbourRefit refit = new NeighbourRefit(predictor);
    double[] dUser = new double[predictor.userDim()];
    double[] dItem = new double[predictor.itemDim()];
    predictor.predictWithGradients(users.get(u), items.get(i), dUser, dItem);
    Map<List<Integer>, Double> out = new HashMap<>();
    for (boolean userSide : new boolean[] {true, false}) {
      int own = userSide ? u : i;
      List<Row> list = new ArrayList<>();
      for (Row r : all) {
        if (r.getInt(userSide ? 0 : 1) == own) {
          list.add(r);
        }
      }
      int n = list.size();
      float[][] others = new float[n][];
      NeighbourRefit.NormalEquations[] systems = new NeighbourRefit.NormalEquations[n];
      for (int c = 0; c < n; c++) {
        int other = list.get(c).getInt(userSide ? 1 : 0);
        others[c] = userSide ? items.get(other) : users.get(other);
        NeighbourRefit.Sum sum = refit.sum(userSide);
        for (Row r : all) {
          if (r.getInt(userSide ? 1 : 0) == other) {
            sum.add(others[c], userSide ? users.get(r.getInt(0)) : items.get(r.getInt(1)), r.getFloat(2));
          }
        }
        systems[c] = sum.result();
      }
      int dim = userSide ? predictor.userDim() : predictor.itemDim();
      double[] changes = refit.vectorChanges(userSide, userSide ? users.get(u) : items.get(i), others, floats(list),
          systems);
      double[] gradient = userSide ? dUser : dItem;
      for (int c = 0; c < n; c++) {
        double change = 0;
        for (int s = 0; s < dim; s++) {
          change += gradient[s] * changes[c * dim + s];
        }
        out.put(List.of(list.get(c).getInt(0), list.get(c).getInt(1)), change);
      }
    }
    return out;
  }

  @Test
  void explanationsEqualTheCalculatorOnTheCollectedLists() {
    int[][] asked = {{1, 2}, {2, 7}, {6, 11}, {12, 15}};
    explanationsEqualTheCalculator(asked, explainer().setTopK(5).transform(pairs(asked)));
    explanationsEqualTheCalculator(asked, ExplainerPlans.grouped(spark(),
        () -> explainer().setTopK(5).transform(pairs(asked))));
  }

  /**
   * The broadcast plan (training ratings under {@code spark.sql.autoBroadcastJoinThreshold}) explains each partition
   * where it is: no exchange, and the grouped plan's rows (cold pairs, a null id, pairs that are training ratings,
   * the input columns), in the input's order when asked.
   */
  @Test
  void broadcastPlanExplainsWithoutAShuffleAndEqualsTheGroupedPlan() {
    prepare();
    List<Row> rated = ratings.orderBy("user", "item").limit(3).collectAsList();
    List<Row> rows = new ArrayList<>();
    for (Row r : rated) {
      rows.add(RowFactory.create(r.getInt(0), r.getInt(1), "rated"));
    }
    int[][] unrated = {{12, 15}, {1, 2}, {6, 11}, {2, 7}, {9, 3}, {99, 1}, {1, 99}, {4, 9}, {4, 10}, {4, 11}};
    for (int[] p : unrated) {
      rows.add(RowFactory.create(p[0], p[1], "pair"));
    }
    rows.add(RowFactory.create(null, 2, "no user"));
    Dataset<Row> asked = spark().createDataFrame(rows, new StructType().add("user", DataTypes.IntegerType)
        .add("item", DataTypes.IntegerType).add("note", DataTypes.StringType)).repartition(3);

    Dataset<Row> broadcast = explainer().setTopK(6).setKeepInputOrder(true).transform(asked);
    String plan = broadcast.queryExecution().executedPlan().toString();
    assertTrue(!plan.contains("Exchange hashpartitioning"), "no shuffle of pairs or ratings:\n" + plan);
    Dataset<Row> grouped = ExplainerPlans.grouped(spark(),
        () -> explainer().setTopK(6).setKeepInputOrder(true).transform(asked));
    assertTrue(grouped.queryExecution().executedPlan().toString().contains("Exchange hashpartitioning"));

    List<Row> b = grouped.collectAsList();
    assertRowsEqual(b, broadcast.collectAsList(), rows.size());
    // In batches of 2 pairs a partition's user or item blocks are factored once per batch: the same rows.
    spark().conf().set(BroadcastExplanations.BATCH_PAIRS, "2");
    try {
      assertRowsEqual(b, explainer().setTopK(6).setKeepInputOrder(true).transform(asked).collectAsList(), rows.size());
      spark().conf().set(BroadcastExplanations.BATCH_PAIRS, "0");
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> explainer().transform(asked));
      assertTrue(refused.getMessage().contains(BroadcastExplanations.BATCH_PAIRS) && refused.getMessage().contains("'0'"),
          refused.getMessage());
    } finally {
      spark().conf().unset(BroadcastExplanations.BATCH_PAIRS);
    }
  }

  /** The broadcast plan's rows {@code a} equal the grouped plan's {@code b}: ids and flags exactly, doubles to 1e-12. */
  private static void assertRowsEqual(List<Row> b, List<Row> a, int size) {
    assertEquals(size, a.size());
    assertEquals(b.size(), a.size());
    for (int p = 0; p < a.size(); p++) {
      Row x = a.get(p);
      Row y = b.get(p);
      String at = "row " + p + " " + x;
      for (int c = 0; c < 3; c++) {
        assertEquals(y.get(c), x.get(c), at);
      }
      assertEquals(y.getDouble(3), x.getDouble(3), 1e-12, at);
      List<Row> ex = x.getList(4);
      List<Row> ey = y.getList(4);
      assertEquals(ey.size(), ex.size(), at);
      for (int k = 0; k < ex.size(); k++) {
        for (int f : new int[] {0, 1, 2, 5}) {
          assertEquals(ey.get(k).get(f), ex.get(k).get(f), at + " explanation " + k);
        }
        assertEquals(ey.get(k).getDouble(3), ex.get(k).getDouble(3), 1e-12, at + " explanation " + k);
        assertEquals(ey.get(k).getDouble(4), ex.get(k).getDouble(4), 1e-12, at + " explanation " + k);
      }
    }
    long explained = a.stream().filter(r -> !r.getList(4).isEmpty()).count();
    assertEquals(size - 3, explained, "all but the cold pairs and the null id are explained");
  }

  private void explanationsEqualTheCalculator(int[][] asked, Dataset<Row> explained) {
    List<Row> out = explained.orderBy("user", "item").collectAsList();
    assertEquals(asked.length, out.size());

    Map<Integer, float[]> users = vectors(als.userFactors());
    Map<Integer, float[]> items = vectors(als.itemFactors());
    List<Row> all = ratings.collectAsList();
    InfluenceCalculator calculator = new InfluenceCalculator(new FactorPredictor(3, false, 0, REG), 1e-6, true);
    for (Row row : out) {
      int u = row.getInt(0);
      int i = row.getInt(1);
      InfluenceExplanation expected = explainDirectly(calculator, all, users, items, u, i, 5);
      long related = all.stream().filter(r -> r.getInt(0) == u || r.getInt(1) == i).count()
          + all.stream().filter(r -> r.getInt(0) == u && r.getInt(1) == i).count();
      assertEquals("pair " + u + "-" + i, row.getString(2), "input columns are kept");
      assertEquals(expected.prediction(), row.getDouble(3), 1e-12);
      List<Row> explanations = row.getList(4);
      assertEquals(Math.min(5, related), explanations.size());
      for (int k = 0; k < explanations.size(); k++) {
        Row e = explanations.get(k);
        assertEquals(expected.users()[k], e.getInt(0));
        assertEquals(expected.items()[k], e.getInt(1));
        assertEquals(expected.ratings()[k], e.getFloat(2));
        assertEquals(expected.influences()[k], e.getDouble(3), 1e-12);
        assertEquals(expected.leverages()[k], e.getDouble(4), 1e-12);
        assertEquals(expected.orphaned()[k], e.getBoolean(5));
        assertTrue(k == 0 || Math.abs(explanations.get(k - 1).getDouble(3)) >= Math.abs(e.getDouble(3)));
      }
    }
  }

  @Test
  void predictionIsAlsOwnPrediction() {
    Dataset<Row> asked = pairs(new int[][] {{1, 2}, {4, 9}});
    List<Row> explained = explainer().transform(asked).orderBy("user", "item").collectAsList();
    List<Row> predicted = als.transform(asked).orderBy("user", "item").collectAsList();
    for (int p = 0; p < 2; p++) {
      assertEquals(predicted.get(p).getFloat(3), explained.get(p).getDouble(3), 1e-5);
    }
  }

  @Test
  void coldStartNanKeepsTheRowWithNoExplanationsAndDropRemovesIt() {
    Dataset<Row> asked = pairs(new int[][] {{99, 1}, {1, 99}, {1, 2}});
    List<Row> nan = explainer().transform(asked).orderBy("user", "item").collectAsList();
    assertEquals(3, nan.size());
    for (Row row : nan) {
      boolean known = row.getInt(0) == 1 && row.getInt(1) == 2;
      assertEquals(known, !Double.isNaN(row.getDouble(3)), row.toString());
      assertEquals(known, !row.getList(4).isEmpty(), row.toString());
    }
    List<Row> dropped = explainer().setColdStartStrategy("drop").transform(asked).collectAsList();
    assertEquals(1, dropped.size());
    assertEquals(1, dropped.get(0).getInt(0));
  }

  @Test
  void rowsComeWithoutAGlobalSortUnlessTheInputOrderIsAskedFor() {
    int[][] asked = {{12, 15}, {1, 2}, {6, 11}, {2, 7}, {9, 3}};
    Dataset<Row> unordered = explainer().transform(pairs(asked));
    String plan = unordered.queryExecution().executedPlan().toString();
    assertTrue(!plan.contains("rangepartitioning"), "no range exchange by default:\n" + plan);
    assertEquals(asked.length, unordered.count());
    Dataset<Row> ordered = explainer().setKeepInputOrder(true).transform(pairs(asked));
    assertTrue(ordered.queryExecution().executedPlan().toString().contains("rangepartitioning"));
    List<Row> rows = ordered.collectAsList();
    for (int p = 0; p < asked.length; p++) {
      assertEquals(asked[p][0], rows.get(p).getInt(0));
      assertEquals(asked[p][1], rows.get(p).getInt(1));
    }
    assertEquals(rows.stream().map(Row::toString).sorted().toList(),
        unordered.collectAsList().stream().map(Row::toString).sorted().toList(), "the same rows either way");
  }

  @Test
  void nanTrainingRatingFailsNamingTheColumnAndTheRating() {
    prepare();
    List<Row> rows = new ArrayList<>(ratings.collectAsList());
    rows.add(RowFactory.create(2, 3, Float.NaN));
    Dataset<Row> bad = spark().createDataFrame(rows, RATINGS);
    Exception e = assertThrows(Exception.class, () -> explainer().setTrainingRatings(bad)
        .transform(pairs(new int[][] {{1, 2}})).collectAsList());
    String message = fullMessage(e);
    assertTrue(message.contains("Column 'rating' of the training ratings must hold finite ratings, got NaN"),
        message);
    assertTrue(message.contains("user 2, item 3"), message);
  }

  @Test
  void trainingRatingOfAnItemTheModelLacksFails() {
    prepare();
    List<Row> rows = new ArrayList<>(ratings.collectAsList());
    rows.add(RowFactory.create(1, 77, 4f));
    Dataset<Row> other = spark().createDataFrame(rows, RATINGS);
    Exception e = assertThrows(Exception.class, () -> explainer().setTrainingRatings(other)
        .transform(pairs(new int[][] {{1, 2}})).collectAsList());
    assertTrue(fullMessage(e).contains("(user 1, item 77) refers to item 77, which the model does not know"),
        fullMessage(e));
  }

  @Test
  void explainsMatrixFactorizationAndNeuralCfModelsAndSavesThem() throws Exception {
    prepare();
    Dataset<Row> asked = pairs(new int[][] {{1, 2}, {4, 9}, {7, 13}});
    FactorizedModel[] models = {
        new MatrixFactorization().setRank(3).setMaxIter(5).setSeed(5).fit(ratings),
        new NeuralCF().setEmbeddingDim(4).setHiddenLayers(4, 2).setMaxIter(5).setSeed(5).fit(ratings)};
    for (FactorizedModel model : models) {
      InfluenceExplainer explainer = new InfluenceExplainer().setModel(model).setTrainingRatings(ratings).setTopK(3);
      List<Row> explained = explainer.transform(asked).orderBy("user", "item").collectAsList();
      List<Row> predicted = ((org.apache.spark.ml.Transformer) model).transform(asked).orderBy("user", "item")
          .collectAsList();
      for (int p = 0; p < explained.size(); p++) {
        assertEquals(predicted.get(p).getFloat(3), explained.get(p).getDouble(3), 1e-5, model.toString());
        assertEquals(3, explained.get(p).getList(4).size());
      }
      String path = tempDir.resolve(model.getClass().getSimpleName()).toString();
      explainer.write().save(path);
      InfluenceExplainer loaded = InfluenceExplainer.load(path);
      assertEquals(model.getClass(), loaded.getModel().getClass());
      assertEquals(explained, loaded.transform(asked).orderBy("user", "item").collectAsList());
    }
  }

  @Test
  void bceNeuralCfIsExplainedOnTheProbabilityScaleItPredicts() {
    Dataset<Row> clicks = CfTestData.ratings(2)
        .withColumn("rating", when(col("rating").geq(4), 1.0f).otherwise(0.0f)).cache();
    NeuralCFModel model = NeuralCFTest.tinyNcf().setLoss("bce").fit(clicks);
    List<Row> all = clicks.collectAsList();
    int[][] asked = {
        {all.get(0).getInt(0), all.get(0).getInt(1)}, {all.get(7).getInt(0), all.get(30).getInt(1)},
        {all.get(60).getInt(0), all.get(3).getInt(1)}};
    List<Row> explained = new InfluenceExplainer().setModel(model).setTrainingRatings(clicks).setTopK(1000)
        .setKeepInputOrder(true).transform(pairs(asked)).collectAsList();
    List<Row> predicted = model.transform(pairs(asked)).collectAsList();

    Map<Integer, float[]> users = vectors(model.userVectors());
    Map<Integer, float[]> items = vectors(model.itemVectors());
    InfluenceCalculator onLogits = new InfluenceCalculator(model.predictor(), 1e-6, false); // auto: first-order
    for (int p = 0; p < asked.length; p++) {
      Row row = explained.get(p);
      assertEquals(predicted.get(p).getFloat(3), row.getDouble(3), 1e-6, "the model's own probability");
      int u = row.getInt(0);
      int i = row.getInt(1);
      InfluenceExplanation logit = explainDirectly(onLogits, all, users, items, u, i, 1000);
      double probability = 1 / (1 + Math.exp(-logit.prediction()));
      assertEquals(probability, row.getDouble(3), 1e-12);
      double slope = probability * (1 - probability); // dp/df = p(1 − p)
      List<Row> explanations = row.getList(4);
      assertEquals(logit.size(), explanations.size());
      assertTrue(explanations.size() > 3);
      for (int k = 0; k < explanations.size(); k++) {
        Row e = explanations.get(k);
        assertEquals(logit.users()[k], e.getInt(0));
        assertEquals(logit.items()[k], e.getInt(1));
        assertEquals(slope * logit.influences()[k], e.getDouble(3), 1e-12 * Math.abs(logit.influences()[k]));
      }
    }
  }

  @Test
  void alsFittedWithImplicitPrefsNonnegativeOrAnotherRegParamIsRejected() throws Exception {
    prepare();
    ALSModel implicit = new ALS().setRank(2).setRegParam(REG).setMaxIter(2).setSeed(3).setImplicitPrefs(true)
        .fit(ratings);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new InfluenceExplainer().setModel(implicit, REG));
    assertTrue(e.getMessage().contains("implicitPrefs = true"), e.getMessage());
    assertTrue(e.getMessage().contains("explicit"), e.getMessage());

    ALSModel nonnegative = new ALS().setRank(2).setRegParam(REG).setMaxIter(2).setSeed(3).setNonnegative(true)
        .fit(ratings);
    e = assertThrows(IllegalArgumentException.class, () -> new InfluenceExplainer().setModel(nonnegative, REG));
    assertTrue(e.getMessage().contains("nonnegative = true"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> new InfluenceExplainer().setModel(als, 0.5));
    assertTrue(e.getMessage().contains("regParam 0.5") && e.getMessage().contains("regParam " + REG),
        e.getMessage());

    // An explicit ALS is accepted, fitted here or loaded (a loaded model has no parent to check).
    new InfluenceExplainer().setModel(als, REG);
    String path = tempDir.resolve("als").toString();
    als.write().save(path);
    ALSModel loaded = ALSModel.load(path);
    assertEquals(null, loaded.parent());
    new InfluenceExplainer().setModel(loaded, REG);
  }

  @Test
  void recommendAndExplainRanksUnratedItemsAndExplainsThemForMfNcfAndAls() {
    prepare();
    List<Row> all = ratings.collectAsList();
    FactorizedModel[] models = alsMfAndNcf();
    for (FactorizedModel model : models) {
      InfluenceExplainer explainer = new InfluenceExplainer().setModel(model).setTrainingRatings(ratings).setTopK(3);
      List<Row> recommended = explainer.recommendAndExplain(4).orderBy("user", "rank").collectAsList();
      assertEquals(List.of("user", "item", "rank", "prediction", "explanations"),
          List.of(explainer.recommendAndExplain(4).columns()));
      assertEquals(12 * 4, recommended.size(), model.toString());
      Map<Integer, float[]> users = vectors(model.userVectors());
      Map<Integer, float[]> items = vectors(model.itemVectors());
      for (Row row : recommended) {
        int u = row.getInt(0);
        int i = row.getInt(1);
        assertTrue(all.stream().noneMatch(r -> r.getInt(0) == u && r.getInt(1) == i), "rated item " + i);
        double f = model.predictor().predict(users.get(u), items.get(i));
        assertEquals(model.predictor().reportedPrediction(f), row.getDouble(3), 1e-9);
        for (int other : items.keySet()) {
          boolean ratedByU = all.stream().anyMatch(r -> r.getInt(0) == u && r.getInt(1) == other);
          if (!ratedByU && row.getInt(2) == 1) {
            assertTrue(model.predictor().predict(users.get(u), items.get(other)) <= f + 1e-6, "rank 1 is the best");
          }
        }
      }
      List<Row> explainedDirectly = explainer.transform(
          recommendedPairs(recommended)).orderBy("user", "item").collectAsList();
      List<Row> sorted = new ArrayList<>(recommended);
      sorted.sort(Comparator.comparingInt((Row r) -> r.getInt(0)).thenComparingInt(r -> r.getInt(1)));
      for (int p = 0; p < sorted.size(); p++) {
        assertEquals(explainedDirectly.get(p).getList(3), sorted.get(p).getList(4), "the transform's explanations");
      }
      List<Row> some = explainer.recommendAndExplain(spark().range(2, 4).selectExpr("cast(id as int) as user"), 2)
          .collectAsList();
      assertEquals(4, some.size());
      assertTrue(some.stream().allMatch(r -> r.getInt(0) == 2 || r.getInt(0) == 3));
    }
  }

  /**
   * Item vectors above the broadcast threshold are not read to the driver: users and items meet in blocks (here of 3
   * rows, so a user's list merges five item blocks), and the recommendations, and so their explanations, are the
   * broadcast plan's. Building the blocked plan returns no
   * result to the driver (no result task runs; Spark may run the shuffles below it), where the broadcast plan reads
   * ALS's item factors at once.
   */
  @Test
  void recommendationsInBlocksEqualTheBroadcastItemTable() {
    prepare();
    Dataset<Row> validated = ratings.select("user", "item", "rating");
    Dataset<Row> someUsers = spark().range(2, 5).selectExpr("cast(id as int) as id");
    FactorizedModel[] models = alsMfAndNcf();
    for (FactorizedModel model : models) {
      String name = model.getClass().getSimpleName();
      for (Dataset<Row> users : Arrays.asList(null, someUsers)) {
        int k = users == null ? 4 : 20; // 20: more than a user's unrated items, so every list runs out
        List<Row> broadcast = FactorizedRecommendations.topK(model, validated, users, k, "user", "item")
            .orderBy("user", "rank").collectAsList();
        List<Row> blocked = ExplainerPlans.grouped(spark(), () -> {
          long results = resultTasks(() -> FactorizedRecommendations.topK(model, validated, users, k, "user", "item",
              3));
          assertEquals(0, results, name + ": building the blocked plan returned results to the driver");
          return FactorizedRecommendations.topK(model, validated, users, k, "user", "item", 3)
              .orderBy("user", "rank").collectAsList();
        });
        if (model instanceof AlsFactorizedModel) { // the check can fail: the broadcast plan reads the item table
          assertTrue(resultTasks(() -> FactorizedRecommendations.topK(model, validated, users, k, "user", "item")) > 0);
        }
        assertEquals(broadcast, blocked, name + (users == null ? ", every user" : ", users 2-4"));
        assertEquals(users == null ? 12 : 3, broadcast.stream().map(r -> r.getInt(0)).distinct().count(), name);
        if (users == null) {
          assertEquals(12 * 4, broadcast.size(), name);
        }
      }
    }
    InfluenceExplainer explainer = new InfluenceExplainer().setModel(models[1]).setTrainingRatings(ratings).setTopK(3);
    List<Row> broadcast = explainer.recommendAndExplain(3).orderBy("user", "rank").collectAsList();
    List<Row> grouped = ExplainerPlans.grouped(spark(),
        () -> explainer.recommendAndExplain(3).orderBy("user", "rank").collectAsList());
    assertEquals(broadcast.size(), grouped.size());
    for (int r = 0; r < broadcast.size(); r++) {
      assertEquals(broadcast.get(r).getInt(1), grouped.get(r).getInt(1), "the recommended item");
      assertEquals(broadcast.get(r).getDouble(3), grouped.get(r).getDouble(3), 1e-12, "its prediction");
    }
  }

  /** The result tasks (whose output goes to the driver) that building {@code plan} ran. */
  private static long resultTasks(Supplier<Dataset<Row>> plan) {
    AtomicLong count = new AtomicLong();
    SparkListener listener = new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        if ("ResultTask".equals(end.taskType())) {
          count.incrementAndGet();
        }
      }
    };
    spark().sparkContext().addSparkListener(listener);
    try {
      spark().sparkContext().listenerBus().waitUntilEmpty();
      count.set(0);
      plan.get();
      spark().sparkContext().listenerBus().waitUntilEmpty();
      return count.get();
    } catch (TimeoutException e) {
      throw new IllegalStateException("Spark's listener bus did not drain", e);
    } finally {
      spark().sparkContext().removeSparkListener(listener);
    }
  }

  private static FactorizedModel[] alsMfAndNcf;

  /** ALS, MF and NCF fitted on {@link #ratings}, once per JVM. */
  private static synchronized FactorizedModel[] alsMfAndNcf() {
    prepare();
    if (alsMfAndNcf == null) {
      alsMfAndNcf = new FactorizedModel[] {new AlsFactorizedModel(als, REG),
          new MatrixFactorization().setRank(3).setMaxIter(5).setSeed(5).fit(ratings),
          new NeuralCF().setEmbeddingDim(4).setHiddenLayers(4, 2).setMaxIter(5).setSeed(5).fit(ratings)};
    }
    return alsMfAndNcf;
  }

  private static Dataset<Row> recommendedPairs(List<Row> recommended) {
    List<Row> rows = new ArrayList<>();
    for (Row r : recommended) {
      rows.add(RowFactory.create(r.getInt(0), r.getInt(1)));
    }
    return spark().createDataFrame(rows, new StructType().add("user", DataTypes.IntegerType)
        .add("item", DataTypes.IntegerType));
  }

  @Test
  void savingKeepsAReferenceToADeltaTableAtItsVersionAndACopyOtherwise() throws Exception {
    prepare();
    String table = tempDir.resolve("ratings-delta").toString();
    ratings.write().format("delta").save(table);
    Dataset<Row> fromDelta = spark().read().format("delta").load(table).select("user", "item", "rating");
    InfluenceExplainer explainer = explainer().setTrainingRatings(fromDelta).setTopK(3);
    String path = tempDir.resolve("explainer-delta").toString();
    explainer.write().save(path);
    assertTrue(java.nio.file.Files.exists(java.nio.file.Path.of(path, "data", "ratingsSource")));
    assertTrue(!java.nio.file.Files.exists(java.nio.file.Path.of(path, "data", "ratings")), "no copy");

    Dataset<Row> asked = pairs(new int[][] {{1, 2}, {6, 11}});
    List<Row> before = explainer.transform(asked).orderBy("user", "item").collectAsList();

    ratings.limit(5).write().format("delta").mode("append").save(table); // version 1
    InfluenceExplainer loaded = InfluenceExplainer.load(path);
    assertEquals(ratings.count(), loaded.getTrainingRatings().count(), "the version the explainer was saved with");
    assertEquals(before, loaded.transform(asked).orderBy("user", "item").collectAsList());

    String filtered = tempDir.resolve("explainer-filtered").toString();
    explainer().setTrainingRatings(spark().read().format("delta").option("versionAsOf", 0).load(table)
        .filter("rating > 0")).write().save(filtered);
    assertTrue(java.nio.file.Files.exists(java.nio.file.Path.of(filtered, "data", "ratings")), "a copy");
    assertTrue(!java.nio.file.Files.exists(java.nio.file.Path.of(filtered, "data", "ratingsSource")));
  }

  @Test
  void transformWithoutModelFailsClearly() {
    Exception e = assertThrows(IllegalStateException.class,
        () -> new InfluenceExplainer().transform(inputData()));
    assertTrue(e.getMessage().contains("setModel"));
  }

  private static InfluenceExplanation explainDirectly(InfluenceCalculator calculator, List<Row> all,
      Map<Integer, float[]> users, Map<Integer, float[]> items, int u, int i, int topK) {
    List<Row> ofUser = new ArrayList<>();
    List<Row> ofItem = new ArrayList<>();
    for (Row r : all) {
      if (r.getInt(0) == u) {
        ofUser.add(r);
      }
      if (r.getInt(1) == i) {
        ofItem.add(r);
      }
    }
    ofUser.sort(Comparator.comparingInt(r -> r.getInt(1)));
    ofItem.sort(Comparator.comparingInt(r -> r.getInt(0)));
    return calculator.explain(u, users.get(u), i, items.get(i),
        ofUser.stream().mapToInt(r -> r.getInt(1)).toArray(), floats(ofUser),
        ofUser.stream().map(r -> items.get(r.getInt(1))).toArray(float[][]::new),
        ofItem.stream().mapToInt(r -> r.getInt(0)).toArray(), floats(ofItem),
        ofItem.stream().map(r -> users.get(r.getInt(0))).toArray(float[][]::new), topK);
  }

  private static String fullMessage(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      s.append(t.getMessage()).append(" | ");
    }
    return s.toString();
  }

  private static Map<Integer, float[]> vectors(Dataset<Row> factors) {
    Map<Integer, float[]> map = new HashMap<>();
    for (Row r : factors.collectAsList()) {
      List<Float> v = r.getList(1);
      float[] a = new float[v.size()];
      for (int d = 0; d < a.length; d++) {
        a[d] = v.get(d);
      }
      map.put(r.getInt(0), a);
    }
    return map;
  }

  private static float[] floats(List<Row> rows) {
    float[] out = new float[rows.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = rows.get(k).getFloat(2);
    }
    return out;
  }
}
