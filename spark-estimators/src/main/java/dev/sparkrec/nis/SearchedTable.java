package dev.sparkrec.nis;

import dev.sparkrec.nn.embedding.BlockDimensions;
import dev.sparkrec.nn.embedding.FeatureBlocks;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * One searched embedding table: its frequency blocks, every row's training frequency, the searched selection
 * weights {@code α (blocks × maxDim)}, the searched table with α folded in ({@code E[r, j]·α[block(r), j]},
 * {@code rows × maxDim}) and what it was pruned to: {@code pruned}, the searched dimensions every row keeps, as
 * blocks of rows sharing them. Pruned by dimension, these are the frequency blocks, each keeping its {@code d_b}
 * dimensions of largest α; pruned by magnitude, rows keep their own entries and rows keeping the same dimensions
 * share a block.
 */
record SearchedTable(String table, int maxDim, FeatureBlocks blocks, long[] counts, float[] alpha, float[] folded,
    BlockDimensions pruned) {

  SearchedTable {
    if (counts.length != blocks.rows() || alpha.length != blocks.numBlocks() * maxDim
        || folded.length != (long) blocks.rows() * maxDim || pruned.blocks().rows() != blocks.rows()
        || pruned.span() > maxDim) {
      throw new IllegalArgumentException("searched table " + table + ": " + counts.length + " counts, "
          + alpha.length + " weights, " + folded.length + " folded entries and " + pruned
          + " do not match " + blocks + " of width " + maxDim);
    }
  }

  /** A table pruned to nothing yet (every block keeps no dimension), to prune with {@link #withPruned}. */
  static SearchedTable unpruned(String table, int maxDim, FeatureBlocks blocks, long[] counts, float[] alpha,
      float[] folded) {
    return new SearchedTable(table, maxDim, blocks, counts, alpha, folded,
        new BlockDimensions(blocks, new int[blocks.numBlocks()]));
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

  /** The {@code dims[b]} dimensions of largest α of every frequency block (ties: the lower dimension). */
  BlockDimensions keptByAlpha(int[] dims) {
    int[][] kept = new int[dims.length][];
    for (int b = 0; b < dims.length; b++) {
      int block = b;
      kept[b] = IntStream.range(0, maxDim).boxed()
          .sorted(Comparator.<Integer>comparingDouble(j -> -alpha[block * maxDim + j]).thenComparingInt(j -> j))
          .limit(dims[b]).mapToInt(Integer::intValue).sorted().toArray();
    }
    return new BlockDimensions(blocks, kept);
  }

  SearchedTable withPruned(BlockDimensions newPruned) {
    return new SearchedTable(table, maxDim, blocks, counts, alpha, folded, newPruned);
  }

  /** Whether the rows of every frequency block keep the same dimensions (pruning by dimension). */
  boolean prunedByBlock() {
    return pruned.blocks().equals(blocks);
  }

  /** The dimensions row {@code r} keeps, in searched numbering. */
  int[] keptOfRow(int r) {
    return pruned.kept(pruned.blocks().blockOf(r));
  }

  /** Every frequency block's dimension: the most any of its rows keeps. */
  int[] blockDims() {
    int[] dims = new int[blocks.numBlocks()];
    int[] rowDims = pruned.dims();
    for (int r = 0; r < blocks.rows(); r++) {
      int b = blocks.blockOf(r);
      dims[b] = Math.max(dims[b], rowDims[pruned.blocks().blockOf(r)]);
    }
    return dims;
  }

  /** Every frequency block's stored entries: Σ over its rows of the dimensions they keep. */
  long[] blockParameters() {
    long[] n = new long[blocks.numBlocks()];
    int[] rowDims = pruned.dims();
    for (int r = 0; r < blocks.rows(); r++) {
      n[blocks.blockOf(r)] += rowDims[pruned.blocks().blockOf(r)];
    }
    return n;
  }

  /** Stored entries before pruning: rows × maxDim. */
  long parametersBefore() {
    return (long) blocks.rows() * maxDim;
  }

  /** Stored entries after pruning. */
  long parametersAfter() {
    return pruned.parameterCount();
  }

  @Override
  public String toString() {
    return "searched table " + table + " (" + blocks.rows() + " rows, width " + maxDim + ", blocks "
        + Arrays.toString(blockDims()) + ")";
  }
}
