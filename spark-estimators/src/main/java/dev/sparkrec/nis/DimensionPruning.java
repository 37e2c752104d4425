package dev.sparkrec.nis;

import dev.sparkrec.nn.embedding.FeatureBlocks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns a search into one dimension per block. By threshold, a block keeps every dimension whose selection weight α
 * exceeds it. By budget, as DNIS prunes the searched embeddings with α folded in by magnitude, the (block,
 * dimension) units are taken in descending magnitude {@code mean_{r ∈ b} |E[r, j]·α[b, j]|} (ties: the cheaper
 * block, then block and dimension order) while the stored entries, Σ_b rows(b)·d_b, stay within the budget; a unit
 * that does not fit, or has magnitude 0, is skipped.
 */
final class DimensionPruning {

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
  static int[][] byBudget(List<float[]> magnitudes, List<FeatureBlocks> blocks, int[] maxDims, long budget) {
    record Unit(int table, int block, int dim, float magnitude, long cost) {}
    List<Unit> units = new ArrayList<>();
    int[][] dims = new int[magnitudes.size()][];
    for (int t = 0; t < magnitudes.size(); t++) {
      FeatureBlocks fb = blocks.get(t);
      dims[t] = new int[fb.numBlocks()];
      for (int b = 0; b < fb.numBlocks(); b++) {
        for (int j = 0; j < maxDims[t]; j++) {
          units.add(new Unit(t, b, j, magnitudes.get(t)[b * maxDims[t] + j], fb.blockSize(b)));
        }
      }
    }
    units.sort(Comparator.comparingDouble((Unit u) -> -u.magnitude()).thenComparingLong(Unit::cost)
        .thenComparingInt(Unit::table).thenComparingInt(Unit::block).thenComparingInt(Unit::dim));
    long used = 0;
    for (Unit u : units) {
      if (u.magnitude() > 0 && used + u.cost() <= budget) {
        used += u.cost();
        dims[u.table()][u.block()]++;
      }
    }
    return dims;
  }
}
