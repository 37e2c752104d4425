package dev.sparkrec.fia;

/**
 * NeuMF (He et al., WWW'17) as a {@link FactorizedPredictor}: the forward pass of {@link NeuralCfWeights} with
 * the shared weights fixed, user vector {@code x_u = [pMLP_u; pGMF_u]} and item vector {@code y_i = [qMLP_i;
 * qGMF_i]} (each {@code 2k}), trained with squared error ({@code "mse"}) or with binary cross-entropy on the
 * logit {@code f} ({@code "bce"}, implicit feedback with labels in {@code [0, 1]}).
 *
 * <p>Gradients are exact (backpropagation through the ReLU layers and the GMF product); with ReLU the network is
 * piecewise linear in each of {@code x_u} and {@code y_i}, so {@code ∂²f/∂x_u²} and {@code ∂²f/∂y_i²} vanish
 * almost everywhere and the only second-order term is the GMF product's {@code ∂²f/∂pGMF_u∂qGMF_i = diag(w_gmf)}.
 * Thread-safe: every call works on its own buffers.
 */
public final class NeuralCfPredictor implements FactorizedPredictor {

  private static final long serialVersionUID = 1L;

  /** Loss {@code (f − r)²}. */
  public static final String MSE = "mse";
  /** Loss {@code −r·log σ(f) − (1 − r)·log(1 − σ(f))} on the logit {@code f}. */
  public static final String BCE = "bce";

  private final NeuralCfWeights weights;
  private final double regParam;
  private final String loss;
  private final boolean bce;
  private final int k;
  private final int lastWidth;
  private final int activationSize;
  private final int widest;

  /**
   * @param weights the fitted network's shared weights
   * @param regParam λ on the embeddings (≥ 0)
   * @param loss {@link #MSE} or {@link #BCE}
   */
  public NeuralCfPredictor(NeuralCfWeights weights, double regParam, String loss) {
    if (weights == null) {
      throw new IllegalArgumentException("weights must not be null");
    }
    if (!(regParam >= 0) || !Double.isFinite(regParam)) {
      throw new IllegalArgumentException("regParam must be finite and >= 0, got " + regParam);
    }
    if (!MSE.equals(loss) && !BCE.equals(loss)) {
      throw new IllegalArgumentException("loss must be \"" + MSE + "\" or \"" + BCE + "\", got " + loss);
    }
    this.weights = weights;
    this.regParam = regParam;
    this.loss = loss;
    this.bce = BCE.equals(loss);
    this.k = weights.embeddingDim();
    int width = 2 * k;
    int size = 2 * k;
    int widest = 2 * k;
    for (int l = 0; l < weights.hiddenLayers(); l++) {
      width = weights.hiddenBiases(l).length;
      size += width;
      widest = Math.max(widest, width);
    }
    this.lastWidth = width;
    this.activationSize = size;
    this.widest = widest;
  }

  public NeuralCfWeights weights() {
    return weights;
  }

  /** {@link #MSE} or {@link #BCE}. */
  public String loss() {
    return loss;
  }

  @Override
  public int userDim() {
    return 2 * k;
  }

  @Override
  public int itemDim() {
    return 2 * k;
  }

  @Override
  public double predict(float[] user, float[] item) {
    return predictWithGradients(toDouble(user), toDouble(item), null, null);
  }

  @Override
  public double predictWithGradients(float[] user, float[] item, double[] dUser, double[] dItem) {
    return predictWithGradients(toDouble(user), toDouble(item), dUser, dItem);
  }

  /** {@link #predict(float[], float[])} on double vectors. */
  public double predict(double[] user, double[] item) {
    return predictWithGradients(user, item, null, null);
  }

