package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.ml.ParameterTables;
import dev.sparkrec.testing.SparkTestSession;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sharded run's result leaves its embedding tables in the cluster: the driver reads a table only when asked, a
 * save writes the tables from the shards in the very layout a save of the gathered arrays writes, a load above the
 * broadcast limit puts them back in the cluster, and a serialized copy is a plain map of the same values.
 */
class TrainedParametersTest {

  private static final SparkSession SPARK = SparkTestSession.get();
  private static final JavaSparkContext JSC = JavaSparkContext.fromSparkContext(SPARK.sparkContext());
  private static TrainingResult broadcast;
  private static TrainingResult sharded;

  @TempDir
  Path dir;

  @BeforeAll
  static void train() {
    Dataset<Row> train = TrainFixtures.train(SPARK, 900, 3);
    TrainingConfig config = TrainFixtures.config().maxEpochs(1).numPartitions(3)
        .embeddingSync(TrainingConfig.BROADCAST).build();
    broadcast = new Trainer(TrainFixtures.model(), config).fit(train, null, TrainFixtures.COLUMNS);
    sharded = new Trainer(TrainFixtures.model(), config.toBuilder().embeddingSync(TrainingConfig.SHARDED).build())
        .fit(train, null, TrainFixtures.COLUMNS);
  }

  @Test
  void theTablesStayInTheClusterUntilATableIsRead() {
    TrainedParameters trained = assertInstanceOf(TrainedParameters.class, sharded.bestParameters());
    assertSame(trained.tablesInCluster(), ((TrainedParameters) sharded.finalParameters()).tablesInCluster(),
        "the last epoch is the best: its tables are kept once");
    List<String> tables = tables(trained);
    assertEquals(1, tables.size(), "the tiny model has one table: " + trained.keySet());
    String table = tables.get(0);
    assertFalse(trained.isHeld(table));
    assertEquals(List.copyOf(broadcast.bestParameters().keySet()), List.copyOf(trained.keySet()));
    for (String name : trained.keySet()) {
      assertEquals(!name.equals(table), trained.isHeld(name), name);
    }

    float[] values = trained.get(table);
    assertArrayEquals(broadcast.bestParameters().get(table), values);
    assertTrue(trained.isHeld(table));
    assertSame(values, trained.get(table), "a table is read once");
    assertThrows(UnsupportedOperationException.class, () -> trained.put(table, new float[0]));
  }

  @Test
  void aSaveWritesTheTablesFromTheClusterInTheLayoutOfASaveOfTheArrays() {
    // a fresh result: the other test may have read the table already
    TrainedParameters trained = (TrainedParameters) freshShardedResult().bestParameters();
    String table = tables(trained).get(0);
    String fromCluster = dir.resolve("sharded").toString();
    String fromArrays = dir.resolve("broadcast").toString();

    ParameterTables.write(SPARK, fromCluster, trained);
    assertFalse(trained.isHeld(table), "the save does not read the table to the driver");
    ParameterTables.write(SPARK, fromArrays, broadcast.bestParameters());

    assertEquals(rows(fromArrays), rows(fromCluster));
    TrainerDeterminismTest.assertSameParameters(broadcast.bestParameters(), ParameterTables.read(SPARK, fromCluster));
  }

  @Test
  void rowBlocksHoldEveryRowOnceWithItsValuesAndRejectUnknownTables() {
    TrainedParameters trained = (TrainedParameters) sharded.bestParameters();
    String table = tables(trained).get(0);
    float[] expected = broadcast.bestParameters().get(table);
    int d = TrainFixtures.DIM;
    for (int blockRows : new int[] {1, 8, 20, 1 << 20}) {
      float[] assembled = new float[expected.length];
      boolean[] seen = new boolean[expected.length / d];
      int blocks = 0;
      for (TrainedTables.RowBlock block : trained.tablesInCluster().rowBlocks(List.of(table, table), blockRows)
          .collect()) {
        blocks++;
        int[] rows = block.rows();
        assertTrue(rows.length <= Math.max(8, blockRows / 8 * 8), "block of " + rows.length + " rows");
        assertArrayEquals(block.values()[0], block.values()[1]);
        for (int r = 0; r < rows.length; r++) {
          assertFalse(seen[rows[r]], "row " + rows[r] + " twice");
          seen[rows[r]] = true;
          assertTrue(r == 0 || rows[r] > rows[r - 1], "rows ascend within a block");
          System.arraycopy(block.values()[0], r * d, assembled, rows[r] * d, d);
        }
      }
      assertArrayEquals(expected, assembled, "blocks of " + blockRows + " rows");
      assertTrue(blockRows > 100 ? blocks == trained.tablesInCluster().shardCount() : blocks > 3, blocks + " blocks");
    }
    assertEquals("no table 'nope' in the cluster; its tables are [" + table + "]", assertThrows(
        IllegalArgumentException.class, () -> trained.tablesInCluster().rowBlocks(List.of("nope"), 8)).getMessage());
  }

