package dev.sparkrec.nis;

import dev.sparkrec.nn.embedding.FeatureBlocks;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Cuts a table's rows into blocks by training frequency, as DNIS does after remapping ids by descending frequency:
 * rows are ranked by count (descending, ties by id), and block {@code b} takes the next {@code fractions[b]} share of
 * the ranks (the last block takes the remainder). Every block holds at least one row.
 */
final class FrequencyBlocks {

  private FrequencyBlocks() {}

  /** Equal fractions for {@code numBlocks} blocks. */
  static double[] equalFractions(int numBlocks) {
    double[] f = new double[numBlocks];
    Arrays.fill(f, 1.0 / numBlocks);
    return f;
  }

  /** The rows of {@code counts} in rank order: most frequent first, ties by smaller id. */
  static int[] ranking(long[] counts) {
    return IntStream.range(0, counts.length).boxed()
        .sorted(Comparator.<Integer>comparingLong(r -> -counts[r]).thenComparingInt(r -> r))
        .mapToInt(Integer::intValue).toArray();
  }

  /** Blocks of {@code counts.length} rows cut at the cumulative {@code fractions} of the ranking. */
  static FeatureBlocks cut(long[] counts, double[] fractions) {
    int rows = counts.length;
    int blocks = Math.min(fractions.length, rows);
    int[] rank = ranking(counts);
    int[] blockOfRow = new int[rows];
    double cumulative = 0;
    int start = 0;
    for (int b = 0; b < blocks; b++) {
      cumulative += fractions[b];
      int end = b == blocks - 1 ? rows : (int) Math.round(cumulative * rows);
      end = Math.max(end, start + 1); // every block holds a row
      end = Math.min(end, rows - (blocks - 1 - b)); // and leaves one for each later block
      for (int i = start; i < end; i++) {
        blockOfRow[rank[i]] = b;
      }
      start = end;
    }
    return new FeatureBlocks(blocks, blockOfRow);
  }
}
