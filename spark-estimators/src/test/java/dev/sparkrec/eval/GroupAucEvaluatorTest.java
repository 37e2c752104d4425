package dev.sparkrec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.lit;

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

class GroupAucEvaluatorTest {

  private static final double TOL = 1e-12;

  @TempDir
  Path tempDir;

  private static final StructType SCHEMA = new StructType()
      .add("user", DataTypes.StringType)
      .add("label", DataTypes.DoubleType)
      .add("score", DataTypes.DoubleType)
      .add("w", DataTypes.DoubleType);

  /**
   * Five users, hand-computed (pos = label 1, neg = label 0):
   * <pre>
   * a: neg 0.1 (w 1), neg 0.4 (w 2), pos 0.4 (w 1), pos 0.8 (w 3)
   *    unweighted AUC = (1 + 1/2 + 2) / 4 = 0.875                 rows 4
   *    weighted   AUC = (1*1 + 1/2*1*2 + 3*3) / (4 * 3) = 11/12   weight 7
   * b: pos 0.7 (w 2), neg 0.3 (w 1), neg 0.7 (w 0.5)
   *    unweighted AUC = (1 + 1/2) / 2 = 0.75                      rows 3
   *    weighted   AUC = (2*1 + 1/2*2*0.5) / (2 * 1.5) = 5/6       weight 3.5
   * c: two positives only -> skipped
   * d: one negative only -> skipped
   * e: pos 0.5 (w 0), neg 0.2 (w 1)
   *    unweighted AUC = 1                                         rows 2
   *    weighted: the positive has weight 0 -> skipped
   * unweighted GAUC = (4*0.875 + 3*0.75 + 2*1) / (4 + 3 + 2) = 7.75 / 9
   * weighted   GAUC = (7*11/12 + 3.5*5/6) / (7 + 3.5) = (28/3) / 10.5 = 8/9
   * </pre>
   */
  private static Dataset<Row> fixture() {
    List<Row> rows = List.of(
        RowFactory.create("a", 0.0, 0.1, 1.0),
        RowFactory.create("a", 0.0, 0.4, 2.0),
        RowFactory.create("a", 1.0, 0.4, 1.0),
        RowFactory.create("a", 1.0, 0.8, 3.0),
        RowFactory.create("b", 1.0, 0.7, 2.0),
        RowFactory.create("b", 0.0, 0.3, 1.0),
        RowFactory.create("b", 0.0, 0.7, 0.5),
        RowFactory.create("c", 1.0, 0.6, 1.0),
        RowFactory.create("c", 1.0, 0.2, 1.0),
        RowFactory.create("d", 0.0, 0.9, 1.0),
        RowFactory.create("e", 1.0, 0.5, 0.0),
        RowFactory.create("e", 0.0, 0.2, 1.0));
    return SparkTestSession.get().createDataFrame(rows, SCHEMA);
  }

  @Test
  void unweightedGaucIsTheRowWeightedMeanOverTwoClassUsers() {
    GroupAucResult result = new GroupAucEvaluator().setRawPredictionCol("score").evaluateDetailed(fixture());
    assertEquals(7.75 / 9, result.groupAuc(), TOL);
    assertEquals(3, result.evaluatedGroups());
    assertEquals(2, result.skippedGroups());
    assertEquals(9.0, result.evaluatedWeight(), TOL);
    assertEquals(7.75 / 9, new GroupAucEvaluator().setRawPredictionCol("score").evaluate(fixture()), TOL);
  }

  @Test
  void weightedGaucUsesWeightedAucAndWeightSums() {
    GroupAucResult result = new GroupAucEvaluator().setRawPredictionCol("score").setWeightCol("w")
        .evaluateDetailed(fixture());
    assertEquals(8.0 / 9, result.groupAuc(), TOL);
    assertEquals(2, result.evaluatedGroups());
    assertEquals(3, result.skippedGroups());
    assertEquals(10.5, result.evaluatedWeight(), TOL);
  }

  @Test
  void vectorScoresUseElementOneAndMonotoneTransformsDoNotMatter() {
    StructType schema = new StructType().add("user", DataTypes.LongType).add("label", DataTypes.IntegerType)
        .add("rawPrediction", SQLDataTypes.VectorType());
    List<Row> rows = new ArrayList<>();
    for (Row r : fixture().collectAsList()) {
      long user = r.getString(0).charAt(0);
      double s = r.getDouble(2);
      rows.add(RowFactory.create(user, (int) r.getDouble(1), Vectors.dense(-s, s)));
    }
    Dataset<Row> df = SparkTestSession.get().createDataFrame(rows, schema);
    assertEquals(7.75 / 9, new GroupAucEvaluator().evaluate(df), TOL);

    Dataset<Row> logits = fixture().withColumn("logit", log(col("score").divide(lit(1.0).minus(col("score")))));
    assertEquals(7.75 / 9, new GroupAucEvaluator().setRawPredictionCol("logit").evaluate(logits), TOL);
  }

