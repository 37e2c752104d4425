package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * The top {@code k} items of every user (or of some users) by a {@link FactorizedModel}'s prediction, leaving out the
 * items the user rated in training: one row per recommendation, {@code (user, item, rank)} with rank 1 the highest
 * prediction (ties: smaller item id first, NaN last). Users are scored on the executors, each against every item
 * with {@link FactorizedPredictor#predict}, or, for a dot-product model (MF, ALS), with {@link DotProductTopK#score}.
 *
 * <p>Two plans give the same rows. When the item vectors fit Spark's {@code spark.sql.autoBroadcastJoinThreshold}
 * (estimated as {@link IdVectors#bytes}) they are read to the driver (a model holding them there gives them without
 * a job) and broadcast once. Otherwise nothing passes through the driver: the users (with their rated items) and the
 * items are cut into blocks of at most {@value #BLOCK_ROWS} rows, every (user block, item block) pair keeps each
 * user's best {@code k} of that block's items, and a user's lists from all item blocks are merged by score, ties by
 * smaller item id, whatever order they merge in ({@link BestCandidates}). When the session has SparkRec's array
 * functions a dot-product model is scored instead as Spark SQL over {@code sparkrec_dot} ({@link DotProductTopK}),
 * which ranks identically and stays GPU-eligible on a RAPIDS cluster.
 */
final class FactorizedRecommendations {

  /** Rows per block of the blocked plan: a block pair scores up to 4096 × 4096 pairs. */
  static final int BLOCK_ROWS = 4096;

  private FactorizedRecommendations() {}

  static StructType schema(String userCol, String itemCol) {
    return new StructType()
        .add(userCol, DataTypes.IntegerType, false)
        .add(itemCol, DataTypes.IntegerType, false)
        .add("rank", DataTypes.IntegerType, false);
  }

  /**
   * @param model the fitted model
   * @param ratings validated {@code (user, item, rating)} training ratings, whose items are left out per user
   * @param users {@code id: int} of the users to recommend for, or null for every user the model knows
   */
  static Dataset<Row> topK(FactorizedModel model, Dataset<Row> ratings, Dataset<Row> users, int k, String userCol,
      String itemCol) {
    return topK(model, ratings, users, k, userCol, itemCol, BLOCK_ROWS);
  }

  /** {@link #topK} with blocks of at most {@code blockRows} rows when the item vectors are not broadcast. */
  static Dataset<Row> topK(FactorizedModel model, Dataset<Row> ratings, Dataset<Row> users, int k, String userCol,
      String itemCol, int blockRows) {
    Dataset<Row> userVectors = model.userVectors();
    if (users != null) {
      userVectors = userVectors.join(users.select(col("id").as("__asked")), col("id").equalTo(col("__asked")),
          "left_semi");
    }
    if (DotProductTopK.sqlPath(ratings.sparkSession(), model.predictor())) {
      Dataset<Row> rated = ratings.select(col("user").as("query"), col("item").as("candidate"));
      return DotProductTopK.sql((FactorPredictor) model.predictor(), userVectors, true, model.itemVectors(), rated, k)
          .select(col("query").as(userCol), col("candidate").as(itemCol), col("rank"));
    }
    Dataset<Row> rated = ratings.groupBy(col("user")).agg(collect_list(col("item")).as("__rated"));
    Dataset<Row> scored = userVectors.join(rated, col("id").equalTo(col("user")), "left")
        .select(col("id"), col("vector"), col("__rated"));
    StructType schema = schema(userCol, itemCol);
    long maxBytes = ratings.sparkSession().sessionState().conf().autoBroadcastJoinThreshold();
    IdVectors items = maxBytes <= 0 ? null
        : IdVectors.readAtMost(model, false, maxBytes / IdVectors.bytes(1, model.predictor().itemDim()));
    if (items == null) {
      return blocked(scored, model.itemVectors(), model.predictor(), k, blockRows, schema);
    }
    Broadcast<Items> broadcast = JavaSparkContext.fromSparkContext(ratings.sparkSession().sparkContext())
        .broadcast(Items.sorted(items.ids, items.vectors));
    return scored.flatMap(new Recommend(model.predictor(), broadcast, k), Encoders.row(schema));
  }

  /**
   * The blocked plan: {@code scored}'s users {@code (id, vector, rated ids or null)} against {@code itemVectors}'
   * items {@code (id, vector)}, in blocks of at most {@code blockRows} rows, nothing through the driver.
   */
  private static Dataset<Row> blocked(Dataset<Row> scored, Dataset<Row> itemVectors, FactorizedPredictor predictor,
      int k, int blockRows, StructType schema) {
    if (blockRows < 1) {
      throw new IllegalArgumentException("blockRows must be >= 1, got " + blockRows);
    }
    JavaRDD<Queries> queries = scored.javaRDD().mapPartitions(rows -> inBlocks(rows, blockRows, Queries::of));
    JavaRDD<Items> candidates = itemVectors.javaRDD().mapPartitions(rows -> inBlocks(rows, blockRows, Items::of));
    int partitions = Math.max(1, scored.sparkSession().sparkContext().defaultParallelism());
    JavaRDD<Row> rows = queries.cartesian(candidates)
        .flatMapToPair(new ScoreBlock(predictor, k))
        .reduceByKey((a, b) -> BestCandidates.merge(a, b, k), partitions)
        .flatMap(best -> ranked(best._1, best._2));
    return scored.sparkSession().createDataFrame(rows, schema);
  }

  /** {@code rows} read lazily, {@code blockRows} at a time, each block made into a {@code T} by {@code block}. */
  private static <T> Iterator<T> inBlocks(Iterator<Row> rows, int blockRows, Function<List<Row>, T> block) {
    return new Iterator<T>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public T next() {
        if (!rows.hasNext()) {
          throw new NoSuchElementException();
        }
        List<Row> read = new ArrayList<>(Math.min(blockRows, 1024));
        while (rows.hasNext() && read.size() < blockRows) {
          read.add(rows.next());
        }
        return block.apply(read);
      }
    };
  }

  /** The rows {@code (user, item, rank)} of {@code user}'s best items, rank 1 first. */
  private static Iterator<Row> ranked(int user, BestCandidates best) {
    List<Row> out = new ArrayList<>(best.indices.length);
    for (int r = 0; r < best.indices.length; r++) {
      out.add(RowFactory.create(user, best.indices[r], r + 1));
    }
    return out.iterator();
  }

  /** A user's rated item ids, sorted (empty when null: a user without training ratings). */
  private static int[] ratedIds(Row row, int field) {
    if (row.isNullAt(field)) {
      return new int[0];
    }
    List<Integer> list = row.getList(field);
    return list.stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  /** The best {@code k} items {@code user} did not rate among {@code items}, offered in increasing id order. */
  private static BestCandidates best(FactorizedPredictor predictor, FactorPredictor dot, float[] user, int[] rated,
      Items items, int k) {
    TopKRecommender.TopK best = new TopKRecommender.TopK(Math.min(k, items.ids.length));
    for (int i = 0; i < items.ids.length; i++) {
      if (Arrays.binarySearch(rated, items.ids[i]) < 0) {
        best.offer(items.ids[i], dot != null ? DotProductTopK.score(dot, user, items.vectors[i])
            : (float) predictor.predict(user, items.vectors[i]));
      }
    }
    return BestCandidates.of(best);
  }

  /** A block of users: ids, vectors and rated item ids (sorted). */
  private static final class Queries implements Serializable {
    private static final long serialVersionUID = 1L;
    final int[] ids;
    final float[][] vectors;
    final int[][] rated;

    private Queries(int[] ids, float[][] vectors, int[][] rated) {
      this.ids = ids;
      this.vectors = vectors;
      this.rated = rated;
    }

    /** A block of rows {@code (id, vector, rated)}. */
    static Queries of(List<Row> rows) {
      int n = rows.size();
      Queries q = new Queries(new int[n], new float[n][], new int[n][]);
      for (int r = 0; r < n; r++) {
        q.ids[r] = rows.get(r).getInt(0);
        q.vectors[r] = SideExplanations.floats(rows.get(r), 1);
        q.rated[r] = ratedIds(rows.get(r), 2);
      }
      return q;
    }
  }

  /** Scores a (user block, item block) pair: every user's best {@code k} of the block's items. */
  private static final class ScoreBlock
      implements PairFlatMapFunction<Tuple2<Queries, Items>, Integer, BestCandidates> {
    private static final long serialVersionUID = 1L;
    private final FactorizedPredictor predictor;
    private final int k;

    ScoreBlock(FactorizedPredictor predictor, int k) {
      this.predictor = predictor;
      this.k = k;
    }

    @Override
    public Iterator<Tuple2<Integer, BestCandidates>> call(Tuple2<Queries, Items> pair) {
      FactorPredictor dot = DotProductTopK.applies(predictor) ? (FactorPredictor) predictor : null;
      Queries users = pair._1;
      List<Tuple2<Integer, BestCandidates>> out = new ArrayList<>(users.ids.length);
      for (int u = 0; u < users.ids.length; u++) {
        out.add(new Tuple2<>(users.ids[u], best(predictor, dot, users.vectors[u], users.rated[u], pair._2, k)));
      }
      return out.iterator();
    }
  }

  /** Items by increasing id: the whole table (broadcast) or one block. */
  private static final class Items implements Serializable {
    private static final long serialVersionUID = 1L;
    final int[] ids;
    final float[][] vectors;

    private Items(int[] ids, float[][] vectors) {
      this.ids = ids;
      this.vectors = vectors;
    }

    /** {@code ids} with {@code vectors}, put in increasing id order. */
    static Items sorted(int[] ids, float[][] vectors) {
      Integer[] order = new Integer[ids.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Integer.compare(ids[a], ids[b]));
      Items items = new Items(new int[ids.length], new float[ids.length][]);
      for (int i = 0; i < order.length; i++) {
        items.ids[i] = ids[order[i]];
        items.vectors[i] = vectors[order[i]];
      }
      return items;
    }

    /** A block of rows {@code (id, vector)}, in increasing id order. */
    static Items of(List<Row> rows) {
      IdVectors read = IdVectors.of(rows);
      return sorted(read.ids, read.vectors);
    }
  }

  /** Scores one user against every item and keeps the best {@code k} it did not rate. */
  private static final class Recommend implements FlatMapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final FactorizedPredictor predictor;
    private final Broadcast<Items> items;
    private final int k;

    Recommend(FactorizedPredictor predictor, Broadcast<Items> items, int k) {
      this.predictor = predictor;
      this.items = items;
      this.k = k;
    }

    @Override
    public Iterator<Row> call(Row row) {
      FactorPredictor dot = DotProductTopK.applies(predictor) ? (FactorPredictor) predictor : null;
      return ranked(row.getInt(0), best(predictor, dot, SideExplanations.floats(row.getList(1)), ratedIds(row, 2),
          items.value(), k));
    }
  }
}
