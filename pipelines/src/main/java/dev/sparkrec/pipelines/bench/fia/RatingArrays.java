package dev.sparkrec.pipelines.bench.fia;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * Training ratings and a factorized model's user and item vectors as flat driver-side arrays, for the
 * benchmark's retraining protocol and its full-influence baseline (MovieLens-100K fits in memory many times).
 * Users and items are indexed by their position in the model's vector tables.
 */
final class RatingArrays {

  final int[] userIds;
  final int[] itemIds;
  final int[] user;
  final int[] item;
  final float[] rating;
  final int userDim;
  final int itemDim;
  final float[] userVectors;
  final float[] itemVectors;
  private final Map<Integer, Integer> userIndex = new HashMap<>();
  private final Map<Integer, Integer> itemIndex = new HashMap<>();

  /** Rows {@code (user, item, rating)} and vector rows {@code (id, vector)}; every rated id must have a vector. */
  RatingArrays(List<Row> ratings, List<Row> users, List<Row> items) {
    Row[] sortedUsers = sortById(users);
    Row[] sortedItems = sortById(items);
    userIds = new int[sortedUsers.length];
    itemIds = new int[sortedItems.length];
    userDim = sortedUsers[0].getList(1).size();
    itemDim = sortedItems[0].getList(1).size();
    userVectors = new float[userIds.length * userDim];
    itemVectors = new float[itemIds.length * itemDim];
    fill(sortedUsers, userIds, userVectors, userDim, userIndex);
    fill(sortedItems, itemIds, itemVectors, itemDim, itemIndex);
    int n = ratings.size();
    user = new int[n];
    item = new int[n];
    rating = new float[n];
    for (int z = 0; z < n; z++) {
      Row r = ratings.get(z);
      user[z] = indexOf(userIndex, r.getInt(0), "user");
      item[z] = indexOf(itemIndex, r.getInt(1), "item");
      rating[z] = ((Number) r.get(2)).floatValue();
    }
  }

  private static Row[] sortById(List<Row> rows) {
    Row[] sorted = rows.toArray(new Row[0]);
    Arrays.sort(sorted, (a, b) -> Integer.compare(a.getInt(0), b.getInt(0)));
    return sorted;
  }

  private static void fill(Row[] rows, int[] ids, float[] vectors, int dim, Map<Integer, Integer> index) {
    for (int r = 0; r < rows.length; r++) {
      ids[r] = rows[r].getInt(0);
      index.put(ids[r], r);
      List<?> vector = rows[r].getList(1);
      for (int d = 0; d < dim; d++) {
        vectors[r * dim + d] = ((Number) vector.get(d)).floatValue();
      }
    }
  }

  private static int indexOf(Map<Integer, Integer> index, int id, String kind) {
    Integer at = index.get(id);
    if (at == null) {
      throw new IllegalArgumentException("the model has no vector for rated " + kind + " " + id);
    }
    return at;
  }

  int numRatings() {
    return rating.length;
  }

  /** Index of user {@code id}, or -1. */
  int userIndex(int id) {
    return userIndex.getOrDefault(id, -1);
  }

  /** Index of item {@code id}, or -1. */
  int itemIndex(int id) {
    return itemIndex.getOrDefault(id, -1);
  }

  /** The index of the training rating (user index, item index), or -1. */
  int ratingIndex(int u, int i) {
    for (int z = 0; z < rating.length; z++) {
      if (user[z] == u && item[z] == i) {
        return z;
      }
    }
    return -1;
  }
}
