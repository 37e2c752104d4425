package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Tensor;
import java.util.Arrays;

/**
 * How the second operand of an element-wise binary op lines up with the first: the first seen as
 * {@code [outer, mid, inner]}, element {@code (o, m, i)} pairs with element {@code m} of the second.
 *
 * <p>Allowed second operands: the same shape ({@code [1, size, 1]}); one element (a scalar,
 * {@code [size, 1, 1]}); a suffix of the first's shape, e.g. {@code [B,K,F] op [F]} or {@code [K,F]}
 * (row broadcast, {@code [size/n, n, 1]}); the first's shape with the last dimension 1, e.g.
 * {@code [B,F] op [B,1]} (column broadcast, {@code [1, size/F, F]}).
 */
final class Broadcast {

  final int outer;
  final int mid;
  final int inner;

  private Broadcast(int outer, int mid, int inner) {
    this.outer = outer;
    this.mid = mid;
    this.inner = inner;
  }

  static Broadcast of(String op, Tensor a, Tensor b) {
    int[] as = a.shape();
    int[] bs = b.shape();
    int size = a.size();
    if (Arrays.equals(as, bs)) {
      return new Broadcast(1, size, 1);
    }
    if (b.size() == 1) {
      return new Broadcast(size, 1, 1);
    }
    if (isSuffix(bs, as)) {
      return new Broadcast(size / b.size(), b.size(), 1);
    }
    if (bs.length == as.length && bs[bs.length - 1] == 1
        && Arrays.equals(Arrays.copyOf(as, as.length - 1), Arrays.copyOf(bs, bs.length - 1))) {
      int last = as[as.length - 1];
      return new Broadcast(1, b.size(), last);
    }
    throw new IllegalArgumentException(op + ": cannot broadcast " + b + " onto " + a + "; the second operand must"
        + " have the same shape, one element, a suffix of the first's shape, or the first's shape with the last"
        + " dimension 1");
  }

  private static boolean isSuffix(int[] suffix, int[] shape) {
    if (suffix.length > shape.length) {
      return false;
    }
    int offset = shape.length - suffix.length;
    for (int i = 0; i < suffix.length; i++) {
      if (suffix[i] != shape[offset + i]) {
        return false;
      }
    }
    return true;
  }

  /** {@code gb[m] += Σ_{o,i} g[o,m,i]}: the gradient of a broadcast second operand of an addition. */
  void reduceInto(float[] g, float[] gb, float sign) {
    for (int o = 0, idx = 0; o < outer; o++) {
      for (int m = 0; m < mid; m++) {
        float s = 0f;
        for (int i = 0; i < inner; i++, idx++) {
          s += g[idx];
        }
        gb[m] += sign * s;
      }
    }
  }
}
