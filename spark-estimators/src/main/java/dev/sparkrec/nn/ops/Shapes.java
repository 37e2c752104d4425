package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tensor;
import java.util.Arrays;

/**
 * Axis arithmetic shared by the ops that work along one axis: a tensor seen as
 * {@code [outer, n, inner]} around that axis, in row-major order.
 */
final class Shapes {

  private Shapes() {}

  /** {@code axis} as a non-negative index into {@code x}'s shape (negative counts from the end). */
  static int axis(String op, Tensor x, int axis) {
    int rank = x.rank();
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new IllegalArgumentException(op + ": axis " + axis + " is outside " + x);
    }
    return a;
  }

  /** The product of the dimensions before {@code axis}. */
  static int outer(int[] shape, int axis) {
    int n = 1;
    for (int i = 0; i < axis; i++) {
      n *= shape[i];
    }
    return n;
  }

  /** The product of the dimensions after {@code axis}. */
  static int inner(int[] shape, int axis) {
    int n = 1;
    for (int i = axis + 1; i < shape.length; i++) {
      n *= shape[i];
    }
    return n;
  }

  /** {@code shape} without {@code axis}; {@code [1]} when nothing is left. */
  static int[] without(int[] shape, int axis) {
    if (shape.length == 1) {
      return new int[] {1};
    }
    int[] result = new int[shape.length - 1];
    for (int i = 0, j = 0; i < shape.length; i++) {
      if (i != axis) {
        result[j++] = shape[i];
      }
    }
    return result;
  }

  static String text(int[] shape) {
    return Arrays.toString(shape);
  }
}
