package dev.sparkrec.nis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparkrec.nn.embedding.BlockDimensions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The searched table with α folded in, pruned to its entries of largest magnitude, feature by feature. */
class MagnitudePruningTest {

  /** Three rows of width 3. */
  private static final float[] TABLE = {
      0.9f, -0.1f, 0.5f,
      0.0f, 0.2f, -0.7f,
      -0.5f, 0.0f, 0.3f};

  /** A second table: two rows of width 2. */
  private static final float[] OTHER = {
      0.6f, 0.0f,
      -0.2f, 0.5f};

  private static int[][] keptByRow(BlockDimensions d) {
    int rows = d.blocks().rows();
    int[][] out = new int[rows][];
    for (int r = 0; r < rows; r++) {
      out[r] = d.kept(d.blocks().blockOf(r));
    }
    return out;
  }

  @Test
  void thresholdKeepsEveryEntryAboveIt() {
    BlockDimensions d = MagnitudePruning.byThreshold(TABLE, 3, 3, 0.25);
    assertArrayEquals(new int[][] {{0, 2}, {2}, {0, 2}}, keptByRow(d));
    assertEquals(5, d.parameterCount());
    assertEquals(2, d.blocks().numBlocks(), "rows 0 and 2 keep the same dimensions and share a block");
    assertArrayEquals(new int[] {0, 1, 0}, d.blocks().blockOfRow());
  }

  @Test
  void budgetKeepsTheLargestEntriesOverAllTablesWithTiesInOrder() {
    // magnitudes: 0.9, 0.7, 0.6 (other), 0.5, 0.5 (table), 0.5 (other), 0.3, ...
    List<BlockDimensions> four = MagnitudePruning.byBudget(List.of(TABLE, OTHER), new int[] {3, 2}, 4);
    assertArrayEquals(new int[][] {{0, 2}, {2}, {}}, keptByRow(four.get(0)), "the first 0.5 in table order");
    assertArrayEquals(new int[][] {{0}, {}}, keptByRow(four.get(1)));

    List<BlockDimensions> six = MagnitudePruning.byBudget(List.of(TABLE, OTHER), new int[] {3, 2}, 6);
    assertArrayEquals(new int[][] {{0, 2}, {2}, {0}}, keptByRow(six.get(0)));
    assertArrayEquals(new int[][] {{0}, {1}}, keptByRow(six.get(1)));
    assertEquals(6, six.get(0).parameterCount() + six.get(1).parameterCount());
  }

  @Test
  void zeroEntriesAreNeverKept() {
    List<BlockDimensions> all = MagnitudePruning.byBudget(List.of(TABLE, OTHER), new int[] {3, 2}, 100);
    assertEquals(7, all.get(0).parameterCount(), "TABLE has 7 non-zero entries");
    assertEquals(3, all.get(1).parameterCount(), "OTHER has 3");
    assertArrayEquals(new int[][] {{0, 1, 2}, {1, 2}, {0, 2}}, keptByRow(all.get(0)));
  }
}
