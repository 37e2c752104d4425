package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The explainer's plan: each pair is scored against its user's ratings
 * and against its item's ratings separately (for a pair that is not a training rating the restricted Hessian is
 * block-diagonal), then the two sides' top lists are merged.
 *
 * <ol>
 *   <li>Every pair becomes a user-side row keyed by its user and an item-side row keyed by its item; every training
 *       rating becomes a rating row on both sides, with its user's and its item's vectors (joined from the
 *       partitioned factor tables).</li>
 *   <li><b>Skew.</b> A side key whose work ({@code pairs × ratings}) exceeds {@link #WORK_PER_GROUP}, and whose pairs
 *       are many enough to share the cost of copying its ratings, is split into salts: its pairs are spread over the
 *       salts by a hash of their position, and its ratings are replicated to every salt. Only these hot keys reach
 *       the driver (a broadcast of their salt counts); no pair does.</li>
 *   <li>One shuffle by {@code (side, key, salt)}, sorted within partitions, streams each group's ratings and then its
 *       pairs into {@link SideExplanations}: one factorisation per group, one GEMM per chunk of pairs.</li>
 *   <li>A second shuffle by pair position brings each pair's two sides together for {@link MergedExplanations}.</li>
 * </ol>
 *
 * <p>With {@code throughArrayFunctions}, steps 3 and 4 become {@link ScaledDotExplanations}: the groups are factored
 * in the same shuffle, and the influences computed as Spark SQL over {@code sparkrec_scaled_dot}.
 */
final class GroupedExplanations {

  /** Pair × rating scores per group beyond which a side key is split into salts: 2²⁴. */
  static final long WORK_PER_GROUP = 1L << 24;
  /** A salt gets at least this many pairs, so that copying its key's ratings stays small beside its scoring. */
  static final long PAIRS_PER_SALT = 512;

  private GroupedExplanations() {}

  /**
   * @param pairs the input columns, then {@code ROW_ORDER}, the int user and item ids ({@code __pair_user},
   *     {@code __pair_item}, never null) and both vectors (null where the model lacks the user or item)
   * @param dropCold whether pairs the model cannot predict are dropped (else NaN, no explanations)
   * @param inputColumns the number of input columns
   * @param ratings validated {@code (user, item, rating)}
   * @param withOrder the output schema: the input columns, prediction, explanations, {@code ROW_ORDER}
   * @param throughArrayFunctions whether the influences are scored as Spark SQL over {@code sparkrec_scaled_dot}
   *     ({@link ScaledDotExplanations}) rather than by GEMM in each group
   * @param refitNeighbours whether pairs that are not training ratings are scored by {@link NeighbourRefit}: each
   *     rating row then carries its counterpart's normal equations ({@link NeighbourSystems}); not with
   *     {@code throughArrayFunctions}
   */
  static Dataset<Row> explain(Dataset<Row> pairs, String[] inputColumns, StructType inputSchema, Dataset<Row> ratings,
      Dataset<Row> userVectors, Dataset<Row> itemVectors, FactorizedPredictor predictor, double damping,
      boolean leaveOneOut, int topK, boolean dropCold, StructType withOrder, boolean throughArrayFunctions,
      boolean refitNeighbours) {
    if (refitNeighbours && throughArrayFunctions) {
      throw new IllegalArgumentException("re-fitting neighbours is scored in the JVM only");
    }
    Column[] input = new Column[inputColumns.length];
    for (int c = 0; c < input.length; c++) {
      input[c] = pairs.col(inputColumns[c]);
    }
    Column order = col(InfluenceExplainer.ROW_ORDER);
    Column user = col("__pair_user");
    Column item = col("__pair_item");
    Column userVector = col(InfluenceExplainer.USER_VECTOR);
    Column itemVector = col(InfluenceExplainer.ITEM_VECTOR);
    Dataset<Row> pairRows = pairs.select(explode(array(
            side(SideExplanations.USER_SIDE, user, item, lit(0f), order, userVector, itemVector, struct(input)),
            side(SideExplanations.ITEM_SIDE, item, user, lit(0f), order, itemVector, userVector,
                lit(null).cast(inputSchema))))
        .as("s"))
        .select(col("s.*"))
        .withColumn("system", lit(null).cast(NeighbourSystems.SYSTEM));

    Dataset<Row> users = userVectors.select(col("id").as("__r_user"), col("vector").as("__r_user_vector"));
    Dataset<Row> items = itemVectors.select(col("id").as("__r_item"), col("vector").as("__r_item_vector"));
    Dataset<Row> rated = ratings
        .join(users, col("user").equalTo(col("__r_user")), "left")
        .join(items, col("item").equalTo(col("__r_item")), "left");
    Column ratingUserVector = col("__r_user_vector");
    Column ratingItemVector = col("__r_item_vector");
    Column zero = lit(0L);
    Column noVector = lit(null).cast(DataTypes.createArrayType(DataTypes.FloatType)); // a group's own: its pairs'
    Dataset<Row> ratingRows = rated.select(explode(array(
            side(SideExplanations.USER_SIDE, col("user"), col("item"), col("rating"), zero, noVector,
                ratingItemVector, lit(null).cast(inputSchema)),
            side(SideExplanations.ITEM_SIDE, col("item"), col("user"), col("rating"), zero, noVector,
                ratingUserVector, lit(null).cast(inputSchema))))
        .as("s"))
        .select(col("s.*"));
    if (refitNeighbours) {
      ratingRows = ratingRows
          .join(NeighbourSystems.of(rated, predictor),
              col("side").equalTo(col("__s_side")).and(col("other").equalTo(col("__s_id"))), "left")
          .drop("__s_side", "__s_id");
    } else {
      ratingRows = ratingRows.withColumn("system", lit(null).cast(NeighbourSystems.SYSTEM));
    }

    String[] sideColumns = SideExplanations.input(inputSchema).fieldNames();
    Column kind = col("kind");
    Dataset<Row> rows = pairRows.withColumn("salt", lit(0)).withColumn("kind", lit(SideExplanations.PAIR))
        .selectExpr(quoted(sideColumns))
        .unionByName(ratingRows.withColumn("salt", lit(0)).withColumn("kind", lit(SideExplanations.RATING))
            .selectExpr(quoted(sideColumns)))
        .drop("salt");

    // Hot keys: salts = min(⌈pairs·ratings / WORK_PER_GROUP⌉, ⌈pairs / PAIRS_PER_SALT⌉), kept where > 1; one
    // aggregation and one broadcast, so the pairs are computed once for the statistics and once for the scoring.
    Column isPair = kind.equalTo(SideExplanations.PAIR);
    Dataset<Row> counts = rows.groupBy("side", "key").agg(
        sum(when(isPair, 1L).otherwise(0L)).as("__pairs"), sum(when(isPair, 0L).otherwise(1L)).as("__ratings"));
    Column pairsCount = col("__pairs");
    Column work = pairsCount.multiply(greatest(col("__ratings"), lit(1L)));
    Dataset<Row> hot = counts
        .select(col("side").as("__h_side"), col("key").as("__h_key"),
            least(ceil(work.divide(lit(WORK_PER_GROUP))), ceil(pairsCount.divide(lit(PAIRS_PER_SALT))))
                .cast(DataTypes.IntegerType).as("__salts"))
        .filter(col("__salts").gt(1));
    Column hotKey = col("side").equalTo(col("__h_side")).and(col("key").equalTo(col("__h_key")));
    Column salts = coalesce(col("__salts"), lit(1));
    // A hot key's pairs go to one salt each (by a hash of their position), its ratings to every salt.
    Column salt = explode(when(isPair, array(pmod(xxhash64(col("order")), salts.cast(DataTypes.LongType))
        .cast(DataTypes.IntegerType))).otherwise(sequence(lit(0), salts.minus(1))));
    // Re-fitting neighbours costs O(n²) per group whatever its pairs, so splitting a hot group would repeat it on
    // every salt: there every group is one task.
    Dataset<Row> sideRows = refitNeighbours ? rows.withColumn("salt", lit(0)).selectExpr(quoted(sideColumns))
        : rows.join(broadcast(hot), hotKey, "left").withColumn("salt", salt).selectExpr(quoted(sideColumns));
    Dataset<Row> grouped = sideRows
        .repartition(col("side"), col("key"), col("salt"))
        .sortWithinPartitions("side", "key", "salt", "kind", "other", "rating", "order");
    if (throughArrayFunctions) {
      return ScaledDotExplanations.explain(grouped, inputSchema, predictor, damping, leaveOneOut, topK,
          inputColumns.length, dropCold, withOrder);
    }
    Dataset<Row> sides = grouped
        .mapPartitions(new SideExplanations(predictor, damping, leaveOneOut, topK, false, refitNeighbours),
            Encoders.row(SideExplanations.output(inputSchema)));
    return sides
        .repartition(col("order"))
        .sortWithinPartitions("order", "side")
        .mapPartitions(new MergedExplanations(predictor, damping, leaveOneOut, topK, inputColumns.length, dropCold),
            Encoders.row(withOrder));
  }

  /** One side's row: side, key, other, rating, order, the key's vector, the counterpart's vector, input columns. */
  private static Column side(int side, Column key, Column other, Column rating, Column order, Column own,
      Column vector, Column row) {
    return struct(lit(side).as("side"), key.as("key"), other.as("other"), rating.cast(DataTypes.FloatType).as("rating"),
        order.as("order"), own.as("own"), vector.as("vector"), row.as("row"));
  }

  private static String[] quoted(String[] names) {
    String[] out = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      out[i] = "`" + names[i] + "`";
    }
    return out;
  }
}
