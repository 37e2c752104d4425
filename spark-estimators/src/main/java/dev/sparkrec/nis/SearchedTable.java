package dev.sparkrec.nis;

import dev.sparkrec.nn.embedding.FeatureBlocks;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * One searched embedding table: its blocks, every row's training frequency, the searched selection weights
 * {@code α (blocks × maxDim)}, the searched table with α folded in ({@code E[r, j]·α[block(r), j]},
 * {@code rows × maxDim}) and the dimension per block it was pruned to. A block keeps its {@code dims[b]} dimensions
 * of largest α (ties: the lower dimension).
 */
record SearchedTable(String table, int maxDim, FeatureBlocks blocks, long[] counts, float[] alpha, float[] folded,
    int[] dims) {

  SearchedTable {
    if (counts.length != blocks.rows() || alpha.length != blocks.numBlocks() * maxDim
        || folded.length != (long) blocks.rows() * maxDim || dims.length != blocks.numBlocks()) {
      throw new IllegalArgumentException("searched table " + table + ": " + counts.length + " counts, "
          + alpha.length + " weights, " + folded.length + " folded entries and " + dims.length
          + " dims do not match " + blocks + " of width " + maxDim);
    }
  }

  /** {@code E ⊙ α[block]} of a searched {@code rows × maxDim} table. */
  static float[] fold(float[] table, float[] alpha, FeatureBlocks blocks, int maxDim) {
    float[] out = new float[table.length];
    for (int r = 0; r < blocks.rows(); r++) {
      int sel = blocks.blockOf(r) * maxDim;
      for (int j = 0; j < maxDim; j++) {
        out[r * maxDim + j] = table[r * maxDim + j] * alpha[sel + j];
      }
    }
    return out;
  }

  /** The mean magnitude {@code mean_{r ∈ b} |E[r, j]·α[b, j]|} of every (block, dimension). */
  float[] magnitude() {
    double[] sums = new double[alpha.length];
    for (int r = 0; r < blocks.rows(); r++) {
      int b = blocks.blockOf(r);
      for (int j = 0; j < maxDim; j++) {
        sums[b * maxDim + j] += Math.abs(folded[r * maxDim + j]);
      }
    }
    float[] out = new float[alpha.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (sums[i] / Math.max(1, blocks.blockSize(i / maxDim)));
    }
    return out;
  }

  /** The dimensions block {@code b} keeps: its {@code dims[b]} of largest α, in increasing order. */
  int[] kept(int b) {
    int[] top = IntStream.range(0, maxDim).boxed()
        .sorted(Comparator.<Integer>comparingDouble(j -> -alpha[b * maxDim + j]).thenComparingInt(j -> j))
        .limit(dims[b]).mapToInt(Integer::intValue).toArray();
    Arrays.sort(top);
    return top;
  }

  SearchedTable withDims(int[] newDims) {
    return new SearchedTable(table, maxDim, blocks, counts, alpha, folded, newDims);
  }

  /** Stored entries before pruning: rows × maxDim. */
  long parametersBefore() {
    return (long) blocks.rows() * maxDim;
  }

  /** Stored entries with the pruned dimensions: Σ_b rows(b)·dims[b]. */
  long parametersAfter() {
    long n = 0;
    for (int b = 0; b < dims.length; b++) {
      n += (long) blocks.blockSize(b) * dims[b];
    }
    return n;
  }
}
