package dev.sparkrec.nn;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * A named, persistent tensor of a model: its values and an accumulated gradient of the same shape.
 *
 * <p>A <b>sparse-row</b> parameter (an embedding table) also records which rows the current batch
 * touched, so optimizers update, and {@link #zeroGrad} clears, only those rows. A non-trainable
 * parameter (batch-norm running statistics) is saved and averaged like the others but never
 * stepped by an optimizer.
 *
 * <p>A sparse-row parameter can be made <b>compact</b> ({@link #compact}): it then holds only some of its rows,
 * each in a slot (a physical row) of a smaller tensor, as a task on the sharded embedding path does with the rows
 * it pulled. Row lookups map a table row to its slot with {@link #slot} (the identity for a full table) and mark
 * slots as touched; {@link #touchedRows}, {@link #tensor}, {@link #data}, {@link #grad} and {@link #size} are in
 * slots, and optimizers, which only follow the touched list, work unchanged. {@link #shape} stays the table's.
 */
public final class Parameter {

  /** Rows a table made compact when it is built has room for. */
  private static final int COMPACT_ROWS = 16;
  /** Whether this thread is building a model whose tables are made compact when they are created. */
  private static final ThreadLocal<Boolean> BUILDING_COMPACT = ThreadLocal.withInitial(() -> false);

  private final String name;
  private final int[] shape;
  private Tensor tensor;
  private final boolean sparseRows;
  private final boolean trainable;
  private int[] touched = new int[0];
  private int touchedCount;
  private boolean[] rowTouched;
  /** The rows a compact table holds, and their slots; null for a full one. */
  private RowSlots rowSlots;
  /** How a sparse-row table's rows started, row by row, as its last initialiser recorded (null: unknown). */
  private RowInit rowInit = RowInit.ZERO;

  private Parameter(String name, int[] shape, boolean sparseRows, boolean trainable) {
    this.name = name;
    this.shape = shape.clone();
    this.sparseRows = sparseRows;
    this.trainable = trainable;
    if (sparseRows && BUILDING_COMPACT.get()) {
      this.tensor = Tensor.variable(new float[COMPACT_ROWS * shape[1]], COMPACT_ROWS, shape[1]);
      this.rowTouched = new boolean[COMPACT_ROWS];
      this.rowSlots = new RowSlots(COMPACT_ROWS);
    } else {
      this.tensor = Tensor.variable(new float[Tensor.sizeOf(shape)], shape);
      this.rowTouched = sparseRows ? new boolean[shape[0]] : null;
    }
  }

  /**
   * Runs {@code build} (e.g. a model factory) with every sparse-row table it creates made {@linkplain #compact
   * compact} from the start, holding no row, so that a model whose rows are loaded later is never allocated at
   * full size. What initialisers write into such a table is discarded when its rows are loaded.
   */
  public static <T> T buildingCompact(Supplier<T> build) {
    boolean outer = BUILDING_COMPACT.get();
    BUILDING_COMPACT.set(true);
    try {
      return build.get();
    } finally {
      BUILDING_COMPACT.set(outer);
    }
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

  /** The parameter's shape; for a compact table, the full table's. */
  public int[] shape() {
    return shape.clone();
  }

  /** Floats held: the parameter's size, or for a compact table its slots' (the rows it has room for × row size). */
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

  /**
   * Makes this sparse-row table compact, holding no row yet, with room for {@code capacity} rows before it
   * grows: values and gradient are reallocated (and with them an optimizer's slots, which follow {@link #size})
   * only when the room it has is smaller, or over four times larger. It must have no touched rows ({@link
   * #zeroGrad} first). Values of slots not yet loaded are arbitrary.
   */
  public void compact(int capacity) {
    if (!sparseRows) {
      throw new IllegalStateException("only a sparse-row parameter can be compact; " + name + " is dense");
    }
    if (touchedCount > 0) {
      throw new IllegalStateException("compacting " + name + " with touched rows; zero its gradient first");
    }
    boolean full = rowSlots == null;
    if (full) {
      rowSlots = new RowSlots(capacity);
    } else {
      rowSlots.reset(capacity);
    }
    int held = tensor.shape()[0];
    if (full || held < capacity || held > 4 * Math.max(capacity, 16)) {
      holdRows(Math.max(capacity, 16), false);
    }
  }

  /** Whether this table holds only some of its rows ({@link #compact}). */
  public boolean isCompact() {
    return rowSlots != null;
  }

  /**
   * How this table's rows started, as the last {@link Initializers} call recorded it ({@link RowInit#ZERO} before
   * any; null after an initialiser whose draws are not row by row). Code that writes a table's values directly
   * does not update it, so a caller that relies on it compares it with rows the table holds.
   */
  public RowInit rowInit() {
    return rowInit;
  }

  void setRowInit(RowInit init) {
    rowInit = init;
  }

  /** Rows held: the table's rows, or the rows a compact table was given so far. */
  public int heldRows() {
    return rowSlots == null ? shape[0] : rowSlots.count();
  }

  /**
   * The slot holding table row {@code row}: {@code row} itself for a full table. A compact table that does not
   * hold it fails, naming the row.
   */
  public int slot(int row) {
    if (rowSlots == null) {
      return row;
    }
    int slot = rowSlots.slotOf(row);
    if (slot < 0) {
      throw new IllegalStateException("Row " + row + " of '" + name + "' was read but is not among the "
          + rowSlots.count() + " rows this task holds: the row listing pass over the same batches did not list it."
          + " The model must read the same embedding rows whatever its parameter values (or train with "
          + "embeddingSync 'broadcast').");
    }
    return slot;
  }

  /**
   * The slot holding table row {@code row}, giving it a new slot (growing the tensor when full) if a compact
   * table does not hold it yet; a new slot's values are arbitrary. For loading rows and for forward passes that
   * list rows, before any backward: growing keeps the values, not the gradient. Re-read {@link #data} after this:
   * growing replaces it.
   */
  public int admit(int row) {
    if (rowSlots == null) {
      return row;
    }
    int slot = rowSlots.slotOf(row);
    if (slot >= 0) {
      return slot;
    }
    if (rowSlots.count() == tensor.shape()[0]) {
      holdRows(2 * rowSlots.count(), true);
    }
    return rowSlots.add(row);
  }

  /** The table row that slot {@code slot} holds: {@code slot} itself for a full table. */
  public int rowOf(int slot) {
    return rowSlots == null ? slot : rowSlots.rowOf(slot);
  }

  /** Reallocates values, gradient and touch marks for {@code rows} slots, keeping the values and marks if asked. */
  private void holdRows(int rows, boolean keep) {
    int d = rowSize();
    Tensor next = Tensor.variable(new float[rows * d], rows, d);
    boolean[] marks = new boolean[rows];
    if (keep) {
      System.arraycopy(tensor.data(), 0, next.data(), 0, Math.min(rows, tensor.shape()[0]) * d);
      System.arraycopy(rowTouched, 0, marks, 0, Math.min(rows, rowTouched.length));
    }
    tensor = next;
    rowTouched = marks;
  }

  /** Marks slot {@code row} (a table row, for a full table) as touched by the current batch (sparse-row only). */
  public void touchRow(int row) {
    if (!rowTouched[row]) {
      rowTouched[row] = true;
      if (touchedCount == touched.length) {
        touched = Arrays.copyOf(touched, Math.max(16, touched.length * 2));
      }
      touched[touchedCount++] = row;
    }
  }

  /**
   * The slots (rows, for a full table) touched since the last {@link #zeroGrad}, in first-touch order; valid up
   * to {@link #touchedCount}.
   */
  public int[] touchedRows() {
    return touched;
  }

  public int touchedCount() {
    return touchedCount;
  }

  /** Clears the gradient: every element of a dense parameter, only the touched rows of a sparse one. */
  public void zeroGrad() {
    if (sparseRows && touchedCount == 0) {
      return; // nothing to clear (and no buffer to allocate for a table that has not trained)
    }
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
    return "Parameter " + name + Arrays.toString(shape) + (sparseRows ? " sparse-rows" : "")
        + (rowSlots != null ? " compact (" + rowSlots.count() + " rows held)" : "") + (trainable ? "" : " state");
  }
}
