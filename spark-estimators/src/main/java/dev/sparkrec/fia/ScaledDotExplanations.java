package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.call_udf;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.sparkrec.ml.ArrayFunctions;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The grouped explainer's scoring step as Spark SQL over {@code sparkrec_scaled_dot}
 * ({@code InfluenceExplainer.influenceScoring = "arrayFunctions"}), so that on a RAPIDS cluster the per-rating
 * arithmetic runs on the GPU.
 *
 * <p>{@link SideExplanations}, projecting, factors each group's block once and emits its ratings ({@code J_j},
 * scale) and its pairs' projections ({@code S_p}, offset). A join on {@code (side, key, salt)} makes one row per
 * (pair, related rating), whose influence is {@code sparkrec_scaled_dot(S_p, J_j, scale_j) + offset_p} (NaN for an
 * orphaning rating); a shuffle by pair position, sorted by |influence|, brings each pair's sides and their ranked
 * ratings together, and {@link Assembled} keeps each side's {@code topK} and hands the sides to
 * {@link MergedExplanations}. The factorisations, the per-pair solves and the top-k assembly stay in the JVM: they
 * are small dense linear algebra per user or item, not column arithmetic.
 *
 * <p>The same explanations as the in-JVM GEMM path, to float rounding: {@code J_j}, {@code S_p} and the scale travel
 * as floats and the function returns a float. The join materialises pairs × related ratings rows, so this path
 * suits a GPU cluster and moderate lists; the in-JVM path scores a hot item's ratings without them.
 */
final class ScaledDotExplanations {

  private static final int HEAD_ENTRY = 0;
  private static final int SCORED_ENTRY = 1;

  private ScaledDotExplanations() {}

  /**
   * @param sides the side rows, partitioned by {@code (side, key, salt)} and sorted as {@link SideExplanations}
   *     reads them
   * @param withOrder the explainer's output schema with its position column
   */
  static Dataset<Row> explain(Dataset<Row> sides, StructType inputSchema, FactorizedPredictor predictor,
      double damping, boolean leaveOneOut, int topK, int inputColumns, boolean dropCold, StructType withOrder) {
    Dataset<Row> projected = sides.mapPartitions(
        new SideExplanations(predictor, damping, leaveOneOut, topK, true, false),
        Encoders.row(SideExplanations.projected(inputSchema)));
    Column kind = col("kind");
    Dataset<Row> heads = projected.filter(kind.equalTo(SideExplanations.HEAD));
    Dataset<Row> blockRatings = projected.filter(kind.equalTo(SideExplanations.BLOCK_RATING)).select(
        col("side").as("__b_side"), col("key").as("__b_key"), col("salt").as("__b_salt"), col("other"),
        col("rating"), col("jacobian"), col("scale"), col("leverage"), col("orphaned"));
    Column sameBlock = col("side").equalTo(col("__b_side")).and(col("key").equalTo(col("__b_key")))
        .and(col("salt").equalTo(col("__b_salt")));
    Column influence = when(col("orphaned"), lit(Double.NaN)).otherwise(
        call_udf(ArrayFunctions.SCALED_DOT, col("projection"), col("jacobian"), col("scale"))
            .cast(DataTypes.DoubleType).plus(col("offset")));
    Column noInput = lit(null).cast(inputSchema);
    Column noVector = lit(null).cast(DataTypes.createArrayType(DataTypes.FloatType, false));
    Column noList = lit(null).cast(DataTypes.createArrayType(SideExplanations.RATED, false));
    Dataset<Row> scored = heads.filter(col("projection").isNotNull())
        .select(col("order"), col("side"), col("key"), col("salt"), col("projection"), col("offset"))
        .join(blockRatings, sameBlock)
        .select(col("order"), col("side"), col("key"), lit(0.0).as("f"),
            lit(null).cast(DataTypes.BinaryType).as("top"), noInput.as("row"), noVector.as("own"),
            noList.as("rated"), lit(false).as("scorable"), lit(SCORED_ENTRY).as("entry"), col("other"),
            col("rating"), influence.as("influence"), col("leverage"), col("orphaned"));
    Dataset<Row> headRows = heads.select(col("order"), col("side"), col("key"), col("f"), col("top"), col("row"),
        col("own"), col("rated"), col("projection").isNotNull().as("scorable"), lit(HEAD_ENTRY).as("entry"),
        lit(0).as("other"), lit(0f).as("rating"), lit(0.0).as("influence"), lit(0.0).as("leverage"),
        lit(false).as("orphaned"));
    return headRows.unionByName(scored)
        .repartition(col("order"))
        .sortWithinPartitions(col("order"), col("side"), col("entry"), abs(col("influence")).desc(), col("other"),
            col("rating"))
        .mapPartitions(new Assembled(predictor, damping, leaveOneOut, topK, inputColumns, dropCold),
            Encoders.row(withOrder));
  }

