package dev.sparkrec.fia;

import dev.sparkrec.ml.ParameterTables;
import dev.sparkrec.train.TrainingSummary;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What a fitted collaborative-filtering model learned: the sorted user and item ids (an id's index is its
 * position), the weighted mean training rating, the network's parameters by name and, when it was trained here,
 * the training summary. Saved as Parquet under {@code path/data/ids} (one row: {@code userIds}, {@code itemIds}
 * array&lt;int&gt;, {@code globalMean} double), {@code path/data/parameters} ({@link ParameterTables}) and
 * {@code path/data/summary} ({@link TrainingSummary}, absent in models saved without one). Immutable; the arrays
 * are not copied, so callers must not change them.
 */
final class CfModelData implements Serializable {

  private static final long serialVersionUID = 1L;

  private final IdIndex users;
  private final IdIndex items;
  private final double globalMean;
  private final Map<String, float[]> parameters;
  private final TrainingSummary summary;

  /** The data of a model trained with {@code summary} (null when unknown). */
  CfModelData(IdIndex users, IdIndex items, double globalMean, Map<String, float[]> parameters,
      TrainingSummary summary) {
    this.users = users;
    this.items = items;
    this.globalMean = globalMean;
    this.parameters = parameters;
    this.summary = summary;
  }

  IdIndex users() {
    return users;
  }

  IdIndex items() {
    return items;
  }

  double globalMean() {
    return globalMean;
  }

  /** The parameters by name, in network order; not copied. */
  Map<String, float[]> parameters() {
    return parameters;
  }

  /** How the model was trained, or null when unknown. */
  TrainingSummary summary() {
    return summary;
  }

  void save(SparkSession spark, String path) {
    StructType idsSchema = new StructType()
        .add("userIds", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
        .add("itemIds", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
        .add("globalMean", DataTypes.DoubleType, false);
    spark.createDataFrame(List.of(RowFactory.create(users.ids(), items.ids(), globalMean)), idsSchema)
        .write().parquet(path + "/data/ids");
    ParameterTables.write(spark, path + "/data/parameters", parameters);
    if (summary != null) {
      summary.write(spark, path + "/data/summary");
    }
  }

  static CfModelData load(SparkSession spark, String path) {
    Row ids = spark.read().parquet(path + "/data/ids").first();
    List<Integer> userIds = ids.getList(0);
    List<Integer> itemIds = ids.getList(1);
    Map<String, float[]> parameters = ParameterTables.read(spark, path + "/data/parameters");
    return new CfModelData(new IdIndex(userIds.stream().mapToInt(Integer::intValue).toArray()),
        new IdIndex(itemIds.stream().mapToInt(Integer::intValue).toArray()), ids.getDouble(2), parameters,
        TrainingSummary.readIfPresent(spark, path + "/data/summary"));
  }
}
