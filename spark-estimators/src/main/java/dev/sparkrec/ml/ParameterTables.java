package dev.sparkrec.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.sparkrec.train.TrainedParameters;
import dev.sparkrec.train.TrainedTables;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Named float tables (a network's parameters, an optimizer's slots) as Parquet: the one format in which every
 * SparkRec model and training checkpoint stores them.
 *
 * <p>One row per chunk of up to 2^20 floats: {@code index} int (the table's position in the map),
 * {@code name} string, {@code size} int (the table's length), {@code offset} int (the chunk's first element) and
 * {@code values} array&lt;float&gt;; an empty table is one empty chunk. Tables written in groups (a checkpoint's
 * parameters, optimizer slots and best values) carry a leading {@code group} string column and are indexed within
 * their group. Big tables are written in parallel, about four chunks per task. Reading checks that every table is
 * complete (its chunks cover {@code [0, size)} exactly once) and names the path and table when it is not.
 */
public final class ParameterTables {

  /** The most floats in one row. */
  public static final int CHUNK_FLOATS = 1 << 20;

  private static final String GROUP = "group";

  static final StructType SCHEMA = new StructType()
      .add("index", DataTypes.IntegerType)
      .add("name", DataTypes.StringType)
      .add("size", DataTypes.IntegerType)
      .add("offset", DataTypes.IntegerType)
      .add("values", DataTypes.createArrayType(DataTypes.FloatType));

  static final StructType GROUPED_SCHEMA = new StructType(concat(
      new StructType().add(GROUP, DataTypes.StringType).fields(), SCHEMA.fields()));

  private ParameterTables() {}

  /**
   * Writes {@code tables}, in their map order, as Parquet at {@code path}, replacing what is there. The tables a
   * sharded run left in the cluster ({@link TrainedParameters}) are written from there, assembled into chunks on
   * the executors: the driver does not read them.
   */
  public static void write(SparkSession spark, String path, Map<String, float[]> tables) {
    List<Row> rows = new ArrayList<>();
    long floats = addRows(rows, null, tables);
    JavaRDD<Row> fromCluster = null;
    if (tables instanceof TrainedParameters trained && trained.tablesInCluster() != null) {
      List<String> inCluster = trained.keySet().stream().filter(trained::isInCluster).toList();
      if (!inCluster.isEmpty()) {
        fromCluster = chunkRows(null, trained.keySet(), inCluster, trained.tablesInCluster().chunks(CHUNK_FLOATS));
      }
    }
    save(spark, path, rows, floats, SCHEMA, fromCluster);
  }

  /**
   * Writes several maps of tables, each under its group name, as Parquet at {@code path}, replacing what is
   * there.
   */
  public static void writeGroups(SparkSession spark, String path, Map<String, ? extends Map<String, float[]>> groups) {
    writeGroups(spark, path, groups, Map.of());
  }

  /**
   * {@link #writeGroups(SparkSession, String, Map)} where a table with a null value in its group is written from the
   * chunks of {@code fromCluster} for that group (chunks of {@value #CHUNK_FLOATS} floats, as {@link
   * TrainedTables#chunks} assembles them on the executors), so that the driver need not hold it.
   */
  public static void writeGroups(SparkSession spark, String path, Map<String, ? extends Map<String, float[]>> groups,
      Map<String, JavaRDD<TrainedTables.Chunk>> fromCluster) {
    List<Row> rows = new ArrayList<>();
    long floats = 0;
    JavaRDD<Row> more = null;
    for (Map.Entry<String, ? extends Map<String, float[]>> group : groups.entrySet()) {
      floats += addRows(rows, group.getKey(), group.getValue());
      List<String> missing = group.getValue().entrySet().stream().filter(e -> e.getValue() == null)
          .map(Map.Entry::getKey).toList();
      if (missing.isEmpty()) {
        continue;
      }
      JavaRDD<TrainedTables.Chunk> chunks = fromCluster.get(group.getKey());
      if (chunks == null) {
        throw new IllegalArgumentException("tables " + missing + " of group '" + group.getKey() + "' have neither "
            + "values nor chunks to write");
      }
      JavaRDD<Row> groupRows = chunkRows(group.getKey(), group.getValue().keySet(), missing, chunks);
      more = more == null ? groupRows : more.union(groupRows);
    }
    save(spark, path, rows, floats, GROUPED_SCHEMA, more);
  }

  /**
   * The rows of the chunks of the tables {@code written} (among {@code order}, which sets their indices), with a
   * leading {@code group} when it is not null.
   */
  private static JavaRDD<Row> chunkRows(String group, Iterable<String> order, List<String> written,
      JavaRDD<TrainedTables.Chunk> chunks) {
    Map<String, Integer> positions = new HashMap<>();
    int index = 0;
    for (String name : order) {
      if (written.contains(name)) {
        positions.put(name, index);
      }
      index++;
    }
    return chunks.filter(chunk -> positions.containsKey(chunk.table()))
        .map(chunk -> group == null
            ? RowFactory.create(positions.get(chunk.table()), chunk.table(), chunk.size(), chunk.offset(),
                chunk.values())
            : RowFactory.create(group, positions.get(chunk.table()), chunk.table(), chunk.size(), chunk.offset(),
                chunk.values()));
  }

  /** Reads the tables {@link #write} wrote at {@code path}, in their written order; the arrays are new. */
  public static Map<String, float[]> read(SparkSession spark, String path) {
    Map<String, Map<String, float[]>> groups = readGroups(spark, path);
    if (groups.size() > 1 || (groups.size() == 1 && !groups.containsKey(""))) {
      throw new IllegalStateException("Parameter tables at " + path + " are written in groups " + groups.keySet()
          + "; read them with readGroups.");
    }
    return groups.isEmpty() ? new LinkedHashMap<>() : groups.get("");
  }

  /**
   * Reads the groups {@link #writeGroups} wrote at {@code path}, by group name, each group's tables in their
   * written order (tables written without groups come back as the group ""); the arrays are new.
   */
  public static Map<String, Map<String, float[]>> readGroups(SparkSession spark, String path) {
    requireExists(spark, path);
    Dataset<Row> data = spark.read().parquet(path);
    boolean grouped = Arrays.asList(data.columns()).contains(GROUP);
    List<String> columns = Arrays.asList(SCHEMA.fieldNames());
    if (!Arrays.asList(data.columns()).containsAll(columns)) {
      throw new IllegalStateException("Parameter tables at " + path + " have columns "
          + Arrays.toString(data.columns()) + " but need " + columns + "; they were not written by this version "
          + "of SparkRec.");
    }
    List<Row> rows = new ArrayList<>(data.select(grouped ? col(GROUP) : lit("").as(GROUP), col("index"), col("name"),
        col("size"), col("offset"), col("values")).collectAsList());
    rows.sort(Comparator.<Row, String>comparing(r -> r.getString(0)).thenComparingInt(r -> r.getInt(1))
        .thenComparingInt(r -> r.getInt(4)));
    Map<String, Map<String, float[]>> groups = new LinkedHashMap<>();
    int at = 0;
    while (at < rows.size()) {
      Row first = rows.get(at);
      String group = first.getString(0);
      int index = first.getInt(1);
      String name = first.getString(2);
      int size = first.getInt(3);
      float[] values = new float[size];
      int filled = 0;
      for (; at < rows.size() && rows.get(at).getString(0).equals(group) && rows.get(at).getInt(1) == index; at++) {
        Row row = rows.get(at);
        List<Float> chunk = row.getList(5);
        if (!row.getString(2).equals(name) || row.getInt(3) != size || row.getInt(4) != filled
            || filled + chunk.size() > size) {
          if (chunk.isEmpty() && row.getInt(4) == 0 && size == 0) {
            continue; // an empty table written twice is still empty
          }
          throw incomplete(path, group, name, size, "a chunk of '" + row.getString(2) + "' (size " + row.getInt(3)
              + ") at offset " + row.getInt(4) + " where offset " + filled + " was due");
        }
        for (int i = 0; i < chunk.size(); i++) {
          values[filled + i] = chunk.get(i);
        }
        filled += chunk.size();
      }
      if (filled != size) {
        throw incomplete(path, group, name, size, filled + " of its " + size + " values");
      }
      Map<String, float[]> tables = groups.computeIfAbsent(group, g -> new LinkedHashMap<>());
      if (tables.put(name, values) != null) {
        throw incomplete(path, group, name, size, "the table twice");
      }
    }
    return groups;
  }

  private static IllegalStateException incomplete(String path, String group, String name, int size, String found) {
    String where = group.isEmpty() ? "" : " in group '" + group + "'";
    return new IllegalStateException("Parameter tables at " + path + " hold " + found + " for parameter '" + name
        + "'" + where + " (" + size + " values); the files are incomplete or were changed after writing. Save the "
        + "model or checkpoint again.");
  }

  private static void requireExists(SparkSession spark, String path) {
    try {
      Path p = new Path(path);
      if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
        throw new IllegalArgumentException("No parameter tables at " + path + "; the path should be a folder that "
            + "a SparkRec model or checkpoint wrote.");
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Appends the chunks of {@code tables} to {@code rows} (with a leading group when it is not null), skipping the
   * tables written from the cluster (a null value, or a table a {@link TrainedParameters} left there); returns the
   * floats appended.
   */
  private static long addRows(List<Row> rows, String group, Map<String, float[]> tables) {
    long floats = 0;
    int index = 0;
    for (String name : tables.keySet()) {
      if (tables instanceof TrainedParameters trained ? trained.isInCluster(name) : tables.get(name) == null) {
        index++;
        continue;
      }
      float[] values = tables.get(name);
      int offset = 0;
      do {
        float[] chunk = offset == 0 && values.length <= CHUNK_FLOATS ? values
            : Arrays.copyOfRange(values, offset, Math.min(values.length, offset + CHUNK_FLOATS));
        rows.add(group == null ? RowFactory.create(index, name, values.length, offset, chunk)
            : RowFactory.create(group, index, name, values.length, offset, chunk));
        offset += CHUNK_FLOATS;
      } while (offset < values.length);
      floats += values.length;
      index++;
    }
    return floats;
  }

  /** Writes {@code rows} (and the rows of {@code more}, when not null) with {@code schema} at {@code path}. */
  private static void save(SparkSession spark, String path, List<Row> rows, long floats, StructType schema,
      JavaRDD<Row> more) {
    int slices = (int) Math.max(1, Math.min(rows.size(), floats / (4L * CHUNK_FLOATS)));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<Row> all = jsc.parallelize(rows, slices);
    if (more != null) {
      all = all.union(more);
    }
    spark.createDataFrame(all, schema).write().mode(SaveMode.Overwrite).parquet(path);
  }

  private static <T> T[] concat(T[] a, T[] b) {
    T[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
