package dev.sparkrec.eval;

import java.util.Arrays;

/**
 * Exact ROC AUC and log loss over primitive arrays, for training loops that evaluate without Spark.
 *
 * <p>Every method reads the first {@code n} elements of its arrays, so buffers can be reused across
 * batches. Labels must be exactly 0 or 1; weights, where given, must be finite and non-negative
 * ({@code null} weights mean every weight is 1). Invalid input fails with an
 * {@link IllegalArgumentException} naming the array, the index and the value.
 *
 * <p><b>AUC</b> is the area under the ROC curve with tied scores forming one threshold, i.e. the
 * trapezoid over each tie group, which is the weighted Mann–Whitney statistic
 * <pre>
 *   AUC = ( sum over positives i and negatives j of w_i w_j ([s_i &gt; s_j] + 1/2 [s_i = s_j]) ) / (W+ W-)
 * </pre>
 * where {@code W+} and {@code W-} are the total positive and negative weight. This equals Spark's
 * {@code BinaryClassificationMetrics.areaUnderROC} with {@code numBins = 0} (tested to 1e-9).
 * Runs in O(n log n): one primitive sort of the scores, then one pass over the tie groups, without
 * boxing.
 *
 * <p>When {@code W+} or {@code W-} is 0 (a single class, or n = 0) the AUC is undefined and these
 * methods return {@code NaN}. Spark 3.5's {@code BinaryClassificationMetrics} instead returns 1.0 when
 * every label is positive and 0.0 when every label is negative; {@code NaN} lets callers such as
 * {@link GroupAucEvaluator} recognise and skip such input.
 *
 * <p><b>Log loss</b> is {@code -(1 / W) * sum_i w_i [y_i log p_i + (1 - y_i) log(1 - p_i)]} with every
 * probability first clipped to {@code [eps, 1 - eps]} (as in scikit-learn's {@code log_loss} and
 * Spark's {@code MulticlassMetrics.logLoss}); {@link #DEFAULT_EPS} is 1e-7, about float precision,
 * so that probabilities computed in {@code float} that round to 0 or 1 give a finite loss. It is
 * {@code NaN} when the total weight is 0.
 */
public final class BinaryMetrics {

  /** Default clipping bound for log loss: probabilities are clipped to [1e-7, 1 - 1e-7]. */
  public static final double DEFAULT_EPS = 1e-7;

  private BinaryMetrics() {}

  /** Exact unweighted ROC AUC of the first {@code n} scores; NaN for single-class input. */
  public static double auc(float[] scores, float[] labels, int n) {
    return auc(scores, labels, null, n);
  }

