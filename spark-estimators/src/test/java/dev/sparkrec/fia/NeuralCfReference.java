package dev.sparkrec.fia;

/** NeuMF's prediction from {@link NeuralCfWeights}, written out in double as its Javadoc states it. */
final class NeuralCfReference {

  private NeuralCfReference() {}

  /** {@code f} for user vector {@code [pMLP; pGMF]} and item vector {@code [qMLP; qGMF]}. */
  static double predict(NeuralCfWeights w, float[] user, float[] item) {
    int k = w.embeddingDim();
    double[] h = new double[2 * k];
    for (int j = 0; j < k; j++) {
      h[j] = user[j]; // h_0 = [pMLP_u; qMLP_i]
      h[k + j] = item[j];
    }
    for (int l = 0; l < w.hiddenLayers(); l++) {
      float[] weights = w.hiddenWeights(l);
      float[] biases = w.hiddenBiases(l);
      double[] next = new double[biases.length];
      for (int o = 0; o < next.length; o++) {
        double z = biases[o];
        for (int in = 0; in < h.length; in++) {
          z += h[in] * weights[in * next.length + o];
        }
        next[o] = Math.max(0, z); // h_l = ReLU(h_{l-1}·W_l + b_l)
      }
      h = next;
    }
    double f = w.outputBias();
    float[] out = w.outputWeights();
    for (int j = 0; j < h.length; j++) {
      f += h[j] * out[j];
    }
    for (int j = 0; j < k; j++) {
      f += (double) user[k + j] * item[k + j] * out[h.length + j]; // g = pGMF_u ⊙ qGMF_i
    }
    return f;
  }

  static double squaredNorm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return s;
  }
}
