package dev.sparkrec.testing;

import static org.apache.spark.sql.functions.col;

import dev.sparkrec.data.SyntheticRatings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Small rating data for the collaborative-filtering tests, and helpers to read fitted factor tables. */
public final class CfTestData {

  public static final StructType SCHEMA = new StructType()
      .add("user", DataTypes.IntegerType, true)
      .add("item", DataTypes.IntegerType, true)
      .add("rating", DataTypes.FloatType, true);

  private CfTestData() {}

  /**
   * About 250 planted-factor ratings of 30 users and 20 items on 2 partitions, with ids spread out and partly
   * negative (user {@code 3u − 40}, item {@code 5i + 7}) so that indexing by sorted id is exercised.
   */
  public static Dataset<Row> ratings(long seed) {
    return SyntheticRatings.builder().numUsers(30).numItems(20).rank(2).seed(seed).numPartitions(2)
        .minRatingsPerUser(5).maxRatingsPerUser(12).build().generate(SparkTestSession.get())
        .withColumn("user", col("user").multiply(3).minus(40))
        .withColumn("item", col("item").multiply(5).plus(7));
  }

  /** Rows of (user, item, rating) with the given values; nulls allowed. */
  public static Dataset<Row> rows(Object[]... rows) {
    List<Row> out = new ArrayList<>();
    for (Object[] row : rows) {
      out.add(RowFactory.create(row));
    }
    return SparkTestSession.get().createDataFrame(out, SCHEMA);
  }

  /** id → the float array in column {@code column} of a factor table. */
  public static Map<Integer, float[]> arrays(Dataset<Row> table, String column) {
    Map<Integer, float[]> out = new HashMap<>();
    for (Row row : table.collectAsList()) {
      List<Float> values = row.getList(row.fieldIndex(column));
      float[] array = new float[values.size()];
      for (int i = 0; i < array.length; i++) {
        array[i] = values.get(i);
      }
      out.put(row.getInt(0), array);
    }
    return out;
  }

  /** id → the float in column {@code column} of a factor table. */
  public static Map<Integer, Float> scalars(Dataset<Row> table, String column) {
    Map<Integer, Float> out = new HashMap<>();
    for (Row row : table.collectAsList()) {
      out.put(row.getInt(0), row.getFloat(row.fieldIndex(column)));
    }
    return out;
  }
}