  @Test
  void manyGroupsAcrossPartitionsMatchPerGroupBinaryMetrics() {
    // 40 users with 3..12 rows each over 4 shuffle partitions; expected from BinaryMetrics per user
    java.util.Random random = new java.util.Random(5);
    List<Row> rows = new ArrayList<>();
    double weightedSum = 0;
    double weightSum = 0;
    int skipped = 0;
    for (int u = 0; u < 40; u++) {
      int n = 3 + random.nextInt(10);
      double[] scores = new double[n];
      double[] labels = new double[n];
      for (int i = 0; i < n; i++) {
        scores[i] = random.nextInt(4) / 4.0;
        labels[i] = random.nextInt(3) == 0 ? 1 : 0;
        rows.add(RowFactory.create("user" + u, labels[i], scores[i], 1.0));
      }
      double auc = BinaryMetrics.auc(scores, labels, n);
      if (Double.isNaN(auc)) {
        skipped++;
      } else {
        weightedSum += n * auc;
        weightSum += n;
      }
    }
    GroupAucResult result = new GroupAucEvaluator().setRawPredictionCol("score")
        .evaluateDetailed(SparkTestSession.get().createDataFrame(rows, SCHEMA));
    assertTrue(skipped > 0, "the fixture should hold single-class users");
    assertEquals(weightedSum / weightSum, result.groupAuc(), TOL);
    assertEquals(40 - skipped, result.evaluatedGroups());
    assertEquals(skipped, result.skippedGroups());
  }

  @Test
  void everyUserSingleClassIsAClearError() {
    Dataset<Row> df = fixture().where("user IN ('c', 'd')");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GroupAucEvaluator().setRawPredictionCol("score").evaluate(df));
    assertTrue(e.getMessage().contains("none of the 2 group(s)") && e.getMessage().contains("'user'"),
        e.getMessage());
  }

  @Test
  void badValuesAreReportedWithColumnAndValue() {
    Dataset<Row> badLabel = fixture().union(SparkTestSession.get().createDataFrame(
        List.of(RowFactory.create("a", 2.0, 0.5, 1.0)), SCHEMA));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GroupAucEvaluator().setRawPredictionCol("score").evaluate(badLabel));
    assertTrue(e.getMessage().contains("labelCol 'label'") && e.getMessage().contains("2.0"), e.getMessage());

    Dataset<Row> nullUser = fixture().union(SparkTestSession.get().createDataFrame(
        List.of(RowFactory.create(null, 1.0, 0.5, 1.0)), SCHEMA));
    e = assertThrows(IllegalArgumentException.class,
        () -> new GroupAucEvaluator().setRawPredictionCol("score").evaluate(nullUser));
    assertTrue(e.getMessage().contains("groupCol 'user'") && e.getMessage().contains("null"), e.getMessage());

    Dataset<Row> nanScore = fixture().union(SparkTestSession.get().createDataFrame(
        List.of(RowFactory.create("b", 1.0, Double.NaN, 1.0)), SCHEMA));
    e = assertThrows(IllegalArgumentException.class,
        () -> new GroupAucEvaluator().setRawPredictionCol("score").evaluate(nanScore));
    assertTrue(e.getMessage().contains("rawPredictionCol 'score'") && e.getMessage().contains("NaN"),
        e.getMessage());
  }

  @Test
  void missingColumnsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GroupAucEvaluator().evaluate(fixture()));
    assertTrue(e.getMessage().contains("'rawPrediction'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new GroupAucEvaluator().setRawPredictionCol("score").setGroupCol("session").evaluate(fixture()));
    assertTrue(e.getMessage().contains("'session'"), e.getMessage());
  }

  @Test
  void largerIsBetterAndCopyKeepsParams() {
    GroupAucEvaluator evaluator = new GroupAucEvaluator().setGroupCol("session").setWeightCol("w");
    assertTrue(evaluator.isLargerBetter());
    GroupAucEvaluator copy = evaluator.copy(ParamMap.empty().put(evaluator.labelCol().w("clicked")));
    assertEquals(evaluator.uid(), copy.uid());
    assertEquals("session", copy.getGroupCol());
    assertEquals("w", copy.getWeightCol());
    assertEquals("clicked", copy.getLabelCol());
    assertEquals("label", evaluator.getLabelCol());
  }

  @Test
  void savesAndLoadsWithItsParams() throws IOException {
    GroupAucEvaluator evaluator = new GroupAucEvaluator().setGroupCol("session").setLabelCol("clicked")
        .setRawPredictionCol("score").setWeightCol("w");
    String path = tempDir.resolve("gauc").toString();
    evaluator.save(path);
    assertThrows(IOException.class, () -> evaluator.save(path), "saving twice without overwrite() must fail");
    evaluator.write().overwrite().save(path);
    EvaluatorParamsAssert.assertSameParams(evaluator, GroupAucEvaluator.load(path));

    GroupAucEvaluator defaults = new GroupAucEvaluator();
    String defaultsPath = tempDir.resolve("defaults").toString();
    defaults.save(defaultsPath);
    EvaluatorParamsAssert.assertSameParams(defaults, GroupAucEvaluator.read().load(defaultsPath));
  }
}
