package dev.sparkrec.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The order a partition visits its rows in an epoch: a Fisher–Yates permutation seeded by (seed, epoch,
 * partition index) only, so a retried task, a resumed run and every sync round of the epoch see the same
 * order. Each round takes its slice of the epoch's batches from it.
 */
final class ShuffleOrder {

  /** Permutations recently used on this executor: a pure function's results, so sharing them is safe. */
  private static final int CACHED = 8;
  private static final Map<Key, int[]> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, int[]> eldest) {
      return size() > CACHED;
    }
  };

  private ShuffleOrder() {}

  /**
   * The permutation of {@code [0, rows)} for ({@code seed}, {@code epoch}, {@code partition}); shared, so
   * callers must not modify it.
   */
  static int[] permutation(long seed, int epoch, int partition, int rows) {
    Key key = new Key(seed, epoch, partition, rows);
    synchronized (CACHE) {
      int[] cached = CACHE.get(key);
      if (cached != null) {
        return cached;
      }
    }
    int[] order = new int[rows];
    for (int i = 0; i < rows; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(mix(seed, epoch, partition));
    for (int i = rows - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    synchronized (CACHE) {
      CACHE.put(key, order);
    }
    return order;
  }

  /** A seed derived from {@code seed} and {@code parts} by chained SplitMix64 finalisers. */
  static long mix(long seed, long... parts) {
    long h = splitMix(seed);
    for (long part : parts) {
      h = splitMix(h ^ splitMix(part + 0x9E3779B97F4A7C15L));
    }
    return h;
  }

  private static long splitMix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static final class Key {
    private final long seed;
    private final int epoch;
    private final int partition;
    private final int rows;

    Key(long seed, int epoch, int partition, int rows) {
      this.seed = seed;
      this.epoch = epoch;
      this.partition = partition;
      this.rows = rows;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key)) {
        return false;
      }
      Key k = (Key) o;
      return seed == k.seed && epoch == k.epoch && partition == k.partition && rows == k.rows;
    }

    @Override
    public int hashCode() {
      return Objects.hash(seed, epoch, partition, rows);
    }
  }
}
