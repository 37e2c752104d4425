package dev.sparkrec.nis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.embedding.FeatureBlocks;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Searched α to a dimension per block, by threshold and by a budget of stored entries. */
class DimensionPruningTest {

  private static final float[] ALPHA = {
      1.0f, 0.9f, 0.6f, 0.5f, // block 0: soft dimension count 3.0
      0.8f, 0.7f, 0.0f, 0.0f, // block 1: 1.5
      0.0f, 0.0f, 0.0f, 0.0f}; // block 2: 0

  /** Blocks of 1, 2 and 5 rows. */
  private static final FeatureBlocks BLOCKS = new FeatureBlocks(3, new int[] {0, 1, 1, 2, 2, 2, 2, 2});

  private static int[] byBudget(long budget) {
    return DimensionPruning.byBudget(List.of(ALPHA), List.of(BLOCKS), new int[] {4}, budget)[0];
  }

  @Test
  void thresholdKeepsTheWeightsAboveIt() {
    assertArrayEquals(new int[] {4, 2, 0}, DimensionPruning.byThreshold(ALPHA, 4, 0.1));
    assertArrayEquals(new int[] {2, 1, 0}, DimensionPruning.byThreshold(ALPHA, 4, 0.75));
  }

  @Test
  void budgetSharesDimensionsInProportionToTheSoftCounts() {
    // s = 4/3 puts block 0 at 4 (cost 4) and block 1 at 2 (cost 4): 8 entries
    assertArrayEquals(new int[] {4, 2, 0}, byBudget(8));
    assertArrayEquals(new int[] {4, 4, 0}, byBudget(1000), "a weightless block gets nothing however large");
    // just below s = 4/3: 3 and 1 (cost 3 + 2 = 5), remainders just below 1, block 1's the larger: with 2 entries
    // left block 1 takes its next dimension, with 1 left only block 0's fits
    assertArrayEquals(new int[] {3, 2, 0}, byBudget(7));
    assertArrayEquals(new int[] {4, 1, 0}, byBudget(6), "block 1's next dimension costs 2");
    assertArrayEquals(new int[] {3, 1, 0}, byBudget(5));
    for (long budget = 0; budget <= 9; budget++) {
      int[] d = byBudget(budget);
      long used = d[0] + 2L * d[1] + 5L * d[2];
      assertTrue(used <= budget, "within budget " + budget + ", used " + used);
      assertTrue(d[0] >= d[1], "the heavier block keeps at least as many dimensions");
    }
    assertEquals(0, byBudget(0)[0]);
  }

  @Test
  void tablesShareOneBudget() {
    FeatureBlocks one = new FeatureBlocks(1, new int[] {0, 0});
    int[][] dims = DimensionPruning.byBudget(List.of(new float[] {1, 1}, new float[] {1, 0}), List.of(one, one),
        new int[] {2, 2}, 6);
    assertArrayEquals(new int[] {2}, dims[0]);
    assertArrayEquals(new int[] {1}, dims[1]);
  }
}
