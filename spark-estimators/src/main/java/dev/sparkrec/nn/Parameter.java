package dev.sparkrec.nn;

import java.util.Arrays;

/**
 * A named, persistent tensor of a model: its values and an accumulated gradient of the same shape.
 *
 * <p>A <b>sparse-row</b> parameter (an embedding table) also records which rows the current batch
 * touched, so optimizers update, and {@link #zeroGrad} clears, only those rows. A non-trainable
 * parameter (batch-norm running statistics) is saved and averaged like the others but never
 * stepped by an optimizer.
 */
public final class Parameter {

  private final String name;
  private final Tensor tensor;
  private final boolean sparseRows;
  private final boolean trainable;
  private int[] touched = new int[0];
  private int touchedCount;
  private final boolean[] rowTouched;

  private Parameter(String name, int[] shape, boolean sparseRows, boolean trainable) {
    this.name = name;
    this.tensor = Tensor.variable(new float[Tensor.sizeOf(shape)], shape);
    this.sparseRows = sparseRows;
    this.trainable = trainable;
    this.rowTouched = sparseRows ? new boolean[shape[0]] : null;
  }

  /** A dense trainable parameter of {@code shape}, initialised to zero. */
  public static Parameter dense(String name, int... shape) {
    return new Parameter(name, shape, false, true);
  }

  /** A {@code rows × cols} table whose gradient is sparse in rows (an embedding), initialised to zero. */
  public static Parameter sparseRows(String name, int rows, int cols) {
    return new Parameter(name, new int[] {rows, cols}, true, true);
  }

  /** State that is saved and averaged but not optimized (e.g. running statistics), initialised to zero. */
  public static Parameter state(String name, int... shape) {
    return new Parameter(name, shape, false, false);
  }

  public String name() {
    return name;
  }

  /** The values and gradient as a tensor that ops can take as input. */
  public Tensor tensor() {
    return tensor;
  }

  public float[] data() {
    return tensor.data();
  }

  public float[] grad() {
    return tensor.grad();
  }

  public int[] shape() {
    return tensor.shape();
  }

  public int size() {
    return tensor.size();
  }

  public boolean isSparseRows() {
    return sparseRows;
  }

  public boolean isTrainable() {
    return trainable;
  }

  /** Row length of a sparse-row table (its last dimension). */
  public int rowSize() {
    return tensor.cols();
  }

  /** Marks {@code row} as touched by the current batch (sparse-row parameters only). */
  public void touchRow(int row) {
    if (!rowTouched[row]) {
      rowTouched[row] = true;
      if (touchedCount == touched.length) {
        touched = Arrays.copyOf(touched, Math.max(16, touched.length * 2));
      }
      touched[touchedCount++] = row;
    }
  }

  /** The rows touched since the last {@link #zeroGrad}, in first-touch order; valid up to {@link #touchedCount}. */
  public int[] touchedRows() {
    return touched;
  }

  public int touchedCount() {
    return touchedCount;
  }

  /** Clears the gradient: every element of a dense parameter, only the touched rows of a sparse one. */
  public void zeroGrad() {
    float[] g = tensor.grad();
    if (sparseRows) {
      int cols = rowSize();
      for (int i = 0; i < touchedCount; i++) {
        int row = touched[i];
        Arrays.fill(g, row * cols, (row + 1) * cols, 0f);
        rowTouched[row] = false;
      }
      touchedCount = 0;
    } else {
      Arrays.fill(g, 0, tensor.size(), 0f);
    }
  }

  @Override
  public String toString() {
    return "Parameter " + name + Arrays.toString(tensor.shape()) + (sparseRows ? " sparse-rows" : "")
        + (trainable ? "" : " state");
  }
}
