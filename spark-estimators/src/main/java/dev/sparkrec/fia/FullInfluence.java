package dev.sparkrec.fia;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The influence-function baseline of Koh &amp; Liang (ICML'17) for matrix factorisation, against which fast
 * influence analysis is measured: all user and item vectors move (the fixed offset {@code μ} does not), all
 * {@code N} training ratings enter the Hessian, and
 *
 * <pre>  influence(z) = sᵀ·∇ℓ_z,   (H + damping·I)·s = v = ∂f_ui/∂θ,</pre>
 *
 * with {@code s} found by conjugate gradient on exact Hessian-vector products of
 * {@code J = Σ_z [(f_z − r_z)² + λ(‖x_u‖² + ‖y_j‖²)]}. For a rating {@code z = (u, j)} with residual
 * {@code e = f − r} and {@code ∇f = [q_j; 1; p_u; 1]} over {@code (p_u, b_u, q_j, b_j)} (no bias entries without
 * biases), {@code ∇²(e²) = 2·∇f·∇fᵀ + 2e·∇²f}, where {@code ∇²f} is the identity between {@code p_u} and
 * {@code q_j} ({@code ∂²f/∂p_ua∂q_jb = δ_ab}) and zero elsewhere. So for a direction {@code (δx, δy)},
 * {@code t = q_j·δp_u + p_u·δq_j + δb_u + δb_j} and
 *
 * <pre>  (H·δ)_{p_u} += 2t·q_j + 2e·δq_j    (H·δ)_{b_u} += 2t
 *   (H·δ)_{q_j} += 2t·p_u + 2e·δp_u    (H·δ)_{b_j} += 2t
 *   (H·δ)_{x_u} += 2λ·δx_u             (H·δ)_{y_j} += 2λ·δy_j</pre>
 *
 * <p>Each product is a plain loop over the {@code N} ratings, so a solve costs {@code O(iterations·N·k)}; this
 * class is for benchmarks and correctness checks on small data, not for production explanations.
 */
public final class FullInfluence {

  private final FactorPredictor model;
  private final int[] userIndex;
  private final int[] itemIndex;
  private final float[] ratings;
  private final int numUsers;
  private final int numItems;
  private final int dim;
  private final double[] parameters;
  private final double[] residuals;
  private final double damping;
  private final double tolerance;
  private final int maxIterations;
  private int lastIterations;
  private double lastRelativeResidual;

  /**
   * @param model the factorisation (its rank, biases, {@code μ} and λ)
   * @param userIndex user of each training rating, an index into {@code userVectors}
   * @param itemIndex item of each training rating, an index into {@code itemVectors}
   * @param ratings value of each training rating
   * @param userVectors row-major table of user vectors ({@code numUsers × model.userDim()})
   * @param itemVectors row-major table of item vectors ({@code numItems × model.itemDim()})
   * @param damping added to the Hessian's diagonal (≥ 0)
   * @param tolerance conjugate gradient stops when {@code ‖H·s − v‖ ≤ tolerance·‖v‖} (&gt; 0)
   * @param maxIterations conjugate gradient iterations at most (≥ 1)
   */
  public FullInfluence(FactorPredictor model, int[] userIndex, int[] itemIndex, float[] ratings,
      float[] userVectors, float[] itemVectors, double damping, double tolerance, int maxIterations) {
    this.dim = model.userDim();
    if (itemIndex.length != userIndex.length || ratings.length != userIndex.length) {
      throw new IllegalArgumentException("userIndex, itemIndex and ratings need one entry per training rating; got "
          + userIndex.length + ", " + itemIndex.length + ", " + ratings.length);
    }
    if (userVectors.length % dim != 0 || itemVectors.length % dim != 0) {
      throw new IllegalArgumentException("the vector tables must hold whole rows of " + dim + " values; got "
          + userVectors.length + " and " + itemVectors.length + " values");
    }
    if (!(damping >= 0) || !(tolerance > 0) || maxIterations < 1) {
      throw new IllegalArgumentException("need damping >= 0, tolerance > 0 and maxIterations >= 1; got " + damping
          + ", " + tolerance + ", " + maxIterations);
    }
    this.model = model;
    this.userIndex = userIndex;
    this.itemIndex = itemIndex;
    this.ratings = ratings;
    this.numUsers = userVectors.length / dim;
    this.numItems = itemVectors.length / dim;
    this.parameters = new double[(numUsers + numItems) * dim];
    for (int k = 0; k < userVectors.length; k++) {
      parameters[k] = userVectors[k];
    }
    for (int k = 0; k < itemVectors.length; k++) {
      parameters[userVectors.length + k] = itemVectors[k];
    }
    this.residuals = new double[ratings.length];
    for (int n = 0; n < ratings.length; n++) {
      if (userIndex[n] < 0 || userIndex[n] >= numUsers || itemIndex[n] < 0 || itemIndex[n] >= numItems) {
        throw new IllegalArgumentException("training rating " + n + " names user " + userIndex[n] + " and item "
            + itemIndex[n] + ", outside the tables of " + numUsers + " users and " + numItems + " items");
      }
      residuals[n] = predict(userIndex[n], itemIndex[n]) - ratings[n]; // e = f − r
    }
    this.damping = damping;
    this.tolerance = tolerance;
    this.maxIterations = maxIterations;
  }

  /** Conjugate gradient iterations of the last {@link #explain}. */
  public int lastIterations() {
    return lastIterations;
  }

  /** {@code ‖H·s − v‖ / ‖v‖} reached by the last {@link #explain}. */
  public double lastRelativeResidual() {
    return lastRelativeResidual;
  }

  /**
   * The prediction for {@code (user, item)} (table indices) and its {@code topK} most influential related
   * training ratings (those of the user or of the item), ordered as by {@link InfluenceCalculator}.
   *
   * @throws IllegalStateException if conjugate gradient meets a direction of non-positive curvature (the model
   *     is not at a minimum: raise the damping)
   */
  public InfluenceExplanation explain(int user, int item, int topK) {
    if (user < 0 || user >= numUsers || item < 0 || item >= numItems || topK < 1) {
      throw new IllegalArgumentException("user " + user + " or item " + item + " is outside the tables of "
          + numUsers + " users and " + numItems + " items, or topK " + topK + " < 1");
    }
    int rank = model.rank();
    int xu = user * dim;
    int yi = yOffset(item);
    double[] v = new double[parameters.length];
    for (int a = 0; a < rank; a++) {
      v[xu + a] = parameters[yi + a]; // ∂f/∂p_u = q_i
      v[yi + a] = parameters[xu + a]; // ∂f/∂q_i = p_u
    }
    if (model.withBiases()) {
      v[xu + rank] = 1;
      v[yi + rank] = 1;
    }
    double[] s = conjugateGradient(v);

    int[] related = new int[ratings.length];
    int count = 0;
    double lambda = model.regParam();
    double[] influence = new double[ratings.length];
    for (int n = 0; n < ratings.length; n++) {
      if (userIndex[n] != user && itemIndex[n] != item) {
        continue;
      }
      related[count++] = n;
      // ∇ℓ_z = [2e·q_j + 2λ·p_u; 2e + 2λ·b_u] at x_u and [2e·p_u + 2λ·q_j; 2e + 2λ·b_j] at y_j.
      int x = userIndex[n] * dim;
      int y = yOffset(itemIndex[n]);
      double e = residuals[n];
      double sum = 0;
      for (int a = 0; a < rank; a++) {
        sum += s[x + a] * (2 * e * parameters[y + a] + 2 * lambda * parameters[x + a]);
        sum += s[y + a] * (2 * e * parameters[x + a] + 2 * lambda * parameters[y + a]);
      }
      if (model.withBiases()) {
        sum += s[x + rank] * (2 * e + 2 * lambda * parameters[x + rank]);
        sum += s[y + rank] * (2 * e + 2 * lambda * parameters[y + rank]);
      }
      influence[n] = sum; // influence(z) = sᵀ·∇ℓ_z
    }
    Integer[] order = new Integer[count];
    for (int c = 0; c < count; c++) {
      order[c] = related[c];
    }
    Arrays.sort(order, Comparator.<Integer>comparingDouble(n -> -Math.abs(influence[n]))
        .thenComparingInt(n -> userIndex[n]).thenComparingInt(n -> itemIndex[n]).thenComparingInt(n -> n));
    int listed = Math.min(topK, count);
    int[] users = new int[listed];
    int[] items = new int[listed];
    float[] values = new float[listed];
    double[] influences = new double[listed];
    for (int c = 0; c < listed; c++) {
      int n = order[c];
      users[c] = userIndex[n];
      items[c] = itemIndex[n];
      values[c] = ratings[n];
      influences[c] = influence[n];
    }
    return new InfluenceExplanation(user, item, predict(user, item), count, users, items, values, influences);
  }

  /** {@code out = (H + damping·I)·in} over all parameters (users first, then items, {@code dim} each). */
  void multiplyHessian(double[] in, double[] out) {
    int rank = model.rank();
    boolean biases = model.withBiases();
    double twoLambda = 2 * model.regParam();
    for (int k = 0; k < out.length; k++) {
      out[k] = damping * in[k];
    }
    for (int n = 0; n < ratings.length; n++) {
      int x = userIndex[n] * dim;
      int y = yOffset(itemIndex[n]);
      double t = 0; // t = ∇fᵀ·δ
      for (int a = 0; a < rank; a++) {
        t += parameters[y + a] * in[x + a] + parameters[x + a] * in[y + a];
      }
      if (biases) {
        t += in[x + rank] + in[y + rank];
      }
      double e = residuals[n];
      for (int a = 0; a < rank; a++) {
        out[x + a] += 2 * t * parameters[y + a] + 2 * e * in[y + a] + twoLambda * in[x + a];
        out[y + a] += 2 * t * parameters[x + a] + 2 * e * in[x + a] + twoLambda * in[y + a];
      }
      if (biases) {
        out[x + rank] += 2 * t + twoLambda * in[x + rank];
        out[y + rank] += 2 * t + twoLambda * in[y + rank];
      }
    }
  }

  private double[] conjugateGradient(double[] v) {
    int size = v.length;
    double[] s = new double[size];
    double[] r = v.clone(); // r = v − H·s with s = 0
    double[] p = v.clone();
    double[] hp = new double[size];
    double rr = dot(r, r);
    double stop = tolerance * tolerance * rr;
    int iterations = 0;
    while (rr > stop && iterations < maxIterations) {
      multiplyHessian(p, hp);
      double curvature = dot(p, hp);
      if (!(curvature > 0)) {
        throw new IllegalStateException("conjugate gradient met curvature " + curvature + " <= 0: the Hessian is"
            + " not positive definite, so the model is not at a minimum of its objective; raise the damping (now "
            + damping + ")");
      }
      double alpha = rr / curvature;
      for (int k = 0; k < size; k++) {
        s[k] += alpha * p[k];
        r[k] -= alpha * hp[k];
      }
      double rrNext = dot(r, r);
      double beta = rrNext / rr;
      for (int k = 0; k < size; k++) {
        p[k] = r[k] + beta * p[k];
      }
      rr = rrNext;
      iterations++;
    }
    lastIterations = iterations;
    double vv = dot(v, v);
    lastRelativeResidual = vv > 0 ? Math.sqrt(rr / vv) : 0;
    return s;
  }

  private double predict(int user, int item) {
    int x = user * dim;
    int y = yOffset(item);
    double f = model.globalMean();
    for (int a = 0; a < model.rank(); a++) {
      f += parameters[x + a] * parameters[y + a];
    }
    if (model.withBiases()) {
      f += parameters[x + model.rank()] + parameters[y + model.rank()];
    }
    return f;
  }

  private int yOffset(int item) {
    return (numUsers + item) * dim;
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int k = 0; k < a.length; k++) {
      sum += a[k] * b[k];
    }
    return sum;
  }
}
