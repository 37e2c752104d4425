package dev.sparkrec.fia;

import java.io.Serializable;

/**
 * The shared (non-embedding) weights of a fitted NeuMF network, in the layout of SparkRec's {@code Linear}
 * layers ({@code y = x·W + b}, {@code W} row-major {@code in × out}). With embedding size {@code k}, user
 * vector {@code x_u = [pMLP_u; pGMF_u]} and item vector {@code y_i = [qMLP_i; qGMF_i]} (each {@code 2k}):
 *
 * <pre>  h_0 = [pMLP_u; qMLP_i]                              (2k)
 *   h_l = ReLU(h_{l−1}·hiddenWeights[l−1] + hiddenBiases[l−1])  l = 1..L
 *   g   = pGMF_u ⊙ qGMF_i                                (k)
 *   f   = [h_L; g]·outputWeights + outputBias            (scalar; a logit for implicit feedback)</pre>
 */
public final class NeuralCfWeights implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int embeddingDim;
  private final float[][] hiddenWeights;
  private final float[][] hiddenBiases;
  private final float[] outputWeights;
  private final float outputBias;

  public NeuralCfWeights(int embeddingDim, float[][] hiddenWeights, float[][] hiddenBiases, float[] outputWeights,
      float outputBias) {
    if (embeddingDim < 1 || hiddenWeights.length != hiddenBiases.length) {
      throw new IllegalArgumentException("embeddingDim must be >= 1 and every hidden layer needs weights and biases");
    }
    int in = 2 * embeddingDim;
    for (int l = 0; l < hiddenWeights.length; l++) {
      int out = hiddenBiases[l].length;
      if (hiddenWeights[l].length != in * out) {
        throw new IllegalArgumentException("hidden layer " + (l + 1) + " has " + hiddenWeights[l].length
            + " weights, expected " + in + " × " + out);
      }
      in = out;
    }
    if (outputWeights.length != in + embeddingDim) {
      throw new IllegalArgumentException("the output layer has " + outputWeights.length + " weights, expected "
          + (in + embeddingDim));
    }
    this.embeddingDim = embeddingDim;
    this.hiddenWeights = hiddenWeights;
    this.hiddenBiases = hiddenBiases;
    this.outputWeights = outputWeights;
    this.outputBias = outputBias;
  }

  /** Embedding size {@code k} of each path. */
  public int embeddingDim() {
    return embeddingDim;
  }

  /** Number of hidden layers {@code L}. */
  public int hiddenLayers() {
    return hiddenWeights.length;
  }

  /** Layer {@code l}'s weights ({@code in × out}, row-major); not copied. */
  public float[] hiddenWeights(int l) {
    return hiddenWeights[l];
  }

  /** Layer {@code l}'s biases ({@code out}); not copied. */
  public float[] hiddenBiases(int l) {
    return hiddenBiases[l];
  }

  /** Output weights over {@code [h_L; g]}; not copied. */
  public float[] outputWeights() {
    return outputWeights;
  }

  public float outputBias() {
    return outputBias;
  }
}
