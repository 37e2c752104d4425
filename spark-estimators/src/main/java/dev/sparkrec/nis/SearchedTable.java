package dev.sparkrec.nis;

import dev.sparkrec.nn.embedding.BlockDimensions;
import dev.sparkrec.nn.embedding.FeatureBlocks;

/**
 * One searched embedding table: its blocks, every row's training frequency, the searched selection weights
 * {@code α (blocks × maxDim)} and the dimension per block they were pruned to.
 */
record SearchedTable(String table, int maxDim, FeatureBlocks blocks, long[] counts, float[] alpha, int[] dims) {

  SearchedTable {
    if (counts.length != blocks.rows() || alpha.length != blocks.numBlocks() * maxDim
        || dims.length != blocks.numBlocks()) {
      throw new IllegalArgumentException("searched table " + table + ": " + counts.length + " counts, "
          + alpha.length + " weights and " + dims.length + " dims do not match " + blocks + " of width " + maxDim);
    }
  }

  SearchedTable withDims(int[] newDims) {
    return new SearchedTable(table, maxDim, blocks, counts, alpha, newDims);
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
