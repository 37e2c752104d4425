package dev.sparkrec.fia;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Arrays;
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
 * task factoring its block once per batch).
 *
 * <p>Within a task the steps are {@link GroupedExplanations}': the partition's pairs, a batch of at most
 * {@value #BATCH_PAIRS} ({@value #DEFAULT_BATCH_PAIRS}) at a time so that a task holds a bounded number, are grouped
 * by user, each group scored against its user's ratings by one {@link SideExplanations.Group} (one factorisation, one
 * GEMM per chunk), then by item, and the two sides merged by {@link MergedExplanations}. The explanations are
 * therefore the grouped plan's, which tests check pair by pair.
 */
final class BroadcastExplanations implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  /** Estimated broadcast bytes: per rating its counterpart id and rating on both sides. */
  private static final long BYTES_PER_RATING = 16;

  /**
   * The session setting that bounds the pairs a task holds at once ({@value #DEFAULT_BATCH_PAIRS} by default): a
   * partition is explained in batches of that many pairs, each user's and item's block factored once per batch.
   */
  static final String BATCH_PAIRS = "spark.sparkrec.explainer.batchPairs";
  static final int DEFAULT_BATCH_PAIRS = 65_536;

  private final Broadcast<RatingLists> lists;
  private final int batchPairs;
  private final int userField;
  private final int itemField;
  private final int orderField;
  private final SideExplanations sides;
  private final MergedExplanations merged;

  private BroadcastExplanations(Broadcast<RatingLists> lists, int batchPairs, int userField, int itemField,
      int orderField, SideExplanations sides, MergedExplanations merged) {
    this.lists = lists;
    this.batchPairs = batchPairs;
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
   * remaining size allows, so one above it costs at most that many rows. A model that holds its vectors on the
   * driver ({@link CollaborativeFilteringModel#vectorsOnDriver}) gives them without a job.
   */
  static RatingLists collect(Dataset<Row> ratings, FactorizedModel model, long maxBytes) {
    if (maxBytes <= 0) {
      return null;
    }
    long n = ratings.count();
    long left = maxBytes - BYTES_PER_RATING * n;
    if (left < 0) {
      return null;
    }
    FactorizedPredictor predictor = model.predictor();
    IdVectors users = IdVectors.readAtMost(model, true, left / IdVectors.bytes(1, predictor.userDim()));
    if (users == null) {
      return null;
    }
    left -= IdVectors.bytes(users.ids.length, predictor.userDim());
    IdVectors items = IdVectors.readAtMost(model, false, left / IdVectors.bytes(1, predictor.itemDim()));
    return items == null ? null : RatingLists.of(PackedRatings.concat(packed(ratings)), users, items);
  }

  /** The ratings packed on the executors, one {@link PackedRatings} per partition, collected in partition order. */
  private static List<PackedRatings> packed(Dataset<Row> ratings) {
    return ratings.javaRDD().mapPartitions(rows -> List.of(PackedRatings.of(rows)).iterator()).collect();
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
    return pairs.mapPartitions(new BroadcastExplanations(broadcast, batchPairs(spark), schema.fieldIndex(userCol),
            schema.fieldIndex(itemCol), schema.fieldIndex(InfluenceExplainer.ROW_ORDER),
            new SideExplanations(predictor, damping, leaveOneOut, topK, false, false),
            new MergedExplanations(predictor, damping, leaveOneOut, topK, inputColumns, dropCold)),
        Encoders.row(withOrder));
  }

  /** The session's {@link #BATCH_PAIRS}. */
  private static int batchPairs(SparkSession spark) {
    String value = spark.conf().get(BATCH_PAIRS, Integer.toString(DEFAULT_BATCH_PAIRS));
    try {
      int pairs = Integer.parseInt(value.trim());
      if (pairs >= 1) {
        return pairs;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(BATCH_PAIRS + " must be a number of pairs of at least 1 but is '" + value
        + "'");
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    RatingLists data = lists.value();
    SideExplanations.Group group = sides.group();
    // Each pair's user-side row, then its item-side row, by position: the order MergedExplanations reads; a batch
    // of pairs is read and explained when the previous one is used up.
    return merged.call(new Iterator<>() {
      private Row[][] sideRows = new Row[2][0];
      private int size;
      private int at;

      @Override
      public boolean hasNext() {
        if (at == 2 * size && rows.hasNext()) {
          Batch batch = new Batch(rows);
          sideRows = explain(batch, data, group);
          size = batch.size;
          at = 0;
        }
        return at < 2 * size;
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
    });
  }

  /** Each pair's user-side row ({@code [0][p]}) and item-side row ({@code [1][p]}). */
  private Row[][] explain(Batch batch, RatingLists data, SideExplanations.Group group) {
    int n = batch.size;
    Row[][] sideRows = new Row[2][n];
    ArrayDeque<Row> ready = new ArrayDeque<>();
    for (int side = SideExplanations.USER_SIDE; side <= SideExplanations.ITEM_SIDE; side++) {
      int[] keys = side == SideExplanations.USER_SIDE ? batch.users : batch.items;
      int[] others = side == SideExplanations.USER_SIDE ? batch.items : batch.users;
      int other = 1 - side;
      long[] byOther = new long[n];
      for (int p = 0; p < n; p++) {
        byOther[p] = KeyedLists.pack(others[p], p);
      }
      // As the grouped plan sorts a group's pairs: by counterpart id, then position.
      KeyedLists groups = KeyedLists.of(keys, byOther);
      for (int g = 0; g < groups.keys.length; g++) {
        int key = groups.keys[g];
        group.start(side, key, 0);
        int list = data.list(side, key);
        if (list >= 0) {
          for (int j = data.offsets[side][list]; j < data.offsets[side][list + 1]; j++) {
            int counterpart = data.others[side][j];
            group.addRating(counterpart, data.ratings[side][j], data.vector(other, counterpart), null);
          }
        }
        float[] own = data.vector(side, key);
        for (int k = groups.offsets[g]; k < groups.offsets[g + 1]; k++) {
          int p = KeyedLists.low(groups.values[k]);
          group.addPair(batch.orders[p], side == SideExplanations.USER_SIDE ? batch.inputs[p] : null, own,
              data.vector(other, others[p]), others[p], ready);
        }
        group.flush(ready);
        for (Row row = ready.poll(); row != null; row = ready.poll()) {
          sideRows[side][batch.position(row.getLong(0))] = row;
        }
      }
    }
    return sideRows;
  }

  /** Up to {@link #batchPairs} of a partition's pairs, held for the two passes. */
  private final class Batch {
    int size;
    int[] users = new int[64];
    int[] items = new int[64];
    long[] orders = new long[64];
    Row[] inputs = new Row[64];

    Batch(Iterator<Row> rows) {
      while (size < batchPairs && rows.hasNext()) {
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

    /** From the training ratings and the model's user and item vectors. */
    static RatingLists of(PackedRatings ratings, IdVectors userVectors, IdVectors itemVectors) {
      RatingLists lists = new RatingLists();
      lists.index(SideExplanations.USER_SIDE, ratings.users, ratings.items, ratings.ratings);
      lists.index(SideExplanations.ITEM_SIDE, ratings.items, ratings.users, ratings.ratings);
      lists.vectors(SideExplanations.USER_SIDE, userVectors);
      lists.vectors(SideExplanations.ITEM_SIDE, itemVectors);
      return lists;
    }

    private void index(int side, int[] key, int[] other, float[] rating) {
      long[] within = new long[key.length];
      for (int z = 0; z < key.length; z++) {
        within[z] = KeyedLists.pack(other[z], KeyedLists.sortable(rating[z]));
      }
      KeyedLists lists = KeyedLists.of(key, within);
      keys[side] = lists.keys;
      offsets[side] = lists.offsets;
      others[side] = new int[key.length];
      ratings[side] = new float[key.length];
      for (int k = 0; k < key.length; k++) {
        others[side][k] = KeyedLists.high(lists.values[k]);
        ratings[side][k] = KeyedLists.unsortable(KeyedLists.low(lists.values[k]));
      }
    }

    private void vectors(int side, IdVectors rows) {
      int n = rows.ids.length;
      long[] byId = new long[n];
      for (int k = 0; k < n; k++) {
        byId[k] = KeyedLists.pack(rows.ids[k], k);
      }
      Arrays.sort(byId);
      vectorIds[side] = new int[n];
      vectors[side] = new float[n][];
      for (int k = 0; k < n; k++) {
        vectorIds[side][k] = KeyedLists.high(byId[k]);
        vectors[side][k] = rows.vectors[KeyedLists.low(byId[k])];
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

  /**
   * A partition's training ratings {@code (user, item, rating)} packed into arrays on its executor, so that the driver
   * reads arrays, not a {@code Row} per rating.
   */
  static final class PackedRatings implements Serializable {

    private static final long serialVersionUID = 1L;

    int size;
    int[] users = new int[16];
    int[] items = new int[16];
    float[] ratings = new float[16];

    static PackedRatings of(Iterator<Row> rows) {
      PackedRatings packed = new PackedRatings();
      while (rows.hasNext()) {
        Row row = rows.next();
        if (packed.size == packed.users.length) {
          packed.resize(2 * packed.size);
        }
        packed.users[packed.size] = row.getInt(0);
        packed.items[packed.size] = row.getInt(1);
        packed.ratings[packed.size] = row.getFloat(2);
        packed.size++;
      }
      packed.resize(packed.size);
      return packed;
    }

    private void resize(int length) {
      users = Arrays.copyOf(users, length);
      items = Arrays.copyOf(items, length);
      ratings = Arrays.copyOf(ratings, length);
    }

    /** The parts' ratings, in order. */
    static PackedRatings concat(List<PackedRatings> parts) {
      PackedRatings all = new PackedRatings();
      all.resize(parts.stream().mapToInt(part -> part.size).sum());
      for (PackedRatings part : parts) {
        System.arraycopy(part.users, 0, all.users, all.size, part.size);
        System.arraycopy(part.items, 0, all.items, all.size, part.size);
        System.arraycopy(part.ratings, 0, all.ratings, all.size, part.size);
        all.size += part.size;
      }
      return all;
    }
  }

  /** A model's user (or item) ids and their vectors, index by index. */
  /**
   * Values grouped by an int key without boxing: the distinct keys in increasing order, each key's list at
   * {@code values[offsets[k]..offsets[k + 1])}, its values in increasing order. Two ints packed into a value
   * ({@link #pack}) sort by the first, then the second.
   */
  static final class KeyedLists {
    final int[] keys;
    final int[] offsets;
    final long[] values;

    private KeyedLists(int[] keys, int[] offsets, long[] values) {
      this.keys = keys;
      this.offsets = offsets;
      this.values = values;
    }

    /** {@code values[z]} in the list of {@code key[z]}, for each index of {@code values} ({@code key} may be longer). */
    static KeyedLists of(int[] key, long[] values) {
      int n = values.length;
      int[] distinct = Arrays.copyOf(key, n);
      Arrays.sort(distinct);
      int m = 0;
      for (int k = 0; k < n; k++) {
        if (k == 0 || distinct[k] != distinct[m - 1]) {
          distinct[m++] = distinct[k];
        }
      }
      distinct = Arrays.copyOf(distinct, m);
      int[] list = new int[n];
      int[] offsets = new int[m + 1];
      for (int z = 0; z < n; z++) {
        list[z] = Arrays.binarySearch(distinct, key[z]);
        offsets[list[z] + 1]++;
      }
      for (int k = 0; k < m; k++) {
        offsets[k + 1] += offsets[k];
      }
      int[] next = Arrays.copyOf(offsets, m);
      long[] grouped = new long[n];
      for (int z = 0; z < n; z++) {
        grouped[next[list[z]]++] = values[z];
      }
      for (int k = 0; k < m; k++) {
        Arrays.sort(grouped, offsets[k], offsets[k + 1]);
      }
      return new KeyedLists(distinct, offsets, grouped);
    }

    /** {@code high} and {@code low} in one long that sorts by {@code high}, then {@code low} (both signed). */
    static long pack(int high, int low) {
      return ((long) high << 32) | ((low ^ Integer.MIN_VALUE) & 0xffffffffL);
    }

    static int high(long packed) {
      return (int) (packed >> 32);
    }

    static int low(long packed) {
      return (int) packed ^ Integer.MIN_VALUE;
    }

    /** An int that sorts as {@link Float#compare} sorts {@code value}. */
    static int sortable(float value) {
      int bits = Float.floatToIntBits(value);
      return bits ^ ((bits >> 31) & Integer.MAX_VALUE);
    }

    static float unsortable(int sortable) {
      return Float.intBitsToFloat(sortable ^ ((sortable >> 31) & Integer.MAX_VALUE));
    }
  }
}
