package dev.sparkrec.nn.optim;

import dev.sparkrec.nn.Parameter;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adagrad (Duchi et al. 2011) in TensorFlow/Keras's form:
 *
 * <pre>
 *   a ← a + g²
 *   θ ← θ − lr·g / (√a + ε)
 * </pre>
 *
 * with the accumulator {@code a} starting at {@code initialAccumulator}. The defaults follow TensorFlow
 * (initial accumulator 0.1, ε = 1e-7): a positive start keeps the first step below {@code lr} per element.
 * PyTorch's {@code torch.optim.Adagrad} is the same update with initial accumulator 0 and ε = 1e-10.
 *
 * <p>Sparse-row parameters are updated lazily: only the touched rows' accumulators and values. For
 * Adagrad this equals the dense update, since a zero gradient changes neither.
 *
 * <p>Slots: {@code [accumulator]} per trainable parameter.
 */
public final class Adagrad extends Optimizer {

  /** Default starting value of every accumulator element: 0.1 (TensorFlow's default). */
  public static final double DEFAULT_INITIAL_ACCUMULATOR = 0.1;
  /** Default term added to the denominator for numerical stability: 1e-7 (Keras's default). */
  public static final double DEFAULT_EPSILON = 1e-7;

  private final double initialAccumulator;
  private final double epsilon;
  private final Map<Parameter, float[]> accumulators = new IdentityHashMap<>();

  /** Adagrad with step size {@code learningRate} (&gt; 0), initial accumulator 0.1 and ε = 1e-7. */
  public Adagrad(double learningRate) {
    this(learningRate, DEFAULT_INITIAL_ACCUMULATOR, DEFAULT_EPSILON);
  }

  /**
   * Adagrad with step size {@code learningRate} (&gt; 0), accumulators starting at {@code initialAccumulator}
   * (&ge; 0) and stability term {@code epsilon} (&gt; 0).
   */
  public Adagrad(double learningRate, double initialAccumulator, double epsilon) {
    super(learningRate);
    if (!(initialAccumulator >= 0) || Double.isInfinite(initialAccumulator)) {
      throw new IllegalArgumentException("Adagrad initial accumulator must be non-negative and finite, got "
          + initialAccumulator);
    }
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("Adagrad epsilon must be positive and finite, got " + epsilon);
    }
    this.initialAccumulator = initialAccumulator;
    this.epsilon = epsilon;
  }

  public double initialAccumulator() {
    return initialAccumulator;
  }

  public double epsilon() {
    return epsilon;
  }

  @Override
  protected void update(Parameter p) {
    float[] a = accumulator(p);
    float[] w = p.data();
    float[] g = p.grad();
    double lr = learningRate();
    if (p.isSparseRows()) {
      int d = p.rowSize();
      int[] rows = p.touchedRows();
      for (int r = 0; r < p.touchedCount(); r++) {
        int from = rows[r] * d;
        update(w, g, a, from, from + d, lr);
      }
    } else {
      update(w, g, a, 0, p.size(), lr);
    }
  }

  private void update(float[] w, float[] g, float[] a, int from, int to, double lr) {
    for (int i = from; i < to; i++) {
      double gi = g[i];
      double ai = a[i] + gi * gi; // a ← a + g²
      a[i] = (float) ai;
      w[i] = (float) (w[i] - lr * gi / (Math.sqrt(ai) + epsilon)); // θ ← θ − lr·g/(√a + ε)
    }
  }

  /**
   * The live {@code [accumulator]} array of a trainable {@code p} ({@code p.size()} floats, created filled
   * with the initial accumulator on first use and the same array on every call); an empty list for a
   * non-trainable parameter.
   */
  @Override
  public List<float[]> slots(Parameter p) {
    if (!p.isTrainable()) {
      return List.of();
    }
    return List.of(accumulator(p));
  }

  private float[] accumulator(Parameter p) {
    float[] a = accumulators.get(p);
    if (a == null || a.length != p.size()) { // new, or a compact table's size changed
      a = new float[p.size()];
      Arrays.fill(a, (float) initialAccumulator);
      accumulators.put(p, a);
    }
    return a;
  }
}
