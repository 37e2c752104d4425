package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The top {@code k} items of every user (or of some users) by a {@link FactorizedModel}'s prediction, leaving out the
 * items the user rated in training: one row per recommendation, {@code (user, item, rank)} with rank 1 the highest
 * prediction (ties: smaller item index first). The item vectors are broadcast once (the item factor table, not
 * pairs); users are scored on the executors, each against every item with {@link FactorizedPredictor#predict}, or,
 * for a dot-product model (MF, ALS), with {@link DotProductTopK#score}. When the session has SparkRec's array
 * functions a dot-product model is scored instead as Spark SQL over {@code sparkrec_dot} ({@link DotProductTopK}),
 * which ranks identically and stays GPU-eligible on a RAPIDS cluster.
 */
final class FactorizedRecommendations {

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
    if (DotProductTopK.sqlPath(ratings.sparkSession(), model.predictor())) {
      Dataset<Row> userVectors = model.userVectors();
      if (users != null) {
        userVectors = userVectors.join(users.select(col("id").as("__asked")), col("id").equalTo(col("__asked")),
            "left_semi");
      }
      Dataset<Row> rated = ratings.select(col("user").as("query"), col("item").as("candidate"));
      return DotProductTopK.sql((FactorPredictor) model.predictor(), userVectors, true, model.itemVectors(), rated, k)
          .select(col("query").as(userCol), col("candidate").as(itemCol), col("rank"));
    }
    List<Row> itemRows = model.itemVectors().collectAsList();
    int[] itemIds = new int[itemRows.size()];
    float[][] itemVectors = new float[itemRows.size()][];
    for (int i = 0; i < itemIds.length; i++) {
      itemIds[i] = itemRows.get(i).getInt(0);
      itemVectors[i] = SideExplanations.floats(itemRows.get(i).getList(1));
    }
    Broadcast<Items> items = JavaSparkContext.fromSparkContext(ratings.sparkSession().sparkContext())
        .broadcast(new Items(itemIds, itemVectors));
    Dataset<Row> userVectors = model.userVectors();
    if (users != null) {
      userVectors = userVectors.join(users.select(col("id").as("__asked")), col("id").equalTo(col("__asked")),
          "left_semi");
    }
    Dataset<Row> rated = ratings.groupBy(col("user")).agg(collect_list(col("item")).as("__rated"));
    Dataset<Row> scored = userVectors.join(rated, col("id").equalTo(col("user")), "left")
        .select(col("id"), col("vector"), col("__rated"));
    return scored.flatMap(new Recommend(model.predictor(), items, k), Encoders.row(schema(userCol, itemCol)));
  }

  /** The item table, sorted by id. */
  private static final class Items implements Serializable {
    private static final long serialVersionUID = 1L;
    final int[] ids;
    final float[][] vectors;

    Items(int[] ids, float[][] vectors) {
      Integer[] order = new Integer[ids.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Integer.compare(ids[a], ids[b]));
      this.ids = new int[ids.length];
      this.vectors = new float[ids.length][];
      for (int i = 0; i < order.length; i++) {
        this.ids[i] = ids[order[i]];
        this.vectors[i] = vectors[order[i]];
      }
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
      Items table = items.value();
      FactorPredictor dot = DotProductTopK.applies(predictor) ? (FactorPredictor) predictor : null;
      float[] user = SideExplanations.floats(row.getList(1));
      int[] rated = new int[0];
      if (!row.isNullAt(2)) {
        List<Integer> list = row.getList(2);
        rated = list.stream().mapToInt(Integer::intValue).sorted().toArray();
      }
      TopKRecommender.TopK best = new TopKRecommender.TopK(Math.min(k, table.ids.length));
      for (int i = 0; i < table.ids.length; i++) {
        if (Arrays.binarySearch(rated, table.ids[i]) < 0) {
          best.offer(i, dot != null ? DotProductTopK.score(dot, user, table.vectors[i])
              : (float) predictor.predict(user, table.vectors[i]));
        }
      }
      List<Row> out = new ArrayList<>(best.size());
      for (int r = 0; r < best.size(); r++) {
        out.add(RowFactory.create(row.getInt(0), table.ids[best.index(r)], r + 1));
      }
      return out.iterator();
    }
  }
}
