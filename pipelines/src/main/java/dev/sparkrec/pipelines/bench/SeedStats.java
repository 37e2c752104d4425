package dev.sparkrec.pipelines.bench;

import java.util.List;

/** Summaries of one figure measured once per model seed: mean, median and sample standard deviation. */
public final class SeedStats {

  private SeedStats() {}

  public static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  public static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** The sample standard deviation (n − 1 in the denominator); NaN for fewer than two values. */
  public static double std(List<Double> values) {
    int n = values.size();
    if (n < 2) {
      return Double.NaN;
    }
    double m = mean(values);
    double sum = 0;
    for (double v : values) {
      sum += (v - m) * (v - m);
    }
    return Math.sqrt(sum / (n - 1));
  }
}
