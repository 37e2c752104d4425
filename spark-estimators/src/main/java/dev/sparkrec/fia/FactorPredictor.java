package dev.sparkrec.fia;

/**
 * Matrix factorisation as a {@link FactorizedPredictor}: with biases ({@code x_u = [p_u; b_u]},
 * {@code y_i = [q_i; b_i]}, {@code f = μ + p_u·q_i + b_u + b_i}, {@code μ} fixed) or without, as MLlib ALS
 * ({@code x_u = p_u}, {@code y_i = q_i}, {@code f = μ + p_u·q_i}, with {@code μ = 0} for ALS), trained with squared
 * error {@code (f − r)²} and λ on every vector once per training rating (ALS's weighted-λ regularisation).
 */
public final class FactorPredictor implements FactorizedPredictor {

  private static final long serialVersionUID = 1L;

  private final int rank;
  private final boolean withBiases;
  private final double globalMean;
  private final double regParam;

  /**
   * @param rank number of latent factors {@code k} (≥ 1)
   * @param withBiases whether the last entry of each vector is a user or item bias
   * @param globalMean the fixed offset {@code μ} (0 for ALS)
   * @param regParam λ (≥ 0)
   */
  public FactorPredictor(int rank, boolean withBiases, double globalMean, double regParam) {
    if (rank < 1) {
      throw new IllegalArgumentException("rank must be >= 1, got " + rank);
    }
    if (!(regParam >= 0) || !Double.isFinite(regParam) || !Double.isFinite(globalMean)) {
      throw new IllegalArgumentException("regParam must be finite and >= 0 and globalMean finite; got regParam "
          + regParam + ", globalMean " + globalMean);
    }
    this.rank = rank;
    this.withBiases = withBiases;
    this.globalMean = globalMean;
    this.regParam = regParam;
  }

  /** Number of latent factors {@code k}. */
  public int rank() {
    return rank;
  }

  /** Whether vectors end with a bias. */
  public boolean withBiases() {
    return withBiases;
  }

  /** The fixed offset {@code μ}. */
  public double globalMean() {
    return globalMean;
  }

  @Override
  public int userDim() {
    return withBiases ? rank + 1 : rank;
  }

  @Override
  public int itemDim() {
    return userDim();
  }

  @Override
  public double predict(float[] user, float[] item) {
    double f = globalMean;
    for (int a = 0; a < rank; a++) {
      f += (double) user[a] * item[a];
    }
    if (withBiases) {
      f += (double) user[rank] + item[rank];
    }
    return f; // f = μ + p_u·q_i (+ b_u + b_i)
  }

  @Override
  public double predictWithGradients(float[] user, float[] item, double[] dUser, double[] dItem) {
    for (int a = 0; a < rank; a++) {
      dUser[a] = item[a]; // ∂f/∂p_u = q_i
      dItem[a] = user[a]; // ∂f/∂q_i = p_u
    }
    if (withBiases) {
      dUser[rank] = 1; // ∂f/∂b_u = 1
      dItem[rank] = 1; // ∂f/∂b_i = 1
    }
    return predict(user, item);
  }

  @Override
  public void addCrossHessian(float[] user, float[] item, double scale, double[] out) {
    int itemDim = itemDim();
    for (int a = 0; a < rank; a++) {
      out[a * itemDim + a] += scale; // ∂²f/∂p_ua∂q_ib = δ_ab; the biases enter linearly
    }
  }

  @Override
  public double lossGradient(double f, double r) {
    return 2 * (f - r); // ∂(f − r)²/∂f
  }

  @Override
  public double lossCurvature(double f, double r) {
    return 2; // ∂²(f − r)²/∂f²
  }

  @Override
  public double regParam() {
    return regParam;
  }
  /** A squared loss on {@code μ + p_u·q_i (+ b_u + b_i)}: quadratic in each vector. */
  @Override
  public boolean quadraticInEachVector() {
    return true;
  }


  @Override
  public String toString() {
    return "FactorPredictor(rank=" + rank + ", withBiases=" + withBiases + ", globalMean=" + globalMean
        + ", regParam=" + regParam + ")";
  }
}
