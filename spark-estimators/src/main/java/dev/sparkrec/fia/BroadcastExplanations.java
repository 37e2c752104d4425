package dev.sparkrec.fia;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The explainer's plan for training ratings small enough to broadcast: every user's and every item's rating list and
 * the model's vectors travel to the executors once ({@link RatingLists}), and each partition of pairs is explained
 * where it is, in one narrow stage: no shuffle, no skew (a hot item's pairs stay in their input partitions, each
 * task factoring its block once).
 *
 * <p>Within a task the steps are {@link GroupedExplanations}': the partition's pairs are grouped by user, each group
 * scored against its user's ratings by one {@link SideExplanations.Group} (one factorisation, one GEMM per chunk),
 * then by item, and the two sides merged by {@link MergedExplanations}. The explanations are therefore the grouped
 * plan's, which tests check pair by pair.
 */
final class BroadcastExplanations implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  /** Estimated broadcast bytes: per rating its counterpart id and rating on both sides. */
  private static final long BYTES_PER_RATING = 16;
  /** Per user or item: its id and list offset, its vector's id and array header. */
  private static final long BYTES_PER_ID = 32;

  private final Broadcast<RatingLists> lists;
  private final int userField;
  private final int itemField;
  private final int orderField;
  private final SideExplanations sides;
  private final MergedExplanations merged;

  private BroadcastExplanations(Broadcast<RatingLists> lists, int userField, int itemField, int orderField,
      SideExplanations sides, MergedExplanations merged) {
    this.lists = lists;
    this.userField = userField;
    this.itemField = itemField;
    this.orderField = orderField;
    this.sides = sides;
    this.merged = merged;
  }

  /**
   * The ratings' lists and the model's vectors, read to the driver, when their estimated size is at most
   * {@code maxBytes}; else null (the grouped plan). The ratings are counted first, so ratings above the limit
   * cost one count and no rows on the driver; each vector table is read with a limit one row beyond what the
   * remaining size allows, so one above it costs at most that many rows.
   */
  static RatingLists collect(Dataset<Row> ratings, Dataset<Row> userVectors, Dataset<Row> itemVectors, int userDim,
      int itemDim, long maxBytes) {
    if (maxBytes <= 0) {
      return null;
    }
    long n = ratings.count();
    long left = maxBytes - BYTES_PER_RATING * n;
    if (left < 0) {
      return null;
    }
    List<Row> users = upTo(userVectors, left, BYTES_PER_ID + 4L * userDim);
    if (users == null) {
      return null;
    }
    left -= (BYTES_PER_ID + 4L * userDim) * users.size();
    List<Row> items = upTo(itemVectors, left, BYTES_PER_ID + 4L * itemDim);
    return items == null ? null : RatingLists.of(ratings.collectAsList(), users, items);
  }

  /** The rows of {@code table} if they take at most {@code bytes} at {@code rowBytes} each; else null. */
  private static List<Row> upTo(Dataset<Row> table, long bytes, long rowBytes) {
    long rows = bytes / rowBytes;
    if (rows <= 0) {
      return null;
    }
    List<Row> read = table.limit((int) Math.min(Integer.MAX_VALUE - 8, rows + 1)).collectAsList();
    return read.size() > rows ? null : read;
  }

  /**
   * @param pairs the input columns, then {@code ROW_ORDER} (increasing within each partition)
   * @param userCol the input's user column (int or long)
   * @param itemCol the input's item column
   * @param inputColumns the number of input columns
   * @param withOrder the output schema: the input columns, prediction, explanations, {@code ROW_ORDER}
   */
  static Dataset<Row> explain(Dataset<Row> pairs, String userCol, String itemCol, int inputColumns,
      RatingLists lists, FactorizedPredictor predictor, double damping, boolean leaveOneOut, int topK,
      boolean dropCold, StructType withOrder) {
    SparkSession spark = pairs.sparkSession();
    Broadcast<RatingLists> broadcast = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(lists);
    StructType schema = pairs.schema();
    return pairs.mapPartitions(new BroadcastExplanations(broadcast, schema.fieldIndex(userCol),
            schema.fieldIndex(itemCol), schema.fieldIndex(InfluenceExplainer.ROW_ORDER),
            new SideExplanations(predictor, damping, leaveOneOut, topK, false, false),
            new MergedExplanations(predictor, damping, leaveOneOut, topK, inputColumns, dropCold)),
        Encoders.row(withOrder));
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) throws Exception {
    RatingLists data = lists.value();
    Partition partition = new Partition(rows);
    int n = partition.size;
    Row[][] sideRows = new Row[2][n];
    ArrayDeque<Row> ready = new ArrayDeque<>();
    SideExplanations.Group group = sides.group();
    for (int side = SideExplanations.USER_SIDE; side <= SideExplanations.ITEM_SIDE; side++) {
      int[] keys = side == SideExplanations.USER_SIDE ? partition.users : partition.items;
      int[] others = side == SideExplanations.USER_SIDE ? partition.items : partition.users;
      int other = 1 - side;
      Integer[] byKey = new Integer[n];
      for (int p = 0; p < n; p++) {
        byKey[p] = p;
      }
      // As the grouped plan sorts a group's pairs: by counterpart id, then position.
      Arrays.sort(byKey, Comparator.<Integer>comparingInt(p -> keys[p]).thenComparingInt(p -> others[p]));
      for (int start = 0; start < n; ) {
        int key = keys[byKey[start]];
        int end = start;
        while (end < n && keys[byKey[end]] == key) {
          end++;
        }
        group.start(side, key, 0);
        int list = data.list(side, key);
        if (list >= 0) {
          for (int j = data.offsets[side][list]; j < data.offsets[side][list + 1]; j++) {
            int counterpart = data.others[side][j];
            group.addRating(counterpart, data.ratings[side][j], data.vector(other, counterpart), null);
          }
        }
        float[] own = data.vector(side, key);
        for (int k = start; k < end; k++) {
          int p = byKey[k];
          group.addPair(partition.orders[p], side == SideExplanations.USER_SIDE ? partition.inputs[p] : null, own,
              data.vector(other, others[p]), others[p], ready);
        }
        group.flush(ready);
        for (Row row = ready.poll(); row != null; row = ready.poll()) {
          sideRows[side][partition.position(row.getLong(0))] = row;
        }
        start = end;
      }
    }
    // Each pair's user-side row, then its item-side row, by position: the order MergedExplanations reads.
    Iterator<Row> bothSides = new Iterator<>() {
      private int at;

      @Override
      public boolean hasNext() {
        return at < 2 * n;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int p = at / 2;
        int side = at % 2;
        Row row = sideRows[side][p];
        sideRows[side][p] = null;
        at++;
        return row;
      }
    };
    return merged.call(bothSides);
  }

  /** A partition's pairs, held for the two passes. */
  private final class Partition {
    int size;
    int[] users = new int[64];
    int[] items = new int[64];
    long[] orders = new long[64];
    Row[] inputs = new Row[64];

    Partition(Iterator<Row> rows) {
      while (rows.hasNext()) {
        Row row = rows.next();
        if (size == orders.length) {
          users = Arrays.copyOf(users, 2 * size);
          items = Arrays.copyOf(items, 2 * size);
          orders = Arrays.copyOf(orders, 2 * size);
          inputs = Arrays.copyOf(inputs, 2 * size);
        }
        users[size] = id(row, userField);
        items[size] = id(row, itemField);
        orders[size] = row.getLong(orderField);
        if (size > 0 && orders[size] <= orders[size - 1]) {
          throw new IllegalStateException("pair positions must increase within a partition");
        }
        inputs[size] = row;
        size++;
      }
    }

    /** The index of the pair at input position {@code order}. */
    int position(long order) {
      int p = Arrays.binarySearch(orders, 0, size, order);
      if (p < 0) {
        throw new IllegalStateException("no pair at position " + order);
      }
      return p;
    }

    /** The id as the grouped plan keys it: the int value, {@code Integer.MIN_VALUE} for null. */
    private int id(Row row, int field) {
      return row.isNullAt(field) ? Integer.MIN_VALUE : ((Number) row.get(field)).intValue();
    }
  }

  /**
   * Every user's and every item's training ratings, sorted by counterpart id and rating as the grouped plan sorts
   * them (index 0 the user side, 1 the item side: keys, list offsets, counterparts, ratings), and the model's vectors
   * by id.
   */
  static final class RatingLists implements Serializable {

    private static final long serialVersionUID = 1L;

    final int[][] keys = new int[2][];
    final int[][] offsets = new int[2][];
    final int[][] others = new int[2][];
    final float[][] ratings = new float[2][];
    private final int[][] vectorIds = new int[2][];
    private final float[][][] vectors = new float[2][][];

    /** From rows {@code (user, item, rating)} and the vector tables' rows {@code (id, vector)}. */
    static RatingLists of(List<Row> ratingRows, List<Row> userVectors, List<Row> itemVectors) {
      RatingLists lists = new RatingLists();
      int n = ratingRows.size();
      int[] user = new int[n];
      int[] item = new int[n];
      float[] rating = new float[n];
      for (int z = 0; z < n; z++) {
        Row r = ratingRows.get(z);
        user[z] = r.getInt(0);
        item[z] = r.getInt(1);
        rating[z] = r.getFloat(2);
      }
      lists.index(SideExplanations.USER_SIDE, user, item, rating);
      lists.index(SideExplanations.ITEM_SIDE, item, user, rating);
      lists.vectors(SideExplanations.USER_SIDE, userVectors);
      lists.vectors(SideExplanations.ITEM_SIDE, itemVectors);
      return lists;
    }

    private void index(int side, int[] key, int[] other, float[] rating) {
      int n = key.length;
      Integer[] order = new Integer[n];
      for (int z = 0; z < n; z++) {
        order[z] = z;
      }
      Arrays.sort(order, Comparator.<Integer>comparingInt(z -> key[z]).thenComparingInt(z -> other[z])
          .thenComparing(z -> rating[z], Float::compare));
      int distinct = 0;
      for (int k = 0; k < n; k++) {
        if (k == 0 || key[order[k]] != key[order[k - 1]]) {
          distinct++;
        }
      }
      keys[side] = new int[distinct];
      offsets[side] = new int[distinct + 1];
      others[side] = new int[n];
      ratings[side] = new float[n];
      int list = -1;
      for (int k = 0; k < n; k++) {
        int z = order[k];
        if (k == 0 || key[z] != key[order[k - 1]]) {
          keys[side][++list] = key[z];
          offsets[side][list] = k;
        }
        others[side][k] = other[z];
        ratings[side][k] = rating[z];
      }
      offsets[side][distinct] = n;
    }

    private void vectors(int side, List<Row> rows) {
      Row[] sorted = rows.toArray(new Row[0]);
      Arrays.sort(sorted, Comparator.comparingInt(r -> r.getInt(0)));
      vectorIds[side] = new int[sorted.length];
      vectors[side] = new float[sorted.length][];
      for (int k = 0; k < sorted.length; k++) {
        vectorIds[side][k] = sorted[k].getInt(0);
        vectors[side][k] = SideExplanations.floats(sorted[k], 1);
      }
    }

    /** The index of {@code key}'s list on {@code side}, or -1 where it has no ratings. */
    int list(int side, int key) {
      int k = Arrays.binarySearch(keys[side], key);
      return k >= 0 ? k : -1;
    }

    /** The model's vector of {@code id} on {@code side}, or null where the model lacks it. */
    float[] vector(int side, int id) {
      int k = Arrays.binarySearch(vectorIds[side], id);
      return k >= 0 ? vectors[side][k] : null;
    }
  }
}
