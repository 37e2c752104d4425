package dev.sparkrec.fia;

import dev.ludovic.netlib.blas.BLAS;
import dev.sparkrec.linalg.Cholesky;
import java.util.Arrays;

/**
 * One user's (or one item's) training ratings as FIA's restricted Hessian block, built and factored once, scoring
 * the influence of each of its ratings on many pairs at once: the half of {@link InfluenceCalculator} that depends
 * on the user (or item) alone, for pairs that are not training ratings.
 *
 * <p>For the user side, {@code H_u = Σ_j c_j·J_j·J_jᵀ + (2λ·n_u + damping)·I} with {@code J_j = ∂f(x_u, y_j)/∂x_u};
 * a pair {@code (u, i)} enters only through {@code v = ∂f(x_u, y_i)/∂x_u}, so the influences of all of u's ratings
 * on {@code P} pairs are one solve {@code S = H_u⁻¹·[v_1 … v_P]} and one GEMM {@code J·S}:
 * {@code influence(j, p) = g_j·(J·S)_{jp} + 2λ·x_u·S_p}. The leave-one-out form uses {@code A = H_u − 2λ·I} the same
 * way, with each rating's leverage {@code h_j = c_j·J_jᵀ·A⁻¹·J_j} and {@code q_j = J_jᵀ·A⁻¹·x_u} computed once. The
 * item side is the same with the roles exchanged. Results equal {@link InfluenceCalculator}'s for each side.
 *
 * <p>Not thread-safe; the arrays it is built from are copied.
 */
final class InfluenceBlock {

  private final boolean leaveOneOut;
  private final int dim;
  private final int count;
  private final int[] others;
  private final float[] ratings;
  private final double[] jacobian; // count × dim, row-major
  private final double[] gradient;
  private final double[] curvature;
  private final double[] leverage;
  private final double[] vector;
  private final double twoLambda;
  private final boolean orphaning;
  private final Cholesky hessian = new Cholesky();
  private final Cholesky reduced = new Cholesky();
  private final double[] reducedTimesVector; // A⁻¹·x (leave-one-out)
  private final double[] q; // J_j·A⁻¹·x per rating (leave-one-out)
  private final double[] correction; // (g_j·h_j + 2λ·c_j·q_j) / (1 − h_j): the leave-one-out term per projection
  private double[] offsets = new double[0]; // 2λ·x·S_p per pair of the chunk being scored
  private double[] neighbourChanges; // count × dim, row-major: the vector's change per rating, when re-fitted

  /**
   * @param userSide whether {@code vector} is a user's ({@code others} the rated items) or an item's ({@code others}
   *     the raters)
   * @param otherVectors the counterpart of each rating
   */
  InfluenceBlock(FactorizedPredictor predictor, double damping, boolean leaveOneOut, boolean userSide, int id,
      float[] vector, int[] others, float[] ratings, float[][] otherVectors) {
    this.leaveOneOut = leaveOneOut;
    this.dim = userSide ? predictor.userDim() : predictor.itemDim();
    this.count = others.length;
    this.others = others.clone();
    this.ratings = ratings.clone();
    this.twoLambda = 2 * predictor.regParam();
    this.vector = new double[dim];
    for (int a = 0; a < dim; a++) {
      this.vector[a] = vector[a];
    }
    this.jacobian = new double[count * dim];
    this.gradient = new double[count];
    this.curvature = new double[count];
    this.leverage = new double[count];
    double[] scaled = new double[count * dim];
    double[] dUser = new double[predictor.userDim()];
    double[] dItem = new double[predictor.itemDim()];
    for (int j = 0; j < count; j++) {
      double f = userSide ? predictor.predictWithGradients(vector, otherVectors[j], dUser, dItem)
          : predictor.predictWithGradients(otherVectors[j], vector, dUser, dItem);
      double g = predictor.lossGradient(f, ratings[j]);
      double c = predictor.lossCurvature(f, ratings[j]);
      InfluenceCalculator.checkDerivatives(f, g, c, ratings[j], userSide ? id : others[j],
          userSide ? others[j] : id);
      double[] row = userSide ? dUser : dItem;
      gradient[j] = g;
      curvature[j] = c;
      double root = Math.sqrt(c);
      for (int a = 0; a < dim; a++) {
        jacobian[j * dim + a] = row[a];
        scaled[j * dim + a] = root * row[a];
      }
    }
    double[] h = new double[dim * dim];
    InfluenceCalculator.gram(scaled, count, dim, twoLambda * count + damping, h);
    String block = (userSide ? "user " : "item ") + id;
    this.orphaning = count == 1;
    this.reducedTimesVector = new double[dim];
    this.q = new double[count];
    this.correction = new double[count];
    if (count == 0) {
      return; // a cold side contributes no ratings
    }
    factor(hessian, h, dim, block + "'s Hessian block");
    if (orphaning) {
      leverage[0] = Double.NaN;
    } else {
      for (int a = 0; a < dim; a++) {
        h[a * dim + a] -= twoLambda;
      }
      factor(reduced, h, dim, block + "'s Hessian block less one rating's regularisation");
      double[] z = jacobian.clone();
      reduced.forwardSubstituteColumns(z, count); // column j = L⁻¹·J_j
      for (int j = 0; j < count; j++) {
        double norm = 0;
        for (int a = 0; a < dim; a++) {
          norm += z[j * dim + a] * z[j * dim + a];
        }
        leverage[j] = curvature[j] * norm;
      }
      System.arraycopy(this.vector, 0, reducedTimesVector, 0, dim);
      reduced.solve(reducedTimesVector, 0);
      for (int j = 0; j < count; j++) {
        double s = 0;
        for (int a = 0; a < dim; a++) {
          s += jacobian[j * dim + a] * reducedTimesVector[a];
        }
        q[j] = s;
        correction[j] = (gradient[j] * leverage[j] + twoLambda * curvature[j] * q[j]) / (1 - leverage[j]);
      }
    }
  }

