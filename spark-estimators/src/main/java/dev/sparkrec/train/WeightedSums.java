package dev.sparkrec.train;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.optim.Optimizer;
import java.io.Serializable;
import java.util.List;

/**
 * The weighted sums one or more partitions contribute to a parameter average: for partitions p with weight
 * w_p (the examples each trained on in the round), Σ w_p θ_p for every dense parameter and its optimizer
 * slots, and, for each sparse-row parameter, the rows any of them touched (sorted) with Σ w_p θ_p,row and
 * Σ w_p over the partitions that touched that row ("sparse deltas": untouched rows are not sent). Also
 * carries the training loss sum, the example count and the most optimizer steps a partition took.
 *
 * <p>Sums are kept in double so that averaging one partition returns its float values exactly.
 */
final class WeightedSums implements Serializable {

  private static final long serialVersionUID = 1L;

  private double weight;
  private long examples;
  private double lossSum;
  private long steps;
  /** One per parameter; null when no partition trained (weight 0). */
  private final ParameterSum[] parameters;

  private WeightedSums(double weight, long examples, double lossSum, long steps, ParameterSum[] parameters) {
    this.weight = weight;
    this.examples = examples;
    this.lossSum = lossSum;
    this.steps = steps;
    this.parameters = parameters;
  }

  /** The contribution of a partition that trained on nothing this round. */
  static WeightedSums empty() {
    return new WeightedSums(0, 0, 0, 0, null);
  }

  /**
   * The contribution of one partition that trained on {@code examples} examples: its parameters and slots
   * times the weight {@code examples}; of each sparse-row parameter only {@code touchedRows[i]} (sorted table
   * rows, read from their slots in a compact table).
   */
  static WeightedSums ofPartition(long examples, double lossSum, long steps, List<Parameter> model,
      Optimizer optimizer, int[][] touchedRows) {
    double w = examples;
    ParameterSum[] sums = new ParameterSum[model.size()];
    for (int i = 0; i < sums.length; i++) {
      Parameter p = model.get(i);
      List<float[]> slots = optimizer.slots(p);
      double[][] slotSums = new double[slots.size()][];
      if (!p.isSparseRows()) {
        double[] values = scaled(p.data(), 0, p.size(), w);
        for (int k = 0; k < slotSums.length; k++) {
          slotSums[k] = scaled(slots.get(k), 0, p.size(), w);
        }
        sums[i] = new ParameterSum(null, null, values, slotSums);
      } else {
        int d = p.rowSize();
        int[] rows = touchedRows[i];
        double[] rowWeights = new double[rows.length];
        double[] values = new double[rows.length * d];
        for (int k = 0; k < slotSums.length; k++) {
          slotSums[k] = new double[rows.length * d];
        }
        for (int r = 0; r < rows.length; r++) {
          rowWeights[r] = w;
          int at = p.slot(rows[r]) * d;
          for (int j = 0; j < d; j++) {
            values[r * d + j] = w * p.data()[at + j];
            for (int k = 0; k < slotSums.length; k++) {
              slotSums[k][r * d + j] = w * slots.get(k)[at + j];
            }
          }
        }
        sums[i] = new ParameterSum(rows, rowWeights, values, slotSums);
      }
    }
    return new WeightedSums(w, examples, lossSum, steps, sums);
  }

  private static double[] scaled(float[] x, int from, int to, double w) {
    double[] out = new double[to - from];
    for (int j = from; j < to; j++) {
      out[j - from] = w * x[j];
    }
    return out;
  }

  /**
   * {@code a + b}, in that order: element sums are {@code a}'s plus {@code b}'s, so merging children in a
   * fixed order gives the same floating-point result every time. May reuse {@code a}'s arrays.
   */
  static WeightedSums merge(WeightedSums a, WeightedSums b) {
    if (b.parameters == null) {
      a.examples += b.examples;
      return a;
    }
    if (a.parameters == null) {
      b.examples += a.examples;
      return b;
    }
    for (int i = 0; i < a.parameters.length; i++) {
      a.parameters[i] = ParameterSum.merge(a.parameters[i], b.parameters[i]);
    }
    a.weight += b.weight;
    a.examples += b.examples;
    a.lossSum += b.lossSum;
    a.steps = Math.max(a.steps, b.steps);
    return a;
  }

