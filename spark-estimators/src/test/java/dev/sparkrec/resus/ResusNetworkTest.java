package dev.sparkrec.resus;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.deepfm.DeepFmConfig;
import dev.sparkrec.deepfm.DeepFmNetwork;
import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.nn.ops.WeightedAbsDistance;
import dev.sparkrec.train.Batch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The residual network: gradient checks through the ridge-regression residual (λ included) and the NN residual,
 * the ridge weights against the primal formula (XᵀX + λI)⁻¹Xᵀr, scoring from a stored adaptation against the
 * training path, the empty support, and the learned-distance op.
 */
class ResusNetworkTest {

  private static final int FIELDS = 2;
  private static final int FEATURES = 8;

  /** A small network: embedding 3, no hidden layer (a smooth encoder, φ of 3 + 6 = 9 columns), 5 support sizes. */
  static ResusConfig config(String learner, double initScale) {
    DeepFmConfig encoder = new DeepFmConfig(FEATURES, FIELDS, 3, new int[0], 1, EmbeddingLayout.uniform());
    return new ResusConfig(learner, encoder, 5, initScale, 0.7, 1e-3, 1e-2, 1, 0, 11);
  }

  static Batch rows(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] ids = new int[n * FIELDS];
    float[] values = new float[n * FIELDS];
    float[] labels = new float[n];
    for (int r = 0; r < n; r++) {
      for (int f = 0; f < FIELDS; f++) {
        ids[r * FIELDS + f] = f * (FEATURES / FIELDS) + random.nextInt(FEATURES / FIELDS);
        values[r * FIELDS + f] = (float) (0.5 + random.nextDouble());
      }
      labels[r] = random.nextBoolean() ? 1f : 0f;
    }
    return Batch.of(FIELDS, ids, values, labels, null);
  }

  static float[] logits(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) random.nextDouble(-1.5, 1.5);
    }
    return out;
  }

  /** Makes the encoder's embeddings O(1), so φ and the residuals are far from zero. */
  private static ResusNetwork network(String learner) {
    ResusNetwork network = new ResusNetwork(config(learner, 1.5));
    for (Parameter p : network.parameters()) {
      if (p.name().startsWith(DeepFmNetwork.EMBEDDING)) {
        GradientCheck.randomize(p, 5, -1, 1);
      }
    }
    float[] bias = network.parameters().stream().filter(p -> p.name().equals(ResusNetwork.BIAS)).findFirst()
        .orElseThrow().data();
    for (int i = 0; i < bias.length; i++) {
      bias[i] = 0.1f * (i + 1);
    }
    return network;
  }

  private static Input[] inputs(ResusNetwork network) {
    List<Input> inputs = new ArrayList<>();
    for (Parameter p : network.parameters()) {
      if (!p.name().startsWith(DeepFmNetwork.OUTPUT)) { // fc4 of the encoder is unused
        inputs.add(Input.of(p));
      }
    }
    return inputs.toArray(new Input[0]);
  }

  @Test
  void ridgeResidualGradientsIncludingLambda() {
    ResusNetwork network = network(ResusConfig.RR);
    Batch support = rows(4, 1);
    Batch query = rows(3, 2);
    assertGradients(t -> network.episodeLogits(t, support, logits(4, 3), query, logits(3, 4)), inputs(network));
  }

  @Test
  void nearestNeighbourResidualGradients() {
    ResusNetwork network = network(ResusConfig.NN);
    Batch support = rows(3, 5);
    Batch query = rows(2, 6);
    assertGradients(t -> network.episodeLogits(t, support, logits(3, 7), query, logits(2, 8)), inputs(network));
  }

  @Test
  void weightedAbsDistanceValuesAndGradients() {
    Tensor q = Tensor.variable(new float[] {0, 1, 2, -1, 0.5f, 3}, 2, 3);
    Tensor s = Tensor.variable(new float[] {1, 1.5f, 0, 0.3f, -2, 1}, 2, 3);
    Tensor w = Tensor.variable(new float[] {0.5f, -1, 2}, 3);
    Tensor y = WeightedAbsDistance.apply(new Tape(), q, s, w);
    // y[0,0] = .5·1 − 1·.5 + 2·2 = 4; y[0,1] = .5·.3 − 3 + 2·1 = −.85; y[1,0] = 1 − 1 + 6 = 6; y[1,1] = .65 − 2.5 + 4 = 2.15
    assertArrayEquals(new float[] {4f, -0.85f, 6f, 2.15f}, y.toArray(), 1e-5f);
    assertGradients(t -> WeightedAbsDistance.apply(t, q, s, w), Input.of("q", q), Input.of("s", s),
        Input.of("w", w));
    assertThrows(IllegalArgumentException.class,
        () -> WeightedAbsDistance.apply(new Tape(), q, Tensor.constant(new float[4], 2, 2), w));
  }

  @Test
  void ridgeWeightsAreThePrimalRidgeSolution() {
    ResusNetwork network = network(ResusConfig.RR);
    Batch support = rows(4, 9);
    float[] base = logits(4, 10);
    float[] dw = network.adapt(support, base);
    // φ(x_j) from a DeepFM network holding the encoder's parameters
    DeepFmNetwork encoder = new DeepFmNetwork(config(ResusConfig.RR, 1).encoder());
    Map<String, float[]> encoderValues = new LinkedHashMap<>();
    network.parameterValues().forEach((name, v) -> {
      if (name.startsWith("deepfm.")) {
        encoderValues.put(name, v);
      }
    });
    encoder.setParameters(encoderValues);
    float[] h = encoder.encode(new Tape().training(false), support).toArray();
    int d = encoder.encoderDim() + 1;
    int n = 4;
    double[][] a = new double[d][d + 1]; // [XᵀX + λI | Xᵀr]
    for (int j = 0; j < n; j++) {
      double[] x = new double[d];
      for (int k = 0; k < d - 1; k++) {
        x[k] = h[j * (d - 1) + k];
      }
      x[d - 1] = 1;
      double r = support.labels()[j] - 1 / (1 + Math.exp(-base[j]));
      for (int k = 0; k < d; k++) {
        for (int l = 0; l < d; l++) {
          a[k][l] += x[k] * x[l];
        }
        a[k][d] += x[k] * r;
      }
    }
    for (int k = 0; k < d; k++) {
      a[k][k] += network.lambda();
    }
    double[] expected = solve(a, d);
    assertEquals(d, dw.length);
    for (int k = 0; k < d; k++) {
      assertEquals(expected[k], dw[k], 1e-4, "ΔW[" + k + "]");
    }
  }

  /** Gauss-Jordan elimination with partial pivoting of the augmented system {@code a}. */
  private static double[] solve(double[][] a, int d) {
    for (int c = 0; c < d; c++) {
      int pivot = c;
      for (int r = c + 1; r < d; r++) {
        if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
          pivot = r;
        }
      }
      double[] tmp = a[c];
      a[c] = a[pivot];
      a[pivot] = tmp;
      for (int r = 0; r < d; r++) {
        if (r != c) {
          double f = a[r][c] / a[c][c];
          for (int k = c; k <= d; k++) {
            a[r][k] -= f * a[c][k];
          }
        }
      }
    }
    double[] x = new double[d];
    for (int r = 0; r < d; r++) {
      x[r] = a[r][d] / a[r][r];
    }
    return x;
  }

  @Test
  void scoringFromAStoredAdaptationEqualsTheTrainingPath() {
    for (String learner : new String[] {ResusConfig.RR, ResusConfig.NN}) {
      ResusNetwork network = network(learner);
      Batch support = rows(5, 12);
      Batch query = rows(6, 13);
      float[] supportBase = logits(5, 14);
      float[] queryBase = logits(6, 15);
      float[] expected = network.episodeLogits(new Tape(), support, supportBase, query, queryBase).toArray();
      float[] adaptation = network.adapt(support, supportBase);
      assertEquals(network.adaptationSize(5), adaptation.length);
      float[] actual = new float[6];
      network.score(query, queryBase, adaptation, 5, actual);
      assertArrayEquals(expected, actual, 1e-6f, learner);
      boolean differs = false;
      for (int i = 0; i < 6; i++) {
        differs |= Math.abs(actual[i] - queryBase[i]) > 1e-3;
      }
      assertTrue(differs, learner + ": the support must move the logits");
    }
  }

  @Test
  void anEmptySupportGivesTheBaseLogits() {
    ResusNetwork network = network(ResusConfig.RR);
    float[] base = logits(3, 16);
    float[] out = new float[3];
    network.score(rows(3, 17), base, new float[0], 0, out);
    assertArrayEquals(base, out);
    assertThrows(IllegalArgumentException.class, () -> network.adapt(rows(6, 18), logits(6, 19)),
        "more support rows than maxSupport");
    assertThrows(IllegalArgumentException.class, () -> network.score(rows(2, 1), logits(2, 1), new float[3], 2,
        new float[2]));
  }
}
