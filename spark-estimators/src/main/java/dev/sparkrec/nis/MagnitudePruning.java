package dev.sparkrec.nis;

import dev.sparkrec.nn.embedding.BlockDimensions;
import dev.sparkrec.nn.embedding.FeatureBlocks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * DNIS's pruning of the searched embeddings: fold α into the table ({@code E ⊙ α}) and keep its entries of largest
 * magnitude; every row (feature) keeps its own dimensions. By threshold, the entries whose magnitude exceeds it;
 * by budget, the {@code budget} largest over all tables (ties in table, row and dimension order). An entry of
 * magnitude 0 is never kept. Rows keeping the same dimensions share a block (numbered in row order), so a
 * {@code MixedDimensionEmbedding} stores each row's kept entries only.
 */
final class MagnitudePruning {

  private MagnitudePruning() {}

  static BlockDimensions byThreshold(float[] folded, int rows, int maxDim, double threshold) {
    boolean[] keep = new boolean[folded.length];
    for (int i = 0; i < folded.length; i++) {
      keep[i] = Math.abs(folded[i]) > threshold;
    }
    return grouped(keep, rows, maxDim);
  }

  /** The kept dimensions of several tables sharing one budget of stored entries. */
  static List<BlockDimensions> byBudget(List<float[]> folded, int[] maxDims, long budget) {
    long total = 0;
    for (float[] f : folded) {
      total += f.length;
    }
    List<boolean[]> keep = new ArrayList<>();
    for (float[] f : folded) {
      keep.add(new boolean[f.length]);
    }
    if (budget > 0) {
      float[] all = new float[Math.toIntExact(total)];
      int at = 0;
      for (float[] f : folded) {
        for (float v : f) {
          all[at++] = Math.abs(v);
        }
      }
      Arrays.sort(all);
      float cut = all[(int) Math.max(0, total - budget)]; // the budget-th largest magnitude
      long left = budget;
      for (int pass = 0; pass < 2; pass++) { // first every entry above the cut, then ties at it in order
        for (int t = 0; t < folded.size(); t++) {
          float[] f = folded.get(t);
          boolean[] k = keep.get(t);
          for (int i = 0; i < f.length && left > 0; i++) {
            float m = Math.abs(f[i]);
            boolean take = pass == 0 ? m > cut : m == cut && !k[i];
            if (take && m > 0) {
              k[i] = true;
              left--;
            }
          }
        }
      }
    }
    List<BlockDimensions> out = new ArrayList<>();
    for (int t = 0; t < folded.size(); t++) {
      out.add(grouped(keep.get(t), folded.get(t).length / maxDims[t], maxDims[t]));
    }
    return out;
  }

  /** Rows grouped by the dimensions they keep, blocks numbered by their first row. */
  static BlockDimensions grouped(boolean[] keep, int rows, int maxDim) {
    Map<List<Integer>, Integer> blockOf = new HashMap<>();
    List<int[]> kept = new ArrayList<>();
    int[] blockOfRow = new int[rows];
    for (int r = 0; r < rows; r++) {
      List<Integer> dims = new ArrayList<>();
      for (int j = 0; j < maxDim; j++) {
        if (keep[r * maxDim + j]) {
          dims.add(j);
        }
      }
      Integer b = blockOf.get(dims);
      if (b == null) {
        b = kept.size();
        blockOf.put(dims, b);
        kept.add(dims.stream().mapToInt(Integer::intValue).toArray());
      }
      blockOfRow[r] = b;
    }
    return new BlockDimensions(new FeatureBlocks(kept.size(), blockOfRow), kept.toArray(new int[0][]));
  }
}
