package dev.sparkrec.fia;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One side (user or item) of the grouped explainer: scores groups of pairs against their user's (or item's) training
 * ratings and keeps, per pair, that side's {@code topK} ratings by FIA's ranking.
 *
 * <p>The partition's rows ({@link #INPUT}) come sorted by {@code (side, key, salt, kind, other, rating, order)}: a
 * group is one user's (or item's) ratings ({@code kind} 0, sorted by counterpart id and rating, as the per-pair path
 * sorts them), then the pairs of that user (item) routed to this salt ({@code kind} 1). The ratings are factored
 * once into an {@link InfluenceBlock}, and the pairs scored in chunks by one solve and one GEMM each; a group is read
 * as a stream, so a hot item's ratings are held once per task and its pairs never all at once. Output
 * ({@link #OUTPUT}): per pair its position, the side, the model's {@code f}, that side's top ratings on the scale
 * of {@code f} ({@link RankedRatings}, ranked: orphaning first, then |influence|, then user
 * and item id) and, on the user side, the pair's input columns. A pair whose user or item vector is missing (the
 * model lacks it) gets {@code f} NaN and no ratings.
 *
 * <p><b>Projecting</b> ({@link #projecting}), for the scoring step as Spark SQL ({@link ScaledDotExplanations}): a
 * group's pairs are not scored here. Each group that has pairs emits its block's ratings ({@link #BLOCK_RATING} rows:
 * counterpart, rating, {@code J_j}, scale, leverage, orphaned) and each pair a {@link #HEAD} row: the output row
 * above with no top list, plus, for a pair to be scored against the block, its projection {@code S_p} and offset
 * ({@link InfluenceBlock#project}); schema {@link #projected}.
 */
final class SideExplanations implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  private static final byte[] NO_EXPLANATIONS = RankedRatings.allocate(0).bytes();

  static final int USER_SIDE = 0;
  static final int ITEM_SIDE = 1;
  static final int RATING = 0;
  static final int PAIR = 1;
  /** Kinds of the projecting rows: a pair's head, a block's rating. */
  static final int HEAD = 0;
  static final int BLOCK_RATING = 1;

  /** At most this many doubles of influences per chunk: 8 MiB. */
  private static final int CHUNK_ENTRIES = 1 << 20;
  /** At most this many pairs per chunk (one GEMM). */
  private static final int MAX_CHUNK_PAIRS = 256;

  private final FactorizedPredictor predictor;
  private final double damping;
  private final boolean leaveOneOut;
  private final int topK;
  private final boolean projecting;
  private final boolean refitNeighbours;

  /**
   * @param projecting whether pairs are projected for scoring elsewhere rather than scored here
   * @param refitNeighbours whether a group's pairs are scored by {@link NeighbourRefit} from its rating rows'
   *     {@code system} column (not when projecting)
   */
  SideExplanations(FactorizedPredictor predictor, double damping, boolean leaveOneOut, int topK, boolean projecting,
      boolean refitNeighbours) {
    if (projecting && refitNeighbours) {
      throw new IllegalArgumentException("a block scored by re-fitting its neighbours has no projection");
    }
    this.predictor = predictor;
    this.damping = damping;
    this.leaveOneOut = leaveOneOut;
    this.topK = topK;
    this.projecting = projecting;
    this.refitNeighbours = refitNeighbours;
  }

  /** The rows of a side, with the pairs' input columns as the struct {@code inputRow}. */
  static StructType input(StructType inputRow) {
    return new StructType()
        .add("side", DataTypes.IntegerType, false)
        .add("key", DataTypes.IntegerType, false)
        .add("salt", DataTypes.IntegerType, false)
        .add("kind", DataTypes.IntegerType, false)
        .add("other", DataTypes.IntegerType, false)
        .add("rating", DataTypes.FloatType, false)
        .add("order", DataTypes.LongType, false)
        .add("own", DataTypes.createArrayType(DataTypes.FloatType, false), true)
        .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), true)
        .add("row", inputRow, true)
        .add("system", NeighbourSystems.SYSTEM, true);
  }

  /** The struct of a side's whole rating list, sent for a pair that is itself a training rating. */
  static final StructType RATED = new StructType()
      .add("id", DataTypes.IntegerType, false)
      .add("rating", DataTypes.FloatType, false)
      .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  /**
   * Per pair and side: position, side, the side's id, {@code f}, the side's top ratings, the input columns (user side); for a pair
   * that is a training rating no top ratings but the side's vector and whole rating list, for the joint solve.
   */
  static StructType output(StructType inputRow) {
    return new StructType()
        .add("order", DataTypes.LongType, false)
        .add("side", DataTypes.IntegerType, false)
        .add("key", DataTypes.IntegerType, false)
        .add("f", DataTypes.DoubleType, false)
        .add("top", DataTypes.BinaryType, true)
        .add("row", inputRow, true)
        .add("own", DataTypes.createArrayType(DataTypes.FloatType, false), true)
        .add("rated", DataTypes.createArrayType(RATED, false), true);
  }

  /**
   * The projecting rows: {@link #output}'s columns (a {@link #HEAD} row's; zero, null or false in a
   * {@link #BLOCK_RATING} row), then salt, kind, the head's {@code projection} (null unless the pair is scored
   * against the block) and {@code offset}, and the block rating's counterpart ({@code other}), {@code rating},
   * {@code jacobian}, {@code scale}, {@code leverage} and {@code orphaned}.
   */
  static StructType projected(StructType inputRow) {
    return output(inputRow)
        .add("salt", DataTypes.IntegerType, false)
        .add("kind", DataTypes.IntegerType, false)
        .add("projection", DataTypes.createArrayType(DataTypes.FloatType, false), true)
        .add("offset", DataTypes.DoubleType, false)
        .add("other", DataTypes.IntegerType, false)
        .add("rating", DataTypes.FloatType, false)
        .add("jacobian", DataTypes.createArrayType(DataTypes.FloatType, false), true)
        .add("scale", DataTypes.FloatType, false)
        .add("leverage", DataTypes.DoubleType, false)
        .add("orphaned", DataTypes.BooleanType, false);
  }

  static float[] floats(List<?> list) {
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) list.get(i)).floatValue();
    }
    return out;
  }

  /**
   * Field {@code field} of {@code row} as floats: a sequence after a shuffle, the array itself where the row was built
   * in the same task ({@link BroadcastExplanations}).
   */
  static float[] floats(Row row, int field) {
    Object value = row.get(field);
    return value instanceof float[] ? (float[]) value : floats(row.getList(field));
  }

  private static double[] doubles(List<?> list) {
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) list.get(i)).doubleValue();
    }
    return out;
  }

  private static final int SIDE = 0;
  private static final int KEY = 1;
  private static final int SALT = 2;
  private static final int KIND = 3;
  private static final int OTHER = 4;
  private static final int RATING_VALUE = 5;
  private static final int ORDER = 6;
  private static final int OWN = 7;
  private static final int VECTOR = 8;
  private static final int ROW = 9;
  private static final int SYSTEM = 10;

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    return new Iterator<>() {
      private final ArrayDeque<Row> ready = new ArrayDeque<>();
      private final Group group = new Group();
      private Row next = rows.hasNext() ? rows.next() : null;

      @Override
      public boolean hasNext() {
        while (ready.isEmpty() && next != null) {
          step();
        }
        return !ready.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.poll();
      }

      /** Reads one group: its ratings, then its pairs in chunks, each chunk's rows into {@code ready}. */
      private void step() {
        Row first = next;
        group.start(first.getInt(SIDE), first.getInt(KEY), first.getInt(SALT));
        while (next != null && group.contains(next) && next.getInt(KIND) == RATING) {
          group.addRating(next.getInt(OTHER), next.getFloat(RATING_VALUE),
              next.isNullAt(VECTOR) ? null : floats(next.getList(VECTOR)), system(next));
          next = rows.hasNext() ? rows.next() : null;
        }
        float[] own = null; // the key's vector, the same on every pair of the group
        for (boolean firstPair = true; next != null && group.contains(next); firstPair = false) {
          if (firstPair) {
            own = next.isNullAt(OWN) ? null : floats(next.getList(OWN));
          }
          group.addPair(next.getLong(ORDER), next.isNullAt(ROW) ? null : next.getStruct(ROW), own,
              next.isNullAt(VECTOR) ? null : floats(next.getList(VECTOR)), next.getInt(OTHER), ready);
          next = rows.hasNext() ? rows.next() : null;
        }
        group.flush(ready);
      }
    };
  }

  /** A rating row's counterpart normal equations, when re-fitting neighbours; else null. */
  private NeighbourRefit.NormalEquations system(Row row) {
    if (!refitNeighbours || row.isNullAt(SYSTEM)) {
      return null;
    }
    Row system = row.getStruct(SYSTEM);
    return new NeighbourRefit.NormalEquations(doubles(system.getList(0)), doubles(system.getList(1)), system.getInt(2));
  }

  /** A group to feed directly: {@link BroadcastExplanations} scores its partition's pairs through one. */
  Group group() {
    return new Group();
  }

  /**
   * One (side, key, salt) group's ratings, block and pending chunk of pairs: {@link #start}, its ratings by
   * counterpart id and rating ({@link #addRating}), its pairs ({@link #addPair}), then {@link #flush}.
   */
  final class Group {
    private int side;
    private int key;
    private int salt;
    private float[] own;
    private int count;
    private int[] others = new int[16];
    private float[] ratings = new float[16];
    private float[][] vectors = new float[16][];
    private NeighbourRefit.NormalEquations[] systems = new NeighbourRefit.NormalEquations[16];
    private final NeighbourRefit refit = refitNeighbours ? new NeighbourRefit(predictor) : null;
    private InfluenceBlock block;
    private int chunkPairs;
    private int pending;
    private long[] orders;
    private double[] predictions;
    private Row[] inputRows;
    private double[] gradients;
    private double[] influences;
    private double[] offsets;
    private int dim;
    private final double[] dUser = new double[predictor.userDim()];
    private final double[] dItem = new double[predictor.itemDim()];
    private final int[] heap = new int[topK];

    void start(int side, int key, int salt) {
      this.side = side;
      this.key = key;
      this.salt = salt;
      this.own = null;
      this.count = 0;
      this.block = null;
      this.pending = 0;
    }

    boolean contains(Row row) {
      return row.getInt(SIDE) == side && row.getInt(KEY) == key && row.getInt(SALT) == salt;
    }

    /**
     * @param vector the counterpart's vector, null where the model lacks it (an error)
     * @param system the counterpart's normal equations when re-fitting neighbours
     */
    void addRating(int other, float rating, float[] vector, NeighbourRefit.NormalEquations system) {
      if (count == others.length) {
        others = Arrays.copyOf(others, 2 * count);
        ratings = Arrays.copyOf(ratings, 2 * count);
        vectors = Arrays.copyOf(vectors, 2 * count);
        systems = Arrays.copyOf(systems, 2 * count);
      }
      others[count] = other;
      ratings[count] = rating;
      if (vector == null) {
        String pair = side == USER_SIDE ? "(user " + key + ", item " + others[count] + ")"
            : "(user " + others[count] + ", item " + key + ")";
        String counterpart = side == USER_SIDE ? "item " + others[count] : "user " + others[count];
        throw new IllegalArgumentException("The training rating " + pair + " refers to " + counterpart
            + ", which the model does not know; pass the ratings the model was fitted on.");
      }
      vectors[count] = vector;
      if (refitNeighbours) {
        if (system == null) {
          throw new IllegalStateException("no normal equations for the counterpart of rating " + count + " of "
              + (side == USER_SIDE ? "user " : "item ") + key);
        }
        systems[count] = system;
      }
      count++;
    }

    /**
     * One pair of the group, scored with its chunk ({@link #flush}); rows for {@code ready} as {@link #output}.
     *
     * @param input the pair's input columns (user side; null on the item side)
     * @param ownVector the group's (the key's) vector, null where the model lacks it
     * @param counterpart the pair's other vector, null where the model lacks it
     * @param other the pair's other id
     */
    void addPair(long order, Row input, float[] ownVector, float[] counterpart, int other, ArrayDeque<Row> ready) {
      if (ownVector == null || counterpart == null) {
        // The model lacks the pair's user or item: no prediction (NaN) and no explanations.
        ready.add(head(order, Double.NaN, NO_EXPLANATIONS, input, null, null, null, 0));
        return;
      }
      if (block == null) {
        own = ownVector;
        block = new InfluenceBlock(predictor, damping, leaveOneOut, side == USER_SIDE, key, own,
            Arrays.copyOf(others, count), Arrays.copyOf(ratings, count), Arrays.copyOf(vectors, count));
        if (refitNeighbours) {
          block.useNeighbourChanges(refit.vectorChanges(side == USER_SIDE, own, Arrays.copyOf(vectors, count),
              Arrays.copyOf(ratings, count), Arrays.copyOf(systems, count)));
        }
        dim = side == USER_SIDE ? predictor.userDim() : predictor.itemDim();
        chunkPairs = Math.max(1, Math.min(MAX_CHUNK_PAIRS, CHUNK_ENTRIES / Math.max(1, count)));
        if (orders == null || orders.length < chunkPairs) {
          orders = new long[chunkPairs];
          predictions = new double[chunkPairs];
          inputRows = new Row[chunkPairs];
        }
        if (gradients == null || gradients.length < chunkPairs * dim) {
          gradients = new double[chunkPairs * dim];
        }
        if (projecting) {
          offsets = offsets == null || offsets.length < chunkPairs ? new double[chunkPairs] : offsets;
          addBlockRatings(ready);
        } else if (influences == null || influences.length < chunkPairs * count) {
          influences = new double[Math.max(1, chunkPairs * count)];
        }
      }
      double f = side == USER_SIDE ? predictor.predictWithGradients(own, counterpart, dUser, dItem)
          : predictor.predictWithGradients(counterpart, own, dUser, dItem);
      if (!Double.isFinite(f)) {
        throw new IllegalArgumentException("the prediction for user " + (side == USER_SIDE ? key : other)
            + ", item " + (side == USER_SIDE ? other : key) + " is " + f + "; check their vectors");
      }
      if (isRated(other)) {
        // The pair is a training rating: its Hessian couples the sides, so both whole lists go to the joint solve.
        ready.add(head(order, f, null, input, own, ratedList(), null, 0));
        return;
      }
      double[] v = side == USER_SIDE ? dUser : dItem;
      System.arraycopy(v, 0, gradients, pending * v.length, v.length);
      orders[pending] = order;
      predictions[pending] = f;
      inputRows[pending] = input;
      pending++;
      if (pending == chunkPairs) {
        flush(ready);
      }
    }

    /** Scores the pending pairs and queues one output row per pair. */
    void flush(ArrayDeque<Row> ready) {
      if (pending == 0) {
        return;
      }
      if (projecting) {
        block.project(gradients, pending, offsets);
        for (int p = 0; p < pending; p++) {
          float[] projection = new float[dim];
          for (int a = 0; a < dim; a++) {
            projection[a] = (float) gradients[p * dim + a];
          }
          ready.add(head(orders[p], predictions[p], null, inputRows[p], null, null, projection, offsets[p]));
          inputRows[p] = null;
        }
        pending = 0;
        return;
      }
      block.influences(gradients, pending, influences);
      for (int p = 0; p < pending; p++) {
        ready.add(RowFactory.create(orders[p], side, key, predictions[p], top(p * count), inputRows[p], null, null));
        inputRows[p] = null;
      }
      pending = 0;
    }

    /** A pair's row: {@link #output}'s columns, and in the projecting mode {@link #projected}'s head columns. */
    private Row head(long order, double f, byte[] top, Row input, float[] ownVector, Row[] rated, float[] projection,
        double offset) {
      if (!projecting) {
        return RowFactory.create(order, side, key, f, top, input, ownVector, rated);
      }
      return RowFactory.create(order, side, key, f, top, input, ownVector, rated, salt, HEAD, projection, offset,
          0, 0f, null, 0f, 0.0, false);
    }

    /** The block's ratings as {@link #BLOCK_RATING} rows, queued once per group before its pairs' heads. */
    private void addBlockRatings(ArrayDeque<Row> ready) {
      double[] leverages = block.leverages();
      for (int j = 0; j < count; j++) {
        ready.add(RowFactory.create(0L, side, key, 0.0, null, null, null, null, salt, BLOCK_RATING, null, 0.0,
            others[j], ratings[j], block.jacobianRow(j), (float) block.scale(j), leverages[j], block.orphaning()));
      }
    }

    /** Whether the group's ratings (sorted by counterpart id) include one of {@code other}. */
    private boolean isRated(int other) {
      return Arrays.binarySearch(others, 0, count, other) >= 0;
    }

    private Row[] ratedList() {
      Row[] list = new Row[count];
      for (int j = 0; j < count; j++) {
        list[j] = RowFactory.create(others[j], ratings[j], vectors[j]);
      }
      return list;
    }

    /** The side's top ratings for the pair whose influences start at {@code from}, best first. */
    private byte[] top(int from) {
      boolean orphaned = block.orphaning();
      int size = 0;
      double weakest = 0; // |influence| of heap[0], the weakest kept: below it a rating cannot enter
      for (int j = 0; j < count; j++) {
        double x = influences[from + j];
        if (!orphaned && !Double.isFinite(x)) {
          throw new IllegalArgumentException("the influence of the rating of user " + user(j) + " on item "
              + item(j) + " is " + x + "; check their vectors");
        }
        if (size < topK) {
          heap[size] = j;
          siftUp(size++, from);
          weakest = Math.abs(influences[from + heap[0]]);
        } else if (!(Math.abs(x) < weakest) && before(j, heap[0], from)) { // a tie never ranks before: ratings
          heap[0] = j;                                                     // come by counterpart id
          siftDown(size, from);
          weakest = Math.abs(influences[from + heap[0]]);
        }
      }
      RankedRatings out = RankedRatings.allocate(size);
      double[] leverages = block.leverages();
      for (int k = size - 1; k >= 0; k--) {
        int j = heap[0]; // the weakest left goes last
        out.set(k, user(j), item(j), ratings[j], influences[from + j], leverages[j], orphaned);
        heap[0] = heap[k];
        siftDown(k, from);
      }
      return out.bytes();
    }

    private int user(int j) {
      return side == USER_SIDE ? key : others[j];
    }

    private int item(int j) {
      return side == USER_SIDE ? others[j] : key;
    }

    /** Whether rating {@code a} ranks before {@code b}: larger |influence|, then smaller counterpart, then index. */
    private boolean before(int a, int b, int from) {
      int c = Double.compare(Math.abs(influences[from + a]), Math.abs(influences[from + b]));
      if (c != 0) {
        return c > 0;
      }
      return others[a] != others[b] ? others[a] < others[b] : a < b;
    }

    private void siftUp(int at, int from) {
      while (at > 0) {
        int parent = (at - 1) / 2;
        if (!before(heap[parent], heap[at], from)) {
          return;
        }
        swap(at, parent);
        at = parent;
      }
    }

    private void siftDown(int size, int from) {
      int at = 0;
      while (true) {
        int left = 2 * at + 1;
        if (left >= size) {
          return;
        }
        int weakest = left + 1 < size && before(heap[left], heap[left + 1], from) ? left + 1 : left;
        if (!before(heap[at], heap[weakest], from)) {
          return;
        }
        swap(at, weakest);
        at = weakest;
      }
    }

    private void swap(int a, int b) {
      int t = heap[a];
      heap[a] = heap[b];
      heap[b] = t;
    }
  }
}
