package dev.sparkrec.train;

import java.io.Serializable;

/**
 * Up to a block size of training examples as primitive arrays, the unit the trainer caches: one object per
 * block instead of one per row keeps the cached data compact and cheap to scan every epoch.
 *
 * <p>Layout as in {@link Batch}: {@code ids} and {@code values} hold {@code rows·fields} elements
 * row-major, {@code labels} and {@code weights} {@code rows}; {@code values} and {@code weights} are null
 * when the data has no such column. Immutable once built.
 */
public final class ExampleBlock implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int rows;
  private final int fields;
  private final int[] ids;
  private final float[] values;
  private final float[] labels;
  private final float[] weights;

  ExampleBlock(int rows, int fields, int[] ids, float[] values, float[] labels, float[] weights) {
    this.rows = rows;
    this.fields = fields;
    this.ids = ids;
    this.values = values;
    this.labels = labels;
    this.weights = weights;
  }

  public int rows() {
    return rows;
  }

  public int fields() {
    return fields;
  }

  /** Feature ids, {@code rows·fields} row-major. */
  public int[] ids() {
    return ids;
  }

  /** Feature values in the layout of {@link #ids()}, or null. */
  public float[] values() {
    return values;
  }

  public float[] labels() {
    return labels;
  }

  /** Example weights, or null. */
  public float[] weights() {
    return weights;
  }

  /** Copies row {@code row} of this block into position {@code position} of {@code batch}. */
  void copyRow(int row, Batch batch, int position) {
    System.arraycopy(ids, row * fields, batch.ids(), position * fields, fields);
    if (values != null) {
      System.arraycopy(values, row * fields, batch.values(), position * fields, fields);
    }
    batch.labels()[position] = labels[row];
    if (weights != null) {
      batch.weights()[position] = weights[row];
    }
  }
}
