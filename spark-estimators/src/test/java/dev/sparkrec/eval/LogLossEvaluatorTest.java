package dev.sparkrec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogLossEvaluatorTest {

  private static final double TOL = 1e-12;

  @TempDir
  Path tempDir;

  /** label, probability as a 2-element vector, the same probability as double and as float, weight. */
  private static Dataset<Row> data(double[] labels, double[] p, double[] weights) {
    StructType schema = new StructType()
        .add("label", DataTypes.DoubleType)
        .add("probability", SQLDataTypes.VectorType())
        .add("p", DataTypes.DoubleType)
        .add("pFloat", DataTypes.FloatType)
        .add("w", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < labels.length; i++) {
      rows.add(RowFactory.create(labels[i], Vectors.dense(1 - p[i], p[i]), p[i], (float) p[i], weights[i]));
    }
    return SparkTestSession.get().createDataFrame(rows, schema);
  }

  private static final double[] LABELS = {1, 0, 0, 1};
  private static final double[] P = {0.9, 0.2, 0.6, 0.3};
  private static final double[] W = {1, 2, 0.5, 3};

  @Test
  void unweightedLogLossFromVectorDoubleAndFloatColumns() {
    Dataset<Row> df = data(LABELS, P, W);
    double expected = -(Math.log(0.9) + Math.log(1 - 0.2) + Math.log(1 - 0.6) + Math.log(0.3)) / 4;
    assertEquals(expected, new LogLossEvaluator().evaluate(df), TOL);
    assertEquals(expected, new LogLossEvaluator().setProbabilityCol("p").evaluate(df), TOL);
    // float column: the float values differ from the double literals in the 8th digit
    assertEquals(expected, new LogLossEvaluator().setProbabilityCol("pFloat").evaluate(df), 1e-7);
  }

  @Test
  void weightedLogLoss() {
    double expected = -(1 * Math.log(0.9) + 2 * Math.log(1 - 0.2) + 0.5 * Math.log(1 - 0.6) + 3 * Math.log(0.3))
        / (1 + 2 + 0.5 + 3);
    assertEquals(expected, new LogLossEvaluator().setWeightCol("w").evaluate(data(LABELS, P, W)), TOL);
    // equal to the primitive-array computation used in training loops
    assertEquals(BinaryMetrics.logLoss(P, LABELS, W, 4, BinaryMetrics.DEFAULT_EPS),
        new LogLossEvaluator().setWeightCol("w").evaluate(data(LABELS, P, W)), TOL);
  }

  @Test
  void certainProbabilitiesAreClippedAtEps() {
    double[] labels = {1, 0, 0};
    double[] p = {0.0, 1.0, 0.0};
    Dataset<Row> df = data(labels, p, new double[] {1, 1, 1});
    double eps = 1e-7;
    double expected = -(Math.log(eps) + Math.log(1 - (1 - eps)) + Math.log(1 - eps)) / 3;
    assertEquals(expected, new LogLossEvaluator().setProbabilityCol("p").evaluate(df), 1e-9);
    double wider = 0.01;
    double expectedWider = -(Math.log(wider) + Math.log(wider) + Math.log(1 - wider)) / 3;
    assertEquals(expectedWider, new LogLossEvaluator().setProbabilityCol("p").setEps(wider).evaluate(df), TOL);
  }

  @Test
  void badLabelIsReportedWithColumnAndValue() {
    Dataset<Row> df = data(new double[] {1, 2, 0}, new double[] {0.5, 0.5, 0.5}, new double[] {1, 1, 1});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LogLossEvaluator().evaluate(df));
    assertTrue(e.getMessage().contains("labelCol 'label'"), e.getMessage());
    assertTrue(e.getMessage().contains("2.0"), e.getMessage());
    assertTrue(e.getMessage().contains("1 invalid row"), e.getMessage());
  }

  @Test
  void badProbabilitiesAndWeightsAreReportedWithColumnAndValue() {
    Dataset<Row> outside = data(new double[] {1, 0}, new double[] {0.5, 1.5}, new double[] {1, 1});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LogLossEvaluator().setProbabilityCol("p").evaluate(outside));
    assertTrue(e.getMessage().contains("probabilityCol 'p'") && e.getMessage().contains("1.5"), e.getMessage());

    Dataset<Row> nan = data(new double[] {1, 0}, new double[] {0.5, Double.NaN}, new double[] {1, 1});
    e = assertThrows(IllegalArgumentException.class, () -> new LogLossEvaluator().evaluate(nan));
    assertTrue(e.getMessage().contains("probabilityCol 'probability'") && e.getMessage().contains("NaN"),
        e.getMessage());

    Dataset<Row> negativeWeight = data(new double[] {1, 0}, new double[] {0.5, 0.5}, new double[] {1, -2});
    e = assertThrows(IllegalArgumentException.class,
        () -> new LogLossEvaluator().setWeightCol("w").evaluate(negativeWeight));
    assertTrue(e.getMessage().contains("weightCol 'w'") && e.getMessage().contains("-2.0"), e.getMessage());

    StructType schema = new StructType().add("label", DataTypes.DoubleType)
        .add("probability", SQLDataTypes.VectorType());
    Dataset<Row> threeClasses = SparkTestSession.get().createDataFrame(
        List.of(RowFactory.create(1.0, Vectors.dense(0.2, 0.3, 0.5))), schema);
    e = assertThrows(IllegalArgumentException.class, () -> new LogLossEvaluator().evaluate(threeClasses));
    assertTrue(e.getMessage().contains("2-element") && e.getMessage().contains("[0.2, 0.3, 0.5]"), e.getMessage());
  }

  @Test
  void missingColumnsAreNamed() {
    Dataset<Row> df = data(LABELS, P, W);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LogLossEvaluator().setLabelCol("clicked").evaluate(df));
    assertTrue(e.getMessage().contains("'clicked'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new LogLossEvaluator().setWeightCol("importance").evaluate(df));
    assertTrue(e.getMessage().contains("'importance'"), e.getMessage());
  }

  @Test
  void emptyDatasetFails() {
    Dataset<Row> empty = data(LABELS, P, W).limit(0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LogLossEvaluator().evaluate(empty));
    assertTrue(e.getMessage().contains("no rows"), e.getMessage());
  }

  @Test
  void smallerIsBetterAndCopyKeepsParams() {
    LogLossEvaluator evaluator = new LogLossEvaluator().setWeightCol("w").setEps(1e-5);
    assertFalse(evaluator.isLargerBetter());
    LogLossEvaluator copy = evaluator.copy(ParamMap.empty().put(evaluator.eps().w(0.01)));
    assertNotSame(evaluator, copy);
    assertEquals(evaluator.uid(), copy.uid());
    assertEquals("w", copy.getWeightCol());
    assertEquals(0.01, copy.getEps());
    assertEquals(1e-5, evaluator.getEps());
    assertEquals("", new LogLossEvaluator().getWeightCol());
  }

  @Test
  void savesAndLoadsWithItsParams() throws IOException {
    LogLossEvaluator evaluator = new LogLossEvaluator().setLabelCol("clicked").setProbabilityCol("p")
        .setWeightCol("w").setEps(1e-4);
    String path = tempDir.resolve("logloss").toString();
    evaluator.save(path);
    LogLossEvaluator loaded = LogLossEvaluator.load(path);
    EvaluatorParamsAssert.assertSameParams(evaluator, loaded);

    LogLossEvaluator defaults = new LogLossEvaluator();
    String defaultsPath = tempDir.resolve("defaults").toString();
    defaults.save(defaultsPath);
    EvaluatorParamsAssert.assertSameParams(defaults, LogLossEvaluator.read().load(defaultsPath));

    // metadata of another class is refused
    assertThrows(IllegalArgumentException.class, () -> GroupAucEvaluator.load(path));
  }
}
