package dev.sparkrec.fia;

import java.io.Serializable;

/**
 * A fitted recommender as fast influence analysis sees it: a prediction {@code f(x_u, y_i)} of a user's
 * parameter vector {@code x_u} and an item's parameter vector {@code y_i}, trained on the objective
 *
 * <pre>  J(θ) = Σ_{z=(u,i,r) ∈ train} [ loss(f(x_u, y_i), r) + λ·(‖x_u‖² + ‖y_i‖²) ]
 *          (+ terms in the fixed shared weights)</pre>
 *
 * so that every training rating regularises its own user and item (ALS's weighted-λ objective). Matrix
 * factorisation ({@code x_u = [p_u; b_u]}, {@code y_i = [q_i; b_i]}), MLlib ALS ({@code x_u = p_u}) and neural
 * CF ({@code x_u = [pMLP_u; pGMF_u]}) all take this form; shared weights (global mean, dense layers) are held
 * fixed, as in FIA.
 */
public interface FactorizedPredictor extends Serializable {

  /** Length of a user's parameter vector. */
  int userDim();

  /** Length of an item's parameter vector. */
  int itemDim();

  /** The prediction {@code f(x_u, y_i)}: the network's output, a logit for a model trained with BCE. */
  double predict(float[] user, float[] item);

  /**
   * The prediction, writing {@code ∂f/∂x_u} to {@code dUser[0..userDim)} and {@code ∂f/∂y_i} to
   * {@code dItem[0..itemDim)}.
   */
  double predictWithGradients(float[] user, float[] item, double[] dUser, double[] dItem);

  /**
   * Adds {@code scale · ∂²f/∂x_u∂y_i} to {@code out}, a row-major {@code userDim × itemDim} matrix. Needed only
   * when the explained pair is itself a training rating.
   */
  void addCrossHessian(float[] user, float[] item, double scale, double[] out);

  /** {@code ∂ loss(f, r) / ∂f}, e.g. {@code 2(f − r)} for squared error. */
  double lossGradient(double f, double r);

  /** {@code ∂² loss(f, r) / ∂f²}, e.g. {@code 2} for squared error. */
  double lossCurvature(double f, double r);

  /** λ in the objective above (≥ 0). */
  double regParam();

  /**
   * Whether the training objective is quadratic in the user vector with every other parameter fixed, and likewise
   * in the item vector: a squared loss on a prediction linear in each (MF, ALS). Then the leave-one-out form of an
   * influence is exact leave-one-out re-fitting of the vector the rating regularises.
   */
  default boolean quadraticInEachVector() {
    return false;
  }

  /**
   * What the fitted model's {@code transform} reports for output {@code f}: {@code f} itself, or the
   * probability {@code σ(f)} when {@code f} is a logit. Default: {@code f}.
   */
  default double reportedPrediction(double f) {
    return f;
  }

  /**
   * {@code ∂ reportedPrediction / ∂f} at {@code f}: 1, or {@code σ(f)(1 − σ(f))} when {@code f} is a logit; it
   * turns an influence on {@code f} into one on the reported prediction. Default: 1.
   */
  default double reportedPredictionSlope(double f) {
    return 1;
  }
}
