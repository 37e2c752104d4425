package dev.sparkrec.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parameter tables round-trip through Parquet in order, chunked, and incomplete files fail naming the table. */
class ParameterTablesTest {

  @TempDir
  Path tempDir;

  private static float[] random(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  @Test
  void tablesRoundTripInOrderIncludingBigAndEmptyOnes() {
    SparkSession spark = SparkTestSession.get();
    Map<String, float[]> tables = new LinkedHashMap<>();
    tables.put("z.weight", random(ParameterTables.CHUNK_FLOATS + 17, 1)); // two chunks
    tables.put("empty", new float[0]);
    tables.put("a.bias", random(5, 2));
    String path = tempDir.resolve("tables").toString();
    ParameterTables.write(spark, path, tables);

    assertEquals(2 + 1 + 1, spark.read().parquet(path).count(), "one row per chunk, one for the empty table");
    assertEquals(List.of("index", "name", "size", "offset", "values"),
        List.of(spark.read().parquet(path).columns()), "the layout models have always been saved in");
    Map<String, float[]> read = ParameterTables.read(spark, path);
    assertEquals(List.copyOf(tables.keySet()), List.copyOf(read.keySet()), "written order");
    tables.forEach((name, values) -> assertArrayEquals(values, read.get(name), name));

    ParameterTables.write(spark, path, Map.of("only", new float[] {1f, 2f}));
    assertEquals(List.of("only"), List.copyOf(ParameterTables.read(spark, path).keySet()), "overwrites");
  }

  @Test
  void groupsRoundTripSeparately() {
    SparkSession spark = SparkTestSession.get();
    Map<String, Map<String, float[]>> groups = new LinkedHashMap<>();
    groups.put("parameter", new LinkedHashMap<>(Map.of("w", random(7, 4))));
    groups.put("slot0", new LinkedHashMap<>(Map.of("w", random(7, 5))));
    String path = tempDir.resolve("groups").toString();
    ParameterTables.writeGroups(spark, path, groups);
    Map<String, Map<String, float[]>> read = ParameterTables.readGroups(spark, path);
    assertEquals(groups.keySet(), read.keySet());
    assertArrayEquals(groups.get("parameter").get("w"), read.get("parameter").get("w"));
    assertArrayEquals(groups.get("slot0").get("w"), read.get("slot0").get("w"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ParameterTables.read(spark, path));
    assertTrue(e.getMessage().contains("readGroups"), e.getMessage());
  }

  @Test
  void readsTheLayoutEarlierModelsWrote() {
    SparkSession spark = SparkTestSession.get();
    String path = tempDir.resolve("earlier").toString();
    // As AFNModel and the CF models wrote data/parameters before this class existed: a local relation, two tables.
    spark.createDataFrame(List.of(RowFactory.create(1, "b", 1, 0, new float[] {3f}),
        RowFactory.create(0, "a", 2, 0, new float[] {1f, 2f})), ParameterTables.SCHEMA).write().parquet(path);
    Map<String, float[]> read = ParameterTables.read(spark, path);
    assertEquals(List.of("a", "b"), List.copyOf(read.keySet()));
    assertArrayEquals(new float[] {1f, 2f}, read.get("a"));
  }

  @Test
  void incompleteTablesFailNamingThePathAndParameter() {
    SparkSession spark = SparkTestSession.get();
    String path = tempDir.resolve("incomplete").toString();
    List<Row> rows = List.of(RowFactory.create(0, "w", 4, 0, new float[] {1f, 2f}),
        RowFactory.create(1, "b", 1, 0, new float[] {1f}));
    spark.createDataFrame(rows, ParameterTables.SCHEMA).write().parquet(path);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ParameterTables.read(spark, path));
    assertTrue(e.getMessage().contains(path) && e.getMessage().contains("2 of its 4 values")
        && e.getMessage().contains("'w'"), e.getMessage());

    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> ParameterTables.read(spark, tempDir.resolve("nothing").toString()));
    assertTrue(missing.getMessage().contains("No parameter tables at"), missing.getMessage());
  }
}
