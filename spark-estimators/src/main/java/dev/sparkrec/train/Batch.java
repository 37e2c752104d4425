package dev.sparkrec.train;

import java.util.Arrays;

/**
 * A mini-batch in columnar form: for {@code size} examples of {@code fields} fields each, the feature ids
 * ({@code size·fields}, row-major), their values (same layout, or null when the data has none: every value
 * is 1), the 0/1 labels and the example weights (null when the data has none: every weight is 1).
 *
 * <p>A batch may also carry one variable-length <em>sequence</em> of ids per example (a user's behaviour
 * history), stored ragged: example {@code i}'s sequence is {@code sequenceIds()[sequenceOffsets()[i] ..
 * sequenceOffsets()[i+1])}, possibly empty. Sequences are written in example order with {@link #setSequence}.
 *
 * <p>The trainer reuses one batch for every mini-batch of a task, so the arrays may be longer than the
 * current batch: only the first {@code size·fields} ids and values, the first {@code size} labels and
 * weights and the first {@code size + 1} sequence offsets belong to it. Models must not keep references to
 * the arrays beyond a forward/backward pass.
 */
public final class Batch {

  private final int fields;
  private final int[] ids;
  private final float[] values;
  private final float[] labels;
  private final float[] weights;
  private final int[] sequenceOffsets;
  private int[] sequenceIds;
  private int size;

  /** An empty batch holding up to {@code capacity} examples; values and weights exist only when asked for. */
  public Batch(int capacity, int fields, boolean hasValues, boolean hasWeights) {
    this(capacity, fields, hasValues, hasWeights, false);
  }

  /**
   * An empty batch holding up to {@code capacity} examples; values, weights and sequences exist only when asked
   * for. The sequence buffer grows as sequences are set.
   */
  public Batch(int capacity, int fields, boolean hasValues, boolean hasWeights, boolean hasSequences) {
    if (capacity < 1 || fields < 1) {
      throw new IllegalArgumentException("a batch needs capacity >= 1 and fields >= 1, got " + capacity + " and "
          + fields);
    }
    this.fields = fields;
    this.ids = new int[Math.multiplyExact(capacity, fields)];
    this.values = hasValues ? new float[ids.length] : null;
    this.labels = new float[capacity];
    this.weights = hasWeights ? new float[capacity] : null;
    this.sequenceOffsets = hasSequences ? new int[capacity + 1] : null;
    this.sequenceIds = hasSequences ? new int[capacity] : null;
  }

  private Batch(int fields, int[] ids, float[] values, float[] labels, float[] weights, int[] sequenceOffsets,
      int[] sequenceIds) {
    this.fields = fields;
    this.ids = ids;
    this.values = values;
    this.labels = labels;
    this.weights = weights;
    this.sequenceOffsets = sequenceOffsets;
    this.sequenceIds = sequenceIds;
    this.size = labels.length;
  }

  /**
   * A batch of {@code labels.length} examples wrapping the given arrays (not copied); {@code values} and
   * {@code weights} may be null.
   */
  public static Batch of(int fields, int[] ids, float[] values, float[] labels, float[] weights) {
    int n = labels.length;
    if (fields < 1 || ids.length != n * fields || (values != null && values.length != ids.length)
        || (weights != null && weights.length != n)) {
      throw new IllegalArgumentException("Batch.of needs " + n + " labels, " + n + "×" + fields + " ids and values, "
          + "and " + n + " weights; got " + ids.length + " ids, " + (values == null ? "no" : values.length)
          + " values and " + (weights == null ? "no" : weights.length) + " weights");
    }
    return new Batch(fields, ids, values, labels, weights, null, null);
  }

