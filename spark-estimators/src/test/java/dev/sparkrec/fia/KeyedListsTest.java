package dev.sparkrec.fia;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.fia.BroadcastExplanations.KeyedLists;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The broadcast plan's unboxed grouping orders lists exactly as a comparator over (key, counterpart, rating) does,
 * the grouped plan's order: negative ids, ties, signed zeros and the extreme ints included.
 */
class KeyedListsTest {

  private static final int[] EDGE_IDS = {Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -7, -1, 0, 1, 7,
      Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
  private static final float[] EDGE_RATINGS = {-Float.MAX_VALUE, -2.5f, -1f, -Float.MIN_VALUE, -0f, 0f,
      Float.MIN_VALUE, 1f, 4.5f, Float.MAX_VALUE};

  @Test
  void listsFollowTheComparatorOverKeyCounterpartAndRating() {
    SplittableRandom random = new SplittableRandom(5);
    for (int trial = 0; trial < 200; trial++) {
      int n = random.nextInt(0, 300);
      int[] key = new int[n];
      int[] other = new int[n];
      float[] rating = new float[n];
      for (int z = 0; z < n; z++) {
        key[z] = random.nextBoolean() ? EDGE_IDS[random.nextInt(EDGE_IDS.length)] : random.nextInt(-20, 20);
        other[z] = random.nextBoolean() ? EDGE_IDS[random.nextInt(EDGE_IDS.length)] : random.nextInt();
        rating[z] = random.nextBoolean() ? EDGE_RATINGS[random.nextInt(EDGE_RATINGS.length)]
            : (float) random.nextDouble(-5, 5);
      }
      long[] within = new long[n];
      for (int z = 0; z < n; z++) {
        within[z] = KeyedLists.pack(other[z], KeyedLists.sortable(rating[z]));
      }
      // The keys may be a longer buffer than the values, as a partition's are: the tail is not read.
      int[] buffer = Arrays.copyOf(key, n + 7);
      Arrays.fill(buffer, n, n + 7, Integer.MAX_VALUE - 3);
      KeyedLists lists = KeyedLists.of(buffer, within);

      Integer[] order = new Integer[n];
      for (int z = 0; z < n; z++) {
        order[z] = z;
      }
      Arrays.sort(order, Comparator.<Integer>comparingInt(z -> key[z]).thenComparingInt(z -> other[z])
          .thenComparing(z -> rating[z], Float::compare));
      int[] expectedKeys = Arrays.stream(key).sorted().distinct().toArray();
      assertArrayEquals(expectedKeys, lists.keys);
      assertEquals(n, lists.offsets[lists.keys.length]);
      for (int k = 0; k < n; k++) {
        int z = order[k];
        int list = Arrays.binarySearch(lists.keys, key[z]);
        assertTrue(lists.offsets[list] <= k && k < lists.offsets[list + 1], "entry " + k + " in its list");
        assertEquals(other[z], KeyedLists.high(lists.values[k]));
        assertEquals(Float.floatToRawIntBits(rating[z]),
            Float.floatToRawIntBits(KeyedLists.unsortable(KeyedLists.low(lists.values[k]))));
      }
    }
  }

  @Test
  void packedPairsSortByTheFirstIntThenTheSecond() {
    for (int a : EDGE_IDS) {
      for (int b : EDGE_IDS) {
        for (int c : EDGE_IDS) {
          for (int d : EDGE_IDS) {
            int expected = a != c ? Integer.compare(a, c) : Integer.compare(b, d);
            assertEquals(Integer.signum(expected), Long.signum(Long.compare(KeyedLists.pack(a, b),
                KeyedLists.pack(c, d))), a + "," + b + " against " + c + "," + d);
          }
        }
        assertEquals(a, KeyedLists.high(KeyedLists.pack(a, b)));
        assertEquals(b, KeyedLists.low(KeyedLists.pack(a, b)));
      }
    }
  }
}