  /**
   * Exact weighted ROC AUC of the first {@code n} scores ({@code weights} may be null); NaN for single-class input.
   * Sorts one packed {@code long} per score: the score's order-preserving bits above its index.
   */
  public static double auc(float[] scores, float[] labels, float[] weights, int n) {
    checkLengths(n, scores.length, labels.length, weights == null ? n : weights.length);
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      if (Float.isNaN(scores[i])) {
        throw invalid("scores", i, scores[i], "a score must not be NaN");
      }
      keys[i] = ((long) orderedBits(scores[i]) << 32) | i;
    }
    Arrays.sort(keys);
    TieGroupSweep sweep = new TieGroupSweep();
    int k = 0;
    while (k < n) {
      long tieGroup = keys[k] >> 32;
      double positive = 0.0;
      double negative = 0.0;
      do {
        int i = (int) keys[k];
        double w = weights == null ? 1.0 : checkWeight(weights[i], i);
        if (isPositive(labels[i], i)) {
          positive += w;
        } else {
          negative += w;
        }
        k++;
      } while (k < n && keys[k] >> 32 == tieGroup);
      sweep.add(positive, negative);
    }
    return sweep.auc();
  }

  /** Exact unweighted ROC AUC of the first {@code n} scores; NaN for single-class input. */
  public static double auc(double[] scores, double[] labels, int n) {
    return auc(scores, labels, null, n);
  }

  /**
   * Exact weighted ROC AUC of the first {@code n} scores ({@code weights} may be null); NaN for single-class input.
   * Sorts a copy of the scores and finds each score's tie group by binary search.
   */
  public static double auc(double[] scores, double[] labels, double[] weights, int n) {
    checkLengths(n, scores.length, labels.length, weights == null ? n : weights.length);
    double[] distinct = new double[n];
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(scores[i])) {
        throw invalid("scores", i, scores[i], "a score must not be NaN");
      }
      distinct[i] = scores[i] + 0.0; // turns -0.0 into 0.0 so that both form one tie group
    }
    Arrays.sort(distinct);
    int groups = dedupe(distinct);
    double[] positiveWeight = new double[groups];
    double[] negativeWeight = new double[groups];
    for (int i = 0; i < n; i++) {
      int group = Arrays.binarySearch(distinct, 0, groups, scores[i] + 0.0);
      double w = weights == null ? 1.0 : checkWeight(weights[i], i);
      if (isPositive(labels[i], i)) {
        positiveWeight[group] += w;
      } else {
        negativeWeight[group] += w;
      }
    }
    TieGroupSweep sweep = new TieGroupSweep();
    for (int group = 0; group < groups; group++) {
      sweep.add(positiveWeight[group], negativeWeight[group]);
    }
    return sweep.auc();
  }

  /** Unweighted log loss of the first {@code n} probabilities, clipped at {@link #DEFAULT_EPS}. */
  public static double logLoss(float[] probabilities, float[] labels, int n) {
    return logLoss(probabilities, labels, null, n, DEFAULT_EPS);
  }

  /** Weighted log loss ({@code weights} may be null) with probabilities clipped to [eps, 1 - eps], 0 &lt; eps &lt; 0.5. */
  public static double logLoss(float[] probabilities, float[] labels, float[] weights, int n, double eps) {
    checkLengths(n, probabilities.length, labels.length, weights == null ? n : weights.length);
    checkEps(eps);
    double lossSum = 0.0;
    double weightSum = 0.0;
    for (int i = 0; i < n; i++) {
      double w = weights == null ? 1.0 : checkWeight(weights[i], i);
      lossSum += w * pointLoss(checkProbability(probabilities[i], i), isPositive(labels[i], i), eps);
      weightSum += w;
    }
    return lossSum / weightSum;
  }

  /** Unweighted log loss of the first {@code n} probabilities, clipped at {@link #DEFAULT_EPS}. */
  public static double logLoss(double[] probabilities, double[] labels, int n) {
    return logLoss(probabilities, labels, null, n, DEFAULT_EPS);
  }

  /** Weighted log loss ({@code weights} may be null) with probabilities clipped to [eps, 1 - eps], 0 &lt; eps &lt; 0.5. */
  public static double logLoss(double[] probabilities, double[] labels, double[] weights, int n, double eps) {
    checkLengths(n, probabilities.length, labels.length, weights == null ? n : weights.length);
    checkEps(eps);
    double lossSum = 0.0;
    double weightSum = 0.0;
    for (int i = 0; i < n; i++) {
      double w = weights == null ? 1.0 : checkWeight(weights[i], i);
      lossSum += w * pointLoss(checkProbability(probabilities[i], i), isPositive(labels[i], i), eps);
      weightSum += w;
    }
    return lossSum / weightSum;
  }

  /**
   * Accumulates the AUC over tie groups fed in ascending score order: each positive beats the
   * negative weight below its group and ties half of the negative weight in it.
   */
  private static final class TieGroupSweep {
    private double pairsWon;
    private double negativesBelow;
    private double positives;

    void add(double positiveWeight, double negativeWeight) {
      // trapezoid of the tie group: P_g * (N_below + N_g / 2)
      pairsWon += positiveWeight * (negativesBelow + 0.5 * negativeWeight);
      negativesBelow += negativeWeight;
      positives += positiveWeight;
    }

    double auc() {
      if (positives == 0.0 || negativesBelow == 0.0) {
        return Double.NaN;
      }
      return pairsWon / (positives * negativesBelow); // AUC = U / (W+ W-)
    }
  }

  /** The bits of {@code score} as an int that orders like the float, with -0.0 and 0.0 equal. */
  private static int orderedBits(float score) {
    int bits = Float.floatToIntBits(score + 0.0f); // + 0.0f turns -0.0 into 0.0
    return bits ^ ((bits >> 31) & 0x7fffffff); // negative floats: flip the magnitude so larger is smaller
  }

  /** -[y log p + (1 - y) log(1 - p)] with p clipped to [eps, 1 - eps]. */
  private static double pointLoss(double p, boolean positive, double eps) {
    double clipped = Math.min(Math.max(p, eps), 1.0 - eps);
    return positive ? -Math.log(clipped) : -Math.log1p(-clipped);
  }

  /** Moves the distinct values of the sorted {@code values} to its front and returns how many there are. */
  private static int dedupe(double[] values) {
    int count = 0;
    for (int i = 0; i < values.length; i++) {
      if (count == 0 || values[i] != values[count - 1]) {
        values[count++] = values[i];
      }
    }
    return count;
  }

  private static boolean isPositive(double label, int index) {
    if (label == 1.0) {
      return true;
    }
    if (label == 0.0) {
      return false;
    }
    throw invalid("labels", index, label, "a label must be 0 or 1");
  }

  private static double checkWeight(double weight, int index) {
    if (!(weight >= 0.0) || Double.isInfinite(weight)) {
      throw invalid("weights", index, weight, "a weight must be finite and non-negative");
    }
    return weight;
  }

  private static double checkProbability(double p, int index) {
    if (!(p >= 0.0 && p <= 1.0)) {
      throw invalid("probabilities", index, p, "a probability must be in [0, 1]");
    }
    return p;
  }

  private static void checkEps(double eps) {
    if (!(eps > 0.0 && eps < 0.5)) {
      throw new IllegalArgumentException("eps must be in (0, 0.5) but is " + eps + ".");
    }
  }

  private static void checkLengths(int n, int scoresLength, int labelsLength, int weightsLength) {
    if (n < 0 || n > scoresLength || n > labelsLength || n > weightsLength) {
      throw new IllegalArgumentException("n = " + n + " must be in [0, array length]; the arrays have lengths "
          + scoresLength + ", " + labelsLength + " and " + weightsLength + ".");
    }
  }

  private static IllegalArgumentException invalid(String array, int index, double value, String rule) {
    return new IllegalArgumentException(array + "[" + index + "] = " + value + ": " + rule + ".");
  }
}
