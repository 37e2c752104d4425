package dev.sparkrec.fia;

import dev.sparkrec.train.TrainedTables.RowBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Rows of a factor table or vector table built from blocks of table rows read in the cluster
 * ({@link dev.sparkrec.train.TrainedTables#rowBlocks}): the user's (or item's) id, then either its parts' rows
 * side by side in one array ({@code concatenated}) or one column per part, an array or, where {@code scalar} says, a
 * float.
 */
final class FactorRows implements FlatMapFunction<RowBlock, Row> {

  private static final long serialVersionUID = 1L;

  private final Broadcast<CfModelData> ids;
  private final boolean users;
  private final boolean concatenated;
  private final boolean[] scalar;

  private FactorRows(Broadcast<CfModelData> ids, boolean users, boolean concatenated, boolean[] scalar) {
    this.ids = ids;
    this.users = users;
    this.concatenated = concatenated;
    this.scalar = scalar.clone();
  }

  /** {@code id, vector}: the parts' rows concatenated, {@code x_u} or {@code y_i}. */
  static FactorRows vectors(Broadcast<CfModelData> ids, boolean users) {
    return new FactorRows(ids, users, true, new boolean[0]);
  }

  /** {@code id} and one column per part, a float where {@code scalar} is set and an array otherwise. */
  static FactorRows columns(Broadcast<CfModelData> ids, boolean users, boolean[] scalar) {
    return new FactorRows(ids, users, false, scalar);
  }

  @Override
  public Iterator<Row> call(RowBlock block) {
    IdIndex index = users ? ids.value().users() : ids.value().items();
    int[] rows = block.rows();
    float[][] values = block.values();
    int[] widths = new int[values.length];
    int width = 0;
    for (int t = 0; t < values.length; t++) {
      widths[t] = rows.length == 0 ? 0 : values[t].length / rows.length;
      width += widths[t];
    }
    List<Row> out = new ArrayList<>(rows.length);
    for (int r = 0; r < rows.length; r++) {
      Object[] row = new Object[concatenated ? 2 : values.length + 1];
      row[0] = index.id(rows[r]);
      if (concatenated) {
        float[] vector = new float[width];
        int at = 0;
        for (int t = 0; t < values.length; t++) {
          System.arraycopy(values[t], r * widths[t], vector, at, widths[t]);
          at += widths[t];
        }
        row[1] = vector;
      } else {
        for (int t = 0; t < values.length; t++) {
          row[t + 1] = scalar[t] ? (Object) values[t][r * widths[t]]
              : Arrays.copyOfRange(values[t], r * widths[t], (r + 1) * widths[t]);
        }
      }
      out.add(RowFactory.create(row));
    }
    return out.iterator();
  }
}
