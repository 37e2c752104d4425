package dev.sparkrec.nn.embedding;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The embedding width of every block of a table, and where its entries sit in the model width: block {@code b}'s
 * rows store {@code dims[b]} entries each, placed at the model dimensions {@code kept[b]} (strictly increasing;
 * by default the leading ones, {@code 0 .. dims[b] − 1}).
 */
public final class BlockDimensions implements Serializable {

  private static final long serialVersionUID = 1L;

  private final FeatureBlocks blocks;
  private final int[] dims;
  private final int[][] kept;

  /** Every block keeps its leading {@code dims[b]} dimensions. */
  public BlockDimensions(FeatureBlocks blocks, int[] dims) {
    this(blocks, prefixes(dims));
  }

  /** Block {@code b} keeps the model dimensions {@code kept[b]} (strictly increasing, >= 0). */
  public BlockDimensions(FeatureBlocks blocks, int[][] kept) {
    if (blocks == null || kept == null || kept.length != blocks.numBlocks()) {
      throw new IllegalArgumentException("block dimensions need the kept dimensions of every block, got "
          + (kept == null ? "none" : kept.length) + " for " + (blocks == null ? "no blocks" : blocks));
    }
    this.blocks = blocks;
    this.kept = new int[kept.length][];
    this.dims = new int[kept.length];
    for (int b = 0; b < kept.length; b++) {
      int[] k = kept[b] == null ? new int[0] : kept[b].clone();
      for (int i = 0; i < k.length; i++) {
        if (k[i] < 0 || (i > 0 && k[i] <= k[i - 1])) {
          throw new IllegalArgumentException("the kept dimensions of block " + b + " must be >= 0 and strictly "
              + "increasing, got " + Arrays.toString(k));
        }
      }
      this.kept[b] = k;
      this.dims[b] = k.length;
    }
  }

  private static int[][] prefixes(int[] dims) {
    if (dims == null) {
      return null;
    }
    int[][] kept = new int[dims.length][];
    for (int b = 0; b < dims.length; b++) {
      if (dims[b] < 0) {
        throw new IllegalArgumentException("block dimensions must be >= 0, got " + Arrays.toString(dims));
      }
      kept[b] = new int[dims[b]];
      for (int j = 0; j < dims[b]; j++) {
        kept[b][j] = j;
      }
    }
    return kept;
  }

  public FeatureBlocks blocks() {
    return blocks;
  }

  /** Every block's width (a copy). */
  public int[] dims() {
    return dims.clone();
  }

  /** The model dimensions block {@code b} keeps (a copy). */
  public int[] kept(int b) {
    return kept[b].clone();
  }

  /** The widest block. */
  public int maxDim() {
    return Arrays.stream(dims).max().orElse(0);
  }

  /** The highest model dimension any block keeps, plus one: the narrowest model width these dimensions fit. */
  public int span() {
    int span = 0;
    for (int[] k : kept) {
      if (k.length > 0) {
        span = Math.max(span, k[k.length - 1] + 1);
      }
    }
    return span;
  }

  /** Stored entries: Σ_b rows(b)·dims[b]. */
  public long parameterCount() {
    long n = 0;
    for (int b = 0; b < dims.length; b++) {
      n += (long) blocks.blockSize(b) * dims[b];
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockDimensions b && blocks.equals(b.blocks) && Arrays.deepEquals(kept, b.kept);
  }

  @Override
  public int hashCode() {
    return 31 * blocks.hashCode() + Arrays.deepHashCode(kept);
  }

  @Override
  public String toString() {
    return "BlockDimensions" + Arrays.toString(dims);
  }
}
