package dev.sparkrec.nn;

import java.util.Arrays;

/**
 * A dense float tensor: row-major, batch-first data in a flat {@code float[]}, with an optional
 * gradient buffer of the same layout.
 *
 * <p>The arrays may be longer than {@link #size()} (buffers are reused across batches of different
 * sizes); only the first {@code size()} elements are meaningful. Tensors produced by ops on a
 * {@link Tape} borrow their buffers from the tape and are valid until the tape is reset.
 */
public final class Tensor {

  private final float[] data;
  private float[] grad;
  private final int[] shape;
  private final int size;
  private final boolean requiresGrad;
  private final Tape tape;

  Tensor(float[] data, float[] grad, int[] shape, boolean requiresGrad, Tape tape) {
    this.size = sizeOf(shape);
    if (data.length < size) {
      throw new IllegalArgumentException("data holds " + data.length + " floats but shape " + Arrays.toString(shape)
          + " needs " + size);
    }
    this.data = data;
    this.grad = grad;
    this.shape = shape.clone();
    this.requiresGrad = requiresGrad;
    this.tape = tape;
  }

  /** A constant (no gradient) wrapping {@code data} with {@code shape}. */
  public static Tensor constant(float[] data, int... shape) {
    return new Tensor(data, null, shape, false, null);
  }

  /**
   * A leaf that receives gradients in its own buffer, allocated zero on first use (a model that never trains,
   * e.g. one that only scores, never holds gradients), e.g. a parameter or an input in a gradient check.
   */
  public static Tensor variable(float[] data, int... shape) {
    return new Tensor(data, null, shape, true, null);
  }

  /** Number of elements: the product of the shape. */
  public static int sizeOf(int... shape) {
    int n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** The values, row-major; only the first {@link #size()} elements belong to this tensor. */
  public float[] data() {
    return data;
  }

  /**
   * The gradient buffer (same layout as {@link #data()}), or null for a tensor that does not
   * require gradients. It is allocated, zeroed, on first use: from the tape for an op's output.
   */
  public float[] grad() {
    if (grad == null && requiresGrad) {
      grad = tape != null ? tape.zeroedBuffer(size) : new float[size];
    }
    return grad;
  }

  /** True when backward must compute this tensor's gradient. */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /** Size of dimension {@code axis} (negative counts from the end). */
  public int dim(int axis) {
    return shape[axis < 0 ? shape.length + axis : axis];
  }

  public int size() {
    return size;
  }

  /** Rows of the tensor seen as a matrix: the product of all but the last dimension. */
  public int rows() {
    return shape.length == 0 ? 1 : size / Math.max(1, shape[shape.length - 1]);
  }

  /** Columns of the tensor seen as a matrix: the last dimension. */
  public int cols() {
    return shape.length == 0 ? 1 : shape[shape.length - 1];
  }

  /** The single value of a one-element tensor (e.g. a loss). */
  public float item() {
    if (size != 1) {
      throw new IllegalStateException("item() needs a one-element tensor, shape is " + Arrays.toString(shape));
    }
    return data[0];
  }

  /** A copy of the first {@link #size()} values. */
  public float[] toArray() {
    return Arrays.copyOf(data, size);
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape) + (requiresGrad ? " (grad)" : "");
  }
}
