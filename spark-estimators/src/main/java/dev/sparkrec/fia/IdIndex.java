package dev.sparkrec.fia;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The distinct user (or item) ids seen in training, sorted ascending: the index of an id is its position, so the
 * indexing is deterministic and does not depend on the order of the data. Immutable; lookups are binary searches.
 */
final class IdIndex implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int[] ids;

  /** {@code ids} must be strictly increasing; not copied. */
  IdIndex(int[] ids) {
    for (int i = 1; i < ids.length; i++) {
      if (ids[i - 1] >= ids[i]) {
        throw new IllegalArgumentException("ids must be distinct and sorted ascending, but " + ids[i - 1]
            + " precedes " + ids[i]);
      }
    }
    this.ids = ids;
  }

  /** Number of ids. */
  int size() {
    return ids.length;
  }

  /** The id at {@code index}. */
  int id(int index) {
    return ids[index];
  }

  /** The index of {@code id}, or -1 when it was not seen (or lies outside the int range). */
  int indexOf(long id) {
    if (id < Integer.MIN_VALUE || id > Integer.MAX_VALUE) {
      return -1;
    }
    int i = Arrays.binarySearch(ids, (int) id);
    return i >= 0 ? i : -1;
  }

  /** A copy of the sorted ids. */
  int[] ids() {
    return ids.clone();
  }
}
