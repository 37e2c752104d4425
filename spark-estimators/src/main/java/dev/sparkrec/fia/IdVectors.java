package dev.sparkrec.fia;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** A model's user (or item) vectors read to the driver: ids and their vectors, by position. */
final class IdVectors {

  /** Estimated driver and broadcast bytes per row besides its vector: the id, an array header and a reference. */
  static final long BYTES_PER_ID = 32;

  final int[] ids;
  final float[][] vectors;

  private IdVectors(int[] ids, float[][] vectors) {
    this.ids = ids;
    this.vectors = vectors;
  }

  /** From a vector table's rows {@code (id, vector)}. */
  static IdVectors of(List<Row> rows) {
    int[] ids = new int[rows.size()];
    float[][] vectors = new float[rows.size()][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rows.get(i).getInt(0);
      vectors[i] = SideExplanations.floats(rows.get(i), 1);
    }
    return new IdVectors(ids, vectors);
  }

  /** Ids {@code index.id(i)} with {@code vectors[i]}. */
  static IdVectors of(IdIndex index, float[][] vectors) {
    int[] ids = new int[vectors.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = index.id(i);
    }
    return new IdVectors(ids, vectors);
  }

  /** The estimated bytes of {@code rows} rows whose vectors have {@code dim} entries. */
  static long bytes(long rows, int dim) {
    return rows * (BYTES_PER_ID + 4L * dim);
  }

  /**
   * The model's user (or item) vectors if there are at most {@code rows}; else null. A model that holds its vectors
   * on the driver ({@link CollaborativeFilteringModel#vectorsOnDriver}) gives them without a job; a table is read
   * with a limit one row beyond {@code rows}, so one above it costs at most that many rows on the driver.
   */
  static IdVectors readAtMost(FactorizedModel model, boolean users, long rows) {
    if (rows <= 0) {
      return null;
    }
    if (model instanceof CollaborativeFilteringModel) {
      CollaborativeFilteringModel cf = (CollaborativeFilteringModel) model;
      IdIndex ids = cf.vectorIds(users);
      if (ids != null) {
        return ids.size() > rows ? null : of(ids, cf.vectorsOnDriver(users));
      }
    }
    Dataset<Row> table = users ? model.userVectors() : model.itemVectors();
    List<Row> read = table.limit((int) Math.min(Integer.MAX_VALUE - 8, rows + 1)).collectAsList();
    return read.size() > rows ? null : of(read);
  }
}
