package dev.sparkrec.nn.embedding;

import java.io.Serializable;
import java.util.Arrays;

/** The embedding width of every block of a table: block {@code b}'s rows store {@code dims[b]} entries each. */
public record BlockDimensions(FeatureBlocks blocks, int[] dims) implements Serializable {

  public BlockDimensions {
    if (blocks == null || dims == null || dims.length != blocks.numBlocks()) {
      throw new IllegalArgumentException("block dimensions need one dimension per block, got "
          + (dims == null ? "none" : dims.length) + " for " + (blocks == null ? "no blocks" : blocks));
    }
    for (int d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("block dimensions must be >= 0, got " + Arrays.toString(dims));
      }
    }
    dims = dims.clone();
  }

  @Override
  public int[] dims() {
    return dims.clone();
  }

  /** The widest block. */
  public int maxDim() {
    return Arrays.stream(dims).max().orElse(0);
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
    return o instanceof BlockDimensions b && blocks.equals(b.blocks) && Arrays.equals(dims, b.dims);
  }

  @Override
  public int hashCode() {
    return 31 * blocks.hashCode() + Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    return "BlockDimensions" + Arrays.toString(dims);
  }
}