  /**
   * Turns the sorted rows of each pair (per side: its head, then its scored ratings, largest |influence| first) into
   * {@link SideExplanations#output} rows with each side's top list, and those into the explainer's rows by
   * {@link MergedExplanations}.
   */
  static final class Assembled implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private static final int ORDER = 0;
    private static final int SIDE = 1;
    private static final int KEY = 2;
    private static final int F = 3;
    private static final int ROW = 5;
    private static final int SCORABLE = 8;
    private static final int ENTRY = 9;
    private static final int OTHER = 10;
    private static final int RATING = 11;
    private static final int INFLUENCE = 12;
    private static final int LEVERAGE = 13;
    private static final int ORPHANED = 14;

    private final MergedExplanations merged;
    private final int topK;

    Assembled(FactorizedPredictor predictor, double damping, boolean leaveOneOut, int topK, int inputColumns,
        boolean dropCold) {
      this.merged = new MergedExplanations(predictor, damping, leaveOneOut, topK, inputColumns, dropCold);
      this.topK = topK;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      return merged.call(new Iterator<>() {
        private final int[] users = new int[topK];
        private final int[] items = new int[topK];
        private final float[] ratings = new float[topK];
        private final double[] influences = new double[topK];
        private final double[] leverages = new double[topK];
        private final boolean[] orphaned = new boolean[topK];
        private Row next = rows.hasNext() ? rows.next() : null;

        @Override
        public boolean hasNext() {
          return next != null;
        }

        @Override
        public Row next() {
          if (next == null) {
            throw new NoSuchElementException();
          }
          Row head = advance();
          if (head.getInt(ENTRY) != HEAD_ENTRY) {
            throw new IllegalStateException("the ratings of the pair at position " + head.getLong(ORDER)
                + " arrived without the pair");
          }
          long order = head.getLong(ORDER);
          int side = head.getInt(SIDE);
          int key = head.getInt(KEY);
          int size = 0;
          while (next != null && next.getInt(ENTRY) == SCORED_ENTRY && next.getLong(ORDER) == order
              && next.getInt(SIDE) == side) {
            Row entry = advance();
            if (size < topK) { // sorted by |influence|, then counterpart id and rating, as the JVM path ranks
              int other = entry.getInt(OTHER);
              double influence = entry.getDouble(INFLUENCE);
              boolean orphaning = entry.getBoolean(ORPHANED);
              users[size] = side == SideExplanations.USER_SIDE ? key : other;
              items[size] = side == SideExplanations.USER_SIDE ? other : key;
              if (!orphaning && !Double.isFinite(influence)) { // a non-finite value sorts first
                throw new IllegalArgumentException("the influence of the rating of user " + users[size] + " on item "
                    + items[size] + " is " + influence + "; check their vectors");
              }
              ratings[size] = entry.getFloat(RATING);
              influences[size] = influence;
              leverages[size] = entry.getDouble(LEVERAGE);
              orphaned[size] = orphaning;
              size++;
            }
          }
          if (!head.getBoolean(SCORABLE)) {
            return head; // a cold pair or a training rating: as SideExplanations made it
          }
          RankedRatings top = RankedRatings.allocate(size);
          for (int k = 0; k < size; k++) {
            top.set(k, users[k], items[k], ratings[k], influences[k], leverages[k], orphaned[k]);
          }
          return RowFactory.create(order, side, key, head.getDouble(F), top.bytes(),
              head.isNullAt(ROW) ? null : head.getStruct(ROW), null, null);
        }

        private Row advance() {
          Row row = next;
          next = rows.hasNext() ? rows.next() : null;
          return row;
        }
      });
    }
  }
}