  /** Σ w_p over the partitions that trained. */
  double weight() {
    return weight;
  }

  long examples() {
    return examples;
  }

  /** Σ over batches of (batch mean loss × batch size). */
  double lossSum() {
    return lossSum;
  }

  /** The most optimizer steps one partition took. */
  long steps() {
    return steps;
  }

  ParameterSum parameter(int i) {
    return parameters[i];
  }

  /** Replaces the sums of parameter {@code i} (a partition's own sums, before any merge). */
  void setParameter(int i, ParameterSum sum) {
    parameters[i] = sum;
  }

  /** The number of parameters summed (a contribution that {@link #trained}). */
  int parameterCount() {
    return parameters.length;
  }

  /** Whether any partition trained (an empty contribution has no parameter sums). */
  boolean trained() {
    return parameters != null;
  }

  /** The weighted sums of one parameter: dense ({@code rows == null}) or over the listed rows. */
  static final class ParameterSum implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int[] rows;
    private final double[] rowWeights;
    private final double[] values;
    private final double[][] slots;

    ParameterSum(int[] rows, double[] rowWeights, double[] values, double[][] slots) {
      this.rows = rows;
      this.rowWeights = rowWeights;
      this.values = values;
      this.slots = slots;
    }

    /** {@code a + b}: element-wise for dense sums, a merge of the two sorted row lists for sparse ones. */
    static ParameterSum merge(ParameterSum a, ParameterSum b) {
      if (a.rows == null) {
        addInto(a.values, b.values);
        for (int k = 0; k < a.slots.length; k++) {
          addInto(a.slots[k], b.slots[k]);
        }
        return a;
      }
      int d = a.rows.length > 0 ? a.values.length / a.rows.length
          : b.rows.length > 0 ? b.values.length / b.rows.length : 0;
      int n = countUnion(a.rows, b.rows);
      int[] rows = new int[n];
      double[] rowWeights = new double[n];
      double[] values = new double[n * d];
      double[][] slots = new double[a.slots.length][n * d];
      int i = 0;
      int j = 0;
      for (int r = 0; r < n; r++) {
        boolean fromA = j >= b.rows.length || (i < a.rows.length && a.rows[i] <= b.rows[j]);
        boolean fromB = i >= a.rows.length || (j < b.rows.length && b.rows[j] <= a.rows[i]);
        rows[r] = fromA ? a.rows[i] : b.rows[j];
        for (int c = 0; c < d; c++) {
          double v = 0;
          if (fromA) {
            v += a.values[i * d + c];
          }
          if (fromB) {
            v += b.values[j * d + c];
          }
          values[r * d + c] = v;
          for (int k = 0; k < slots.length; k++) {
            double s = 0;
            if (fromA) {
              s += a.slots[k][i * d + c];
            }
            if (fromB) {
              s += b.slots[k][j * d + c];
            }
            slots[k][r * d + c] = s;
          }
        }
        rowWeights[r] = (fromA ? a.rowWeights[i] : 0) + (fromB ? b.rowWeights[j] : 0);
        if (fromA) {
          i++;
        }
        if (fromB) {
          j++;
        }
      }
      return new ParameterSum(rows, rowWeights, values, slots);
    }

    private static int countUnion(int[] a, int[] b) {
      int i = 0;
      int j = 0;
      int n = 0;
      while (i < a.length || j < b.length) {
        if (j >= b.length || (i < a.length && a[i] < b[j])) {
          i++;
        } else if (i >= a.length || b[j] < a[i]) {
          j++;
        } else {
          i++;
          j++;
        }
        n++;
      }
      return n;
    }

    private static void addInto(double[] target, double[] x) {
      for (int k = 0; k < target.length; k++) {
        target[k] += x[k];
      }
    }

    /** Sorted touched rows, or null for a dense parameter. */
    int[] rows() {
      return rows;
    }

    double[] rowWeights() {
      return rowWeights;
    }

    double[] values() {
      return values;
    }

    double[][] slots() {
      return slots;
    }
  }
}
