package dev.sparkrec.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.data.SyntheticRatings;
import dev.sparkrec.fia.AlsFactorizedModel;
import dev.sparkrec.fia.FactorizedModel;
import dev.sparkrec.fia.InfluenceExplainer;
import dev.sparkrec.fia.MatrixFactorization;
import dev.sparkrec.fia.MatrixFactorizationModel;
import dev.sparkrec.fia.NeuralCF;
import dev.sparkrec.fia.NeuralCFModel;
import dev.sparkrec.ml.ArrayFunctions;
import dev.sparkrec.testing.SparkTestSession;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.collection.Seq;

/**
 * The batch paths that are array arithmetic give the same results through SparkRec's SQL functions as in the JVM:
 * MF's recommendations, {@code recommendAndExplain} (recommendations and their FIA explanations) for MF and ALS,
 * and the explainer's influences scored through {@code sparkrec_scaled_dot} for MF, ALS and NCF.
 * The plans show which path ran.
 */
class ArrayFunctionScoringPathTest {

  private static final double REG = 0.1;
  private static SparkSession spark;
  private static Dataset<Row> ratings;

  @BeforeAll
  static void data() {
    spark = SparkTestSession.get();
    ratings = SyntheticRatings.builder().numUsers(120).numItems(90).rank(3).seed(11).numPartitions(2)
        .minRatingsPerUser(4).maxRatingsPerUser(20).build().generate(spark).cache();
  }

  @AfterEach
  void unregister() {
    dropFunctions();
  }

  @Test
  void mfRecommendationsAreTheSameThroughSparkRecDot() {
    MatrixFactorizationModel model = new MatrixFactorization().setRank(6).setMaxIter(6).setSeed(3).fit(ratings);
    for (boolean forUsers : new boolean[] {true, false}) {
      Supplier<Dataset<Row>> recommend = forUsers ? () -> model.recommendForAllUsers(7)
          : () -> model.recommendForAllItems(7);
      dropFunctions();
      Dataset<Row> inJvm = recommend.get();
      assertFalse(plan(inJvm).contains(ArrayFunctions.DOT), plan(inJvm));
      List<Row> jvm = inJvm.orderBy(inJvm.columns()[0]).collectAsList();
      SparkRecFunctions.register(spark);
      Dataset<Row> throughSql = recommend.get();
      assertTrue(plan(throughSql).contains(ArrayFunctions.DOT), plan(throughSql));
      assertEquals(List.of(inJvm.columns()), List.of(throughSql.columns()));
      List<Row> sql = throughSql.orderBy(throughSql.columns()[0]).collectAsList();
      assertEquals(jvm.size(), sql.size());
      for (int r = 0; r < jvm.size(); r++) {
        assertEquals(jvm.get(r).getInt(0), sql.get(r).getInt(0));
        List<Row> a = jvm.get(r).getList(1);
        List<Row> b = sql.get(r).getList(1);
        assertEquals(a.size(), b.size());
        for (int k = 0; k < a.size(); k++) {
          assertEquals(a.get(k).getInt(0), b.get(k).getInt(0), "id at rank " + (k + 1));
          // The JVM path runs the network in float; sparkrec_dot sums in double.
          assertEquals(a.get(k).getFloat(1), b.get(k).getFloat(1), 1e-5 * Math.max(1, Math.abs(a.get(k).getFloat(1))));
        }
      }
    }
  }

  @Test
  void recommendAndExplainIsIdenticalThroughSparkRecDotForMfAndAls() {
    FactorizedModel[] models = {
        new MatrixFactorization().setRank(6).setMaxIter(6).setSeed(3).fit(ratings),
        new AlsFactorizedModel(new ALS().setRank(4).setRegParam(REG).setMaxIter(10).setSeed(3).fit(ratings), REG),
        new NeuralCF().setEmbeddingDim(4).setHiddenLayers(4).setMaxIter(3).setSeed(5).fit(ratings)};
    for (FactorizedModel model : models) {
      InfluenceExplainer explainer = new InfluenceExplainer().setModel(model).setTrainingRatings(ratings).setTopK(4);
      dropFunctions();
      Dataset<Row> inJvm = explainer.recommendAndExplain(6);
      List<Row> jvm = inJvm.orderBy("user", "rank").collectAsList();
      SparkRecFunctions.register(spark);
      // The plan sits behind a checkpoint: count the calls of sparkrec_dot instead (local mode: one JVM).
      spark.udf().register(ArrayFunctions.DOT, new CountingDot(), DataTypes.FloatType);
      CountingDot.CALLS.set(0);
      Dataset<Row> throughSql = explainer.recommendAndExplain(6);
      List<Row> sql = throughSql.orderBy("user", "rank").collectAsList();
      boolean dotProduct = !(model instanceof NeuralCFModel);
      // MF and ALS score every unrated (user, item) pair through it; NCF's prediction is not a dot product.
      assertEquals(dotProduct, CountingDot.CALLS.get() >= 120L * 90 - ratings.count(), model + ": "
          + CountingDot.CALLS.get() + " calls");
      assertTrue(dotProduct || CountingDot.CALLS.get() == 0, model.toString());
      assertEquals(120 * 6, jvm.size(), model.toString());
      assertEquals(jvm, sql, model + ": the same recommendations, predictions and explanations");
    }
  }

