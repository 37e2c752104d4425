package dev.sparkrec.fia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.data.MovieLensReader;
import dev.sparkrec.testing.RealData;
import dev.sparkrec.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The explainer's grouped path against the per-pair calculator on every pair of MovieLens-100K {@code u1.test}
 * ({@code u1.base} for training), for MF, NCF and ALS: the same explaining ratings in the same order, influences and
 * leverages within 1e-5 relative, the same prediction.
 */
@RealData
class MovieLens100kExplainerTest {

  private static final int TOP_K = 10;

  private final SparkSession spark = SparkTestSession.get();
  private final Dataset<Row> train = MovieLensReader.ratings100k(spark,
      SparkTestSession.dataFile("movielens-100k/u1.base").toString()).select("user", "item", "rating").cache();
  private final Dataset<Row> test = MovieLensReader.ratings100k(spark,
      SparkTestSession.dataFile("movielens-100k/u1.test").toString()).select("user", "item");

  @Test
  void matrixFactorization() {
    check(new MatrixFactorization().setRank(8).setMaxIter(3).setSeed(3).fit(train));
  }

  @Test
  void neuralCf() {
    check(new NeuralCF().setEmbeddingDim(8).setHiddenLayers(16, 8).setMaxIter(2).setSeed(3).fit(train));
  }

  @Test
  void als() {
    check(new AlsFactorizedModel(new ALS().setRank(8).setRegParam(0.1).setMaxIter(5).setSeed(3).fit(train), 0.1));
  }

  /** Both plans: u1.base is under the broadcast threshold (the broadcast plan) and then with it off (grouped). */
  private void check(FactorizedModel model) {
    InfluenceExplainer explainer = new InfluenceExplainer().setModel(model).setTrainingRatings(train).setTopK(TOP_K);
    check(model, explainer, explainer.transform(test).collectAsList(), "broadcast plan");
    check(model, explainer, ExplainerPlans.grouped(spark, () -> explainer.transform(test)).collectAsList(),
        "grouped plan");
  }

  private void check(FactorizedModel model, InfluenceExplainer explainer, List<Row> explained, String plan) {
    assertEquals(test.count(), explained.size());

    Map<Integer, float[]> users = vectors(model.userVectors());
    Map<Integer, float[]> items = vectors(model.itemVectors());
    Map<Integer, List<Row>> byUser = new HashMap<>();
    Map<Integer, List<Row>> byItem = new HashMap<>();
    for (Row r : train.collectAsList()) {
      byUser.computeIfAbsent(r.getInt(0), k -> new ArrayList<>()).add(r);
      byItem.computeIfAbsent(r.getInt(1), k -> new ArrayList<>()).add(r);
    }
    byUser.values().forEach(l -> l.sort((a, b) -> a.getInt(1) != b.getInt(1) ? Integer.compare(a.getInt(1),
        b.getInt(1)) : Float.compare(a.getFloat(2), b.getFloat(2))));
    byItem.values().forEach(l -> l.sort((a, b) -> a.getInt(0) != b.getInt(0) ? Integer.compare(a.getInt(0),
        b.getInt(0)) : Float.compare(a.getFloat(2), b.getFloat(2))));
    FactorizedPredictor predictor = model.predictor();
    InfluenceCalculator calculator = new InfluenceCalculator(predictor, explainer.getDamping(),
        explainer.leaveOneOutFor(predictor));
    int compared = 0;
    int cold = 0;
    for (Row row : explained) {
      int u = row.getInt(0);
      int i = row.getInt(1);
      List<Row> explanations = row.getList(3);
      if (!users.containsKey(u) || !items.containsKey(i)) {
        assertTrue(Double.isNaN(row.getDouble(2)) && explanations.isEmpty(), row.toString());
        cold++;
        continue;
      }
      List<Row> rated = byUser.getOrDefault(u, List.of());
      List<Row> raters = byItem.getOrDefault(i, List.of());
      InfluenceExplanation e = calculator.explain(u, users.get(u), i, items.get(i),
          rated.stream().mapToInt(r -> r.getInt(1)).toArray(), ratings(rated),
          rated.stream().map(r -> items.get(r.getInt(1))).toArray(float[][]::new),
          raters.stream().mapToInt(r -> r.getInt(0)).toArray(), ratings(raters),
          raters.stream().map(r -> users.get(r.getInt(0))).toArray(float[][]::new), TOP_K);
      double slope = predictor.reportedPredictionSlope(e.prediction());
      assertEquals(predictor.reportedPrediction(e.prediction()), row.getDouble(2), 1e-9, "prediction " + u + ", " + i);
      assertEquals(e.size(), explanations.size(), "pair " + u + ", " + i);
      for (int k = 0; k < e.size(); k++) {
        Row x = explanations.get(k);
        String at = "pair (" + u + ", " + i + ") explanation " + k;
        assertEquals(e.users()[k], x.getInt(0), at);
        assertEquals(e.items()[k], x.getInt(1), at);
        assertEquals(e.ratings()[k], x.getFloat(2), at);
        double expected = slope * e.influences()[k];
        assertClose(expected, x.getDouble(3), at);
        assertClose(e.leverages()[k], x.getDouble(4), at);
        assertEquals(e.orphaned()[k], x.getBoolean(5), at);
      }
      compared++;
    }
    System.out.println(model.getClass().getSimpleName() + ", " + plan + ": " + compared + " u1.test pairs equal the"
        + " per-pair calculator; " + cold + " cold pairs");
    assertTrue(compared > 19_000, compared + " pairs compared");
  }

  /** Within 1e-5 relative; NaN (an orphaning rating's) only as NaN. */
  private static void assertClose(double expected, double actual, String at) {
    if (Double.isNaN(expected)) {
      assertTrue(Double.isNaN(actual), at + ": " + actual + " where NaN was expected");
    } else {
      assertEquals(expected, actual, 1e-5 * Math.abs(expected), at);
    }
  }

  private static float[] ratings(List<Row> rows) {
    float[] out = new float[rows.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = rows.get(k).getFloat(2);
    }
    return out;
  }

  private static Map<Integer, float[]> vectors(Dataset<Row> factors) {
    Map<Integer, float[]> map = new HashMap<>();
    for (Row r : factors.collectAsList()) {
      map.put(r.getInt(0), SideExplanations.floats(r.getList(1)));
    }
    return map;
  }
}
