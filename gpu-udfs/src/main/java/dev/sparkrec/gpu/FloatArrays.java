package dev.sparkrec.gpu;

import scala.collection.Seq;

/**
 * The arithmetic behind SparkRec's SQL functions, on the CPU: each takes Spark {@code array<float>} values (as
 * Spark hands them to a Java UDF, a {@link Seq} of {@link Float}) and returns a {@link Float}.
 *
 * <p>Every function works in double precision and rounds to float once, at the end, as the GPU twins do. A null
 * array, a null element or a null scale gives a null result; arrays of different lengths, or elements that are not
 * floats, are an error naming the function and the lengths or the type found. Over empty arrays a dot product is 0,
 * a weighted L1 distance 0 and a cosine NaN (0/0).
 */
final class FloatArrays {

  private FloatArrays() {}

  /** {@code Σ a_j b_j}. */
  static Float dot(String function, Seq<?> a, Seq<?> b) {
    Double dot = dotInDouble(function, a, b);
    return dot == null ? null : (float) (double) dot;
  }

  /** {@code s · Σ a_j b_j}. */
  static Float scaledDot(String function, Seq<?> a, Seq<?> b, Float scale) {
    Double dot = dotInDouble(function, a, b);
    return dot == null || scale == null ? null : (float) (scale * dot);
  }

  /** {@code Σ w_j |a_j − b_j|}. */
  static Float weightedL1(String function, Seq<?> a, Seq<?> b, Seq<?> w) {
    if (a == null || b == null || w == null) {
      return null;
    }
    int n = sameLength(function, a, b);
    sameLength(function, a, w);
    double sum = 0;
    for (int j = 0; j < n; j++) {
      Float x = element(function, a, j, 1);
      Float y = element(function, b, j, 2);
      Float weight = element(function, w, j, 3);
      if (x == null || y == null || weight == null) {
        return null;
      }
      sum += Math.abs((double) x - (double) y) * weight;
    }
    return (float) sum;
  }

  /** {@code Σ a_j b_j / (‖a‖ ‖b‖)}. */
  static Float cosine(String function, Seq<?> a, Seq<?> b) {
    if (a == null || b == null) {
      return null;
    }
    int n = sameLength(function, a, b);
    double dot = 0;
    double aa = 0;
    double bb = 0;
    for (int j = 0; j < n; j++) {
      Float x = element(function, a, j, 1);
      Float y = element(function, b, j, 2);
      if (x == null || y == null) {
        return null;
      }
      dot += (double) x * y;
      aa += (double) x * x;
      bb += (double) y * y;
    }
    return (float) (dot / (Math.sqrt(aa) * Math.sqrt(bb)));
  }

  private static Double dotInDouble(String function, Seq<?> a, Seq<?> b) {
    if (a == null || b == null) {
      return null;
    }
    int n = sameLength(function, a, b);
    double sum = 0;
    for (int j = 0; j < n; j++) {
      Float x = element(function, a, j, 1);
      Float y = element(function, b, j, 2);
      if (x == null || y == null) {
        return null;
      }
      sum += (double) x * y;
    }
    return sum;
  }

  private static int sameLength(String function, Seq<?> a, Seq<?> b) {
    int n = a.length();
    if (b.length() != n) {
      throw new IllegalArgumentException(function + ": its array arguments must have the same length; got arrays of "
          + n + " and " + b.length() + " elements");
    }
    return n;
  }

  private static Float element(String function, Seq<?> array, int index, int argument) {
    Object value = array.apply(index);
    if (value == null || value instanceof Float) {
      return (Float) value;
    }
    throw new IllegalArgumentException(function + " takes array<float> arguments; element " + index + " of argument "
        + argument + " is a " + value.getClass().getSimpleName() + " (" + value + "): cast the column to array<float>");
  }
}