  @Test
  void explanationsAreTheSameWhenTheInfluencesAreScoredThroughSparkRecScaledDot() {
    // Pairs: every user with 7 items it did not rate, 5 users with the items rated once (orphaning ratings), a cold
    // user and a cold item (passed through as the JVM path makes them, as are training ratings' joint solves).
    Dataset<Row> once = ratings.groupBy("item").count().filter("count = 1").select("item");
    Dataset<Row> pairs = ratings.select("user").distinct().crossJoin(spark.range(7).selectExpr("cast(id * 13 as int) as item"))
        .unionByName(ratings.select("user").distinct().limit(5).crossJoin(once))
        .join(ratings, new String[] {"user", "item"}, "left_anti")
        .union(spark.sql("select 100000 as user, 1 as item union all select 1 as user, 100000 as item"))
        .repartition(3).cache();
    FactorizedModel mf = new MatrixFactorization().setRank(6).setMaxIter(20).setSeed(3).fit(ratings);
    Object[][] cases = {
        {mf, "auto"}, // leave-one-out
        {mf, "firstOrder"},
        {new AlsFactorizedModel(new ALS().setRank(4).setRegParam(REG).setMaxIter(10).setSeed(3).fit(ratings), REG),
            "auto"},
        {new NeuralCF().setEmbeddingDim(4).setHiddenLayers(4).setMaxIter(3).setSeed(5).fit(ratings), "auto"}};
    long orphaning = 0;
    for (Object[] c : cases) {
      InfluenceExplainer explainer = new InfluenceExplainer().setModel((FactorizedModel) c[0])
          .setTrainingRatings(ratings).setTopK(5).setInfluenceForm((String) c[1]).setDamping(0.1);
      String name = c[0] + " " + c[1];
      List<Row> jvm = explainer.transform(pairs).orderBy("user", "item").collectAsList();
      SparkRecFunctions.register(spark);
      spark.udf().register(ArrayFunctions.SCALED_DOT, new CountingScaledDot(), DataTypes.FloatType);
      CountingScaledDot.CALLS.set(0);
      List<Row> sql = explainer.copy(new org.apache.spark.ml.param.ParamMap())
          .setInfluenceScoring("arrayFunctions").transform(pairs).orderBy("user", "item").collectAsList();
      dropFunctions();
      assertTrue(CountingScaledDot.CALLS.get() > 10L * jvm.size(), name + ": " + CountingScaledDot.CALLS.get()
          + " calls of sparkrec_scaled_dot for " + jvm.size() + " pairs");
      assertEquals(jvm.size(), sql.size(), name);
      for (int r = 0; r < jvm.size(); r++) {
        Row a = jvm.get(r);
        Row b = sql.get(r);
        String pair = name + ", pair (" + a.getInt(0) + ", " + a.getInt(1) + ")";
        assertEquals(a.getInt(0), b.getInt(0), pair);
        assertEquals(a.getInt(1), b.getInt(1), pair);
        assertEquals(a.getDouble(2), b.getDouble(2), 0.0, pair + ": the prediction is the JVM's on both paths");
        List<Row> x = a.getList(3);
        List<Row> y = b.getList(3);
        assertEquals(x.size(), y.size(), pair);
        double scale = 1e-3; // the largest finite |influence| of the pair (an orphaning one is NaN)
        for (Row e : x) {
          scale = Double.isFinite(e.getDouble(3)) ? Math.max(scale, Math.abs(e.getDouble(3))) : scale;
        }
        for (int k = 0; k < x.size(); k++) {
          String entry = pair + ", explanation " + (k + 1);
          for (int f : new int[] {0, 1, 2, 4, 5}) { // user, item, rating, leverage, orphaned
            assertEquals(x.get(k).get(f), y.get(k).get(f), entry);
          }
          orphaning += x.get(k).getBoolean(5) ? 1 : 0;
          // J, S_p and the scale travel as floats, and sparkrec_scaled_dot returns a float.
          assertEquals(x.get(k).getDouble(3), y.get(k).getDouble(3), 1e-5 * scale, entry);
        }
      }
    }
    assertTrue(orphaning > 0, "the pairs include orphaning ratings");
  }

  @Test
  void scoringThroughArrayFunctionsWithoutThemSaysHowToRegisterThem() {
    InfluenceExplainer explainer = new InfluenceExplainer()
        .setModel(new MatrixFactorization().setRank(2).setMaxIter(1).setSeed(3).fit(ratings))
        .setTrainingRatings(ratings).setInfluenceScoring("arrayFunctions");
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> explainer.transform(ratings.select("user", "item")));
    assertTrue(e.getMessage().contains("SparkRecFunctions.register(spark)"), e.getMessage());
  }

  private static void dropFunctions() {
    for (String name : SparkRecFunctions.names()) {
      spark.sql("DROP TEMPORARY FUNCTION IF EXISTS " + name);
    }
    assertFalse(ArrayFunctions.registered(spark));
  }

  private static String plan(Dataset<Row> data) {
    return data.queryExecution().executedPlan().toString();
  }

  /** sparkrec_scaled_dot, counting its calls. */
  static final class CountingScaledDot extends ScaledDotUdf {
    private static final long serialVersionUID = 1L;
    static final AtomicLong CALLS = new AtomicLong();

    @Override
    public Float call(Seq<Float> a, Seq<Float> b, Float scale) {
      CALLS.incrementAndGet();
      return super.call(a, b, scale);
    }
  }

  /** sparkrec_dot, counting its calls. */
  static final class CountingDot extends DotUdf {
    private static final long serialVersionUID = 1L;
    static final AtomicLong CALLS = new AtomicLong();

    @Override
    public Float call(Seq<Float> a, Seq<Float> b) {
      CALLS.incrementAndGet();
      return super.call(a, b);
    }
  }
}
