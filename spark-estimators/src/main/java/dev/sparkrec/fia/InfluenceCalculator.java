package dev.sparkrec.fia;

import dev.ludovic.netlib.blas.BLAS;
import dev.sparkrec.linalg.Cholesky;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Fast influence analysis (FIA; Cheng et al., KDD'19) of one prediction {@code f_ui = f(x_u, y_i)} of a
 * {@link FactorizedPredictor}: for every training rating {@code z} related to the pair (the user's ratings and
 * the item's ratings), the change of {@code f_ui} that removing {@code z} from training would cause, with all
 * parameters but {@code θ_t = [x_u; y_i]} held fixed.
 *
 * <p>Removing {@code z} turns the objective {@code J} into {@code J − ℓ_z}, where
 * {@code ℓ_z = loss(f_z, r_z) + λ(‖x_{u_z}‖² + ‖y_{i_z}‖²)}; one Newton step from the optimum moves {@code θ_t}
 * by {@code H⁻¹·∇ℓ_z}, so
 *
 * <pre>  influence(z) = vᵀ·H⁻¹·∇_{θ_t} ℓ_z,   v = ∂f_ui/∂θ_t,</pre>
 *
 * with {@code H} the Hessian of {@code J} in {@code θ_t} plus {@code damping·I}:
 * {@code H_u = Σ_{j∈I_u} c_j·J_j·J_jᵀ + 2λ·n_u·I} ({@code J_j = ∂f_uj/∂x_u}, {@code c_j} the loss curvature),
 * the item block alike, and cross blocks zero unless {@code (u, i)} is itself a training rating, when they are
 * {@code c_ui·J_u·J_iᵀ + g_ui·∂²f/∂x_u∂y_i}. For a user-side rating {@code z = (u, j)},
 * {@code ∇_{x_u} ℓ_z = g_j·J_j + 2λ·x_u} and {@code ∇_{y_i} ℓ_z = 0} unless {@code j = i}; item-side ratings
 * alike. The blocks are built with BLAS ({@code dsyrk}), and solved by Cholesky; the cost per pair is
 * {@code O(|R|·d² + d³)} for {@code |R|} related ratings and vectors of length {@code d}.
 *
 * <p><b>Leverage and the leave-one-out form.</b> {@code H⁻¹} is the Hessian with {@code z} still in it. Leaving
 * {@code z} out subtracts its share {@code c_z·J̃_z·J̃_zᵀ + 2λ·P_z} ({@code J̃_z} its Jacobian in {@code θ_t},
 * {@code P_z} the identity on the vector {@code z} regularises), so with {@code A_z = H − 2λ·P_z} one Newton step of
 * the objective without {@code z} gives, by Sherman–Morrison,
 *
 * <pre>  influence_loo(z) = vᵀ·(A_z − c_z·J̃_z·J̃_zᵀ)⁻¹·∇ℓ_z
 *                   = vᵀ·A_z⁻¹·∇ℓ_z + c_z·(vᵀ·A_z⁻¹·J̃_z)·(J̃_zᵀ·A_z⁻¹·∇ℓ_z) / (1 − h_z),</pre>
 *
 * with {@code h_z = c_z·J̃_zᵀ·A_z⁻¹·J̃_z} the rating's <b>leverage</b> in its block (for a squared loss and a
 * dot-product model the restricted objective is quadratic, so this is exact leave-one-out re-fitting of
 * {@code θ_t}). Every explanation carries {@code h_z}; {@code leaveOneOut} makes the ranked influence the
 * leave-one-out form (the pair's own rating, when it is a training rating, by a direct solve with its whole share
 * removed). A rating whose removal leaves the explained user or item without training ratings is flagged
 * ({@link InfluenceExplanation#orphaned()}) with a NaN influence, listed first: the pair would become a cold
 * start.
 *
 * <p>One instance holds the workspace of one thread (e.g. one Spark task) and is reused across pairs; it is
 * serializable without its workspace.
 */
public final class InfluenceCalculator implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The damping added to the Hessian's diagonal unless another is given, as in the FIA reference code. */
  public static final double DEFAULT_DAMPING = 1e-6;

  private final FactorizedPredictor predictor;
  private final double damping;
  private final boolean leaveOneOut;
  private transient Workspace workspace;

  /** A calculator with damping {@link #DEFAULT_DAMPING}. */
  public InfluenceCalculator(FactorizedPredictor predictor) {
    this(predictor, DEFAULT_DAMPING);
  }

  /**
   * @param predictor the fitted model
   * @param damping added to the Hessian's diagonal (finite, ≥ 0)
   */
  public InfluenceCalculator(FactorizedPredictor predictor, double damping) {
    this(predictor, damping, false);
  }

  /**
   * @param predictor the fitted model
   * @param damping added to the Hessian's diagonal (finite, ≥ 0)
   * @param leaveOneOut whether influences take the leave-one-out form (divided through by the leverage) rather
   *     than FIA's first-order one
   */
  public InfluenceCalculator(FactorizedPredictor predictor, double damping, boolean leaveOneOut) {
    if (predictor == null) {
      throw new IllegalArgumentException("predictor must not be null");
    }
    if (!(damping >= 0) || !Double.isFinite(damping)) {
      throw new IllegalArgumentException("damping must be finite and >= 0, got " + damping);
    }
    this.predictor = predictor;
    this.damping = damping;
    this.leaveOneOut = leaveOneOut;
  }

  public FactorizedPredictor predictor() {
    return predictor;
  }

  public double damping() {
    return damping;
  }

  /** Whether influences take the leave-one-out form. */
  public boolean leaveOneOut() {
    return leaveOneOut;
  }

  /**
   * Explains the prediction for {@code (user, item)} by its {@code topK} most influential related training
   * ratings.
   *
   * <p>The user's training ratings are given as parallel arrays {@code ratedItems}, {@code userRatings},
   * {@code ratedItemVectors} (one entry per rating, so an item rated twice appears twice); the item's as
   * {@code raters}, {@code itemRatings}, {@code raterVectors}. If the pair itself is a training rating it must
   * appear in both lists, as it does when both come from the same training data; it is scored and listed once.
   *
   * @param topK how many ratings to list (≥ 1; all related ratings when it exceeds their number)
   * @throws IllegalArgumentException on inconsistent input, non-finite predictions, or a Hessian that is not
   *     positive definite (the model is not at a minimum of its objective: raise the damping)
   */
  public InfluenceExplanation explain(int user, float[] userVector, int item, float[] itemVector,
      int[] ratedItems, float[] userRatings, float[][] ratedItemVectors,
      int[] raters, float[] itemRatings, float[][] raterVectors, int topK) {
    int du = predictor.userDim();
    int di = predictor.itemDim();
    checkVector("user", user, userVector, du);
    checkVector("item", item, itemVector, di);
    checkRatings("user", user, "item", ratedItems, userRatings, ratedItemVectors, di);
    checkRatings("item", item, "user", raters, itemRatings, raterVectors, du);
    if (topK < 1) {
      throw new IllegalArgumentException("topK must be >= 1, got " + topK);
    }
    int nu = ratedItems.length;
    int ni = raters.length;
    Workspace w = workspace(du, di, nu, ni);
    double lambda = predictor.regParam();

    double prediction = predictor.predictWithGradients(userVector, itemVector, w.testUser, w.testItem);
    if (!Double.isFinite(prediction)) {
      throw new IllegalArgumentException("the prediction for user " + user + ", item " + item + " is "
          + prediction + "; check their vectors");
    }

    // User side: row j holds J_j = ∂f(x_u, y_j)/∂x_u, g_j and c_j.
    double ownGradient = 0;
    double ownCurvature = 0;
    int ownInUserList = 0;
    for (int j = 0; j < nu; j++) {
      double f = predictor.predictWithGradients(userVector, ratedItemVectors[j], w.rowUser, w.rowItem);
      w.userRows.set(j, w.rowUser, f, userRatings[j], user, ratedItems[j]);
      if (ratedItems[j] == item) {
        ownInUserList++;
        ownGradient += w.userRows.gradient[j];
        ownCurvature += w.userRows.curvature[j];
      }
    }
    // Item side: row v holds K_v = ∂f(x_v, y_i)/∂y_i, g_v and c_v.
    int ownInItemList = 0;
    for (int v = 0; v < ni; v++) {
      double f = predictor.predictWithGradients(raterVectors[v], itemVector, w.rowUser, w.rowItem);
      w.itemRows.set(v, w.rowItem, f, itemRatings[v], raters[v], item);
      if (raters[v] == user) {
        ownInItemList++;
      }
    }
    if (ownInUserList != ownInItemList) {
      throw new IllegalArgumentException("the pair (user " + user + ", item " + item + ") is " + ownInUserList
          + " times among the user's ratings but " + ownInItemList + " times among the item's; both lists must"
          + " come from the same training data");
    }
    boolean joint = ownInUserList > 0;

    // H_u = Σ_j c_j J_j J_jᵀ + (2λ n_u + damping) I; H_i alike.
    w.userRows.addGram(w.hUser, 2 * lambda * nu + damping);
    w.itemRows.addGram(w.hItem, 2 * lambda * ni + damping);
    double[] s = w.solution;
    System.arraycopy(w.testUser, 0, s, 0, du);
    System.arraycopy(w.testItem, 0, s, du, di);
    if (joint) {
      // Cross block C = c_ui J_u J_iᵀ + g_ui ∂²f/∂x_u∂y_i, summed over the pair's own ratings.
      Arrays.fill(w.cross, 0, du * di, 0);
      for (int a = 0; a < du; a++) {
        for (int b = 0; b < di; b++) {
          w.cross[a * di + b] = ownCurvature * w.testUser[a] * w.testItem[b];
        }
      }
      predictor.addCrossHessian(userVector, itemVector, ownGradient, w.cross);
      int d = du + di;
      for (int a = 0; a < du; a++) {
        System.arraycopy(w.hUser, a * du, w.hJoint, a * d, du);
        System.arraycopy(w.cross, a * di, w.hJoint, a * d + du, di);
      }
      for (int b = 0; b < di; b++) {
        for (int a = 0; a < du; a++) {
          w.hJoint[(du + b) * d + a] = w.cross[a * di + b];
        }
        System.arraycopy(w.hItem, b * di, w.hJoint, (du + b) * d + du, di);
      }
      factor(w, w.hJoint, d, user, item, "joint user-item");
      w.cholesky.solve(s, 0); // s = H⁻¹ v
    } else {
      if (nu > 0) {
        factor(w, w.hUser, du, user, item, "user");
        w.cholesky.solve(s, 0); // s_u = H_u⁻¹ v_u
      }
      if (ni > 0) {
        factor(w, w.hItem, di, user, item, "item");
        w.cholesky.solve(s, du); // s_i = H_i⁻¹ v_i
      }
    }

    // influence(z) = sᵀ ∇ℓ_z: user side g_j (J_j·s_u) + 2λ (x_u·s_u), item side g_v (K_v·s_i) + 2λ (y_i·s_i).
    double userRegTerm = 2 * lambda * dot(userVector, s, 0, du);
    double itemRegTerm = 2 * lambda * dot(itemVector, s, du, di);
    double ownItemPart = 0;
    for (int b = 0; b < di; b++) {
      ownItemPart += w.testItem[b] * s[du + b];
    }
    double[] influence = w.influence;
    w.userRows.project(s, 0);
    for (int j = 0; j < nu; j++) {
      influence[j] = w.userRows.gradient[j] * w.userRows.projection[j] + userRegTerm;
      if (ratedItems[j] == item) {
        // The pair's own rating moves y_i too: + g_ui (J_i·s_i) + 2λ (y_i·s_i).
        influence[j] += w.userRows.gradient[j] * ownItemPart + itemRegTerm;
      }
    }
    w.itemRows.project(s, du);
    for (int v = 0; v < ni; v++) {
      influence[nu + v] = w.itemRows.gradient[v] * w.itemRows.projection[v] + itemRegTerm;
    }

    leaveOneOut(w, joint, user, userVector, item, itemVector, ratedItems, nu, ni);

    // Top k: orphaning ratings first, then by |influence| desc, user asc, item asc; the item-side copies of the
    // pair's own rating are skipped.
    int[] heap = w.heap;
    int heapSize = 0;
    int related = 0;
    for (int c = 0; c < nu + ni; c++) {
      if (c >= nu && raters[c - nu] == user) {
        continue;
      }
      related++;
      if (!w.orphaned[c] && !Double.isFinite(influence[c])) {
        throw new IllegalArgumentException("the influence of the rating of user " + rowUser(c, nu, user, raters)
            + " on item " + rowItem(c, nu, item, ratedItems) + " is " + influence[c] + "; check their vectors");
      }
      if (heapSize < topK) {
        heap[heapSize] = c;
        siftUp(heap, heapSize++, w, nu, user, item, ratedItems, raters);
      } else if (ranksBefore(c, heap[0], w, nu, user, item, ratedItems, raters)) {
        heap[0] = c;
        siftDown(heap, heapSize, w, nu, user, item, ratedItems, raters);
      }
    }
    int[] users = new int[heapSize];
    int[] items = new int[heapSize];
    float[] ratings = new float[heapSize];
    double[] influences = new double[heapSize];
    double[] leverages = new double[heapSize];
    boolean[] orphaned = new boolean[heapSize];
    for (int k = heapSize - 1; k >= 0; k--) {
      int c = heap[0]; // the weakest of those left goes last
      users[k] = rowUser(c, nu, user, raters);
      items[k] = rowItem(c, nu, item, ratedItems);
      ratings[k] = c < nu ? userRatings[c] : itemRatings[c - nu];
      influences[k] = influence[c];
      leverages[k] = w.leverage[c];
      orphaned[k] = w.orphaned[c];
      heap[0] = heap[k];
      siftDown(heap, k, w, nu, user, item, ratedItems, raters);
    }
    return new InfluenceExplanation(user, item, prediction, related, users, items, ratings, influences, leverages,
        orphaned);
  }

  /**
   * Fills {@code w.leverage} and {@code w.orphaned} for every related rating and, with {@link #leaveOneOut},
   * replaces {@code w.influence} by the leave-one-out form (see the class comment). Reads the blocks {@code w.hUser},
   * {@code w.hItem} (and {@code w.hJoint} for a pair that is a training rating), the rows and {@code w.testUser},
   * {@code w.testItem}; the pair's user has {@code nu} ratings and its item {@code ni}.
   */
  private void leaveOneOut(Workspace w, boolean joint, int user, float[] userVector, int item, float[] itemVector,
      int[] ratedItems, int nu, int ni) {
    int du = predictor.userDim();
    int di = predictor.itemDim();
    double twoLambda = 2 * predictor.regParam();
    Arrays.fill(w.orphaned, 0, nu + ni, false);
    Arrays.fill(w.leverage, 0, nu + ni, Double.NaN);
    boolean userOrphaned = nu == 1;
    boolean itemOrphaned = ni == 1;
    if (!joint) {
      // Block-diagonal H: each side on its own, A_z = H_side − 2λ·I.
      if (userOrphaned) {
        markOrphaned(w, 0);
      } else if (nu > 0) {
        side(w, w.hUser, du, 0, du, w.userRows, 0, userVector, w.testUser, twoLambda, null, user, item);
      }
      if (itemOrphaned) {
        markOrphaned(w, nu);
      } else if (ni > 0) {
        side(w, w.hItem, di, 0, di, w.itemRows, nu, itemVector, w.testItem, twoLambda, null, user, item);
      }
      return;
    }
    // The pair is a training rating: H couples the sides; work in θ_t = [x_u; y_i].
    int d = du + di;
    double[] v = w.jointV;
    for (int a = 0; a < du; a++) {
      v[a] = w.testUser[a];
    }
    for (int b = 0; b < di; b++) {
      v[du + b] = w.testItem[b];
    }
    if (!userOrphaned) {
      side(w, w.hJoint, d, 0, du, w.userRows, 0, userVector, v, twoLambda, ratedItems, user, item);
    }
    if (!itemOrphaned) {
      side(w, w.hJoint, d, du, di, w.itemRows, nu, itemVector, v, twoLambda, null, user, item);
    }
    if (userOrphaned || itemOrphaned) {
      for (int j = 0; j < nu; j++) {
        if (ratedItems[j] == item) {
          markOrphaned(w, j);
        }
      }
      if (itemOrphaned) {
        markOrphaned(w, nu);
      }
      return;
    }
    // The pair's own rating(s): its whole share c·J̃J̃ᵀ + g·∂²f/∂x∂y + 2λ·I leaves H; solved directly.
    for (int j = 0; j < nu; j++) {
      if (ratedItems[j] != item) {
        continue;
      }
      double g = w.userRows.gradient[j];
      double c = w.userRows.curvature[j];
      double[] jt = w.jointJ;
      for (int a = 0; a < du; a++) {
        jt[a] = w.testUser[a];
      }
      for (int b = 0; b < di; b++) {
        jt[du + b] = w.testItem[b];
      }
      // ∇ℓ_own = g·J̃ + 2λ·[x_u; y_i]
      double[] grad = w.jointGrad;
      for (int a = 0; a < du; a++) {
        grad[a] = g * jt[a] + twoLambda * userVector[a];
      }
      for (int b = 0; b < di; b++) {
        grad[du + b] = g * jt[du + b] + twoLambda * itemVector[b];
      }
      // A = H − 2λ·I: the leverage of the own rating, c·J̃ᵀA⁻¹J̃.
      System.arraycopy(w.hJoint, 0, w.reduced, 0, d * d);
      for (int a = 0; a < d; a++) {
        w.reduced[a * d + a] -= twoLambda;
      }
      factor(w, w.reduced, d, user, item, "joint user-item, less the pair's regularisation,");
      System.arraycopy(jt, 0, w.solved, 0, d);
      w.cholesky.forwardSubstitute(w.solved, 0);
      double h = 0;
      for (int a = 0; a < d; a++) {
        h += w.solved[a] * w.solved[a];
      }
      w.leverage[j] = c * h;
      if (leaveOneOut) {
        // minus c·J̃J̃ᵀ and the cross term g·∂²f/∂x∂y
        Arrays.fill(w.cross, 0, du * di, 0);
        predictor.addCrossHessian(userVector, itemVector, g, w.cross);
        for (int a = 0; a < d; a++) {
          for (int b = 0; b < d; b++) {
            w.reduced[a * d + b] -= c * jt[a] * jt[b];
          }
        }
        for (int a = 0; a < du; a++) {
          for (int b = 0; b < di; b++) {
            w.reduced[a * d + du + b] -= w.cross[a * di + b];
            w.reduced[(du + b) * d + a] -= w.cross[a * di + b];
          }
        }
        factor(w, w.reduced, d, user, item, "joint user-item, less the pair's own rating,");
        w.cholesky.solve(grad, 0);
        double influence = 0;
        for (int a = 0; a < d; a++) {
          influence += v[a] * grad[a];
        }
        w.influence[j] = influence;
      }
    }
  }

  /**
   * One side's ratings (rows {@code rows}, candidates from {@code first}): with {@code A = H − 2λ·P} ({@code H}
   * the {@code n × n} matrix {@code h}, {@code P} the identity on coordinates {@code [offset, offset + dim)}), each
   * rating's leverage {@code h_z = c_z·‖L⁻¹J̃_z‖²} and, with {@link #leaveOneOut}, its leave-one-out influence.
   * {@code vector} is the vector the side's ratings regularise, {@code v} the pair's gradient in the {@code n}
   * coordinates. With {@code ratedItems} (the user side of a pair that is a training rating) the rows of the pair's
   * own rating are left to the caller.
   */
  private void side(Workspace w, double[] h, int n, int offset, int dim, RelatedRows rows, int first,
      float[] vector, double[] v, double twoLambda, int[] ratedItems, int user, int item) {
    double[] a = w.reduced;
    System.arraycopy(h, 0, a, 0, n * n);
    for (int k = offset; k < offset + dim; k++) {
      a[k * n + k] -= twoLambda;
    }
    factor(w, a, n, user, item, (n == dim ? "" : "joint ") + "block less one rating's regularisation,");
    int count = rows.count;
    // Z = L⁻¹·J̃ for all rows at once: the rows, padded to n coordinates, are the columns of an n × count matrix.
    double[] z = w.padded(count * n);
    Arrays.fill(z, 0, count * n, 0);
    for (int r = 0; r < count; r++) {
      System.arraycopy(rows.jacobian, r * dim, z, r * n + offset, dim);
    }
    w.cholesky.forwardSubstituteColumns(z, count);
    // s̃ = A⁻¹·v and t = A⁻¹·x̃ (x̃ the regularised vector at its coordinates).
    double[] sTilde = w.solved;
    System.arraycopy(v, 0, sTilde, 0, n);
    w.cholesky.solve(sTilde, 0);
    double[] t = w.jointGrad;
    Arrays.fill(t, 0, n, 0);
    for (int k = 0; k < dim; k++) {
      t[offset + k] = vector[k];
    }
    w.cholesky.solve(t, 0);
    double regTerm = 0;
    for (int k = 0; k < dim; k++) {
      regTerm += vector[k] * sTilde[offset + k];
    }
    regTerm *= twoLambda;
    for (int r = 0; r < count; r++) {
      if (ratedItems != null && ratedItems[r] == item) {
        continue;
      }
      double norm = 0;
      for (int k = 0; k < n; k++) {
        norm += z[r * n + k] * z[r * n + k];
      }
      double c = rows.curvature[r];
      double g = rows.gradient[r];
      double leverage = c * norm;
      w.leverage[first + r] = leverage;
      if (leaveOneOut) {
        double p = 0;
        double q = 0;
        for (int k = 0; k < dim; k++) {
          double jk = rows.jacobian[r * dim + k];
          p += jk * sTilde[offset + k];
          q += jk * t[offset + k];
        }
        w.influence[first + r] = g * p + regTerm + p * (g * leverage + twoLambda * c * q) / (1 - leverage);
      }
    }
  }

  private static void markOrphaned(Workspace w, int c) {
    w.orphaned[c] = true;
    w.influence[c] = Double.NaN;
  }

  private void factor(Workspace w, double[] h, int n, int user, int item, String block) {
    try {
      w.cholesky.factor(h, n);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the " + block + " Hessian (" + n + " × " + n + ") of user " + user
          + ", item " + item + " is not positive definite: the model may not be at a minimum of its objective;"
          + " raise the damping (now " + damping + ")", e);
    }
  }

  private static double dot(float[] x, double[] s, int offset, int n) {
    double sum = 0;
    for (int a = 0; a < n; a++) {
      sum += x[a] * s[offset + a];
    }
    return sum;
  }

  private static int rowUser(int c, int nu, int user, int[] raters) {
    return c < nu ? user : raters[c - nu];
  }

  private static int rowItem(int c, int nu, int item, int[] ratedItems) {
    return c < nu ? ratedItems[c] : item;
  }

  /**
   * Whether candidate {@code a} ranks before {@code b}: orphaning first, then larger |influence|, then smaller user,
   * item, row.
   */
  private static boolean ranksBefore(int a, int b, Workspace w, int nu, int user, int item, int[] ratedItems,
      int[] raters) {
    if (w.orphaned[a] != w.orphaned[b]) {
      return w.orphaned[a];
    }
    int byInfluence = Double.compare(Math.abs(w.influence[a]), Math.abs(w.influence[b]));
    if (byInfluence != 0) {
      return byInfluence > 0;
    }
    int byUser = Integer.compare(rowUser(a, nu, user, raters), rowUser(b, nu, user, raters));
    if (byUser != 0) {
      return byUser < 0;
    }
    int byItem = Integer.compare(rowItem(a, nu, item, ratedItems), rowItem(b, nu, item, ratedItems));
    return byItem != 0 ? byItem < 0 : a < b;
  }

  /** Heap with the lowest-ranked candidate at the root. */
  private static void siftUp(int[] heap, int k, Workspace w, int nu, int user, int item, int[] ratedItems,
      int[] raters) {
    while (k > 0) {
      int parent = (k - 1) / 2;
      if (!ranksBefore(heap[parent], heap[k], w, nu, user, item, ratedItems, raters)) {
        return;
      }
      swap(heap, parent, k);
      k = parent;
    }
  }

  private static void siftDown(int[] heap, int size, Workspace w, int nu, int user, int item, int[] ratedItems,
      int[] raters) {
    int k = 0;
    while (true) {
      int weakest = k;
      for (int child = 2 * k + 1; child <= 2 * k + 2 && child < size; child++) {
        if (ranksBefore(heap[weakest], heap[child], w, nu, user, item, ratedItems, raters)) {
          weakest = child;
        }
      }
      if (weakest == k) {
        return;
      }
      swap(heap, weakest, k);
      k = weakest;
    }
  }

  private static void swap(int[] heap, int a, int b) {
    int t = heap[a];
    heap[a] = heap[b];
    heap[b] = t;
  }

  private static void checkVector(String kind, int id, float[] vector, int dim) {
    if (vector == null || vector.length != dim) {
      throw new IllegalArgumentException("the vector of " + kind + " " + id + " has "
          + (vector == null ? "no" : String.valueOf(vector.length)) + " values, expected " + dim);
    }
  }

  private static void checkRatings(String kind, int id, String otherKind, int[] others, float[] ratings,
      float[][] vectors, int dim) {
    if (others == null || ratings == null || vectors == null || ratings.length != others.length
        || vectors.length != others.length) {
      throw new IllegalArgumentException("the training ratings of " + kind + " " + id + " need one " + otherKind
          + " id, rating and vector each; got " + length(others) + ", " + length(ratings) + ", "
          + (vectors == null ? "null" : String.valueOf(vectors.length)));
    }
    for (int k = 0; k < others.length; k++) {
      checkVector(otherKind, others[k], vectors[k], dim);
    }
  }

  private static String length(Object array) {
    return array == null ? "null" : String.valueOf(java.lang.reflect.Array.getLength(array));
  }

  private Workspace workspace(int du, int di, int nu, int ni) {
    if (workspace == null) {
      workspace = new Workspace(du, di);
    }
    workspace.ensure(nu, ni);
    return workspace;
  }

  /**
   * {@code h = Sᵀ·S + diagonal·I} ({@code dim × dim}, full symmetric) for the {@code count} row-major rows
   * {@code √c·J} of {@code scaled}, by BLAS {@code dsyrk}.
   */
  static void gram(double[] scaled, int count, int dim, double diagonal, double[] h) {
    Arrays.fill(h, 0, dim * dim, 0);
    if (count > 0) {
      // Row-major rows √c·J (count × dim) are the column-major dim × count matrix S; h = S·Sᵀ.
      BLAS.getInstance().dsyrk("U", "N", dim, count, 1.0, scaled, 0, dim, 0.0, h, 0, dim);
    }
    for (int a = 0; a < dim; a++) {
      for (int b = 0; b < a; b++) {
        h[b * dim + a] = h[a * dim + b]; // column-major upper = row-major lower; mirror it
      }
      h[a * dim + a] += diagonal;
    }
  }

  /** Fails naming the rating unless its prediction {@code f}, loss gradient and curvature suit the analysis. */
  static void checkDerivatives(double f, double g, double c, float rating, int user, int item) {
    if (!Double.isFinite(f) || !Double.isFinite(g) || !(c >= 0) || !Double.isFinite(c)) {
      throw new IllegalArgumentException("the training rating of user " + user + " on item " + item + " ("
          + rating + ") has prediction " + f + ", loss gradient " + g + " and curvature " + c + "; influence"
          + " analysis needs finite values and a convex loss (curvature >= 0): check the vectors");
    }
  }

  /** Buffers reused across pairs. */
  private final class Workspace {
    final double[] testUser;
    final double[] testItem;
    final double[] rowUser;
    final double[] rowItem;
    final double[] hUser;
    final double[] hItem;
    final double[] cross;
    final double[] hJoint;
    final double[] solution;
    final RelatedRows userRows;
    final RelatedRows itemRows;
    final Cholesky cholesky = new Cholesky();
    final double[] jointV;
    final double[] jointJ;
    final double[] jointGrad;
    final double[] reduced;
    final double[] solved;
    double[] influence = new double[0];
    double[] leverage = new double[0];
    boolean[] orphaned = new boolean[0];
    int[] heap = new int[0];
    private double[] padded = new double[0];

    Workspace(int du, int di) {
      testUser = new double[du];
      testItem = new double[di];
      rowUser = new double[du];
      rowItem = new double[di];
      hUser = new double[du * du];
      hItem = new double[di * di];
      cross = new double[du * di];
      hJoint = new double[(du + di) * (du + di)];
      solution = new double[du + di];
      userRows = new RelatedRows(du);
      itemRows = new RelatedRows(di);
      int d = du + di;
      jointV = new double[d];
      jointJ = new double[d];
      jointGrad = new double[d];
      reduced = new double[d * d];
      solved = new double[d];
    }

    /** A scratch array of at least {@code size} doubles. */
    double[] padded(int size) {
      if (padded.length < size) {
        padded = new double[Math.max(size, 2 * padded.length)];
      }
      return padded;
    }

    void ensure(int nu, int ni) {
      userRows.ensure(nu);
      itemRows.ensure(ni);
      if (influence.length < nu + ni) {
        influence = new double[Math.max(nu + ni, 2 * influence.length)];
        leverage = new double[influence.length];
        orphaned = new boolean[influence.length];
        heap = new int[influence.length];
      }
    }
  }

  /** The related ratings of one side: each rating's Jacobian row, loss gradient and curvature. */
  private final class RelatedRows {
    final int dim;
    int count;
    double[] jacobian = new double[0];
    double[] scaled = new double[0];
    double[] gradient = new double[0];
    double[] curvature = new double[0];
    double[] projection = new double[0];

    RelatedRows(int dim) {
      this.dim = dim;
    }

    void ensure(int n) {
      count = n;
      if (gradient.length < n) {
        int capacity = Math.max(n, 2 * gradient.length);
        jacobian = new double[capacity * dim];
        scaled = new double[capacity * dim];
        gradient = new double[capacity];
        curvature = new double[capacity];
        projection = new double[capacity];
      }
    }

    void set(int row, double[] jacobianRow, double f, float rating, int user, int item) {
      double g = predictor.lossGradient(f, rating);
      double c = predictor.lossCurvature(f, rating);
      checkDerivatives(f, g, c, rating, user, item);
      gradient[row] = g;
      curvature[row] = c;
      double root = Math.sqrt(c);
      int offset = row * dim;
      for (int a = 0; a < dim; a++) {
        jacobian[offset + a] = jacobianRow[a];
        scaled[offset + a] = root * jacobianRow[a];
      }
    }

    /** {@code h = Σ_rows c·J·Jᵀ + diagonal·I} ({@code dim × dim}, full symmetric). */
    void addGram(double[] h, double diagonal) {
      gram(scaled, count, dim, diagonal, h);
    }

    /** {@code projection[row] = J_row · s[offset..offset+dim)}. */
    void project(double[] s, int offset) {
      if (count > 0) {
        BLAS.getInstance().dgemv("T", dim, count, 1.0, jacobian, 0, dim, s, offset, 1, 0.0, projection, 0, 1);
      }
    }
  }
}
