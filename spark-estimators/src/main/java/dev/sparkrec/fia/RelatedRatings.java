package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import dev.sparkrec.ml.SchemaChecks;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The training ratings arranged for influence analysis, as DataFrame operations that run on executors: every
 * user's ratings with the rated items' vectors, and every item's ratings with the raters' vectors, one sorted
 * array per id (sorted by the counterpart id, so results do not depend on shuffle order).
 */
final class RelatedRatings {

  private static final DataType[] ID_TYPES = {DataTypes.IntegerType, DataTypes.LongType};
  private static final DataType[] RATING_TYPES =
      {DataTypes.FloatType, DataTypes.DoubleType, DataTypes.IntegerType, DataTypes.LongType};

  private RelatedRatings() {}

  /** Checks that {@code ratings} has integer id columns and a numeric rating column. */
  static void requireColumns(StructType schema, String userCol, String itemCol, String ratingCol) {
    SchemaChecks.requireColumnType(schema, userCol, ID_TYPES);
    SchemaChecks.requireColumnType(schema, itemCol, ID_TYPES);
    SchemaChecks.requireColumnType(schema, ratingCol, RATING_TYPES);
  }

  /**
   * {@code (user int, item int, rating float)} from the training ratings; a null id, an id outside the int
   * range or a null/NaN/infinite rating fails the job that reads it with a message naming the column and the row.
   */
  static Dataset<Row> validated(Dataset<Row> ratings, String userCol, String itemCol, String ratingCol) {
    requireColumns(ratings.schema(), userCol, itemCol, ratingCol);
    Column where = concat(lit(" (training rating of user "), col(userCol).cast("string"), lit(", item "),
        col(itemCol).cast("string"), lit(")"));
    Column rating = col(ratingCol).cast("double");
    return ratings.select(
        id(userCol, where).as("user"),
        id(itemCol, where).as("item"),
        when(rating.isNull().or(isnan(rating)).or(rating.equalTo(Double.POSITIVE_INFINITY))
                .or(rating.equalTo(Double.NEGATIVE_INFINITY)),
            raise_error(concat(lit("Column '" + ratingCol + "' of the training ratings must hold finite ratings, got "),
                col(ratingCol).cast("string"), where)))
            .otherwise(rating.cast("float")).as("rating"));
  }

  private static Column id(String name, Column where) {
    Column c = col(name);
    return when(c.isNull().or(c.lt(Integer.MIN_VALUE)).or(c.gt(Integer.MAX_VALUE)),
        raise_error(concat(lit("Column '" + name + "' of the training ratings must hold int ids, got "),
            c.cast("string"), where)))
        .otherwise(c.cast("int"));
  }
}
