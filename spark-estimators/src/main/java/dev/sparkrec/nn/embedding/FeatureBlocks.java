package dev.sparkrec.nn.embedding;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A partition of a table's rows into {@code numBlocks} blocks (for input search: features of similar training
 * frequency). Row {@code r} belongs to block {@code blockOfRow[r]}; within its block it has the local index
 * {@link #localRow} (rows of a block in increasing id order).
 */
public final class FeatureBlocks implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int numBlocks;
  private final int[] blockOfRow;
  private final int[] localRow;
  private final int[] blockSizes;

  /** Blocks of {@code blockOfRow.length} rows; every entry must be in {@code [0, numBlocks)}. */
  public FeatureBlocks(int numBlocks, int[] blockOfRow) {
    if (numBlocks < 1 || blockOfRow == null || blockOfRow.length == 0) {
      throw new IllegalArgumentException("feature blocks need at least one block and one row, got " + numBlocks
          + " blocks over " + (blockOfRow == null ? 0 : blockOfRow.length) + " rows");
    }
    this.numBlocks = numBlocks;
    this.blockOfRow = blockOfRow.clone();
    this.localRow = new int[blockOfRow.length];
    this.blockSizes = new int[numBlocks];
    for (int r = 0; r < blockOfRow.length; r++) {
      int b = blockOfRow[r];
      if (b < 0 || b >= numBlocks) {
        throw new IllegalArgumentException("row " + r + " is assigned to block " + b + ", outside [0, " + numBlocks
            + ")");
      }
      localRow[r] = blockSizes[b]++;
    }
  }

  public int numBlocks() {
    return numBlocks;
  }

  public int rows() {
    return blockOfRow.length;
  }

  public int blockOf(int row) {
    return blockOfRow[row];
  }

  /** The index of {@code row} among the rows of its block. */
  public int localRow(int row) {
    return localRow[row];
  }

  /** Rows in block {@code b}. */
  public int blockSize(int b) {
    return blockSizes[b];
  }

  /** The block of every row (a copy). */
  public int[] blockOfRow() {
    return blockOfRow.clone();
  }

  /** Fails with a message naming {@code table} unless these blocks cover exactly {@code rows} rows. */
  void requireRows(String table, int rows) {
    if (rows != blockOfRow.length) {
      throw new IllegalArgumentException("The embedding blocks for table '" + table + "' cover " + blockOfRow.length
          + " rows but the model's table has " + rows + " rows; the blocks were built for a different vocabulary "
          + "(search the dimensions again on this data, or train with the vocabulary they were searched on).");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureBlocks f && numBlocks == f.numBlocks && Arrays.equals(blockOfRow, f.blockOfRow);
  }

  @Override
  public int hashCode() {
    return 31 * numBlocks + Arrays.hashCode(blockOfRow);
  }

  @Override
  public String toString() {
    return "FeatureBlocks[" + numBlocks + " blocks of " + Arrays.toString(blockSizes) + " rows]";
  }
}
