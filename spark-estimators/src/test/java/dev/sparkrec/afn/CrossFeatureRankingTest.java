package dev.sparkrec.afn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.train.Batch;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Importances, orders and shares of {@link CrossFeatureRanking} on hand-built networks and rows. */
class CrossFeatureRankingTest {

  private static final double TOLERANCE = 1e-5;
  private static final int FIELDS = 4;
  private static final int IDS_PER_FIELD = 3;

  /**
   * Four fields of three ids each, K = 2, three neurons, no batch norm, no hidden layer. Log weights
   * {@code W[field][neuron]}: neuron 0 crosses fields 0 and 1 only (orders 1 and 1); neuron 1 has large exponents
   * on every field but a zero output weight; neuron 2 has a large exponent on field 3, whose embedding row is
   * the same for every id, and a small one on field 2. Output weights per input {@code k·O + j}.
   */
  private static AfnNetwork network() {
    AfnNetwork network = new AfnNetwork(AfnConfig.from(new AFN().setEmbeddingDim(2).setLogNeurons(3)
        .setHiddenLayers().setBatchNorm(false), FIELDS * IDS_PER_FIELD, FIELDS));
    Map<String, float[]> values = network.parameterValues();
    values.put("afn.log.weight", new float[] {
        1f, 3f, 0f, // field 0
        1f, -3f, 0f, // field 1
        0f, 3f, 0.5f, // field 2
        0f, 3f, 5f}); // field 3
    values.put("afn.mlp.output.weight", new float[] {
        1f, 0f, 0.5f, // k 0: neurons 0, 1, 2
        1f, 0f, 0.5f}); // k 1
    float[] embedding = new float[FIELDS * IDS_PER_FIELD * 2];
    SplittableRandom random = new SplittableRandom(7);
    for (int id = 0; id < FIELDS * IDS_PER_FIELD; id++) {
      for (int k = 0; k < 2; k++) {
        // field 3's ids share one row, so its log-embedding is constant over any data
        embedding[id * 2 + k] = id / IDS_PER_FIELD == 3 ? 0.7f : (float) random.nextDouble(0.2, 2.0);
      }
    }
    values.put("afn.embedding", embedding);
    network.setParameters(values);
    return network;
  }

