package dev.sparkrec.train;

/**
 * A mini-batch in columnar form: for {@code size} examples of {@code fields} fields each, the feature ids
 * ({@code size·fields}, row-major), their values (same layout, or null when the data has none: every value
 * is 1), the 0/1 labels and the example weights (null when the data has none: every weight is 1).
 *
 * <p>The trainer reuses one batch for every mini-batch of a task, so the arrays may be longer than the
 * current batch: only the first {@code size·fields} ids and values and the first {@code size} labels and
 * weights belong to it. Models must not keep references to the arrays beyond a forward/backward pass.
 */
public final class Batch {

  private final int fields;
  private final int[] ids;
  private final float[] values;
  private final float[] labels;
  private final float[] weights;
  private int size;

  /** An empty batch holding up to {@code capacity} examples; values and weights exist only when asked for. */
  public Batch(int capacity, int fields, boolean hasValues, boolean hasWeights) {
    if (capacity < 1 || fields < 1) {
      throw new IllegalArgumentException("a batch needs capacity >= 1 and fields >= 1, got " + capacity + " and "
          + fields);
    }
    this.fields = fields;
    this.ids = new int[Math.multiplyExact(capacity, fields)];
    this.values = hasValues ? new float[ids.length] : null;
    this.labels = new float[capacity];
    this.weights = hasWeights ? new float[capacity] : null;
  }

  private Batch(int fields, int[] ids, float[] values, float[] labels, float[] weights) {
    this.fields = fields;
    this.ids = ids;
    this.values = values;
    this.labels = labels;
    this.weights = weights;
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
    return new Batch(fields, ids, values, labels, weights);
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

  /** Sets how many of the first rows are in use (0 to capacity), after filling them. */
  public void setSize(int value) {
    if (value < 0 || value > capacity()) {
      throw new IllegalArgumentException("batch size " + value + " outside [0, " + capacity() + "]");
    }
    size = value;
  }
}
