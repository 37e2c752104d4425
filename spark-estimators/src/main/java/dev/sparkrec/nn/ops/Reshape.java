package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.Arrays;

/**
 * The same values with another shape of the same size: a view that shares {@code x}'s data (no copy). One
 * dimension may be −1 and is then inferred. Backward: {@code dx = dy} element for element.
 */
public final class Reshape extends Op {

  private final Tensor x;
  private final Tensor out;

  private Reshape(Tensor x, Tensor out) {
    this.x = x;
    this.out = out;
  }

  public static Tensor apply(Tape tape, Tensor x, int... shape) {
    int[] resolved = resolve(x, shape);
    Tensor out = tape.view(x, x.requiresGrad(), resolved);
    if (out.requiresGrad()) {
      tape.record(new Reshape(x, out));
    }
    return out;
  }

  private static int[] resolve(Tensor x, int[] shape) {
    int[] resolved = shape.clone();
    int inferred = -1;
    int known = 1;
    for (int i = 0; i < resolved.length; i++) {
      if (resolved[i] == -1 && inferred < 0) {
        inferred = i;
      } else if (resolved[i] < 0) {
        throw new IllegalArgumentException("Reshape: invalid shape " + Arrays.toString(shape) + " for " + x
            + " (one dimension may be -1, the others must be non-negative)");
      } else {
        known *= resolved[i];
      }
    }
    if (inferred >= 0 && known > 0 && x.size() % known == 0) {
      resolved[inferred] = x.size() / known;
    }
    if (inferred >= 0 && resolved[inferred] < 0 || Tensor.sizeOf(resolved) != x.size()) {
      throw new IllegalArgumentException("Reshape: " + x + " has " + x.size() + " elements, which do not fill shape "
          + Arrays.toString(shape));
    }
    return resolved;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] gx = x.grad();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      gx[i] += g[i]; // dx = dy
    }
  }
}
