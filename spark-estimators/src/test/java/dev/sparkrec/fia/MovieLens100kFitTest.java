package dev.sparkrec.fia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.data.MovieLensReader;
import dev.sparkrec.testing.RealData;
import dev.sparkrec.testing.SparkTestSession;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Both models with their default training settings on MovieLens-100K {@code u1.base} → {@code u1.test}: each must
 * reach MLlib ALS's test RMSE there (0.9355 with rank 10–16, regParam 0.1) within 0.01.
 */
@RealData
class MovieLens100kFitTest {

  private static final double ALS_TEST_RMSE = 0.9355;

  private final SparkSession spark = SparkTestSession.get();
  private final Dataset<Row> train = MovieLensReader.ratings100k(spark,
      SparkTestSession.dataFile("movielens-100k/u1.base").toString());
  private final Dataset<Row> test = MovieLensReader.ratings100k(spark,
      SparkTestSession.dataFile("movielens-100k/u1.test").toString());

  private double testRmse(CollaborativeFilteringModel<?> model) {
    return new RegressionEvaluator().setLabelCol("rating")
        .evaluate(model.setColdStartStrategy("drop").transform(test));
  }

  @Test
  void matrixFactorisationOfRank16MatchesAls() {
    MatrixFactorizationModel model = new MatrixFactorization().setRank(16).fit(train);
    assertEquals(943, model.userIds().length);
    assertEquals(1650, model.itemIds().length);
    double rmse = testRmse(model);
    assertTrue(rmse <= ALS_TEST_RMSE + 0.01, "u1.test RMSE " + rmse);
  }

  @Test
  void neuralCfMatchesAls() {
    double rmse = testRmse(new NeuralCF().fit(train));
    assertTrue(rmse <= ALS_TEST_RMSE + 0.01, "u1.test RMSE " + rmse);
  }
}
