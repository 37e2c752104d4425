package dev.sparkrec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparkrec.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.rdd.RDD;
import org.junit.jupiter.api.Test;
import scala.Product;
import scala.Tuple2;
import scala.Tuple3;

/** BinaryMetrics.auc against Spark's BinaryClassificationMetrics.areaUnderROC (numBins = 0, exact). */
class BinaryMetricsSparkAgreementTest {

  private static JavaSparkContext jsc() {
    return JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
  }

  @Test
  void aucEqualsSparkOnRandomDataWithManyTies() {
    Random random = new Random(2024);
    for (int trial = 0; trial < 6; trial++) {
      int n = 200 + random.nextInt(800);
      int levels = 2 + random.nextInt(12); // few distinct scores: many ties across classes
      double positiveRate = 0.1 + 0.8 * random.nextDouble();
      double[] scores = new double[n];
      double[] labels = new double[n];
      double[] weights = new double[n];
      List<Tuple2<Object, Object>> unweighted = new ArrayList<>();
      List<Tuple3<Object, Object, Object>> weighted = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        scores[i] = random.nextInt(levels) / (double) levels;
        labels[i] = random.nextDouble() < positiveRate ? 1.0 : 0.0;
        weights[i] = 0.1 + 2.9 * random.nextDouble();
        unweighted.add(new Tuple2<>(scores[i], labels[i]));
        weighted.add(new Tuple3<>(scores[i], labels[i], weights[i]));
      }
      double sparkUnweighted = sparkAuc(jsc().parallelize(unweighted, 2).rdd());
      double sparkWeighted = sparkAuc(jsc().parallelize(weighted, 2).rdd());
      assertEquals(sparkUnweighted, BinaryMetrics.auc(scores, labels, n), 1e-9, "trial " + trial);
      assertEquals(sparkWeighted, BinaryMetrics.auc(scores, labels, weights, n), 1e-9, "trial " + trial);
    }
  }

  /**
   * Backs the class documentation: for single-class input Spark 3.5 returns 1.0 (all positive) and
   * 0.0 (all negative), where BinaryMetrics returns NaN.
   */
  @Test
  void sparkSingleClassBehaviourIsAsDocumented() {
    List<Tuple2<Object, Object>> positives = List.of(new Tuple2<>(0.2, 1.0), new Tuple2<>(0.7, 1.0));
    List<Tuple2<Object, Object>> negatives = List.of(new Tuple2<>(0.2, 0.0), new Tuple2<>(0.7, 0.0));
    assertEquals(1.0, sparkAuc(jsc().parallelize(positives, 1).rdd()), 0.0);
    assertEquals(0.0, sparkAuc(jsc().parallelize(negatives, 1).rdd()), 0.0);
  }

  @SuppressWarnings("unchecked")
  private static double sparkAuc(RDD<? extends Product> scoreAndLabels) {
    BinaryClassificationMetrics metrics = new BinaryClassificationMetrics((RDD<Product>) scoreAndLabels, 0);
    try {
      return metrics.areaUnderROC();
    } finally {
      metrics.unpersist();
    }
  }
}
