package dev.sparkrec.nis;

import dev.sparkrec.nn.embedding.BlockDimensions;
import dev.sparkrec.nn.embedding.FeatureBlocks;

/**
 * One searched embedding table: its blocks, every row's training frequency, the searched selection weights
 * {@code α (blocks × maxDim)}, the magnitude of every (block, dimension) unit of the searched embeddings with α
 * folded in ({@code mean_{r ∈ b} |E[r, j]·α[b, j]|}) and the dimension per block they were pruned to.
 */
record SearchedTable(String table, int maxDim, FeatureBlocks blocks, long[] counts, float[] alpha, float[] magnitude,
    int[] dims) {

  SearchedTable {
    if (counts.length != blocks.rows() || alpha.length != blocks.numBlocks() * maxDim
        || magnitude.length != alpha.length || dims.length != blocks.numBlocks()) {
      throw new IllegalArgumentException("searched table " + table + ": " + counts.length + " counts, "
          + alpha.length + " weights, " + magnitude.length + " magnitudes and " + dims.length
          + " dims do not match " + blocks + " of width " + maxDim);
    }
  }

  /** The folded magnitudes {@code mean_{r ∈ b} |E[r, j]·α[b, j]|} of a searched {@code rows × maxDim} table. */
  static float[] magnitudes(float[] table, float[] alpha, FeatureBlocks blocks, int maxDim) {
    double[] sums = new double[alpha.length];
    for (int r = 0; r < blocks.rows(); r++) {
      int b = blocks.blockOf(r);
      for (int j = 0; j < maxDim; j++) {
        sums[b * maxDim + j] += Math.abs((double) table[r * maxDim + j] * alpha[b * maxDim + j]);
      }
    }
    float[] out = new float[alpha.length];
    for (int b = 0; b < blocks.numBlocks(); b++) {
      for (int j = 0; j < maxDim; j++) {
        out[b * maxDim + j] = (float) (sums[b * maxDim + j] / Math.max(1, blocks.blockSize(b)));
      }
    }
    return out;
  }

  SearchedTable withDims(int[] newDims) {
    return new SearchedTable(table, maxDim, blocks, counts, alpha, magnitude, newDims);
  }

  BlockDimensions blockDimensions() {
    return new BlockDimensions(blocks, dims);
  }

  /** Stored entries before pruning: rows × maxDim. */
  long parametersBefore() {
    return (long) blocks.rows() * maxDim;
  }

  long parametersAfter() {
    return blockDimensions().parameterCount();
  }
}
