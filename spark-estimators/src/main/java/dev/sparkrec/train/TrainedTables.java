package dev.sparkrec.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The values of embedding tables held in the cluster for a model ({@link TrainedParameters}): the trained values a
 * sharded run leaves ({@link #keep}: one version of its shards without optimizer slots), or a saved model's tables
 * loaded on the executors ({@link #fromChunks}); cached and locally checkpointed, in the shards' layout (row r of a
 * table in shard {@code r mod S}).
 *
 * <p>The driver reads a table only when something asks for its values ({@link #gather}); a save writes the tables
 * from the shards as contiguous chunks ({@link #chunks}), assembled on the executors. Like the shards during
 * training, the cached rows have no lineage to recompute them from: losing an executor that holds some fails the
 * job that reads them, and the model must be trained (or loaded) again, so save a model trained this way before
 * relying on it.
 */
public final class TrainedTables {

  /** A contiguous piece of one table, {@code values} from element {@code offset}: the unit a save writes. */
  public record Chunk(String table, int size, int offset, float[] values) implements Serializable {}

  private final JavaRDD<ShardedTables.TableShard> shards;
  private final int shardCount;
  private final String[] names;
  private final int[] rows;
  private final int[] rowSizes;

  private TrainedTables(JavaRDD<ShardedTables.TableShard> shards, int shardCount, String[] names, int[] rows,
      int[] rowSizes) {
    this.shards = shards;
    this.shardCount = shardCount;
    this.names = names;
    this.rows = rows;
    this.rowSizes = rowSizes;
  }

  /**
   * The values of {@code version} (shards of the tables named {@code names}, {@code rows × rowSizes} each), copied
   * into a new cached, locally checkpointed RDD without the optimizer slots: {@code version} may be dropped after.
   */
  static TrainedTables keep(JavaRDD<ShardedTables.TableShard> version, int shardCount, String[] names, int[] rows,
      int[] rowSizes) {
    JavaRDD<ShardedTables.TableShard> values = version.map(ShardedTables.TableShard::withoutSlots)
        .persist(StorageLevel.MEMORY_AND_DISK());
    values.rdd().localCheckpoint();
    values.count();
    return new TrainedTables(values, shardCount, names.clone(), rows.clone(), rowSizes.clone());
  }

  /**
   * The tables named {@code names} ({@code rows × rowSizes} each) sharded into {@code shardCount} shards on the
   * executors from {@code chunks}, which must hold every element of each table exactly once (as the caller checked,
   * e.g. from the chunks' offsets); cached and locally checkpointed like a trained version. What loading a saved
   * model does when its tables are to stay in the cluster: no table passes through the driver.
   */
  public static TrainedTables fromChunks(JavaRDD<Chunk> chunks, int shardCount, List<String> names, int[] rows,
      int[] rowSizes) {
    String[] tableNames = names.toArray(new String[0]);
    JavaRDD<ShardedTables.TableShard> shards = shard(chunks.map(chunk -> new Tuple2<>(0, chunk)), shardCount,
        tableNames, rows, rowSizes, new int[tableNames.length]);
    return new TrainedTables(shards, shardCount, tableNames, rows.clone(), rowSizes.clone());
  }

  /**
   * Shards of the tables named {@code names} ({@code rows × rowSizes} each, table j with {@code slotCounts[j]}
   * optimizer slots) built on the executors from {@code layered} chunks, each tagged with what it holds (0: values,
   * k + 1: slot k), which must hold every element of each table's values and slots exactly once; cached and locally
   * checkpointed, one shard per partition.
   */
  static JavaRDD<ShardedTables.TableShard> shard(JavaRDD<Tuple2<Integer, Chunk>> layered, int shardCount,
      String[] names, int[] rows, int[] rowSizes, int[] slotCounts) {
    if (shardCount < 1) {
      throw new IllegalArgumentException("shardCount must be positive but was " + shardCount);
    }
    String[] tableNames = names.clone();
    int[] tableRows = rows.clone();
    int[] sizes = rowSizes.clone();
    int[] slots = slotCounts.clone();
    JavaRDD<ShardedTables.TableShard> shards = JavaPairRDD.fromJavaRDD(layered.flatMap(chunk ->
            Span.of(chunk._2, chunk._1, tableNames, tableRows, sizes, shardCount).iterator()))
        .partitionBy(new HashPartitioner(shardCount))
        // HashPartitioner(n) puts an integer key k (0 <= k < n) in partition k
        .mapPartitionsWithIndex((s, spans) ->
            List.of(Span.assemble(s, spans, shardCount, tableNames, tableRows, sizes, slots)).iterator(), false)
        .persist(StorageLevel.MEMORY_AND_DISK());
    shards.rdd().localCheckpoint();
    shards.count();
    return shards;
  }

  /** The tables' names, in model order. */
  public List<String> names() {
    return List.of(names);
  }

  /** The shards, one per partition. */
  JavaRDD<ShardedTables.TableShard> shards() {
    return shards;
  }

  /** The number of shards. */
  int shardCount() {
    return shardCount;
  }

  /** The number of floats in table {@code j}. */
  int size(int j) {
    return Math.multiplyExact(rows[j], rowSizes[j]);
  }

  /** A new array of table {@code j}'s values, read to the driver one shard at a time. */
  float[] gather(int j) {
    float[] out = new float[size(j)];
    int table = j;
    Iterator<ShardedTables.Slab> it = shards.flatMap(shard -> ShardedTables.Slab.of(shard, false).iterator())
        .filter(slab -> slab.table == table).toLocalIterator();
    while (it.hasNext()) {
      it.next().copyInto(shardCount, out, new float[0][]);
    }
    return out;
  }

  /**
   * Every table as contiguous chunks of {@code chunkFloats} floats (the last of a table shorter; one empty chunk
   * for an empty table), assembled on the executors from the pieces each shard holds of each chunk: no table
   * passes through the driver.
   */
  public JavaRDD<Chunk> chunks(int chunkFloats) {
    return chunks(shards, shardCount, names, rows, rowSizes, -1, chunkFloats);
  }

  /**
   * The tables of {@code version} (named {@code names}, {@code rows × rowSizes} each, in {@code shardCount} shards)
   * as chunks (see {@link #chunks(int)}): their values, or with {@code slot >= 0} their optimizer slot {@code slot}.
   */
  static JavaRDD<Chunk> chunks(JavaRDD<ShardedTables.TableShard> version, int shardCount, String[] names, int[] rows,
      int[] rowSizes, int slot, int chunkFloats) {
    if (chunkFloats <= 0) {
      throw new IllegalArgumentException("chunkFloats must be positive but was " + chunkFloats);
    }
    long chunkCount = 0;
    long floats = 0;
    for (int j = 0; j < names.length; j++) {
      long size = (long) rows[j] * rowSizes[j];
      chunkCount += Math.max(1, (size + chunkFloats - 1) / chunkFloats);
      floats += size;
    }
    int partitions = (int) Math.max(1, Math.min(chunkCount, floats / (4L * chunkFloats)));
    return JavaPairRDD.fromJavaRDD(version.flatMap(shard ->
            Piece.of(shard, shardCount, rows, rowSizes, slot, chunkFloats).iterator()))
        .groupByKey(new HashPartitioner(partitions))
        .map(group -> Piece.assemble(group._1, group._2, names, rows, rowSizes, chunkFloats));
  }

  /**
   * Rows of some tables side by side, as {@link #rowBlocks} reads them: the global row ids, ascending, and for each
   * table asked for its rows' values ({@code rows.length × rowSize} floats, row-major).
   */
  public record RowBlock(int[] rows, float[][] values) implements Serializable {}

  /**
   * The rows of the tables named {@code tables}, which must have as many rows each, read on the executors straight
   * from the shards (no shuffle, nothing through the driver): each shard's rows in blocks of at most
   * {@code blockRows} rows, the tables' values in the order named.
   */
  public JavaRDD<RowBlock> rowBlocks(List<String> tables, int blockRows) {
    if (blockRows < 1) {
      throw new IllegalArgumentException("blockRows must be positive but was " + blockRows);
    }
    int[] picked = new int[tables.size()];
    for (int t = 0; t < picked.length; t++) {
      picked[t] = List.of(names).indexOf(tables.get(t));
      if (picked[t] < 0) {
        throw new IllegalArgumentException("no table '" + tables.get(t) + "' in the cluster; its tables are "
            + List.of(names));
      }
      if (rows[picked[t]] != rows[picked[0]]) {
        throw new IllegalArgumentException("tables " + tables + " differ in their number of rows");
      }
    }
    int shardCount = this.shardCount;
    return shards.flatMap(shard -> RowBlockReader.of(shard, picked, shardCount, blockRows));
  }

  /** Cuts one shard's rows of some tables into {@link RowBlock}s, one block at a time. */
  private static final class RowBlockReader implements Iterator<RowBlock> {
    private final ShardedTables.TableShard shard;
    private final int[] tables;
    private final int shards;
    private final int blockRows;
    private final int localRows;
    private int next;

    private RowBlockReader(ShardedTables.TableShard shard, int[] tables, int shards, int blockRows) {
      this.shard = shard;
      this.tables = tables;
      this.shards = shards;
      // a multiple of the chunk rows, so that a block copies whole chunks
      this.blockRows = Math.max(1, blockRows / ShardedTables.CHUNK_ROWS) * ShardedTables.CHUNK_ROWS;
      this.localRows = tables.length == 0 ? 0 : shard.tables[tables[0]].rows;
    }

    static Iterator<RowBlock> of(ShardedTables.TableShard shard, int[] tables, int shards, int blockRows) {
      return new RowBlockReader(shard, tables, shards, blockRows);
    }

    @Override
    public boolean hasNext() {
      return next < localRows;
    }

    @Override
    public RowBlock next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      int first = next;
      int n = Math.min(blockRows, localRows - first);
      next += n;
      int[] rows = new int[n];
      for (int r = 0; r < n; r++) {
        rows[r] = (first + r) * shards + shard.shard;
      }
      float[][] values = new float[tables.length][];
      for (int t = 0; t < tables.length; t++) {
        ShardedTables.Table table = shard.tables[tables[t]];
        int d = table.rowSize;
        values[t] = new float[n * d];
        for (int c = first / ShardedTables.CHUNK_ROWS; c * ShardedTables.CHUNK_ROWS < first + n; c++) {
          float[] chunk = table.values(c);
          System.arraycopy(chunk, 0, values[t], (c * ShardedTables.CHUNK_ROWS - first) * d, chunk.length);
        }
      }
      return new RowBlock(rows, values);
    }
  }

  /** Drops the cached rows. */
  void unpersist() {
    shards.unpersist(false);
  }

  /**
   * The parts of one chunk that belong to one shard: runs of elements within one row each, {@code lengths[k]}
   * floats from table element {@code starts[k]}, their values side by side, of the table's values ({@code layer} 0)
   * or of its optimizer slot {@code layer - 1}.
   */
  static final class Span implements Serializable {
    private static final long serialVersionUID = 1L;
    final int table;
    final int layer;
    final long[] starts;
    final int[] lengths;
    final float[] values;

    private Span(int table, int layer, long[] starts, int[] lengths, float[] values) {
      this.table = table;
      this.layer = layer;
      this.starts = starts;
      this.lengths = lengths;
      this.values = values;
    }

    /** {@code (shard, span)} for every shard that holds rows {@code chunk} covers (row r in shard r mod S). */
    static List<Tuple2<Integer, Span>> of(Chunk chunk, int layer, String[] names, int[] rows, int[] rowSizes,
        int shards) {
      int j = List.of(names).indexOf(chunk.table());
      if (j < 0) {
        throw new IllegalArgumentException("a chunk of table '" + chunk.table() + "', which is not one of "
            + List.of(names));
      }
      long d = rowSizes[j];
      long size = rows[j] * d;
      if (chunk.size() != size) {
        throw new IllegalArgumentException("a chunk of table '" + chunk.table() + "' of " + chunk.size()
            + " values, where the table holds " + rows[j] + " rows of " + d);
      }
      long start = chunk.offset();
      long end = start + chunk.values().length;
      if (start == end) {
        return List.of();
      }
      int[] segments = new int[shards];
      int[] floats = new int[shards];
      for (long g = start / d; g * d < end; g++) {
        int s = (int) (g % shards);
        segments[s]++;
        floats[s] += (int) (Math.min(end, (g + 1) * d) - Math.max(start, g * d));
      }
      long[][] starts = new long[shards][];
      int[][] lengths = new int[shards][];
      float[][] values = new float[shards][];
      int[] n = new int[shards];
      int[] at = new int[shards];
      for (long g = start / d; g * d < end; g++) {
        int s = (int) (g % shards);
        if (starts[s] == null) {
          starts[s] = new long[segments[s]];
          lengths[s] = new int[segments[s]];
          values[s] = new float[floats[s]];
        }
        long from = Math.max(start, g * d);
        int length = (int) (Math.min(end, (g + 1) * d) - from);
        starts[s][n[s]] = from;
        lengths[s][n[s]++] = length;
        System.arraycopy(chunk.values(), (int) (from - start), values[s], at[s], length);
        at[s] += length;
      }
      List<Tuple2<Integer, Span>> out = new ArrayList<>();
      for (int s = 0; s < shards; s++) {
        if (starts[s] != null) {
          out.add(new Tuple2<>(s, new Span(j, layer, starts[s], lengths[s], values[s])));
        }
      }
      return out;
    }

    /**
     * Shard {@code shard} of every table (table j with {@code slotCounts[j]} slots), from its spans; fails unless
     * they fill each table's rows and slots exactly.
     */
    static ShardedTables.TableShard assemble(int shard, Iterator<Tuple2<Integer, Span>> spans, int shards,
        String[] names, int[] rows, int[] rowSizes, int[] slotCounts) {
      ShardedTables.Table[] tables = new ShardedTables.Table[names.length];
      for (int j = 0; j < names.length; j++) {
        tables[j] = ShardedTables.Table.zeros(rows[j], rowSizes[j], slotCounts[j], shard, shards);
      }
      long[] filled = new long[names.length];
      while (spans.hasNext()) {
        Span span = spans.next()._2;
        ShardedTables.Table t = tables[span.table];
        if (span.layer > t.slotCount()) {
          throw new IllegalStateException("table '" + names[span.table] + "' was given optimizer slot "
              + (span.layer - 1) + " but keeps " + t.slotCount());
        }
        int d = t.rowSize;
        int at = 0;
        for (int k = 0; k < span.starts.length; k++) {
          long g = span.starts[k] / d;
          int local = (int) (g / shards);
          int c = local / ShardedTables.CHUNK_ROWS;
          int position = (local % ShardedTables.CHUNK_ROWS) * d + (int) (span.starts[k] % d);
          System.arraycopy(span.values, at, span.layer == 0 ? t.values(c) : t.slot(span.layer - 1, c), position,
              span.lengths[k]);
          at += span.lengths[k];
          filled[span.table] += span.lengths[k];
        }
      }
      for (int j = 0; j < names.length; j++) {
        long expected = (long) tables[j].rows * rowSizes[j] * (1 + slotCounts[j]);
        if (filled[j] != expected) {
          throw new IllegalStateException("shard " + shard + " of table '" + names[j] + "' was given " + filled[j]
              + " of its " + expected + " values" + (slotCounts[j] > 0 ? " and optimizer slots" : ""));
        }
      }
      return new ShardedTables.TableShard(shard, tables);
    }
  }

  /** The rows one shard holds of one chunk of one table: their global row ids and values. */
  static final class Piece implements Serializable {
    private static final long serialVersionUID = 1L;
    final int[] globalRows;
    final float[] values;

    private Piece(int[] globalRows, float[] values) {
      this.globalRows = globalRows;
      this.values = values;
    }

    /** Key of chunk {@code c} of table {@code j}. */
    static long key(int j, long c) {
      return ((long) j << 32) | c;
    }

    /**
     * {@code (key, piece)} for every chunk of every table that {@code shard} holds rows of: of the values, or of
     * optimizer slot {@code slot} when it is not negative.
     */
    static List<Tuple2<Long, Piece>> of(ShardedTables.TableShard shard, int shards, int[] rows, int[] rowSizes,
        int slot, int chunkFloats) {
      List<Tuple2<Long, Piece>> out = new ArrayList<>();
      for (int j = 0; j < shard.tables.length; j++) {
        ShardedTables.Table t = shard.tables[j];
        if (slot >= t.slotCount()) {
          continue; // a table without that slot
        }
        int d = rowSizes[j];
        long size = (long) rows[j] * d;
        if (size == 0) {
          if (shard.shard == 0) {
            out.add(new Tuple2<>(key(j, 0), new Piece(new int[0], new float[0])));
          }
          continue;
        }
        long chunks = (size + chunkFloats - 1) / chunkFloats;
        for (long c = 0; c < chunks; c++) {
          long start = c * chunkFloats;
          long end = Math.min(size, start + chunkFloats);
          long firstRow = start / d;
          long lastRow = (end - 1) / d;
          long g = firstRow + Math.floorMod(shard.shard - firstRow, (long) shards); // first row of this shard
          if (g > lastRow) {
            continue;
          }
          int n = (int) ((lastRow - g) / shards + 1);
          int[] ids = new int[n];
          float[] values = new float[n * d];
          for (int k = 0; k < n; k++, g += shards) {
            int local = (int) (g / shards);
            ids[k] = (int) g;
            int at = local / ShardedTables.CHUNK_ROWS;
            System.arraycopy(slot < 0 ? t.values(at) : t.slot(slot, at), (local % ShardedTables.CHUNK_ROWS) * d,
                values, k * d, d);
          }
          out.add(new Tuple2<>(key(j, c), new Piece(ids, values)));
        }
      }
      return out;
    }

    /** Chunk {@code key} assembled from its pieces; fails unless they cover it exactly once. */
    static Chunk assemble(long key, Iterable<Piece> pieces, String[] names, int[] rows, int[] rowSizes,
        int chunkFloats) {
      int j = (int) (key >>> 32);
      long c = key & 0xffffffffL;
      int d = rowSizes[j];
      long size = (long) rows[j] * d;
      long start = c * chunkFloats;
      int length = (int) Math.min(chunkFloats, size - start);
      float[] out = new float[length];
      long filled = 0;
      for (Piece piece : pieces) {
        for (int k = 0; k < piece.globalRows.length; k++) {
          long rowStart = (long) piece.globalRows[k] * d;
          long from = Math.max(rowStart, start);
          long to = Math.min(rowStart + d, start + length);
          System.arraycopy(piece.values, (int) (k * d + from - rowStart), out, (int) (from - start), (int) (to - from));
          filled += to - from;
        }
      }
      if (filled != length) {
        throw new IllegalStateException("chunk " + c + " of table '" + names[j] + "' was assembled from " + filled
            + " of its " + length + " values");
      }
      return new Chunk(names[j], (int) size, (int) start, out);
    }
  }
}
