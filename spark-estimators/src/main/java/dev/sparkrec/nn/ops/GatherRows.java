package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * Embedding lookup: output row {@code i} is row {@code ids[i]} of a {@code V × d} table, optionally
 * scaled by {@code scales[i]} (a feature's value, as in {@code e = E[id]·x}).
 *
 * <p>The gradient is <b>sparse in rows</b>: backward adds {@code scales[i]·dy_i} into row {@code ids[i]}
 * of the table's gradient and marks the row touched, so optimizers and parameter averaging handle only
 * the rows a batch used. On a {@linkplain Tape#listingRows listing tape} forward marks them too.
 */
public final class GatherRows extends Op {

  private final Parameter table;
  private final int[] ids;
  private final float[] scales;
  private final int count;
  private final Tensor out;

  private GatherRows(Parameter table, int[] ids, float[] scales, int count, Tensor out) {
    this.table = table;
    this.ids = ids;
    this.scales = scales;
    this.count = count;
    this.out = out;
  }

  /**
   * Gathers {@code count} rows; the output has {@code shape} (its size must be {@code count·d}), e.g.
   * {@code [batch, fields, d]}. {@code scales} may be null (all 1). The arrays are read again in backward,
   * so they must not change before it runs.
   */
  public static Tensor apply(Tape tape, Parameter table, int[] ids, float[] scales, int count, int... shape) {
    int d = table.rowSize();
    int rows = table.shape()[0];
    if (Tensor.sizeOf(shape) != count * d) {
      throw new IllegalArgumentException("GatherRows: " + count + " rows of " + d + " do not fill shape "
          + java.util.Arrays.toString(shape));
    }
    Tensor out = tape.output(table.isTrainable(), shape);
    float[] dst = out.data();
    boolean list = tape.isListingRows() && out.requiresGrad();
    for (int i = 0; i < count; i++) {
      int id = ids[i];
      if (id < 0 || id >= rows) {
        throw new IllegalArgumentException("feature id " + id + " is outside the embedding table " + table.name()
            + " of " + rows + " rows");
      }
      float s = scales == null ? 1f : scales[i];
      int slot = list ? table.admit(id) : table.slot(id);
      float[] src = table.data(); // after admit, which may grow a compact table
      int from = slot * d;
      int to = i * d;
      for (int j = 0; j < d; j++) {
        dst[to + j] = src[from + j] * s;
      }
      if (list) {
        table.touchRow(slot); // as backward will
      }
    }
    if (out.requiresGrad()) {
      tape.record(new GatherRows(table, ids, scales, count, out));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] gt = table.grad();
    int d = table.rowSize();
    for (int i = 0; i < count; i++) {
      int id = ids[i];
      float s = scales == null ? 1f : scales[i];
      int slot = table.slot(id);
      int to = slot * d;
      int from = i * d;
      for (int j = 0; j < d; j++) {
        gt[to + j] += g[from + j] * s;
      }
      table.touchRow(slot);
    }
  }
}
