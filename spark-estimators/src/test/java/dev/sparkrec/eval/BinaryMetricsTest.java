package dev.sparkrec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BinaryMetricsTest {

  private static final double TOL = 1e-12;

  @Test
  void aucCountsATieAcrossClassesAsOneHalf() {
    // positives {0.4, 0.8}, negatives {0.1, 0.4}: 0.4 beats 0.1 (1), ties 0.4 (1/2); 0.8 beats both (2)
    // AUC = (1 + 0.5 + 2) / (2 * 2) = 0.875
    double[] scores = {0.1, 0.4, 0.4, 0.8};
    double[] labels = {0, 0, 1, 1};
    assertEquals(0.875, BinaryMetrics.auc(scores, labels, 4), TOL);
    assertEquals(0.875, BinaryMetrics.auc(new float[] {0.1f, 0.4f, 0.4f, 0.8f}, new float[] {0, 0, 1, 1}, 4), TOL);
  }

  @Test
  void aucOfExtremeOrders() {
    double[] labels = {0, 1, 0, 1};
    assertEquals(1.0, BinaryMetrics.auc(new double[] {1, 5, 2, 7}, labels, 4), TOL);
    assertEquals(0.0, BinaryMetrics.auc(new double[] {5, 1, 7, 2}, labels, 4), TOL);
    assertEquals(0.5, BinaryMetrics.auc(new double[] {3, 3, 3, 3}, labels, 4), TOL);
    // infinite scores are ordered like any other
    assertEquals(1.0, BinaryMetrics.auc(new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0, 1},
        labels, 4), TOL);
  }

  @Test
  void minusZeroAndZeroAreOneTieGroup() {
    // positive at -0.0, negative at 0.0: a tie, AUC 1/2
    assertEquals(0.5, BinaryMetrics.auc(new double[] {-0.0, 0.0}, new double[] {1, 0}, 2), TOL);
    assertEquals(0.5, BinaryMetrics.auc(new float[] {0.0f, -0.0f}, new float[] {1, 0}, 2), TOL);
  }

  @Test
  void weightedAucFromHandComputedFixture() {
    // negatives 0.1 (w 1), 0.4 (w 2); positives 0.4 (w 1), 0.8 (w 3)
    // pos 0.4: beats 0.1 -> 1*1, ties 0.4 -> 1/2 * 1*2 = 1; pos 0.8 beats both -> 3*(1+2) = 9
    // AUC = (1 + 1 + 9) / (W+ W-) = 11 / (4 * 3)
    double[] scores = {0.1, 0.4, 0.4, 0.8};
    double[] labels = {0, 0, 1, 1};
    double[] weights = {1, 2, 1, 3};
    assertEquals(11.0 / 12.0, BinaryMetrics.auc(scores, labels, weights, 4), TOL);
    assertEquals(11.0 / 12.0, BinaryMetrics.auc(new float[] {0.1f, 0.4f, 0.4f, 0.8f}, new float[] {0, 0, 1, 1},
        new float[] {1, 2, 1, 3}, 4), TOL);
    // a zero-weight row changes nothing
    assertEquals(11.0 / 12.0, BinaryMetrics.auc(new double[] {0.1, 0.4, 0.4, 0.8, 0.95},
        new double[] {0, 0, 1, 1, 0}, new double[] {1, 2, 1, 3, 0}, 5), TOL);
  }

  @Test
  void onlyTheFirstNElementsAreRead() {
    double[] scores = {0.1, 0.4, 0.4, 0.8, 0.0, 0.0};
    double[] labels = {0, 0, 1, 1, 1, 7}; // the trailing values are outside n and never read
    assertEquals(0.875, BinaryMetrics.auc(scores, labels, 4), TOL);
  }

  @Test
  void singleClassOrEmptyInputHasNoAuc() {
    assertTrue(Double.isNaN(BinaryMetrics.auc(new double[] {0.1, 0.2}, new double[] {1, 1}, 2)));
    assertTrue(Double.isNaN(BinaryMetrics.auc(new double[] {0.1, 0.2}, new double[] {0, 0}, 2)));
    assertTrue(Double.isNaN(BinaryMetrics.auc(new double[0], new double[0], 0)));
    // both classes, but every positive has weight 0
    assertTrue(Double.isNaN(BinaryMetrics.auc(new double[] {0.1, 0.2}, new double[] {0, 1},
        new double[] {1, 0}, 2)));
  }

  @Test
  void aucMatchesPairCountingOnRandomTiedData() {
    Random random = new Random(11);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + random.nextInt(60);
      double[] scores = new double[n];
      float[] floatScores = new float[n];
      double[] labels = new double[n];
      float[] floatLabels = new float[n];
      double[] weights = new double[n];
      float[] floatWeights = new float[n];
      for (int i = 0; i < n; i++) {
        // few distinct values around 0, with -0.0 and infinities: many ties, signs and extremes
        int level = random.nextInt(9) - 4;
        floatScores[i] = level == 4 ? Float.POSITIVE_INFINITY : level == -4 ? Float.NEGATIVE_INFINITY
            : level == 0 && random.nextBoolean() ? -0.0f : level / 3.0f;
        scores[i] = floatScores[i];
        floatLabels[i] = random.nextBoolean() ? 1 : 0;
        labels[i] = floatLabels[i];
        floatWeights[i] = random.nextInt(4) / 2.0f;
        weights[i] = floatWeights[i];
      }
      double expected = pairCountingAuc(scores, labels, weights);
      double expectedUnweighted = pairCountingAuc(scores, labels, null);
      assertEquals(expected, BinaryMetrics.auc(scores, labels, weights, n), 1e-12, "trial " + trial);
      assertEquals(expected, BinaryMetrics.auc(floatScores, floatLabels, floatWeights, n), 1e-12, "trial " + trial);
      assertEquals(expectedUnweighted, BinaryMetrics.auc(scores, labels, n), 1e-12, "trial " + trial);
      assertEquals(expectedUnweighted, BinaryMetrics.auc(floatScores, floatLabels, n), 1e-12, "trial " + trial);
    }
  }

  /** The definition: sum over positive-negative pairs of w_i w_j ([s_i > s_j] + 1/2 [s_i = s_j]) / (W+ W-). */
  private static double pairCountingAuc(double[] scores, double[] labels, double[] weights) {
    double won = 0;
    double positives = 0;
    double negatives = 0;
    for (int i = 0; i < scores.length; i++) {
      double wi = weights == null ? 1 : weights[i];
      if (labels[i] == 1) {
        positives += wi;
      } else {
        negatives += wi;
      }
      for (int j = 0; j < scores.length; j++) {
        double wj = weights == null ? 1 : weights[j];
        if (labels[i] == 1 && labels[j] == 0) {
          won += wi * wj * (scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0);
        }
      }
    }
    return positives == 0 || negatives == 0 ? Double.NaN : won / (positives * negatives);
  }

  @Test
  void invalidInputIsNamedWithIndexAndValue() {
    IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
        () -> BinaryMetrics.auc(new double[] {0.1, 0.2, 0.3}, new double[] {0, 1, 2}, 3));
    assertTrue(label.getMessage().contains("labels[2] = 2.0"), label.getMessage());
    IllegalArgumentException score = assertThrows(IllegalArgumentException.class,
        () -> BinaryMetrics.auc(new float[] {0.1f, Float.NaN}, new float[] {0, 1}, 2));
    assertTrue(score.getMessage().contains("scores[1] = NaN"), score.getMessage());
    IllegalArgumentException weight = assertThrows(IllegalArgumentException.class,
        () -> BinaryMetrics.auc(new double[] {0.1, 0.2}, new double[] {0, 1}, new double[] {1, -1}, 2));
    assertTrue(weight.getMessage().contains("weights[1] = -1.0"), weight.getMessage());
    IllegalArgumentException probability = assertThrows(IllegalArgumentException.class,
        () -> BinaryMetrics.logLoss(new double[] {0.5, 1.5}, new double[] {0, 1}, 2));
    assertTrue(probability.getMessage().contains("probabilities[1] = 1.5"), probability.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> BinaryMetrics.auc(new double[] {0.1}, new double[] {0, 1}, 2));
    assertThrows(IllegalArgumentException.class,
        () -> BinaryMetrics.logLoss(new double[] {0.5}, new double[] {1}, null, 1, 0.5));
  }

  @Test
  void logLossFromHandComputedFixture() {
    double[] p = {0.9, 0.2, 0.6, 0.3};
    double[] y = {1, 0, 0, 1};
    double expected = -(Math.log(0.9) + Math.log(1 - 0.2) + Math.log(1 - 0.6) + Math.log(0.3)) / 4;
    assertEquals(expected, BinaryMetrics.logLoss(p, y, 4), TOL);
    assertEquals(expected, BinaryMetrics.logLoss(new float[] {0.9f, 0.2f, 0.6f, 0.3f}, new float[] {1, 0, 0, 1}, 4),
        1e-7); // the float inputs differ from the double literals in the 8th digit

    double[] w = {1, 2, 0.5, 3};
    double weighted = -(1 * Math.log(0.9) + 2 * Math.log(1 - 0.2) + 0.5 * Math.log(1 - 0.6) + 3 * Math.log(0.3))
        / (1 + 2 + 0.5 + 3);
    assertEquals(weighted, BinaryMetrics.logLoss(p, y, w, 4, BinaryMetrics.DEFAULT_EPS), TOL);
  }

  @Test
  void logLossClipsCertainProbabilitiesAtEps() {
    double eps = 1e-7;
    // p = 0 with y = 1 and p = 1 with y = 0 cost -log(eps); p = 0 with y = 0 costs -log(1 - eps)
    double[] p = {0.0, 1.0, 0.0, 1.0};
    double[] y = {1, 0, 0, 1};
    double expected = -(Math.log(eps) + Math.log(1 - (1 - eps)) + Math.log(1 - eps) + Math.log(1 - eps)) / 4;
    assertEquals(expected, BinaryMetrics.logLoss(p, y, 4), 1e-9);
    double wider = 0.01;
    double expectedWider = -(Math.log(wider) + Math.log(wider) + 2 * Math.log(1 - wider)) / 4;
    assertEquals(expectedWider, BinaryMetrics.logLoss(p, y, null, 4, wider), TOL);
  }
}
