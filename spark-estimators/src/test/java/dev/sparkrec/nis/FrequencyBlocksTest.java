package dev.sparkrec.nis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparkrec.nn.embedding.FeatureBlocks;
import org.junit.jupiter.api.Test;

/** Blocks by training frequency: ranking, fractions, remainders and degenerate sizes. */
class FrequencyBlocksTest {

  @Test
  void ranksByDescendingCountThenId() {
    assertArrayEquals(new int[] {2, 0, 3, 1}, FrequencyBlocks.ranking(new long[] {5, 1, 9, 5}));
  }

  @Test
  void cutsTheRankingAtTheFractions() {
    long[] counts = {1, 100, 50, 3, 70, 0, 8, 20, 2, 9};
    FeatureBlocks blocks = FrequencyBlocks.cut(counts, new double[] {0.2, 0.3, 0.5});
    // ranking: 1(100) 4(70) | 2(50) 7(20) 9(9) | 6(8) 3(3) 8(2) 0(1) 5(0)
    assertArrayEquals(new int[] {2, 0, 1, 2, 0, 2, 2, 1, 2, 1}, blocks.blockOfRow());
    assertEquals(2, blocks.blockSize(0));
    assertEquals(3, blocks.blockSize(1));
    assertEquals(5, blocks.blockSize(2));
  }

  @Test
  void everyBlockHoldsARowAndBlocksNeverOutnumberRows() {
    FeatureBlocks tiny = FrequencyBlocks.cut(new long[] {3, 2, 1}, FrequencyBlocks.equalFractions(10));
    assertEquals(3, tiny.numBlocks());
    FeatureBlocks skewed = FrequencyBlocks.cut(new long[] {9, 8, 7, 6, 5}, new double[] {0.01, 0.01, 0.98});
    assertArrayEquals(new int[] {0, 1, 2, 2, 2}, skewed.blockOfRow());
  }
}
