package dev.sparkrec.nis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.embedding.FeatureBlocks;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Searched α to a dimension per block, by threshold and by a budget of stored entries. */
class DimensionPruningTest {

  private static final float[] ALPHA = {
      1.0f, 0.9f, 0.6f, 0.0f, // block 0
      0.8f, 0.05f, 0.0f, 0.0f, // block 1
      0.2f, 0.0f, 0.0f, 0.0f}; // block 2

  @Test
  void thresholdKeepsTheWeightsAboveIt() {
    assertArrayEquals(new int[] {3, 1, 1}, DimensionPruning.byThreshold(ALPHA, 4, 0.1));
    assertArrayEquals(new int[] {2, 1, 0}, DimensionPruning.byThreshold(ALPHA, 4, 0.7));
  }

  @Test
  void budgetTakesUnitsByDescendingMagnitudeWhileTheyFit() {
    FeatureBlocks blocks = new FeatureBlocks(3, new int[] {0, 1, 1, 2, 2, 2, 2, 2}); // 1, 2 and 5 rows
    // units by magnitude: b0(1.0,c1) b0(.9,c1) b1(.8,c2) b0(.6,c1) b2(.2,c5) b1(.05,c2); zeros never
    assertArrayEquals(new int[] {3, 1, 0},
        DimensionPruning.byBudget(List.of(ALPHA), List.of(blocks), new int[] {4}, 5)[0]);
    assertArrayEquals(new int[] {3, 1, 1},
        DimensionPruning.byBudget(List.of(ALPHA), List.of(blocks), new int[] {4}, 10)[0]);
    assertArrayEquals(new int[] {3, 2, 1},
        DimensionPruning.byBudget(List.of(ALPHA), List.of(blocks), new int[] {4}, 1000)[0]);
    int[] dims = DimensionPruning.byBudget(List.of(ALPHA), List.of(blocks), new int[] {4}, 7)[0];
    long used = dims[0] + 2L * dims[1] + 5L * dims[2];
    assertTrue(used <= 7, "within budget, used " + used);
  }
}
