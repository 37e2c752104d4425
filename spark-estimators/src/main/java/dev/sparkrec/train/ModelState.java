package dev.sparkrec.train;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.RowInit;
import dev.sparkrec.nn.optim.Optimizer;
import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the driver broadcasts each sync round and checkpoints each epoch: every parameter's values and its
 * optimizer slots in model order, the optimizer's step count and the current learning rate.
 *
 * <p>On the driver the arrays are the driver model's own (no copy); executors copy them into the model
 * they build and never write to them. The driver writes averaged values into them only between jobs.
 *
 * <p>On the sharded embedding path the rounds broadcast {@link #withoutSparseRows()}: the same state with
 * empty arrays in place of the sparse-row parameters' values and slots, which tasks pull from the shards. The
 * driver's own state {@linkplain #detachSparseRows detaches} its tables once they are sharded, and has them
 * {@linkplain #attachSparseRows attached} again (full arrays, filled from the shards) only for as long as it needs
 * them. A sparse-row parameter's optimizer slots may also be empty while its values are full: slots that have
 * never been written, zero.
 */
final class ModelState implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String[] names;
  private final int[][] shapes;
  private final boolean[] sparseRows;
  private final float[][] values;
  private final float[][][] slots;
  private final boolean sparseRowsOmitted;
  private long steps;
  private double learningRate;
  /** Per parameter, how a table this state holds no values of starts ({@link #startWithoutValues}); or null. */
  private RowInit[] rowInits;

  private ModelState(String[] names, int[][] shapes, boolean[] sparseRows, float[][] values, float[][][] slots,
      long steps, double learningRate) {
    this(names, shapes, sparseRows, values, slots, steps, learningRate, false);
  }

  private ModelState(String[] names, int[][] shapes, boolean[] sparseRows, float[][] values, float[][][] slots,
      long steps, double learningRate, boolean sparseRowsOmitted) {
    this.sparseRowsOmitted = sparseRowsOmitted;
    this.names = names;
    this.shapes = shapes;
    this.sparseRows = sparseRows;
    this.values = values;
    this.slots = slots;
    this.steps = steps;
    this.learningRate = learningRate;
  }

  /** A state backed by the arrays of {@code parameters} and of {@code optimizer}'s slots (created now). */
  static ModelState wrap(List<Parameter> parameters, Optimizer optimizer) {
    int n = parameters.size();
    String[] names = new String[n];
    int[][] shapes = new int[n][];
    boolean[] sparse = new boolean[n];
    float[][] values = new float[n][];
    float[][][] slots = new float[n][][];
    for (int i = 0; i < n; i++) {
      Parameter p = parameters.get(i);
      names[i] = p.name();
      for (int j = 0; j < i; j++) {
        if (names[j].equals(names[i])) {
          throw new IllegalArgumentException("The model has two parameters named '" + names[i]
              + "'; parameter names must be unique.");
        }
      }
      shapes[i] = p.shape();
      sparse[i] = p.isSparseRows();
      values[i] = p.data();
      List<float[]> s = optimizer.slots(p);
      slots[i] = s.toArray(new float[0][]);
      for (float[] slot : slots[i]) {
        if (slot.length != p.size()) {
          throw new IllegalStateException("optimizer slot of '" + p.name() + "' holds " + slot.length
              + " floats, expected " + p.size());
        }
      }
    }
    return new ModelState(names, shapes, sparse, values, slots, optimizer.steps(), optimizer.learningRate());
  }

  /** A deep copy (e.g. the best epoch's state). */
  ModelState copy() {
    float[][] v = new float[values.length][];
    float[][][] s = new float[slots.length][][];
    for (int i = 0; i < values.length; i++) {
      v[i] = values[i].clone();
      s[i] = new float[slots[i].length][];
      for (int k = 0; k < slots[i].length; k++) {
        s[i][k] = slots[i][k].clone();
      }
    }
    return new ModelState(names.clone(), shapes.clone(), sparseRows.clone(), v, s, steps, learningRate);
  }

  /**
   * This state without the sparse-row parameters' values and slots (empty arrays in their place), sharing the
   * dense arrays: what a sharded round broadcasts.
   */
  ModelState withoutSparseRows() {
    float[][] v = values.clone();
    float[][][] s = slots.clone();
    for (int i = 0; i < names.length; i++) {
      if (sparseRows[i]) {
        v[i] = new float[0];
        s[i] = new float[slots[i].length][0];
      }
    }
    return new ModelState(names, shapes, sparseRows, v, s, steps, learningRate, true);
  }

  /** Floats of the sparse-row parameters' values and optimizer slots at full size (held here or not). */
  long sparseRowFloats() {
    long floats = 0;
    for (int i = 0; i < names.length; i++) {
      if (sparseRows[i]) {
        floats += (long) floats(i) * (1 + slots[i].length);
      }
    }
    return floats;
  }

  /** Floats of parameter i at full size (the product of its shape), whether or not this state holds them. */
  int floats(int i) {
    int n = 1;
    for (int d : shapes[i]) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Whether parameter i's values are held at full size (always for a dense parameter). */
  boolean holdsValues(int i) {
    return values[i].length == floats(i);
  }

  /**
   * Drops the sparse-row parameters' values and slots (empty arrays in their place), for the sharded path's driver
   * once the shards hold them.
   */
  void detachSparseRows() {
    for (int i = 0; i < names.length; i++) {
      if (sparseRows[i]) {
        values[i] = new float[0];
        slots[i] = new float[slots[i].length][0];
      }
    }
  }

  /**
   * Gives every sparse-row parameter full-size arrays for its values, and for its slots when {@code withSlots},
   * where it lacks them. New values are zero; a new slot starts as every row of the slot did ({@link #adoptValues}),
   * or zero. The shards are gathered into them.
   */
  void attachSparseRows(boolean withSlots) {
    for (int i = 0; i < names.length; i++) {
      if (!sparseRows[i]) {
        continue;
      }
      if (!holdsValues(i)) {
        values[i] = new float[floats(i)];
      }
      for (int k = 0; withSlots && k < slots[i].length; k++) {
        float[] row = slots[i][k];
        if (row.length != floats(i)) {
          float[] full = new float[floats(i)];
          for (int at = 0; row.length > 0 && at < full.length; at += row.length) {
            System.arraycopy(row, 0, full, at, row.length);
          }
          slots[i][k] = full;
        }
      }
    }
  }

  /**
   * Sets sparse-row parameter i's values to {@code full} (its full-size array, not copied) while this state holds
   * only one row of its slots, which every row of the table starts with: the first row of the slots it holds now
   * (those of a {@linkplain Parameter#compact compact} table, as the optimizer created them). So a driver never
   * allocates table-sized slots before the tables are sharded.
   */
  void adoptValues(int i, float[] full) {
    if (!sparseRows[i] || full.length != floats(i)) {
      throw new IllegalArgumentException("parameter '" + names[i] + "' is not a sparse-row table of " + full.length
          + " floats");
    }
    values[i] = full;
    keepFirstSlotRow(i);
  }

  /**
   * Leaves sparse-row parameter i without values: its rows start as {@code init} gives them, computed where they are
   * sharded ({@link ShardedTables#create}), while this state holds one row of its slots, as {@link #adoptValues}
   * does.
   */
  void startWithoutValues(int i, RowInit init) {
    if (!sparseRows[i]) {
      throw new IllegalArgumentException("parameter '" + names[i] + "' is not a sparse-row table");
    }
    if (rowInits == null) {
      rowInits = new RowInit[names.length];
    }
    rowInits[i] = init;
    values[i] = new float[0];
    keepFirstSlotRow(i);
  }

  /** Truncates parameter i's slots to their first row, the row every row of the table starts with. */
  private void keepFirstSlotRow(int i) {
    int rowSize = shapes[i][shapes[i].length - 1];
    for (int k = 0; k < slots[i].length; k++) {
      slots[i][k] = Arrays.copyOf(slots[i][k], rowSize);
    }
  }

  /** How sparse-row parameter i's rows start when this state holds none of them ({@link #startWithoutValues}). */
  RowInit rowInit(int i) {
    return rowInits == null ? null : rowInits[i];
  }

  /** Whether parameter i's slot k is held at full size. */
  boolean holdsSlot(int i, int k) {
    return slots[i][k].length == floats(i);
  }

  /**
   * Copies the values into {@code parameters}, the slots into {@code optimizer} (whose learning rate and
   * step count are set too), after checking that the model has the same parameters. A state
   * {@link #withoutSparseRows()} leaves the sparse-row parameters and their slots as they are.
   */
  void copyInto(List<Parameter> parameters, Optimizer optimizer) {
    checkSameParameters(parameters);
    for (int i = 0; i < names.length; i++) {
      Parameter p = parameters.get(i);
      List<float[]> target = optimizer.slots(p);
      if (target.size() != slots[i].length) {
        throw new IllegalStateException("The optimizer keeps " + target.size() + " slots for '" + names[i]
            + "' but the trained state holds " + slots[i].length + "; the optimizer factory must build the same "
            + "optimizer everywhere.");
      }
      if (sparseRowsOmitted && sparseRows[i]) {
        continue;
      }
      System.arraycopy(values[i], 0, p.data(), 0, values[i].length);
      for (int k = 0; k < slots[i].length; k++) {
        System.arraycopy(slots[i][k], 0, target.get(k), 0, slots[i][k].length);
      }
    }
    optimizer.setLearningRate(learningRate);
    optimizer.setSteps(steps);
  }

  /** Overwrites every parameter's values with {@code source} (same order and sizes), e.g. a best epoch's. */
  void setValues(float[][] source) {
    for (int i = 0; i < values.length; i++) {
      System.arraycopy(source[i], 0, values[i], 0, values[i].length);
    }
  }

  /** Copies only the parameter values into {@code parameters} (e.g. to evaluate). */
  void copyValuesInto(List<Parameter> parameters) {
    checkSameParameters(parameters);
    for (int i = 0; i < names.length; i++) {
      System.arraycopy(values[i], 0, parameters.get(i).data(), 0, values[i].length);
    }
  }

  /** Fails, naming the first difference, unless {@code parameters} match these names and shapes in order. */
  void checkSameParameters(List<Parameter> parameters) {
    if (parameters.size() != names.length) {
      throw new IllegalStateException("The model factory built " + parameters.size() + " parameters but the "
          + "trained state holds " + names.length + "; the factory must build the same model everywhere.");
    }
    for (int i = 0; i < names.length; i++) {
      Parameter p = parameters.get(i);
      if (!p.name().equals(names[i]) || !Arrays.equals(p.shape(), shapes[i]) || p.isSparseRows() != sparseRows[i]) {
        throw new IllegalStateException("The model factory built parameter " + i + " as '" + p.name() + "' "
            + Arrays.toString(p.shape()) + " but the trained state holds '" + names[i] + "' "
            + Arrays.toString(shapes[i]) + "; the factory must build the same model everywhere.");
      }
    }
  }

  /**
   * Replaces the values and slots by the average in {@code sums}: a dense parameter by Σ w_p θ_p / Σ w_p, a
   * row of a sparse-row parameter by the same average over the partitions that touched it (other rows keep
   * their values); advances the step count by the most steps any partition took.
   */
  void applyAverage(WeightedSums sums) {
    if (sums.weight() <= 0) {
      return;
    }
    for (int i = 0; i < names.length; i++) {
      WeightedSums.ParameterSum s = sums.parameter(i);
      if (!sparseRows[i]) {
        divideInto(s.values(), sums.weight(), values[i]);
        for (int k = 0; k < slots[i].length; k++) {
          divideInto(s.slots()[k], sums.weight(), slots[i][k]);
        }
      } else {
        int d = shapes[i][shapes[i].length - 1];
        int[] rows = s.rows();
        double[] rowWeights = s.rowWeights();
        for (int r = 0; r < rows.length; r++) {
          int to = rows[r] * d;
          int from = r * d;
          for (int j = 0; j < d; j++) {
            // θ_row = Σ_{p touched row} w_p θ_p,row / Σ_{p touched row} w_p
            values[i][to + j] = (float) (s.values()[from + j] / rowWeights[r]);
            for (int k = 0; k < slots[i].length; k++) {
              slots[i][k][to + j] = (float) (s.slots()[k][from + j] / rowWeights[r]);
            }
          }
        }
      }
    }
    steps += sums.steps();
  }

  private static void divideInto(double[] sum, double weight, float[] target) {
    for (int j = 0; j < target.length; j++) {
      // θ = Σ_p w_p θ_p / Σ_p w_p
      target[j] = (float) (sum[j] / weight);
    }
  }

  /** Copies of the parameter values by name, in model order. */
  Map<String, float[]> parameterValues() {
    return parameterValues(true);
  }

  /**
   * The parameter values by name, in model order: copies, or with {@code copyTables} false the sparse-row tables'
   * own arrays (for a state that gathered them for this alone).
   */
  Map<String, float[]> parameterValues(boolean copyTables) {
    Map<String, float[]> map = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      map.put(names[i], copyTables || !sparseRows[i] ? values[i].clone() : values[i]);
    }
    return map;
  }

  int size() {
    return names.length;
  }

  String name(int i) {
    return names[i];
  }

  int[] shape(int i) {
    return shapes[i].clone();
  }

  boolean isSparseRows(int i) {
    return sparseRows[i];
  }

  float[] values(int i) {
    return values[i];
  }

  float[][] slots(int i) {
    return slots[i];
  }

  long steps() {
    return steps;
  }

  void setSteps(long value) {
    steps = value;
  }

  double learningRate() {
    return learningRate;
  }

  void setLearningRate(double value) {
    learningRate = value;
  }
}