  @Test
  void chunksAssembleEveryTableFromItsShardsAlsoWhereRowsStraddleTwoChunks() {
    TrainedParameters trained = (TrainedParameters) sharded.bestParameters();
    String table = tables(trained).get(0);
    float[] expected = broadcast.bestParameters().get(table);
    for (int chunkFloats : new int[] {7, TrainFixtures.DIM * 5, expected.length, expected.length + 3}) {
      List<TrainedTables.Chunk> chunks = new ArrayList<>(trained.tablesInCluster().chunks(chunkFloats).collect());
      chunks.sort(Comparator.comparingInt(TrainedTables.Chunk::offset));
      int at = 0;
      for (TrainedTables.Chunk chunk : chunks) {
        assertEquals(table, chunk.table());
        assertEquals(expected.length, chunk.size());
        assertEquals(at, chunk.offset(), "chunks of " + chunkFloats + " floats");
        assertEquals(Math.min(chunkFloats, expected.length - at), chunk.values().length);
        assertArrayEquals(Arrays.copyOfRange(expected, at, at + chunk.values().length), chunk.values());
        at += chunk.values().length;
      }
      assertEquals(expected.length, at);
    }
  }

  @Test
  void aLoadAboveTheLimitLeavesTheTablesInTheClusterAndHoldsTheRestOnTheDriver() {
    String path = dir.resolve("saved").toString();
    ParameterTables.write(SPARK, path, broadcast.bestParameters());
    assertFalse(ParameterTables.read(SPARK, path, TrainFixtures.model()) instanceof TrainedParameters,
        "tables up to the limit are read to the driver");
    SPARK.conf().set(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES, "0");
    TrainedParameters loaded;
    try {
      loaded = assertInstanceOf(TrainedParameters.class, ParameterTables.read(SPARK, path, TrainFixtures.model()));
    } finally {
      SPARK.conf().unset(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES);
    }
    String table = tables(loaded).get(0);
    assertEquals(List.copyOf(broadcast.bestParameters().keySet()), List.copyOf(loaded.keySet()));
    for (String name : loaded.keySet()) {
      assertEquals(!name.equals(table), loaded.isHeld(name), name);
    }
    String again = dir.resolve("again").toString();
    ParameterTables.write(SPARK, again, loaded);
    assertFalse(loaded.isHeld(table), "a loaded table saves from the cluster");
    assertEquals(rows(path), rows(again));
    TrainerDeterminismTest.assertSameParameters(broadcast.bestParameters(), loaded);
  }

  @Test
  void fromChunksPutsEveryElementInItsShardWhateverTheChunksAndShards() {
    String table = tables((TrainedParameters) sharded.bestParameters()).get(0);
    float[] expected = broadcast.bestParameters().get(table);
    int rowSize = TrainFixtures.DIM;
    int rows = expected.length / rowSize;
    for (int chunkFloats : new int[] {7, rowSize * 5, expected.length, expected.length + 3}) {
      List<TrainedTables.Chunk> chunks = new ArrayList<>();
      for (int at = 0; at < expected.length; at += chunkFloats) {
        chunks.add(new TrainedTables.Chunk(table, expected.length, at,
            Arrays.copyOfRange(expected, at, Math.min(expected.length, at + chunkFloats))));
      }
      for (int shards : new int[] {1, 3, rows + 2}) {
        TrainedTables loaded = TrainedTables.fromChunks(JSC.parallelize(chunks, 2), shards, List.of(table),
            new int[] {rows}, new int[] {rowSize});
        assertArrayEquals(expected, loaded.gather(0), chunkFloats + " floats a chunk, " + shards + " shards");
        loaded.unpersist();
      }
    }
    List<TrainedTables.Chunk> missing = List.of(new TrainedTables.Chunk(table, expected.length, 0,
        Arrays.copyOf(expected, expected.length - 1)));
    Exception e = assertThrows(Exception.class, () -> TrainedTables.fromChunks(JSC.parallelize(missing, 1), 3,
        List.of(table), new int[] {rows}, new int[] {rowSize}));
    assertTrue(e.getMessage().contains("of table '" + table + "' was given"), e.getMessage());
  }

  @Test
  void aSerializedCopyIsAPlainMapOfTheSameValues() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(sharded.bestParameters());
    }
    Object copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = in.readObject();
    }
    assertEquals(LinkedHashMap.class, copy.getClass());
    @SuppressWarnings("unchecked")
    Map<String, float[]> map = (Map<String, float[]>) copy;
    TrainerDeterminismTest.assertSameParameters(broadcast.bestParameters(), map);
  }

  private static TrainingResult freshShardedResult() {
    TrainingConfig config = TrainFixtures.config().maxEpochs(1).numPartitions(3)
        .embeddingSync(TrainingConfig.SHARDED).build();
    return new Trainer(TrainFixtures.model(), config).fit(TrainFixtures.train(SPARK, 900, 3), null,
        TrainFixtures.COLUMNS);
  }

  private static List<String> tables(TrainedParameters trained) {
    return trained.keySet().stream().filter(trained::isInCluster).toList();
  }

  /** The written rows as {@code index name size offset values}, sorted. */
  private static List<String> rows(String path) {
    return SPARK.read().parquet(path).collectAsList().stream()
        .map(r -> r.getInt(0) + " " + r.getString(1) + " " + r.getInt(2) + " " + r.getInt(3) + " " + r.getList(4))
        .sorted().toList();
  }
}
