package dev.sparkrec.resus;

import dev.sparkrec.train.Batch;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One user's interactions in time order, as RESUS's episodes and adaptations read them: {@code fields} feature ids
 * per row (and their values, or none), the 0/1 labels and the base predictor's logits. Immutable.
 */
public final class UserHistory implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int user;
  private final int fields;
  private final int[] ids;
  private final float[] values;
  private final float[] labels;
  private final float[] baseLogits;

  UserHistory(int user, int fields, int[] ids, float[] values, float[] labels, float[] baseLogits) {
    this.user = user;
    this.fields = fields;
    this.ids = ids;
    this.values = values;
    this.labels = labels;
    this.baseLogits = baseLogits;
  }

  public int user() {
    return user;
  }

  /** Number of interactions. */
  public int size() {
    return labels.length;
  }

  /** Rows {@code [from, to)} as a batch (copies). */
  public Batch rows(int from, int to) {
    return Batch.of(fields, Arrays.copyOfRange(ids, from * fields, to * fields),
        values == null ? null : Arrays.copyOfRange(values, from * fields, to * fields),
        Arrays.copyOfRange(labels, from, to), null);
  }

  /** The base logits of rows {@code [from, to)} (a copy). */
  public float[] baseLogits(int from, int to) {
    return Arrays.copyOfRange(baseLogits, from, to);
  }
}
