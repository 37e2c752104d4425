package dev.sparkrec.fia;

import dev.sparkrec.train.Batch;

/**
 * Splits a {@link Batch} of (user, item) examples, whose feature ids are {@code [userIndex, numUsers + itemIndex]},
 * into a user index array and an item index array that the embedding lookups read. The arrays are reused from
 * batch to batch, so one instance serves one single-threaded network.
 */
final class RatingBatch {

  private final int numUsers;
  private final int numItems;
  private int[] users = new int[0];
  private int[] items = new int[0];

  RatingBatch(int numUsers, int numItems) {
    this.numUsers = numUsers;
    this.numItems = numItems;
  }

  /** Reads the first {@code batch.size()} examples; fails naming the example whose ids are out of range. */
  void read(Batch batch) {
    if (batch.fields() != 2) {
      throw new IllegalArgumentException("a rating batch holds 2 ids per example (user index, numUsers + item "
          + "index), got " + batch.fields());
    }
    int n = batch.size();
    if (users.length < n) {
      users = new int[n];
      items = new int[n];
    }
    int[] ids = batch.ids();
    for (int e = 0; e < n; e++) {
      int user = ids[2 * e];
      int item = ids[2 * e + 1] - numUsers;
      if (user < 0 || user >= numUsers || item < 0 || item >= numItems) {
        throw new IllegalArgumentException("example " + e + " has feature ids [" + ids[2 * e] + ", " + ids[2 * e + 1]
            + "]; a rating needs [userIndex, " + numUsers + " + itemIndex] with userIndex in [0, " + numUsers
            + ") and itemIndex in [0, " + numItems + ")");
      }
      users[e] = user;
      items[e] = item;
    }
  }

  /** User indices of the last batch read; valid up to its size. */
  int[] users() {
    return users;
  }

  /** Item indices of the last batch read; valid up to its size. */
  int[] items() {
    return items;
  }
}