  /** {@code n} rows with random ids; the label follows the product of fields 0 and 1 with some noise. */
  private static Batch rows(AfnNetwork network, int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] ids = new int[n * FIELDS];
    for (int p = 0; p < ids.length; p++) {
      ids[p] = (p % FIELDS) * IDS_PER_FIELD + random.nextInt(IDS_PER_FIELD);
    }
    Batch unlabelled = Batch.of(FIELDS, ids, null, new float[n], null);
    float[] logits = new float[n];
    network.logits(new Tape().training(false), unlabelled, logits);
    float[] labels = new float[n];
    for (int r = 0; r < n; r++) {
      labels[r] = random.nextDouble() < 1 / (1 + Math.exp(-(logits[r] - 2))) ? 1f : 0f;
    }
    return Batch.of(FIELDS, ids, null, labels, null);
  }

  private static CrossFeature neuron(List<CrossFeature> ranked, int j) {
    return ranked.stream().filter(c -> c.neuron() == j).findFirst().orElseThrow();
  }

  @Test
  void aNeuronWithoutOutputWeightHasNoImportanceHoweverLargeItsExponents() {
    AfnNetwork network = network();
    List<CrossFeature> ranked = CrossFeatureRanking.rank(network, rows(network, 3000, 1), 3, 0.1);
    assertEquals(3, ranked.size());
    assertEquals(0, ranked.get(0).neuron(), ranked.toString());
    assertTrue(ranked.get(0).importance() > 0.01, ranked.toString());
    assertEquals(0.0, neuron(ranked, 1).importance(), 1e-9, ranked.toString());
    assertEquals(1, ranked.get(2).neuron(), "the unused neuron ranks last: " + ranked);
  }

  @Test
  void aNeuronIsReportedWithExactlyTheFieldsItUses() {
    AfnNetwork network = network();
    CrossFeature cross = neuron(CrossFeatureRanking.rank(network, rows(network, 3000, 2), 3, 0.1), 0);
    int[] fields = cross.fields();
    Arrays.sort(fields);
    assertArrayEquals(new int[] {0, 1}, fields, cross.toString());
    assertArrayEquals(new double[] {1, 1}, cross.orders(), TOLERANCE, cross.toString());
    assertEquals(1.0, cross.shares()[0] + cross.shares()[1], TOLERANCE, cross.toString());
  }

  @Test
  void aFieldWhoseLogEmbeddingIsConstantContributesNothing() {
    AfnNetwork network = network();
    List<CrossFeature> ranked = CrossFeatureRanking.rank(network, rows(network, 3000, 3), 3, 0.0);
    CrossFeature cross = neuron(ranked, 2); // order 5 on the constant field 3, 0.5 on field 2
    assertArrayEquals(new int[] {2}, cross.fields(), cross.toString());
    assertArrayEquals(new double[] {0.5}, cross.orders(), TOLERANCE, cross.toString());
    assertArrayEquals(new double[] {1.0}, cross.shares(), TOLERANCE, cross.toString());
    // neuron 1 spreads over the three varying fields; field 3 is never listed
    CrossFeature spread = neuron(ranked, 1);
    assertEquals(3, spread.fields().length, spread.toString());
    assertTrue(Arrays.stream(spread.fields()).noneMatch(f -> f == 3), spread.toString());
  }

  @Test
  void sharesAreAboveTheThresholdAndSumToAtMostOne() {
    AfnNetwork network = network();
    Batch rows = rows(network, 500, 4);
    for (double threshold : new double[] {0.0, 0.2, 0.34, 0.5}) {
      for (CrossFeature cross : CrossFeatureRanking.rank(network, rows, 3, threshold)) {
        double sum = 0;
        double[] shares = cross.shares();
        for (int t = 0; t < shares.length; t++) {
          assertTrue(shares[t] > threshold, cross.toString());
          assertTrue(t == 0 || shares[t] <= shares[t - 1], "largest share first: " + cross);
          sum += shares[t];
        }
        assertTrue(sum <= 1 + 1e-12, cross.toString());
      }
    }
  }

  @Test
  void withBatchNormOrdersFoldInTheScaleAndTheSpreadDecidesTheShares() {
    AfnNetwork network = new AfnNetwork(AfnConfig.from(new AFN().setEmbeddingDim(2).setLogNeurons(3)
        .setHiddenLayers(4).setBatchNorm(true).setSeed(3), FIELDS * IDS_PER_FIELD, FIELDS));
    Map<String, float[]> values = network.parameterValues();
    values.put("afn.log.weight", new float[] {1f, 0f, 0f, 1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f});
    // per field: γ/√(σ² + 0.001) = 2/2, 1/1, −1/0.5, 1/1
    values.put("afn.logNorm.gamma", new float[] {2f, 1f, -1f, 1f});
    values.put("afn.logNorm.runningVariance", new float[] {3.999f, 0.999f, 0.249f, 0.999f});
    network.setParameters(values);
    Batch rows = rows(network, 800, 5);
    List<CrossFeature> ranked = CrossFeatureRanking.rank(network, rows, 3, 0.0);
    CrossFeature first = neuron(ranked, 0); // fields 0 and 1 with order 1 and 1
    assertEquals(2, first.fields().length, first.toString());
    assertArrayEquals(new double[] {1, 1}, first.orders(), TOLERANCE, first.toString());
    CrossFeature second = neuron(ranked, 1); // field 2 with order −2
    assertArrayEquals(new int[] {2}, second.fields(), second.toString());
    assertArrayEquals(new double[] {-2}, second.orders(), TOLERANCE, second.toString());
    // the shares of neuron 0 are the ratio of the two fields' log-embedding spreads (orders are equal)
    double[] spread = new double[2];
    float[] table = network.embedding().toDense();
    double[][] mean = new double[2][2];
    for (int r = 0; r < rows.size(); r++) {
      for (int i = 0; i < 2; i++) {
        for (int k = 0; k < 2; k++) {
          mean[i][k] += Math.log(Math.max(Math.abs(table[rows.ids()[r * FIELDS + i] * 2 + k]), 1e-4f)) / rows.size();
        }
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      for (int i = 0; i < 2; i++) {
        for (int k = 0; k < 2; k++) {
          spread[i] += Math.abs(Math.log(Math.max(Math.abs(table[rows.ids()[r * FIELDS + i] * 2 + k]), 1e-4f))
              - mean[i][k]);
        }
      }
    }
    double share0 = spread[0] / (spread[0] + spread[1]);
    int at = first.fields()[0] == 0 ? 0 : 1;
    assertEquals(share0, first.shares()[at], 1e-4, first.toString());
  }

  @Test
  void keepsTheRequestedNumberAtMostAllThereAre() {
    AfnNetwork network = network();
    Batch rows = rows(network, 200, 6);
    assertEquals(1, CrossFeatureRanking.rank(network, rows, 1, 0.1).size());
    assertEquals(3, CrossFeatureRanking.rank(network, rows, 10, 0.1).size());
  }

  @Test
  void rejectsBadArguments() {
    AfnNetwork network = network();
    Batch rows = rows(network, 10, 7);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CrossFeatureRanking.rank(network, rows, 0, 0.1));
    assertTrue(e.getMessage().contains("topNeurons must be >= 1, got 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> CrossFeatureRanking.rank(network, rows, 2, 1.0));
    assertTrue(e.getMessage().contains("minFieldShare must be in [0, 1), got 1.0"), e.getMessage());
  }

  @Test
  void crossFeatureIsAValue() {
    CrossFeature cross = new CrossFeature(4, 1.5, new int[] {1, 0}, new double[] {0.75, -0.25},
        new double[] {0.6, 0.4});
    int[] fields = cross.fields();
    fields[0] = 9;
    assertArrayEquals(new int[] {1, 0}, cross.fields());
    assertEquals(new CrossFeature(4, 1.5, new int[] {1, 0}, new double[] {0.75, -0.25}, new double[] {0.6, 0.4}),
        cross);
    assertEquals("CrossFeature(neuron=4, importance=1.5, field1^0.75 [share 0.6] · field0^-0.25 [share 0.4])",
        cross.toString());
  }
}
