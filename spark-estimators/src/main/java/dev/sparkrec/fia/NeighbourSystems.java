package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

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
 * Every user's and every item's {@link NeighbourRefit.NormalEquations} over its training ratings, summed on the
 * executors for the explainer's {@code refitNeighbours} form: an item's system is read by its raters' user-side
 * rating rows, a user's by its items' item-side rows. One shuffle by (side, id), sorted by counterpart and rating,
 * so the sums come in a fixed order and the result is the same on every run.
 */
final class NeighbourSystems implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  /** The struct of one system: {@code (gram + 2λ·count·I)·φ = rhs}. */
  static final StructType SYSTEM = new StructType()
      .add("gram", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
      .add("rhs", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
      .add("count", DataTypes.IntegerType, false);

  private static final StructType OUTPUT = new StructType()
      .add("__s_side", DataTypes.IntegerType, false)
      .add("__s_id", DataTypes.IntegerType, false)
      .add("system", SYSTEM, false);

  private final FactorizedPredictor predictor;

  private NeighbourSystems(FactorizedPredictor predictor) {
    this.predictor = predictor;
  }

  /**
   * @param rated the training ratings {@code (user, item, rating)} with {@code __r_user_vector} and
   *     {@code __r_item_vector} (null where the model lacks the id: left out here, reported by the scoring)
   * @return {@code (__s_side, __s_id, system)}: {@code __s_side} is the side of the rating rows that read the system
   *     (user side: an item's), {@code __s_id} the id whose system it is
   */
  static Dataset<Row> of(Dataset<Row> rated, FactorizedPredictor predictor) {
    Column userVector = col("__r_user_vector");
    Column itemVector = col("__r_item_vector");
    Dataset<Row> rows = rated
        .filter(userVector.isNotNull().and(itemVector.isNotNull()))
        .select(explode(array(
            row(SideExplanations.USER_SIDE, col("item"), col("user"), itemVector, userVector),
            row(SideExplanations.ITEM_SIDE, col("user"), col("item"), userVector, itemVector))).as("s"))
        .select(col("s.side"), col("s.id"), col("s.other"), col("s.rating"), col("s.own"), col("s.vector"));
    return rows
        .repartition(col("side"), col("id"))
        .sortWithinPartitions("side", "id", "other", "rating")
        .mapPartitions(new NeighbourSystems(predictor), Encoders.row(OUTPUT));
  }

  private static Column row(int side, Column id, Column other, Column own, Column vector) {
    return struct(lit(side).as("side"), id.as("id"), other.as("other"),
        col("rating").cast(DataTypes.FloatType).as("rating"), own.as("own"), vector.as("vector"));
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    NeighbourRefit refit = new NeighbourRefit(predictor);
    NeighbourRefit.Sum[] sums = {refit.sum(true), refit.sum(false)}; // indexed by side: an item's, a user's
    return new Iterator<>() {
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
        int side = next.getInt(0);
        int id = next.getInt(1);
        NeighbourRefit.Sum sum = sums[side];
        sum.reset();
        while (next != null && next.getInt(0) == side && next.getInt(1) == id) {
          sum.add(SideExplanations.floats(next.getList(4)), SideExplanations.floats(next.getList(5)),
              next.getFloat(3));
          next = rows.hasNext() ? rows.next() : null;
        }
        NeighbourRefit.NormalEquations system = sum.result();
        return RowFactory.create(side, id, RowFactory.create(system.gram(), system.rhs(), system.count()));
      }
    };
  }
}