  /**
   * A batch of {@code labels.length} examples wrapping the given arrays (not copied), with example {@code i}'s
   * sequence in {@code sequenceIds[sequenceOffsets[i] .. sequenceOffsets[i+1])}; {@code values} and
   * {@code weights} may be null.
   */
  public static Batch withSequences(int fields, int[] ids, float[] values, float[] labels, float[] weights,
      int[] sequenceOffsets, int[] sequenceIds) {
    Batch plain = of(fields, ids, values, labels, weights);
    int n = labels.length;
    if (sequenceOffsets.length != n + 1 || sequenceOffsets[0] != 0 || sequenceOffsets[n] > sequenceIds.length) {
      throw new IllegalArgumentException("Batch.withSequences needs " + (n + 1) + " offsets starting at 0 and "
          + "ending within the " + sequenceIds.length + " sequence ids, got " + Arrays.toString(
              sequenceOffsets));
    }
    for (int i = 0; i < n; i++) {
      if (sequenceOffsets[i + 1] < sequenceOffsets[i]) {
        throw new IllegalArgumentException("sequence offsets must not decrease, got "
            + Arrays.toString(sequenceOffsets));
      }
    }
    return new Batch(fields, plain.ids, values, labels, weights, sequenceOffsets, sequenceIds);
  }

  /** Number of examples in the batch. */
  public int size() {
    return size;
  }

  /** Number of fields (ids) per example. */
  public int fields() {
    return fields;
  }

  /** Most examples the arrays can hold. */
  public int capacity() {
    return labels.length;
  }

  /** Feature ids, example-major: example {@code i}'s ids are {@code [i·fields, (i+1)·fields)}. */
  public int[] ids() {
    return ids;
  }

  /** Feature values in the layout of {@link #ids()}, or null when every value is 1. */
  public float[] values() {
    return values;
  }

  /** Labels, 0 or 1. */
  public float[] labels() {
    return labels;
  }

  /** Example weights (finite, >= 0), or null when every weight is 1. */
  public float[] weights() {
    return weights;
  }

  /** Whether the batch carries one sequence per example. */
  public boolean hasSequences() {
    return sequenceOffsets != null;
  }

  /**
   * Ragged sequence offsets, {@code size + 1} of them from 0 (null without sequences): example {@code i}'s sequence
   * is {@code sequenceIds()[sequenceOffsets()[i] .. sequenceOffsets()[i+1])}.
   */
  public int[] sequenceOffsets() {
    return sequenceOffsets;
  }

  /** The sequences' ids back to back, in the layout of {@link #sequenceOffsets()} (null without sequences). */
  public int[] sequenceIds() {
    return sequenceIds;
  }

  /** Total length of the first {@code size} sequences. */
  public int sequenceLength() {
    return sequenceOffsets == null ? 0 : sequenceOffsets[size];
  }

  /**
   * Writes {@code ids[from .. from + length)} as example {@code position}'s sequence. Examples' sequences are
   * written in order, 0 first: the sequence starts where example {@code position − 1}'s ended.
   */
  public void setSequence(int position, int[] ids, int from, int length) {
    if (sequenceOffsets == null) {
      throw new IllegalStateException("this batch was built without sequences");
    }
    if (position < 0 || position >= capacity()) {
      throw new IllegalArgumentException("position " + position + " outside [0, " + capacity() + ")");
    }
    int start = position == 0 ? 0 : sequenceOffsets[position];
    int end = Math.addExact(start, length);
    if (end > sequenceIds.length) {
      sequenceIds = Arrays.copyOf(sequenceIds, Math.max(end, (int) Math.min(Integer.MAX_VALUE - 8,
          2L * sequenceIds.length)));
    }
    System.arraycopy(ids, from, sequenceIds, start, length);
    sequenceOffsets[0] = 0;
    sequenceOffsets[position + 1] = end;
  }

  /** Sets how many of the first rows are in use (0 to capacity), after filling them. */
  public void setSize(int value) {
    if (value < 0 || value > capacity()) {
      throw new IllegalArgumentException("batch size " + value + " outside [0, " + capacity() + "]");
    }
    size = value;
  }
}
