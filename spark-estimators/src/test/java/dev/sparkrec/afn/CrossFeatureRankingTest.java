package dev.sparkrec.afn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Orders and influences of {@link CrossFeatureRanking} on fixed weights, computed by hand. */
class CrossFeatureRankingTest {

  private static final double TOLERANCE = 1e-5;

  /** Three fields, K = 2, three neurons, one hidden layer of two units; log weights W[field][neuron]. */
  private static AfnNetwork network(boolean batchNorm) {
    AfnNetwork network = new AfnNetwork(AfnConfig.from(new AFN().setEmbeddingDim(2)
        .setLogNeurons(3).setHiddenLayers(2).setBatchNorm(batchNorm), 6, 3));
    Map<String, float[]> values = network.parameterValues();
    values.put("afn.log.weight", new float[] {
        0.5f, -0.1f, 0.2f, // field 0
        0.3f, 0.4f, -0.05f, // field 1
        0.1f, 0.25f, 0.6f}); // field 2
    // rows k·O + j of the first hidden layer: (k 0: neurons 0, 1, 2), (k 1: neurons 0, 1, 2)
    values.put("afn.mlp.hidden0.weight", new float[] {
        3, 4,
        1, 0,
        2, 2,
        0, 0,
        0, 2,
        4, 2});
    if (batchNorm) {
      // per field: γ/√(σ² + 0.001) = 2/2, 1/1, −1/0.5
      values.put("afn.logNorm.gamma", new float[] {2f, 1f, -1f});
      values.put("afn.logNorm.runningVariance", new float[] {3.999f, 0.999f, 0.249f});
      // per neuron: |γ|·σ/√(σ² + 0.001) = 1·√0.999/1, 2·√3.999/2, 0.5·√0.999/1
      values.put("afn.expNorm.gamma", new float[] {1f, -2f, 0.5f});
      values.put("afn.expNorm.runningVariance", new float[] {0.999f, 3.999f, 0.999f});
    }
    network.setParameters(values);
    return network;
  }

  private static void assertCross(CrossFeature cross, int neuron, double influence, int[] fields, double[] orders) {
    assertEquals(neuron, cross.neuron(), cross.toString());
    assertEquals(influence, cross.influence(), TOLERANCE, cross.toString());
    assertArrayEquals(fields, cross.fields(), cross.toString());
    assertArrayEquals(orders, cross.orders(), TOLERANCE, cross.toString());
  }

  @Test
  void withoutBatchNormOrdersAreTheLogWeightsAndInfluenceTheWeightNorm() {
    List<CrossFeature> ranked = CrossFeatureRanking.rank(network(false), 3, 3);
    // influence: neuron 0 √(3² + 4² + 0 + 0) = 5, neuron 1 √(1 + 0 + 0 + 2²) = √5, neuron 2 √(2² + 2² + 4² + 2²) = √28
    assertEquals(3, ranked.size());
    assertCross(ranked.get(0), 2, Math.sqrt(28), new int[] {2, 0, 1}, new double[] {0.6, 0.2, -0.05});
    assertCross(ranked.get(1), 0, 5, new int[] {0, 1, 2}, new double[] {0.5, 0.3, 0.1});
    assertCross(ranked.get(2), 1, Math.sqrt(5), new int[] {1, 2, 0}, new double[] {0.4, 0.25, -0.1});
  }

  @Test
  void withBatchNormOrdersAreEffectiveExponentsAndInfluenceIsPerStandardDeviation() {
    List<CrossFeature> ranked = CrossFeatureRanking.rank(network(true), 3, 2);
    // orders γ_i/√(σ²_i + ε)·w_ij with scales (1, 1, −2): field 2's become (−0.2, −0.5, −1.2)
    // influence ‖rows‖·|γ_j|·σ_j/√(σ²_j + ε): 5·√0.999 = 4.998, √5·√3.999 = 4.472, √28·0.5·√0.999 = 2.644
    assertCross(ranked.get(0), 0, 5 * Math.sqrt(0.999), new int[] {0, 1}, new double[] {0.5, 0.3});
    assertCross(ranked.get(1), 1, Math.sqrt(5) * Math.sqrt(3.999), new int[] {2, 1}, new double[] {-0.5, 0.4});
    assertCross(ranked.get(2), 2, 0.5 * Math.sqrt(28) * Math.sqrt(0.999), new int[] {2, 0},
        new double[] {-1.2, 0.2});
  }

  @Test
  void keepsTheRequestedNumbersAtMostAllThereAre() {
    AfnNetwork network = network(false);
    List<CrossFeature> top = CrossFeatureRanking.rank(network, 1, 1);
    assertEquals(1, top.size());
    assertCross(top.get(0), 2, Math.sqrt(28), new int[] {2}, new double[] {0.6});
    List<CrossFeature> all = CrossFeatureRanking.rank(network, 10, 10);
    assertEquals(3, all.size());
    assertEquals(3, all.get(0).fields().length);
  }

  @Test
  void tiesKeepTheLowerIndexFirst() {
    AfnNetwork network = new AfnNetwork(AfnConfig.from(new AFN().setEmbeddingDim(1)
        .setLogNeurons(2).setHiddenLayers().setBatchNorm(false), 4, 2));
    Map<String, float[]> values = network.parameterValues();
    values.put("afn.log.weight", new float[] {-0.3f, 0.2f, 0.3f, 0.2f});
    values.put("afn.mlp.output.weight", new float[] {1f, -1f}); // the output layer is the first layer here
    network.setParameters(values);
    List<CrossFeature> ranked = CrossFeatureRanking.rank(network, 2, 2);
    assertCross(ranked.get(0), 0, 1, new int[] {0, 1}, new double[] {-0.3, 0.3});
    assertCross(ranked.get(1), 1, 1, new int[] {0, 1}, new double[] {0.2, 0.2});
  }

  @Test
  void rejectsNonPositiveCounts() {
    AfnNetwork network = network(false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CrossFeatureRanking.rank(network, 0, 2));
    assertTrue(e.getMessage().contains("topNeurons must be >= 1, got 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> CrossFeatureRanking.rank(network, 2, -1));
    assertTrue(e.getMessage().contains("topFields must be >= 1, got -1"), e.getMessage());
  }

  @Test
  void crossFeatureIsAValue() {
    CrossFeature cross = new CrossFeature(4, 1.5, new int[] {1, 0}, new double[] {0.75, -0.25});
    int[] fields = cross.fields();
    fields[0] = 9;
    assertArrayEquals(new int[] {1, 0}, cross.fields());
    assertEquals(new CrossFeature(4, 1.5, new int[] {1, 0}, new double[] {0.75, -0.25}), cross);
    assertEquals("CrossFeature(neuron=4, influence=1.5, field1^0.75 · field0^-0.25)", cross.toString());
  }
}
