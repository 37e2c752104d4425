package dev.sparkrec.fia;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.train.Batch;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The two rating networks: their losses equal the documented objectives (recomputed here in double from the
 * parameter tables) and their gradients, regularisation included, pass a finite-difference check.
 */
class RatingNetworksTest {

  private static final int USERS = 4;
  private static final int ITEMS = 5;
  private static final int EXAMPLES = 12;

  /** Examples over every user and item, ratings in [1, 5], weights in [0, 2] (one weight 0). */
  static Batch batch(long seed, boolean weighted, boolean binary) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] ids = new int[2 * EXAMPLES];
    float[] labels = new float[EXAMPLES];
    float[] weights = weighted ? new float[EXAMPLES] : null;
    for (int e = 0; e < EXAMPLES; e++) {
      ids[2 * e] = e % USERS;
      ids[2 * e + 1] = USERS + e % ITEMS;
      labels[e] = binary ? e % 2 : 1 + random.nextInt(9) * 0.5f;
      if (weighted) {
        weights[e] = e == 3 ? 0f : (float) random.nextDouble(0.2, 2.0);
      }
    }
    return Batch.of(2, ids, null, labels, weights);
  }

  private static MatrixFactorizationNetwork mf(double regParam) {
    MatrixFactorizationNetwork network =
        new MatrixFactorizationNetwork(new MatrixFactorizationNetwork.Config(USERS, ITEMS, 3, 3.5, regParam, 0.5, 9));
    SplittableRandom random = new SplittableRandom(4);
    for (Parameter p : network.parameters()) {
      GradientCheck.randomize(p, random.nextLong(), -0.8, 0.8); // biases too, so b² is exercised
    }
    return network;
  }

  private static NeuralCfNetwork ncf(String loss, double regParam, double denseL2) {
    NeuralCfNetwork network = new NeuralCfNetwork(new NeuralCfNetwork.Config(USERS, ITEMS, 3, new int[] {4, 2},
        loss, regParam, denseL2, 0.5, 3.5, 9));
    SplittableRandom random = new SplittableRandom(6);
    for (Parameter p : network.parameters()) {
      if (p.name().matches("ncf\\.mlp\\.hidden\\d\\.bias")) {
        Initializers.constant(p, 3f); // every ReLU active: no kink within the check's steps
      } else {
        GradientCheck.randomize(p, random.nextLong(), -0.8, 0.8);
      }
    }
    return network;
  }

  private static GradientCheck.Input[] inputs(Iterable<Parameter> parameters) {
    java.util.List<GradientCheck.Input> inputs = new java.util.ArrayList<>();
    parameters.forEach(p -> inputs.add(GradientCheck.Input.of(p)));
    return inputs.toArray(new GradientCheck.Input[0]);
  }

  /** Σ w [(r̂ − r)² + λ(‖p_u‖² + b_u² + ‖q_i‖² + b_i²)] / Σ w, in double from the tables. */
  private static double mfObjective(Map<String, float[]> v, Batch batch, double mean, double lambda, int k) {
    double sum = 0;
    double weights = 0;
    for (int e = 0; e < batch.size(); e++) {
      int u = batch.ids()[2 * e];
      int i = batch.ids()[2 * e + 1] - USERS;
      double w = batch.weights() == null ? 1 : batch.weights()[e];
      double prediction = mean + v.get("mf.userBias")[u] + v.get("mf.itemBias")[i];
      double norms = square(v.get("mf.userBias")[u]) + square(v.get("mf.itemBias")[i]);
      for (int f = 0; f < k; f++) {
        double p = v.get("mf.userFactors")[u * k + f];
        double q = v.get("mf.itemFactors")[i * k + f];
        prediction += p * q;
        norms += p * p + q * q;
      }
      sum += w * (square(prediction - batch.labels()[e]) + lambda * norms);
      weights += w;
    }
    return sum / weights;
  }

  @Test
  void matrixFactorisationLossIsThePerRatingRegularisedObjective() {
    for (boolean weighted : new boolean[] {false, true}) {
      MatrixFactorizationNetwork network = mf(0.3);
      Batch batch = batch(1, weighted, false);
      float loss = network.loss(new Tape(), batch).item();
      assertEquals(mfObjective(network.parameterValues(), batch, 3.5, 0.3, 3), loss, 1e-5);
    }
  }

  @Test
  void matrixFactorisationPredictsMeanPlusDotPlusBiases() {
    MatrixFactorizationNetwork network = mf(0.1);
    Batch batch = batch(2, false, false);
    float[] out = new float[EXAMPLES];
    network.logits(new Tape().training(false), batch, out);
    Map<String, float[]> v = network.parameterValues();
    for (int e = 0; e < EXAMPLES; e++) {
      int u = e % USERS;
      int i = e % ITEMS;
      double expected = 3.5 + v.get("mf.userBias")[u] + v.get("mf.itemBias")[i];
      for (int f = 0; f < 3; f++) {
        expected += v.get("mf.userFactors")[u * 3 + f] * v.get("mf.itemFactors")[i * 3 + f];
      }
      assertEquals(expected, out[e], 1e-5, "example " + e);
    }
  }

  @Test
  void matrixFactorisationGradientsIncludeTheRegularisation() {
    for (boolean weighted : new boolean[] {false, true}) {
      MatrixFactorizationNetwork network = mf(0.3);
      Batch batch = batch(3, weighted, false);
      GradientCheck.assertGradients(tape -> network.loss(tape, batch), inputs(network.parameters()));
    }
  }

  @Test
  void neuralCfLossIsTheDocumentedObjective() {
    NeuralCfNetwork network = ncf(NeuralCfNetwork.MSE, 0.2, 0.05);
    Batch batch = batch(4, true, false);
    float loss = network.loss(new Tape(), batch).item();
    NeuralCfWeights shared = network.sharedWeights();
    Map<String, float[]> v = network.parameterValues();
    double sum = 0;
    double weights = 0;
    for (int e = 0; e < batch.size(); e++) {
      int u = batch.ids()[2 * e];
      int i = batch.ids()[2 * e + 1] - USERS;
      float[] user = concat(row(v.get("ncf.userMlp"), u), row(v.get("ncf.userGmf"), u));
      float[] item = concat(row(v.get("ncf.itemMlp"), i), row(v.get("ncf.itemGmf"), i));
      double f = NeuralCfReference.predict(shared, user, item);
      double w = batch.weights()[e];
      sum += w * (square(f - batch.labels()[e]) + 0.2 * (NeuralCfReference.squaredNorm(user)
          + NeuralCfReference.squaredNorm(item)));
      weights += w;
    }
    double dense = 0;
    for (int l = 0; l < shared.hiddenLayers(); l++) {
      dense += NeuralCfReference.squaredNorm(shared.hiddenWeights(l));
    }
    dense += NeuralCfReference.squaredNorm(shared.outputWeights());
    assertEquals(sum / weights + 0.05 * dense, loss, 1e-4);

    float[] out = new float[EXAMPLES];
    network.logits(new Tape().training(false), batch, out);
    float[] user = concat(row(v.get("ncf.userMlp"), 1), row(v.get("ncf.userGmf"), 1));
    float[] item = concat(row(v.get("ncf.itemMlp"), 1), row(v.get("ncf.itemGmf"), 1));
    assertEquals(NeuralCfReference.predict(shared, user, item), out[1], 1e-5, "example 1 is (user 1, item 1)");
  }

  @Test
  void neuralCfGradientsIncludeBothPenalties() {
    for (String loss : new String[] {NeuralCfNetwork.MSE, NeuralCfNetwork.BCE}) {
      NeuralCfNetwork network = ncf(loss, 0.2, 0.05);
      Batch batch = batch(5, true, NeuralCfNetwork.BCE.equals(loss));
      GradientCheck.assertGradients(tape -> network.loss(tape, batch), inputs(network.parameters()));
    }
  }

  @Test
  void neuralCfWithoutHiddenLayersFeedsTheEmbeddingsToTheOutput() {
    NeuralCfNetwork network = new NeuralCfNetwork(new NeuralCfNetwork.Config(USERS, ITEMS, 2, new int[0],
        NeuralCfNetwork.MSE, 0.1, 0.0, 0.3, 3.0, 1));
    assertEquals(0, network.sharedWeights().hiddenLayers());
    assertEquals(3 * 2, network.sharedWeights().outputWeights().length);
    assertEquals(3f, network.sharedWeights().outputBias());
    Batch batch = batch(6, false, false);
    GradientCheck.assertGradients(tape -> network.loss(tape, batch), inputs(network.parameters()));
  }

  @Test
  void networksRoundTripTheirParametersAndRejectBadIds() {
    MatrixFactorizationNetwork network = mf(0.1);
    MatrixFactorizationNetwork copy = new MatrixFactorizationNetwork(network.config(), network.parameterValues());
    network.parameterValues().forEach((name, values) -> assertArrayEquals(values, copy.parameterValues().get(name)));
    Map<String, float[]> missing = new java.util.HashMap<>(network.parameterValues());
    missing.remove("mf.itemBias");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new MatrixFactorizationNetwork(network.config(), missing));
    assertTrue(e.getMessage().startsWith("missing value for parameter mf.itemBias"), e.getMessage());

    Batch bad = Batch.of(2, new int[] {0, USERS + ITEMS}, null, new float[] {3f}, null);
    IllegalArgumentException badIds = assertThrows(IllegalArgumentException.class,
        () -> network.logits(new Tape(), bad, new float[1]));
    assertEquals("example 0 has feature ids [0, 9]; a rating needs [userIndex, 4 + itemIndex] with userIndex in "
        + "[0, 4) and itemIndex in [0, 5)", badIds.getMessage());
  }

  /** Row {@code index} of a table 3 wide. */
  static float[] row(float[] table, int index) {
    return java.util.Arrays.copyOfRange(table, index * 3, (index + 1) * 3);
  }

  static float[] concat(float[] a, float[] b) {
    float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static double square(double x) {
    return x * x;
  }
}
