package dev.sparkrec.data;

import java.util.Arrays;

/**
 * Draws value indices 0..n-1 with Zipf popularity: P(k) proportional to 1 / (k + 1)^s, so index 0
 * is the most popular. Holds the cumulative table (n doubles); build one per partition.
 */
final class ZipfSampler {

  private final double[] cumulative;

  ZipfSampler(int n, double exponent) {
    if (n < 1) {
      throw new IllegalArgumentException("A Zipf sampler needs at least one value but got n = " + n + ".");
    }
    cumulative = new double[n];
    double total = 0.0;
    for (int k = 0; k < n; k++) {
      total += 1.0 / StrictMath.pow(k + 1.0, exponent); // Zipf weight (k + 1)^-s
      cumulative[k] = total;
    }
    for (int k = 0; k < n; k++) {
      cumulative[k] /= total;
    }
    cumulative[n - 1] = 1.0;
  }

  /** The probability of index {@code k}. */
  double probability(int k) {
    return k == 0 ? cumulative[0] : cumulative[k] - cumulative[k - 1];
  }

  int size() {
    return cumulative.length;
  }

  /** The index whose cumulative interval holds {@code u} in [0, 1). */
  int sample(double u) {
    int found = Arrays.binarySearch(cumulative, u);
    // binarySearch gives -(insertion point) - 1 when u is not a table entry; an exact hit at k
    // belongs to the next interval because intervals are [c(k-1), c(k)).
    int index = found >= 0 ? found + 1 : -found - 1;
    return Math.min(index, cumulative.length - 1);
  }
}
