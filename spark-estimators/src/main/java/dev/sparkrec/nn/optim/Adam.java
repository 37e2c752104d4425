package dev.sparkrec.nn.optim;

import dev.sparkrec.nn.Parameter;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma &amp; Ba 2015, Algorithm 1), in the form PyTorch's {@code torch.optim.Adam} computes:
 *
 * <pre>
 *   m ← β1·m + (1−β1)·g          v ← β2·v + (1−β2)·g²
 *   m̂ = m / (1−β1^t)             v̂ = v / (1−β2^t)
 *   θ ← θ − lr·m̂ / (√v̂ + ε)
 * </pre>
 *
 * with {@code t} the optimizer's step count (1 on the first step). TensorFlow's Adam applies ε before
 * the bias correction instead ({@code θ ← θ − lr·√(1−β2^t)/(1−β1^t)·m/(√v + ε)}); the two differ only
 * through the placement of ε.
 *
 * <p>Sparse-row parameters are updated <b>lazily</b> (TensorFlow's {@code LazyAdamOptimizer}): only the rows
 * the batch touched have their moments and values updated, with the global step {@code t} in the bias
 * correction; untouched rows, and their moments, stay exactly as they were.
 *
 * <p>Slots: {@code [m, v]} per trainable parameter, zero-initialised on first use.
 */
public final class Adam extends Optimizer {

  /** Default exponential decay of the first moment: 0.9. */
  public static final double DEFAULT_BETA1 = 0.9;
  /** Default exponential decay of the second moment: 0.999. */
  public static final double DEFAULT_BETA2 = 0.999;
  /** Default term added to the denominator for numerical stability: 1e-8. */
  public static final double DEFAULT_EPSILON = 1e-8;

  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final Map<Parameter, float[][]> moments = new IdentityHashMap<>();

  /** Adam with step size {@code learningRate} (&gt; 0) and the defaults β1 = 0.9, β2 = 0.999, ε = 1e-8. */
  public Adam(double learningRate) {
    this(learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
  }

  /**
   * Adam with step size {@code learningRate} (&gt; 0), moment decays {@code beta1} and {@code beta2} (each in
   * [0, 1)) and stability term {@code epsilon} (&gt; 0).
   */
  public Adam(double learningRate, double beta1, double beta2, double epsilon) {
    super(learningRate);
    this.beta1 = requireDecay("beta1", beta1);
    this.beta2 = requireDecay("beta2", beta2);
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("Adam epsilon must be positive and finite, got " + epsilon);
    }
    this.epsilon = epsilon;
  }

  private static double requireDecay(String name, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException("Adam " + name + " must be in [0, 1), got " + value);
    }
    return value;
  }

  public double beta1() {
    return beta1;
  }

  public double beta2() {
    return beta2;
  }

  public double epsilon() {
    return epsilon;
  }

  @Override
  protected void update(Parameter p) {
    float[][] slots = moments(p);
    float[] m = slots[0];
    float[] v = slots[1];
    float[] w = p.data();
    float[] g = p.grad();
    long t = steps();
    // m̂ = m/(1−β1^t), v̂ = v/(1−β2^t): folded into the step size and the denominator's scale
    double stepSize = learningRate() / (1 - Math.pow(beta1, t));
    double inverseSqrtCorrection2 = 1 / Math.sqrt(1 - Math.pow(beta2, t));
    if (p.isSparseRows()) {
      int d = p.rowSize();
      int[] rows = p.touchedRows();
      for (int r = 0; r < p.touchedCount(); r++) {
        int from = rows[r] * d;
        update(w, g, m, v, from, from + d, stepSize, inverseSqrtCorrection2);
      }
    } else {
      update(w, g, m, v, 0, p.size(), stepSize, inverseSqrtCorrection2);
    }
  }

  private void update(float[] w, float[] g, float[] m, float[] v, int from, int to, double stepSize,
      double inverseSqrtCorrection2) {
    double oneMinusBeta1 = 1 - beta1;
    double oneMinusBeta2 = 1 - beta2;
    for (int i = from; i < to; i++) {
      double gi = g[i];
      double mi = beta1 * m[i] + oneMinusBeta1 * gi; // m ← β1·m + (1−β1)·g
      double vi = beta2 * v[i] + oneMinusBeta2 * gi * gi; // v ← β2·v + (1−β2)·g²
      m[i] = (float) mi;
      v[i] = (float) vi;
      // θ ← θ − lr·m̂/(√v̂ + ε), with m̂ = m/(1−β1^t) and √v̂ = √v/√(1−β2^t)
      w[i] = (float) (w[i] - stepSize * mi / (Math.sqrt(vi) * inverseSqrtCorrection2 + epsilon));
    }
  }

  /**
   * The live {@code [m, v]} arrays of a trainable {@code p} (each {@code p.size()} floats, created zero on
   * first use and the same arrays on every call, so copying values into them restores a checkpoint; created
   * anew, zero, when a compact table's size changed); an empty list for a non-trainable parameter.
   */
  @Override
  public List<float[]> slots(Parameter p) {
    if (!p.isTrainable()) {
      return List.of();
    }
    float[][] slots = moments(p);
    return List.of(slots[0], slots[1]);
  }

  private float[][] moments(Parameter p) {
    float[][] m = moments.get(p);
    if (m == null || m[0].length != p.size()) {
      m = new float[][] {new float[p.size()], new float[p.size()]};
      moments.put(p, m);
    }
    return m;
  }
}
