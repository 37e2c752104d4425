package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * The mean of all elements ({@code [1]}) or along one axis (that axis removed, e.g. {@code [B,K,F]} over axis
 * 1 gives {@code [B,F]}): {@code y = Σ x / n} over the {@code n} reduced values, accumulated in double. Backward:
 * {@code dx_j = dy / n} for every reduced element. Recorded as a {@link Sum} scaled by {@code 1/n}.
 */
public final class Mean {

  private Mean() {}

  /** The mean of every element, shape {@code [1]}. */
  public static Tensor apply(Tape tape, Tensor x) {
    if (x.size() == 0) {
      throw new IllegalArgumentException("Mean: no values to average in " + x);
    }
    return Sum.reduce(tape, x, 1, x.size(), 1, new int[] {1}, 1.0 / x.size());
  }

  /** The mean along {@code axis} (negative counts from the end); the output drops that axis. */
  public static Tensor apply(Tape tape, Tensor x, int axis) {
    return Sum.reduceAxis("Mean", tape, x, axis, true);
  }
}
