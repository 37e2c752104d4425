package dev.sparkrec.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.PulledRowsScoring;
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
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private static final Logger LOG = LoggerFactory.getLogger(ParameterTables.class);

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
   * Reads the tables {@link #write} wrote at {@code path} for a model whose networks {@code networks} builds, as
   * {@link #read(SparkSession, String)} does, except where the networks' sparse-row parameters (their embedding
   * tables) together hold more than the session's {@link PulledRowsScoring#MAX_BROADCAST_TABLE_BYTES}: those tables
   * are then loaded on the executors into the cluster ({@link TrainedTables#fromChunks}, as many shards as the
   * default parallelism) and the map is a {@link TrainedParameters} whose driver holds only the other parameters. A
   * model holding it scores by pulling rows and saves from the cluster, as one a sharded run trained.
   */
  public static Map<String, float[]> read(SparkSession spark, String path, ModelFactory networks) {
    List<Parameter> tables = Parameter.buildingCompact(networks::create).parameters().stream()
        .filter(Parameter::isSparseRows).toList();
    if (tables.isEmpty()) {
      return read(spark, path);
    }
    List<String> names = new ArrayList<>();
    int[] rows = new int[tables.size()];
    int[] rowSizes = new int[tables.size()];
    long bytes = 0;
    for (int j = 0; j < tables.size(); j++) {
      int[] shape = tables.get(j).shape();
      names.add(tables.get(j).name());
      rows[j] = shape[0];
      rowSizes[j] = shape[shape.length - 1];
      bytes += 4L * rows[j] * rowSizes[j];
    }
    if (bytes <= PulledRowsScoring.maxBroadcastTableBytes(spark)) {
      return read(spark, path);
    }
    GroupedTables groups = readGroups(spark, path, Set.copyOf(names));
    Map<String, Integer> sizes = groups.sizes().get("");
    for (int j = 0; sizes != null && j < names.size(); j++) {
      Integer saved = sizes.get(names.get(j));
      if (saved == null || saved != (long) rows[j] * rowSizes[j]) {
        sizes = null;
      }
    }
    if (sizes == null || groups.sizes().size() > 1) {
      return read(spark, path); // not this network's tables: reading them all tells what differs
    }
    int shards = spark.sparkContext().defaultParallelism();
    TrainedParameters loaded = new TrainedParameters(new LinkedHashMap<>(groups.tables().get("")),
        TrainedTables.fromChunks(groups.chunks().get(""), shards, names, rows, rowSizes));
    LOG.info("Embedding tables at {} loaded into the cluster in {} shards ({} MB above {} = {} bytes)", path, shards,
        bytes >> 20, PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES, PulledRowsScoring.maxBroadcastTableBytes(spark));
    return loaded;
  }

  /**
   * Tables read by group ({@link #readGroups(SparkSession, String, Set)}): by group name, each table's values in
   * written order (null for a table left in the cluster) and its size, and per group the chunks of its tables left
   * in the cluster (absent for a group without any), for the executors to read.
   */
  public record GroupedTables(Map<String, Map<String, float[]>> tables, Map<String, Map<String, Integer>> sizes,
      Map<String, JavaRDD<TrainedTables.Chunk>> chunks) {}

  /**
   * Reads the groups at {@code path} as {@link #readGroups(SparkSession, String)} does, except the tables named in
   * {@code inCluster}: the driver reads only their chunks' offsets, to check that they cover each table exactly once,
   * and leaves their values to the executors ({@link GroupedTables#chunks}).
   */
  public static GroupedTables readGroups(SparkSession spark, String path, Set<String> inCluster) {
    Dataset<Row> data = open(spark, path);
    boolean grouped = Arrays.asList(data.columns()).contains(GROUP);
    Column group = grouped ? col(GROUP) : lit("");
    Map<String, Map<String, Integer>> sizes = checkCoverage(path, heads(data));
    Column isTable = col("name").isin(inCluster.toArray());
    Map<String, Map<String, float[]>> held = assemble(path, data.filter(not(isTable)), grouped);
    Map<String, Map<String, float[]>> tables = new LinkedHashMap<>();
    Map<String, JavaRDD<TrainedTables.Chunk>> chunks = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Integer>> g : sizes.entrySet()) {
      Map<String, float[]> out = new LinkedHashMap<>();
      for (String name : g.getValue().keySet()) {
        out.put(name, inCluster.contains(name) ? null : held.getOrDefault(g.getKey(), Map.of()).get(name));
      }
      tables.put(g.getKey(), out);
      if (out.containsValue(null)) {
        chunks.put(g.getKey(), data.filter(isTable.and(group.equalTo(g.getKey())))
            .select(col("name"), col("size"), col("offset"), col("values")).javaRDD()
            .map(r -> new TrainedTables.Chunk(r.getString(0), r.getInt(1), r.getInt(2), floats(r.getList(3)))));
      }
    }
    return new GroupedTables(tables, sizes, chunks);
  }

  /**
   * Reads the groups {@link #writeGroups} wrote at {@code path}, by group name, each group's tables in their
   * written order (tables written without groups come back as the group ""); the arrays are new.
   */
  public static Map<String, Map<String, float[]>> readGroups(SparkSession spark, String path) {
    Dataset<Row> data = open(spark, path);
    return assemble(path, data, Arrays.asList(data.columns()).contains(GROUP));
  }

  /** The tables at {@code path}, checked to have the columns this version writes. */
  private static Dataset<Row> open(SparkSession spark, String path) {
    requireExists(spark, path);
    Dataset<Row> data = spark.read().parquet(path);
    List<String> columns = Arrays.asList(SCHEMA.fieldNames());
    if (!Arrays.asList(data.columns()).containsAll(columns)) {
      throw new IllegalStateException("Parameter tables at " + path + " have columns "
          + Arrays.toString(data.columns()) + " but need " + columns + "; they were not written by this version "
          + "of SparkRec.");
    }
    return data;
  }

  /** The heads of the chunks {@code data} holds (their values are not read). */
  private static List<Head> heads(Dataset<Row> data) {
    Column group = Arrays.asList(data.columns()).contains(GROUP) ? col(GROUP) : lit("");
    List<Head> heads = new ArrayList<>();
    for (Row r : data.select(group, col("index"), col("name"), col("size"), col("offset"), size(col("values")))
        .collectAsList()) {
      heads.add(new Head(r.getString(0), r.getInt(1), r.getString(2), r.getInt(3), r.getInt(4), r.getInt(5)));
    }
    return heads;
  }

  /** The tables of the chunks {@code data} holds, read to the driver and checked ({@link #checkCoverage}). */
  private static Map<String, Map<String, float[]>> assemble(String path, Dataset<Row> data, boolean grouped) {
    List<Row> rows = data.select(grouped ? col(GROUP) : lit("").as(GROUP), col("index"), col("name"),
        col("size"), col("offset"), col("values")).collectAsList();
    List<Head> heads = new ArrayList<>(rows.size());
    for (Row r : rows) {
      heads.add(new Head(r.getString(0), r.getInt(1), r.getString(2), r.getInt(3), r.getInt(4), r.getList(5).size()));
    }
    Map<String, Map<String, Integer>> sizes = checkCoverage(path, heads);
    Map<String, Map<String, float[]>> groups = new LinkedHashMap<>();
    sizes.forEach((group, tables) -> {
      Map<String, float[]> out = new LinkedHashMap<>();
      tables.forEach((name, size) -> out.put(name, new float[size]));
      groups.put(group, out);
    });
    for (Row r : rows) {
      float[] table = groups.get(r.getString(0)).get(r.getString(2));
      List<Float> chunk = r.getList(5);
      for (int i = 0; i < chunk.size(); i++) {
        table[r.getInt(4) + i] = chunk.get(i);
      }
    }
    return groups;
  }

  /** A chunk's row without its values: where it belongs and how many values it holds. */
  private record Head(String group, int index, String name, int size, int offset, int length) {}

  /**
   * Checks that the chunks {@code heads} cover each of their tables exactly once (sorting them), and returns each
   * group's table sizes by name in written order; names the path and table when they do not.
   */
  private static Map<String, Map<String, Integer>> checkCoverage(String path, List<Head> heads) {
    heads.sort(Comparator.comparing(Head::group).thenComparingInt(Head::index).thenComparingInt(Head::offset));
    Map<String, Map<String, Integer>> groups = new LinkedHashMap<>();
    int at = 0;
    while (at < heads.size()) {
      Head first = heads.get(at);
      long filled = 0;
      for (; at < heads.size() && heads.get(at).group().equals(first.group())
          && heads.get(at).index() == first.index(); at++) {
        Head h = heads.get(at);
        if (!h.name().equals(first.name()) || h.size() != first.size() || h.offset() != filled
            || filled + h.length() > first.size()) {
          if (h.length() == 0 && h.offset() == 0 && first.size() == 0) {
            continue; // an empty table written twice is still empty
          }
          throw incomplete(path, first.group(), first.name(), first.size(), "a chunk of '" + h.name() + "' (size "
              + h.size() + ") at offset " + h.offset() + " where offset " + filled + " was due");
        }
        filled += h.length();
      }
      if (filled != first.size()) {
        throw incomplete(path, first.group(), first.name(), first.size(), filled + " of its " + first.size()
            + " values");
      }
      Map<String, Integer> tables = groups.computeIfAbsent(first.group(), g -> new LinkedHashMap<>());
      if (tables.put(first.name(), first.size()) != null) {
        throw incomplete(path, first.group(), first.name(), first.size(), "the table twice");
      }
    }
    return groups;
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
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
