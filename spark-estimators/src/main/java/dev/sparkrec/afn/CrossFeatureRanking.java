package dev.sparkrec.afn;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.layers.BatchNorm;
import dev.sparkrec.nn.layers.Linear;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Reads the cross features a trained {@link AfnNetwork} learned, AFN's interpretability (Cheng et al., AAAI'20): the
 * logarithmic neuron {@code j} computes {@code y_j = Π_i |e_i|^{w_ij}}, so {@code w_ij} is the order of field
 * {@code i} in cross feature {@code j}.
 *
 * <p><b>Order.</b> Without batch norm the order of field {@code i} in neuron {@code j} is {@code w_ij}. With batch
 * norm after the logarithm, {@code γ_i·(ln e_i − μ_i)/√(σ²_i + ε) + β_i} enters the neuron, so the effective
 * exponent is {@code γ_i/√(σ²_i + ε)·w_ij} (the rest is a constant factor); it uses the running variance, the one
 * prediction uses.
 *
 * <p><b>Influence.</b> How strongly the neuron moves the first layer after the logarithmic layer (the first
 * hidden layer, or the output layer when there is none), whose inputs {@code k·O + j} ({@code k < K}) carry the
 * neuron's {@code K} outputs {@code y_{k,j}}: the L2 norm of those rows of that layer's weight matrix {@code W1}.
 * With batch norm after the exponential, the layer sees {@code γ_j·(y_{k,j} − μ_j)/√(σ²_j + ε) + β_j}, and the norm
 * is multiplied by {@code |γ_j|·σ_j/√(σ²_j + ε)} (running variance): the influence is then the move of the layer's
 * input when the neuron's output moves by one standard deviation {@code σ_j}. (The per-unit factor
 * {@code |γ_j|/√(σ²_j + ε)} alone would rank first the nearly constant neurons, which the batch norm scales up to
 * the same spread as the others; on data with a planted cross it found the cross markedly less reliably.) Without
 * batch norm the weights say nothing of a neuron's spread, and the influence is the norm alone, per unit of
 * {@code y_j}. Either way it is read from the weights, without data.
 */
public final class CrossFeatureRanking {

  private CrossFeatureRanking() {}

  /**
   * The {@code topNeurons} most influential neurons (fewer when the network has fewer), by influence descending
   * (ties by neuron index), each with its {@code topFields} fields (at most the number of fields) of largest
   * |order|.
   *
   * @param topNeurons neurons to return (&ge; 1)
   * @param topFields fields to list per neuron (&ge; 1)
   */
  public static List<CrossFeature> rank(AfnNetwork network, int topNeurons, int topFields) {
    Objects.requireNonNull(network, "network must not be null");
    if (topNeurons < 1) {
      throw new IllegalArgumentException("topNeurons must be >= 1, got " + topNeurons);
    }
    if (topFields < 1) {
      throw new IllegalArgumentException("topFields must be >= 1, got " + topFields);
    }
    AfnConfig config = network.config();
    int fields = config.numFields();
    int neurons = config.logNeurons();
    double[][] orders = orders(network);
    double[] influence = influences(network);

    Integer[] byInfluence = new Integer[neurons];
    for (int j = 0; j < neurons; j++) {
      byInfluence[j] = j;
    }
    Arrays.sort(byInfluence, Comparator.comparingDouble((Integer j) -> -influence[j])
        .thenComparingInt(j -> j));
    int keepNeurons = Math.min(topNeurons, neurons);
    int keepFields = Math.min(topFields, fields);
    List<CrossFeature> ranked = new ArrayList<>(keepNeurons);
    for (int r = 0; r < keepNeurons; r++) {
      int j = byInfluence[r];
      Integer[] byOrder = new Integer[fields];
      for (int i = 0; i < fields; i++) {
        byOrder[i] = i;
      }
      Arrays.sort(byOrder, Comparator.comparingDouble((Integer i) -> -Math.abs(orders[i][j]))
          .thenComparingInt(i -> i));
      int[] top = new int[keepFields];
      double[] topOrders = new double[keepFields];
      for (int t = 0; t < keepFields; t++) {
        top[t] = byOrder[t];
        topOrders[t] = orders[byOrder[t]][j];
      }
      ranked.add(new CrossFeature(j, influence[j], top, topOrders));
    }
    return ranked;
  }

  /** {@code order[i][j]}: the effective exponent of field {@code i} in neuron {@code j}. */
  static double[][] orders(AfnNetwork network) {
    int fields = network.config().numFields();
    int neurons = network.config().logNeurons();
    float[] w = network.logWeight().data();
    double[] fieldScale = batchNormScales(network.logNorm(), fields);
    double[][] orders = new double[fields][neurons];
    for (int i = 0; i < fields; i++) {
      for (int j = 0; j < neurons; j++) {
        orders[i][j] = fieldScale[i] * w[i * neurons + j]; // γ_i/√(σ²_i + ε)·w_ij, or w_ij without batch norm
      }
    }
    return orders;
  }

  /** Influence of each neuron: ‖W1[k·O + j, :]‖ over k, times |γ_j|·σ_j/√(σ²_j + ε) with batch norm. */
  static double[] influences(AfnNetwork network) {
    int dim = network.config().embeddingDim();
    int neurons = network.config().logNeurons();
    Linear first = network.firstAfnLayer();
    int width = first.out();
    float[] w = first.weight().data();
    double[] neuronScale = batchNormScales(network.expNorm(), neurons);
    if (network.expNorm() != null) {
      float[] variance = network.expNorm().runningVariance().data();
      for (int j = 0; j < neurons; j++) {
        neuronScale[j] *= Math.sqrt(variance[j]); // spread of the normalised output: |γ_j|·σ_j/√(σ²_j + ε)
      }
    }
    double[] influence = new double[neurons];
    for (int j = 0; j < neurons; j++) {
      double squares = 0;
      for (int k = 0; k < dim; k++) {
        int row = (k * neurons + j) * width; // input k·O + j of the flattened [K, O] output
        for (int h = 0; h < width; h++) {
          squares += (double) w[row + h] * w[row + h];
        }
      }
      influence[j] = Math.abs(neuronScale[j]) * Math.sqrt(squares); // |γ_j|·σ_j/√(σ²_j + ε)·‖W1[k·O + j, :]‖
    }
    return influence;
  }

  /** {@code γ_c/√(σ²_c + ε)} per channel from the running variance, or all 1 without batch norm. */
  private static double[] batchNormScales(BatchNorm norm, int channels) {
    double[] scale = new double[channels];
    if (norm == null) {
      Arrays.fill(scale, 1.0);
      return scale;
    }
    Parameter gamma = norm.gamma();
    float[] variance = norm.runningVariance().data();
    for (int c = 0; c < channels; c++) {
      double g = gamma == null ? 1.0 : gamma.data()[c];
      scale[c] = g / Math.sqrt(variance[c] + AfnNetwork.BATCH_NORM_EPS); // γ/√(σ² + ε)
    }
    return scale;
  }
}
