package dev.sparkrec.eval;

import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both evaluators drive a CrossValidator over LogisticRegression, which saves and loads with them. */
class EvaluatorsInCrossValidatorTest {

  private static Dataset<Row> clicks;

  @TempDir
  Path tempDir;

  /** 30 users x 12 impressions; click probability sigmoid(1.5 x1 - x2 + user bias); weights 1 or 2. */
  @BeforeAll
  static void buildData() {
    StructType schema = new StructType()
        .add("user", DataTypes.StringType)
        .add("features", SQLDataTypes.VectorType())
        .add("label", DataTypes.DoubleType)
        .add("w", DataTypes.DoubleType);
    Random random = new Random(17);
    List<Row> rows = new ArrayList<>();
    for (int u = 0; u < 30; u++) {
      double bias = random.nextGaussian() * 0.5;
      for (int i = 0; i < 12; i++) {
        double x1 = random.nextGaussian();
        double x2 = random.nextGaussian();
        double p = 1 / (1 + Math.exp(-(1.5 * x1 - x2 + bias)));
        rows.add(RowFactory.create("u" + u, Vectors.dense(x1, x2), random.nextDouble() < p ? 1.0 : 0.0,
            random.nextBoolean() ? 1.0 : 2.0));
      }
    }
    clicks = SparkTestSession.get().createDataFrame(rows, schema).cache();
  }

  private static CrossValidator crossValidator(Evaluator evaluator) {
    LogisticRegression lr = new LogisticRegression().setMaxIter(20);
    ParamMap[] grid = new ParamGridBuilder().addGrid(lr.regParam(), new double[] {0.0, 0.1}).build();
    return new CrossValidator().setEstimator(lr).setEstimatorParamMaps(grid).setEvaluator(evaluator)
        .setNumFolds(2).setSeed(7);
  }

  @Test
  void logLossSelectsAndPersistsInCrossValidator() throws IOException {
    LogLossEvaluator evaluator = new LogLossEvaluator().setWeightCol("w").setEps(1e-6);
    CrossValidatorModel model = crossValidator(evaluator).fit(clicks);
    double[] metrics = model.avgMetrics();
    assertEquals(2, metrics.length);
    for (double m : metrics) {
      assertTrue(Double.isFinite(m) && m > 0 && m < Math.log(2), "log loss " + m);
    }
    assertSavesAndLoads(crossValidator(evaluator), model, evaluator);
  }

  @Test
  void groupAucSelectsAndPersistsInCrossValidator() throws IOException {
    GroupAucEvaluator evaluator = new GroupAucEvaluator().setWeightCol("w");
    CrossValidatorModel model = crossValidator(evaluator).fit(clicks);
    double[] metrics = model.avgMetrics();
    assertEquals(2, metrics.length);
    for (double m : metrics) {
      assertTrue(Double.isFinite(m) && m > 0.5 && m <= 1, "GAUC " + m);
    }
    assertSavesAndLoads(crossValidator(evaluator), model, evaluator);
  }

  private void assertSavesAndLoads(CrossValidator cv, CrossValidatorModel model, Evaluator evaluator)
      throws IOException {
    String cvPath = tempDir.resolve("cv").toString();
    cv.save(cvPath);
    CrossValidator loadedCv = CrossValidator.load(cvPath);
    assertInstanceOf(evaluator.getClass(), loadedCv.getEvaluator());
    EvaluatorParamsAssert.assertSameParams(evaluator, loadedCv.getEvaluator());
    assertEquals(2, loadedCv.getEstimatorParamMaps().length);

    String modelPath = tempDir.resolve("cv-model").toString();
    model.save(modelPath);
    CrossValidatorModel loadedModel = CrossValidatorModel.load(modelPath);
    EvaluatorParamsAssert.assertSameParams(evaluator, loadedModel.getEvaluator());
    assertArrayEquals(model.avgMetrics(), loadedModel.avgMetrics(), 0.0);
    assertEquals(evaluator.evaluate(model.transform(clicks)),
        loadedModel.getEvaluator().evaluate(loadedModel.transform(clicks)), 1e-12);
  }

  @Test
  void logLossAgreesWithMllibOnLogisticRegressionOutput() {
    Dataset<Row> predictions = new LogisticRegression().setMaxIter(20).fit(clicks).transform(clicks);
    MulticlassClassificationEvaluator mllib = new MulticlassClassificationEvaluator().setMetricName("logLoss")
        .setEps(1e-15);
    assertEquals(mllib.evaluate(predictions), new LogLossEvaluator().setEps(1e-15).evaluate(predictions), 1e-12);
    mllib.setWeightCol("w");
    assertEquals(mllib.evaluate(predictions),
        new LogLossEvaluator().setEps(1e-15).setWeightCol("w").evaluate(predictions), 1e-12);
  }

  @Test
  void groupAucOfOneGroupIsMllibsExactAuc() {
    LogisticRegressionModel lr = new LogisticRegression().setMaxIter(20).fit(clicks);
    Dataset<Row> predictions = lr.transform(clicks).withColumn("everyone", lit("all"));
    BinaryClassificationEvaluator mllib = new BinaryClassificationEvaluator().setNumBins(0);
    GroupAucEvaluator oneGroup = new GroupAucEvaluator().setGroupCol("everyone");
    assertEquals(mllib.evaluate(predictions), oneGroup.evaluate(predictions), 1e-9);
    assertEquals(mllib.setWeightCol("w").evaluate(predictions), oneGroup.setWeightCol("w").evaluate(predictions),
        1e-9);
  }
}
