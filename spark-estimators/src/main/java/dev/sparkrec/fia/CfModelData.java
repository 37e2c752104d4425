package dev.sparkrec.fia;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What a fitted collaborative-filtering model learned: the sorted user and item ids (an id's index is its
 * position), the weighted mean training rating and the network's parameters by name. Saved as Parquet under
 * {@code path/data/ids} (one row: {@code userIds}, {@code itemIds} array&lt;int&gt;, {@code globalMean} double) and
 * {@code path/data/parameters} (one row per chunk of up to 2^20 floats: {@code index}, {@code name}, {@code size},
 * {@code offset}, {@code values}). Immutable; the arrays are not copied, so callers must not change them.
 */
final class CfModelData implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final int CHUNK_FLOATS = 1 << 20;

  private final IdIndex users;
  private final IdIndex items;
  private final double globalMean;
  private final Map<String, float[]> parameters;

  CfModelData(IdIndex users, IdIndex items, double globalMean, Map<String, float[]> parameters) {
    this.users = users;
    this.items = items;
    this.globalMean = globalMean;
    this.parameters = parameters;
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

  void save(SparkSession spark, String path) {
    StructType idsSchema = new StructType()
        .add("userIds", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
        .add("itemIds", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
        .add("globalMean", DataTypes.DoubleType, false);
    spark.createDataFrame(List.of(RowFactory.create(users.ids(), items.ids(), globalMean)), idsSchema)
        .write().parquet(path + "/data/ids");
    List<Row> rows = new ArrayList<>();
    int index = 0;
    for (Map.Entry<String, float[]> entry : parameters.entrySet()) {
      float[] values = entry.getValue();
      for (int offset = 0; offset < Math.max(1, values.length); offset += CHUNK_FLOATS) {
        float[] chunk = Arrays.copyOfRange(values, offset, Math.min(values.length, offset + CHUNK_FLOATS));
        rows.add(RowFactory.create(index, entry.getKey(), values.length, offset, chunk));
      }
      index++;
    }
    StructType parameterSchema = new StructType()
        .add("index", DataTypes.IntegerType).add("name", DataTypes.StringType).add("size", DataTypes.IntegerType)
        .add("offset", DataTypes.IntegerType).add("values", DataTypes.createArrayType(DataTypes.FloatType));
    spark.createDataFrame(rows, parameterSchema).write().parquet(path + "/data/parameters");
  }

  static CfModelData load(SparkSession spark, String path) {
    Row ids = spark.read().parquet(path + "/data/ids").first();
    List<Integer> userIds = ids.getList(0);
    List<Integer> itemIds = ids.getList(1);
    List<Row> rows = spark.read().parquet(path + "/data/parameters").orderBy("index", "offset").collectAsList();
    Map<String, float[]> parameters = new LinkedHashMap<>();
    for (Row row : rows) {
      float[] values = parameters.computeIfAbsent(row.getString(1), name -> new float[row.getInt(2)]);
      List<Float> chunk = row.getList(4);
      int offset = row.getInt(3);
      for (int i = 0; i < chunk.size(); i++) {
        values[offset + i] = chunk.get(i);
      }
    }
    return new CfModelData(new IdIndex(userIds.stream().mapToInt(Integer::intValue).toArray()),
        new IdIndex(itemIds.stream().mapToInt(Integer::intValue).toArray()), ids.getDouble(2), parameters);
  }
}
