package dev.sparkrec.train;

import java.io.Serializable;

/**
 * Up to a block size of training examples as primitive arrays, the unit the trainer caches: one object per
 * block instead of one per row keeps the cached data compact and cheap to scan every epoch.
 *
 * <p>Layout as in {@link Batch}: {@code ids} and {@code values} hold {@code rows·fields} elements
 * row-major, {@code labels} and {@code weights} {@code rows}; {@code values} and {@code weights} are null
 * when the data has no such column. Sequences, when the data has them, are ragged: row {@code r}'s is
 * {@code sequenceIds[sequenceOffsets[r] .. sequenceOffsets[r+1])}; both are null otherwise. Immutable once built.
 */
public final class ExampleBlock implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int rows;
  private final int fields;
  private final int[] ids;
  private final float[] values;
  private final float[] labels;
  private final float[] weights;
  private final int[] sequenceOffsets;
  private final int[] sequenceIds;

  ExampleBlock(int rows, int fields, int[] ids, float[] values, float[] labels, float[] weights,
      int[] sequenceOffsets, int[] sequenceIds) {
    this.rows = rows;
    this.fields = fields;
    this.ids = ids;
    this.values = values;
    this.labels = labels;
    this.weights = weights;
    this.sequenceOffsets = sequenceOffsets;
    this.sequenceIds = sequenceIds;
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

  /** Ragged sequence offsets ({@code rows + 1}), or null. */
  public int[] sequenceOffsets() {
    return sequenceOffsets;
  }

  /** The rows' sequences back to back, or null. */
  public int[] sequenceIds() {
    return sequenceIds;
  }

  /**
   * Copies row {@code row} of this block into position {@code position} of {@code batch}; with sequences, positions
   * are filled in order (see {@link Batch#setSequence}).
   */
  void copyRow(int row, Batch batch, int position) {
    System.arraycopy(ids, row * fields, batch.ids(), position * fields, fields);
    if (values != null) {
      System.arraycopy(values, row * fields, batch.values(), position * fields, fields);
    }
    batch.labels()[position] = labels[row];
    if (weights != null) {
      batch.weights()[position] = weights[row];
    }
    if (sequenceOffsets != null) {
      int from = sequenceOffsets[row];
      batch.setSequence(position, sequenceIds, from, sequenceOffsets[row + 1] - from);
    }
  }
}
