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
 * The trained values of a sharded run's embedding tables, left in the cluster for the result ({@link
 * TrainedParameters}): one version of the shards without optimizer slots, cached and locally checkpointed, in the
 * shards' layout (row r of a table in shard {@code r mod S}).
 *
 * <p>The driver reads a table only when something asks for its values ({@link #gather}); a save writes the tables
 * from the shards as contiguous chunks ({@link #chunks}), assembled on the executors. Like the shards during
 * training, the cached rows have no lineage to recompute them from: losing an executor that holds some fails the
 * job that reads them, and the model must be trained again, so save a model trained this way before relying on it.
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

  /** The tables' names, in model order. */
  List<String> names() {
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

  /** Drops the cached rows. */
  void unpersist() {
    shards.unpersist(false);
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