  /**
   * {@link #predictWithGradients(float[], float[], double[], double[])} on double vectors; with {@code dUser}
   * and {@code dItem} null only the prediction is computed.
   */
  public double predictWithGradients(double[] user, double[] item, double[] dUser, double[] dItem) {
    int twoK = 2 * k;
    // [h_0 | h_1 | … | h_L | δ | δ′]: activations, then two backward buffers of the widest layer.
    double[] buffer = new double[activationSize + 2 * widest];
    // h_0 = [pMLP_u; qMLP_i]
    System.arraycopy(user, 0, buffer, 0, k);
    System.arraycopy(item, 0, buffer, k, k);
    int in = twoK;
    int inOffset = 0;
    for (int l = 0; l < weights.hiddenLayers(); l++) {
      float[] w = weights.hiddenWeights(l);
      float[] bias = weights.hiddenBiases(l);
      int out = bias.length;
      int outOffset = inOffset + in;
      for (int b = 0; b < out; b++) {
        buffer[outOffset + b] = bias[b];
      }
      for (int a = 0; a < in; a++) {
        double h = buffer[inOffset + a];
        if (h != 0) { // rows of W_l in order; inactive units add nothing
          int row = a * out;
          for (int b = 0; b < out; b++) {
            buffer[outOffset + b] += h * w[row + b];
          }
        }
      }
      for (int b = 0; b < out; b++) {
        buffer[outOffset + b] = Math.max(buffer[outOffset + b], 0); // h_l = ReLU(h_{l−1}·W_l + b_l)
      }
      in = out;
      inOffset = outOffset;
    }
    float[] wOut = weights.outputWeights();
    double f = weights.outputBias();
    for (int a = 0; a < lastWidth; a++) {
      f += buffer[inOffset + a] * wOut[a];
    }
    for (int a = 0; a < k; a++) {
      f += user[k + a] * item[k + a] * wOut[lastWidth + a]; // f = [h_L; pGMF_u ⊙ qGMF_i]·w + b
    }
    if (dUser == null && dItem == null) {
      return f;
    }

    // Backward: δ_L = ∂f/∂h_L = w_out[0..n_L); through layer l, δ_{l−1} = W_l·(δ_l ⊙ 1[h_l > 0]).
    int delta = activationSize;
    int next = activationSize + widest;
    for (int a = 0; a < lastWidth; a++) {
      buffer[delta + a] = wOut[a];
    }
    int out = lastWidth;
    int outOffset = inOffset;
    for (int l = weights.hiddenLayers() - 1; l >= 0; l--) {
      float[] w = weights.hiddenWeights(l);
      int layerIn = l == 0 ? twoK : weights.hiddenBiases(l - 1).length;
      int layerInOffset = outOffset - layerIn;
      for (int b = 0; b < out; b++) {
        if (!(buffer[outOffset + b] > 0)) {
          buffer[delta + b] = 0; // ReLU′ = 1[h > 0]
        }
      }
      for (int a = 0; a < layerIn; a++) {
        double s = 0;
        for (int b = 0; b < out; b++) {
          s += w[a * out + b] * buffer[delta + b];
        }
        buffer[next + a] = s;
      }
      int swap = delta;
      delta = next;
      next = swap;
      out = layerIn;
      outOffset = layerInOffset;
    }
    // δ_0 = ∂f/∂[pMLP_u; qMLP_i]; ∂f/∂pGMF_u = w_gmf ⊙ qGMF_i, ∂f/∂qGMF_i = w_gmf ⊙ pGMF_u.
    for (int a = 0; a < k; a++) {
      double wGmf = wOut[lastWidth + a];
      if (dUser != null) {
        dUser[a] = buffer[delta + a];
        dUser[k + a] = wGmf * item[k + a];
      }
      if (dItem != null) {
        dItem[a] = buffer[delta + k + a];
        dItem[k + a] = wGmf * user[k + a];
      }
    }
    return f;
  }

  @Override
  public void addCrossHessian(float[] user, float[] item, double scale, double[] out) {
    int twoK = 2 * k;
    float[] wOut = weights.outputWeights();
    for (int a = 0; a < k; a++) {
      out[(k + a) * twoK + (k + a)] += scale * wOut[lastWidth + a]; // ∂²f/∂pGMF_ua∂qGMF_ib = δ_ab·w_gmf,a
    }
  }

  @Override
  public double lossGradient(double f, double r) {
    return bce ? sigmoid(f) - r : 2 * (f - r); // ∂loss/∂f: σ(f) − r for BCE on a logit, 2(f − r) for MSE
  }

  @Override
  public double lossCurvature(double f, double r) {
    if (bce) {
      double p = sigmoid(f);
      return p * (1 - p); // ∂²loss/∂f² = σ(f)·(1 − σ(f))
    }
    return 2;
  }

  @Override
  public double regParam() {
    return regParam;
  }

  /** The probability {@code σ(f)} with the "bce" loss (what {@code NeuralCFModel.transform} gives), else f. */
  @Override
  public double reportedPrediction(double f) {
    return bce ? sigmoid(f) : f;
  }

  /** {@code ∂σ(f)/∂f = σ(f)(1 − σ(f))} with the "bce" loss, else 1. */
  @Override
  public double reportedPredictionSlope(double f) {
    if (bce) {
      double p = sigmoid(f);
      return p * (1 - p);
    }
    return 1;
  }

  private static double sigmoid(double f) {
    return f >= 0 ? 1 / (1 + Math.exp(-f)) : Math.exp(f) / (1 + Math.exp(f));
  }

  private static double[] toDouble(float[] x) {
    double[] d = new double[x.length];
    for (int a = 0; a < x.length; a++) {
      d[a] = x[a];
    }
    return d;
  }
}
