package dev.sparkrec.nis;

import dev.sparkrec.nn.embedding.FeatureBlocks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns searched selection weights {@code α (blocks × maxDim)} into one dimension per block.
 *
 * <p>By threshold (DNIS's pruning): a block keeps every dimension whose α exceeds it.
 *
 * <p>By budget: every block's soft dimension count {@code a_b = Σ_j α[b, j]} (α read as how much of each dimension
 * the block keeps, DNIS's continuous relaxation of its dimension) is scaled by one factor {@code s} shared by all
 * blocks of all tables, {@code d_b = min(maxDim, ⌊s·a_b⌋)}, with the largest {@code s} whose stored entries
 * {@code Σ_b rows(b)·d_b} fit the budget; what the budget still holds then goes, one dimension at a time, to the
 * blocks with the largest remainders {@code s·a_b − d_b} (ties: the cheaper block, then table and block order).
 * Blocks keep their dimensions in proportion to their searched weight, and a block whose α all went to 0 gets none.
 */
final class DimensionPruning {

  private static final int BISECTION_STEPS = 100;

  private DimensionPruning() {}

  static int[] byThreshold(float[] alpha, int maxDim, double threshold) {
    int blocks = alpha.length / maxDim;
    int[] dims = new int[blocks];
    for (int b = 0; b < blocks; b++) {
      for (int j = 0; j < maxDim; j++) {
        if (alpha[b * maxDim + j] > threshold) {
          dims[b]++;
        }
      }
    }
    return dims;
  }

  /** The dimensions of several tables sharing one budget of stored entries. */
  static int[][] byBudget(List<float[]> alphas, List<FeatureBlocks> blocks, int[] maxDims, long budget) {
    int tables = alphas.size();
    double[][] soft = new double[tables][];
    double smallest = Double.POSITIVE_INFINITY;
    for (int t = 0; t < tables; t++) {
      int n = blocks.get(t).numBlocks();
      soft[t] = new double[n];
      for (int b = 0; b < n; b++) {
        for (int j = 0; j < maxDims[t]; j++) {
          soft[t][b] += alphas.get(t)[b * maxDims[t] + j];
        }
        if (soft[t][b] > 0) {
          smallest = Math.min(smallest, soft[t][b] / maxDims[t]);
        }
      }
    }
    int[][] dims = new int[tables][];
    for (int t = 0; t < tables; t++) {
      dims[t] = new int[soft[t].length];
    }
    if (smallest == Double.POSITIVE_INFINITY) {
      return dims; // every weight is 0
    }
    double lo = 0;
    double hi = 1 / smallest; // every block at maxDim
    if (cost(scaled(soft, maxDims, hi), blocks) <= budget) {
      return scaled(soft, maxDims, hi);
    }
    for (int i = 0; i < BISECTION_STEPS; i++) {
      double mid = (lo + hi) / 2;
      if (cost(scaled(soft, maxDims, mid), blocks) <= budget) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    dims = scaled(soft, maxDims, lo);
    long left = budget - cost(dims, blocks);
    record Remainder(int table, int block, double remainder, long cost) {}
    List<Remainder> remainders = new ArrayList<>();
    for (int t = 0; t < tables; t++) {
      for (int b = 0; b < soft[t].length; b++) {
        if (soft[t][b] > 0 && dims[t][b] < maxDims[t]) {
          remainders.add(new Remainder(t, b, lo * soft[t][b] - dims[t][b], blocks.get(t).blockSize(b)));
        }
      }
    }
    remainders.sort(Comparator.comparingDouble((Remainder r) -> -r.remainder()).thenComparingLong(Remainder::cost)
        .thenComparingInt(Remainder::table).thenComparingInt(Remainder::block));
    for (Remainder r : remainders) {
      if (r.cost() <= left) {
        dims[r.table()][r.block()]++;
        left -= r.cost();
      }
    }
    return dims;
  }

  private static int[][] scaled(double[][] soft, int[] maxDims, double s) {
    int[][] dims = new int[soft.length][];
    for (int t = 0; t < soft.length; t++) {
      dims[t] = new int[soft[t].length];
      for (int b = 0; b < soft[t].length; b++) {
        dims[t][b] = (int) Math.min(maxDims[t], Math.floor(s * soft[t][b]));
      }
    }
    return dims;
  }

  private static long cost(int[][] dims, List<FeatureBlocks> blocks) {
    long n = 0;
    for (int t = 0; t < dims.length; t++) {
      for (int b = 0; b < dims[t].length; b++) {
        n += (long) blocks.get(t).blockSize(b) * dims[t][b];
      }
    }
    return n;
  }
}