  private static void factor(Cholesky cholesky, double[] h, int n, String what) {
    try {
      cholesky.factor(h, n);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not positive definite: the model may not be at a minimum of"
          + " its objective; raise the damping", e);
    }
  }

  /**
   * Scores by re-fitting instead: rating {@code j}'s influence on a pair becomes {@code v·Δ_j}, with {@code Δ_j} the
   * change of this side's vector when {@code j} is removed ({@link NeighbourRefit#vectorChanges}; {@code count × dim}
   * row-major, not copied), exact for a prediction linear in the vector.
   */
  void useNeighbourChanges(double[] changes) {
    if (changes.length != count * dim) {
      throw new IllegalArgumentException("expected " + count + " × " + dim + " vector changes, got " + changes.length);
    }
    neighbourChanges = changes;
  }

  /** Number of ratings in the block. */
  int size() {
    return count;
  }

  /** The counterpart ids of the block's ratings (items for a user, users for an item); not copied. */
  int[] others() {
    return others;
  }

  /** The block's ratings; not copied. */
  float[] ratings() {
    return ratings;
  }

  /** Each rating's leverage (NaN for an orphaning one); not copied. */
  double[] leverages() {
    return leverage;
  }

  /** Whether the block's only rating is orphaning: removing it leaves the user (item) without ratings. */
  boolean orphaning() {
    return orphaning;
  }

  /**
   * The influence of every rating of the block on {@code pairs} pairs, {@code pairs × count} row-major into
   * {@code out} (pair {@code p}'s influences at {@code [p·count, (p + 1)·count)}): {@code pairGradients} holds each
   * pair's {@code v = ∂f_ui/∂(this side's vector)}, {@code pairs × dim} row-major, and is overwritten. An orphaning
   * rating's influence is NaN.
   */
  void influences(double[] pairGradients, int pairs, double[] out) {
    if (count == 0 || pairs == 0) {
      return;
    }
    if (orphaning) {
      Arrays.fill(out, 0, pairs, Double.NaN);
      return;
    }
    if (neighbourChanges != null) {
      // out (pairs × count, row-major) = V (pairs × dim) · Δᵀ: column-major, the count × pairs matrix Δ·Vᵀ.
      BLAS.getInstance().dgemm("T", "N", count, pairs, dim, 1.0, neighbourChanges, 0, dim, pairGradients, 0, dim,
          0.0, out, 0, count);
      return;
    }
    if (offsets.length < pairs) {
      offsets = new double[pairs];
    }
    project(pairGradients, pairs, offsets);
    double[] s = pairGradients;
    // out (pairs × count, row-major) = Sᵀ (pairs × dim) · Jᵀ: column-major, a count × pairs matrix J·S.
    BLAS.getInstance().dgemm("T", "N", count, pairs, dim, 1.0, jacobian, 0, dim, s, 0, dim, 0.0, out, 0, count);
    for (int p = 0; p < pairs; p++) {
      double reg = offsets[p];
      int row = p * count;
      if (leaveOneOut) {
        for (int j = 0; j < count; j++) {
          double projection = out[row + j];
          out[row + j] = gradient[j] * projection + reg + projection * correction[j];
        }
      } else {
        for (int j = 0; j < count; j++) {
          out[row + j] = gradient[j] * out[row + j] + reg;
        }
      }
    }
  }

  /**
   * The half of {@link #influences} that depends on the pairs alone: {@code pairGradients} ({@code pairs × dim},
   * row-major) is overwritten by {@code S_p = H⁻¹·v_p} ({@code A⁻¹·v_p} in the leave-one-out form) and
   * {@code offsets[p]} set to {@code 2λ·x·S_p}, so that rating {@code j}'s influence on pair {@code p} is
   * {@code scale(j)·(J_j·S_p) + offsets[p]}. A block without ratings, or whose only rating is orphaning, has no
   * finite influence to project for: its gradients are left as they are and its offsets are 0.
   */
  void project(double[] pairGradients, int pairs, double[] offsets) {
    if (neighbourChanges != null) {
      throw new IllegalStateException("a block scored by re-fitting its neighbours has no projection");
    }
    if (count == 0 || orphaning) {
      Arrays.fill(offsets, 0, pairs, 0.0);
      return;
    }
    Cholesky solver = leaveOneOut ? reduced : hessian;
    double[] s = pairGradients; // columns v_p, then (H or A)⁻¹·v_p
    solver.forwardSubstituteColumns(s, pairs);
    solver.backSubstituteColumns(s, pairs);
    for (int p = 0; p < pairs; p++) {
      double reg = 0;
      for (int a = 0; a < dim; a++) {
        reg += vector[a] * s[p * dim + a];
      }
      offsets[p] = reg * twoLambda;
    }
  }

  /**
   * Rating {@code j}'s scale in {@link #project}'s form: its loss gradient {@code g_j}, plus its leave-one-out
   * correction in that form.
   */
  double scale(int j) {
    return leaveOneOut ? gradient[j] + correction[j] : gradient[j];
  }

  /** Rating {@code j}'s {@code J_j = ∂f/∂(this side's vector)}, rounded to floats. */
  float[] jacobianRow(int j) {
    float[] row = new float[dim];
    for (int a = 0; a < dim; a++) {
      row[a] = (float) jacobian[j * dim + a];
    }
    return row;
  }
}
