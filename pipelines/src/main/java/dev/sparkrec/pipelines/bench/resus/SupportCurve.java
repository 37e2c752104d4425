package dev.sparkrec.pipelines.bench.resus;

import dev.sparkrec.eval.BinaryMetrics;
import dev.sparkrec.nn.ops.Sigmoid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A system's query predictions by support size {@code i = 1..maxSupport}, pooled over users: per {@code i} the
 * exact AUC (of the logits) and the log loss (of the probabilities) over every query row of every user, and the
 * same pooled over the cold-start groups of {@link #GROUP_SIZE} support sizes (Cold-start I: {@code i = 1..5}, II:
 * {@code 6..10}, III: {@code 11..15}).
 */
final class SupportCurve {

  /** Support sizes per cold-start group. */
  static final int GROUP_SIZE = 5;

  private final int maxSupport;
  private final double[][] logits;
  private final double[][] labels;
  private final int[] counts;

  SupportCurve(int maxSupport) {
    this.maxSupport = maxSupport;
    logits = new double[maxSupport][16];
    labels = new double[maxSupport][16];
    counts = new int[maxSupport];
  }

  int maxSupport() {
    return maxSupport;
  }

  /** Adds one query row of an episode of support size {@code supportSize}: its logit and its 0/1 label. */
  void add(int supportSize, double logit, double label) {
    int s = supportSize - 1;
    if (counts[s] == logits[s].length) {
      logits[s] = Arrays.copyOf(logits[s], 2 * counts[s]);
      labels[s] = Arrays.copyOf(labels[s], 2 * counts[s]);
    }
    logits[s][counts[s]] = logit;
    labels[s][counts[s]] = label;
    counts[s]++;
  }

  /** Adds every row of {@code other}, after this curve's rows. */
  void addAll(SupportCurve other) {
    for (int s = 0; s < other.maxSupport; s++) {
      for (int r = 0; r < other.counts[s]; r++) {
        add(s + 1, other.logits[s][r], other.labels[s][r]);
      }
    }
  }

  /** Query rows of support size {@code supportSize}. */
  int rows(int supportSize) {
    return counts[supportSize - 1];
  }

  /** AUC over the query rows of support sizes {@code from..to}. */
  double auc(int from, int to) {
    Pooled p = pooled(from, to);
    return BinaryMetrics.auc(p.logits(), p.labels(), p.logits().length);
  }

  /** Log loss over the query rows of support sizes {@code from..to}. */
  double logLoss(int from, int to) {
    Pooled p = pooled(from, to);
    double[] probabilities = new double[p.logits().length];
    for (int r = 0; r < probabilities.length; r++) {
      probabilities[r] = Sigmoid.sigmoid(p.logits()[r]);
    }
    return BinaryMetrics.logLoss(probabilities, p.labels(), probabilities.length);
  }

  /** The mean of the per-support-size AUCs, {@code i = 1..maxSupport}: what validation tuning maximises. */
  double meanAuc() {
    double sum = 0;
    for (int i = 1; i <= maxSupport; i++) {
      sum += auc(i, i);
    }
    return sum / maxSupport;
  }

  /**
   * The JSON metrics: {@code auc_cold_<g>} and {@code logloss_cold_<g>} per group, then {@code auc_by_support} and
   * {@code logloss_by_support} (one number per support size) and {@code query_rows_by_support}.
   */
  Map<String, Object> metrics() {
    Map<String, Object> out = new LinkedHashMap<>();
    int groups = (maxSupport + GROUP_SIZE - 1) / GROUP_SIZE;
    for (int g = 0; g < groups; g++) {
      out.put("auc_cold_" + (g + 1), auc(g * GROUP_SIZE + 1, Math.min(maxSupport, (g + 1) * GROUP_SIZE)));
    }
    for (int g = 0; g < groups; g++) {
      out.put("logloss_cold_" + (g + 1), logLoss(g * GROUP_SIZE + 1, Math.min(maxSupport, (g + 1) * GROUP_SIZE)));
    }
    List<Double> auc = new ArrayList<>();
    List<Double> logLoss = new ArrayList<>();
    List<Integer> rows = new ArrayList<>();
    for (int i = 1; i <= maxSupport; i++) {
      auc.add(auc(i, i));
      logLoss.add(logLoss(i, i));
      rows.add(rows(i));
    }
    out.put("auc_by_support", auc);
    out.put("logloss_by_support", logLoss);
    out.put("query_rows_by_support", rows);
    return out;
  }

  private record Pooled(double[] logits, double[] labels) {}

  private Pooled pooled(int from, int to) {
    int n = 0;
    for (int i = from; i <= to; i++) {
      n += counts[i - 1];
    }
    double[] z = new double[n];
    double[] y = new double[n];
    int at = 0;
    for (int i = from; i <= to; i++) {
      System.arraycopy(logits[i - 1], 0, z, at, counts[i - 1]);
      System.arraycopy(labels[i - 1], 0, y, at, counts[i - 1]);
      at += counts[i - 1];
    }
    return new Pooled(z, y);
  }
}
