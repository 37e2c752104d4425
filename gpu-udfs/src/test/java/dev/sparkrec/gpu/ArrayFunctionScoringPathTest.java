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
 * MF's recommendations, and {@code recommendAndExplain} (recommendations and their FIA explanations) for MF and ALS.
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

  private static void dropFunctions() {
    for (String name : SparkRecFunctions.names()) {
      spark.sql("DROP TEMPORARY FUNCTION IF EXISTS " + name);
    }
    assertFalse(ArrayFunctions.registered(spark));
  }

  private static String plan(Dataset<Row> data) {
    return data.queryExecution().executedPlan().toString();
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
