package dev.sparkrec.deepfm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.embedding.BlockDimensions;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.nn.embedding.FeatureBlocks;
import dev.sparkrec.nn.embedding.MixedDimensionLayout;
import dev.sparkrec.nn.embedding.SoftSelectionLayout;
import dev.sparkrec.train.Batch;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The DeepFM network: a hand-computed encoding and logit, gradient checks of the encoding (the bi-interaction vector
 * and the MLP) and of the logit and loss, its parameters under each layout, and its errors.
 */
class DeepFmNetworkTest {

  private static final int FIELDS = 3;
  private static final int IDS_PER_FIELD = 4;
  private static final int EXAMPLES = 16;

  private static DeepFmConfig config(int numFeatures, int numFields, int dim, int... hidden) {
    return new DeepFmConfig(numFeatures, numFields, dim, hidden, 5, EmbeddingLayout.uniform());
  }

  /** Ids {@code f·4 + r}, values in [0.5, 1.5], labels 0/1 and weights in [0.5, 2]. */
  private static Batch batch(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] ids = new int[EXAMPLES * FIELDS];
    float[] values = new float[ids.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i % FIELDS) * IDS_PER_FIELD + random.nextInt(IDS_PER_FIELD);
      values[i] = (float) random.nextDouble(0.5, 1.5);
    }
    float[] labels = new float[EXAMPLES];
    float[] weights = new float[EXAMPLES];
    for (int i = 0; i < EXAMPLES; i++) {
      labels[i] = i % 2;
      weights[i] = (float) random.nextDouble(0.5, 2.0);
    }
    return Batch.of(FIELDS, ids, values, labels, weights);
  }

  /**
   * Every parameter uniform in [-0.5, 0.5], except the hidden biases at 3, so that every ReLU is active and no kink
   * lies within the check's 1e-2 steps.
   */
  private static DeepFmNetwork smoothNetwork(DeepFmConfig config, long seed) {
    DeepFmNetwork network = new DeepFmNetwork(config);
    SplittableRandom random = new SplittableRandom(seed);
    for (Parameter p : network.parameters()) {
      GradientCheck.randomize(p, random.nextLong(), -0.5, 0.5);
      if (p.name().matches(".*\\.hidden\\d+\\.bias")) {
        Initializers.constant(p, 3f);
      }
    }
    return network;
  }

  private static void assertGradients(DeepFmNetwork network, Function<Tape, Tensor> forward) {
    GradientCheck.assertGradients(forward, network.parameters().stream().filter(Parameter::isTrainable)
        .map(Input::of).toArray(Input[]::new));
  }

  @Test
  void encodingAndLogitOfATwoFieldExampleAreTheHandComputedValues() {
    DeepFmNetwork network = new DeepFmNetwork(config(4, 2, 2, 2));
    Map<String, float[]> values = new LinkedHashMap<>();
    values.put(DeepFmNetwork.EMBEDDING, new float[] {1, 2, 0, 0, 0, 0, 3, -1}); // E[0] = [1, 2], E[3] = [3, -1]
    values.put("deepfm.mlp.hidden0.weight", new float[] {1, 0, 0, 1, 1, 0, 0, -1}); // [4 × 2]
    values.put("deepfm.mlp.hidden0.bias", new float[] {0.5f, -3});
    values.put("deepfm.output.weight", new float[] {1, 2, 0.5f, 7}); // [4 × 1]
    values.put("deepfm.output.bias", new float[] {0.25f});
    network.setParameters(values);
    // ids [0, 3], values [1, 0.5]: e_0 = [1, 2], e_1 = [1.5, -0.5]
    // h_fm = e_0 ⊙ e_1 = [1.5, -1]; fc1: [1 + 1.5, 2 + 0.5] + [0.5, -3] = [3, -0.5], ReLU [3, 0]
    // logit = 1.5·1 − 1·2 + 3·0.5 + 0·7 + 0.25 = 1.25
    Batch withValues = Batch.of(2, new int[] {0, 3}, new float[] {1, 0.5f}, new float[1], null);
    Tape tape = new Tape().training(false);
    Tensor h = network.encode(tape, withValues);
    assertArrayEquals(new int[] {1, 4}, h.shape());
    assertArrayEquals(new float[] {1.5f, -1, 3, 0}, h.toArray());
    assertEquals(1.25f, network.logit(tape, h).item(), 1e-6f);
    float[] out = new float[1];
    network.logits(tape, withValues, out);
    assertEquals(1.25f, out[0], 1e-6f);
    // without a values column every value is 1: h_fm = [3, -2], fc1 [4, 3] + b = [4.5, 0], ReLU [4.5, 0]
    // logit = 3 − 4 + 2.25 + 0.25 = 1.5
    network.logits(tape, Batch.of(2, new int[] {0, 3}, null, new float[1], null), out);
    assertEquals(1.5f, out[0], 1e-6f);
  }

  @Test
  void gradientsOfTheEncodingMatchFiniteDifferences() {
    DeepFmNetwork network = smoothNetwork(config(FIELDS * IDS_PER_FIELD, FIELDS, 3, 5, 4), 3);
    Batch batch = batch(7);
    assertGradients(network, tape -> network.encode(tape, batch));
    // the bi-interaction columns alone: a network without hidden layers encodes [h_fm, concat_f e_f]
    DeepFmNetwork flat = smoothNetwork(config(FIELDS * IDS_PER_FIELD, FIELDS, 3), 4);
    assertGradients(flat, tape -> flat.encode(tape, batch));
  }

  @Test
  void gradientsOfTheLogitAndTheLossMatchFiniteDifferences() {
    DeepFmNetwork network = smoothNetwork(config(FIELDS * IDS_PER_FIELD, FIELDS, 3, 5, 4), 5);
    Batch batch = batch(8);
    assertGradients(network, tape -> network.logit(tape, batch));
    assertGradients(network, tape -> network.loss(tape, batch));
  }

  @Test
  void gradientsUnderMixedDimensionsReachOnlyTheStoredEntries() {
    int rows = FIELDS * IDS_PER_FIELD;
    int[] blockOfRow = new int[rows];
    for (int r = 0; r < rows; r++) {
      blockOfRow[r] = r % 2;
    }
    MixedDimensionLayout layout = new MixedDimensionLayout(Map.of(DeepFmNetwork.EMBEDDING,
        new BlockDimensions(new FeatureBlocks(2, blockOfRow), new int[] {3, 1})));
    DeepFmNetwork network = smoothNetwork(config(rows, FIELDS, 3, 4).withEmbeddingLayout(layout), 6);
    assertEquals(List.of("deepfm.embedding.block0", "deepfm.embedding.block1", "deepfm.mlp.hidden0.weight",
        "deepfm.mlp.hidden0.bias", "deepfm.output.weight", "deepfm.output.bias"),
        network.parameters().stream().map(Parameter::name).toList());
    assertEquals(6 * 3 + 6, network.embeddingTables().get(0).embeddingParameterCount());
    Batch batch = batch(9);
    assertGradients(network, tape -> network.loss(tape, batch));
  }

  @Test
  void parametersStartAsConfiguredAndTheSameSeedGivesTheSameNetwork() {
    DeepFmConfig config = config(500, 3, 10, 400, 400, 400);
    DeepFmNetwork network = new DeepFmNetwork(config);
    assertEquals(410, network.encoderDim(), "K + the last hidden size");
    assertEquals(List.of("deepfm.embedding", "deepfm.mlp.hidden0.weight", "deepfm.mlp.hidden0.bias",
        "deepfm.mlp.hidden1.weight", "deepfm.mlp.hidden1.bias", "deepfm.mlp.hidden2.weight",
        "deepfm.mlp.hidden2.bias", "deepfm.output.weight", "deepfm.output.bias"),
        network.parameters().stream().map(Parameter::name).toList());
    assertTrue(network.parameters().get(0).isSparseRows());
    assertArrayEquals(new int[] {30, 400}, network.parameters().get(1).shape());
    assertArrayEquals(new int[] {410, 1}, network.parameters().get(7).shape());
    float[] embedding = network.parameterValues().get(DeepFmNetwork.EMBEDDING);
    double squares = 0;
    for (float e : embedding) {
      squares += e * e;
    }
    assertEquals(Math.sqrt(2.0 / (500 + 10)), Math.sqrt(squares / embedding.length), 0.003, "Glorot normal");

    DeepFmNetwork same = new DeepFmNetwork(config);
    network.parameterValues().forEach((name, v) -> assertArrayEquals(v, same.parameterValues().get(name), name));
    DeepFmNetwork other = new DeepFmNetwork(new DeepFmConfig(500, 3, 10, new int[] {400, 400, 400}, 6,
        EmbeddingLayout.uniform()));
    assertFalse(Arrays.equals(embedding, other.parameterValues().get(DeepFmNetwork.EMBEDDING)));

    DeepFmNetwork noHidden = new DeepFmNetwork(config(12, FIELDS, 4));
    assertEquals(4 + FIELDS * 4, noHidden.encoderDim(), "without hidden layers h_dnn is concat_f e_f");
    assertEquals(List.of("deepfm.embedding", "deepfm.output.weight", "deepfm.output.bias"),
        noHidden.parameters().stream().map(Parameter::name).toList());
  }

  @Test
  void softSelectionAddsTheSelectionWeightsAfterTheTable() {
    SoftSelectionLayout layout = new SoftSelectionLayout(Map.of(DeepFmNetwork.EMBEDDING,
        new FeatureBlocks(3, new int[] {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2})));
    DeepFmNetwork network = new DeepFmNetwork(config(12, FIELDS, 2, 3).withEmbeddingLayout(layout));
    assertEquals(List.of("deepfm.embedding", "deepfm.embedding.alpha", "deepfm.mlp.hidden0.weight",
        "deepfm.mlp.hidden0.bias", "deepfm.output.weight", "deepfm.output.bias"),
        network.parameters().stream().map(Parameter::name).toList());
    assertEquals(DeepFmNetwork.EMBEDDING, network.embeddingTables().get(0).name());
  }

  @Test
  void badConfigurationsBatchesAndEncodingsFailNamingTheValue() {
    IllegalArgumentException fields = assertThrows(IllegalArgumentException.class,
        () -> config(10, 0, 4, 8));
    assertTrue(fields.getMessage().contains("numFields"), fields.getMessage());
    IllegalArgumentException hidden = assertThrows(IllegalArgumentException.class,
        () -> config(10, 2, 4, 8, 0));
    assertTrue(hidden.getMessage().contains("hiddenLayers must all be > 0, got [8, 0]"), hidden.getMessage());

    DeepFmNetwork network = new DeepFmNetwork(config(12, FIELDS, 2, 3));
    IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> network.logits(new Tape(),
        Batch.of(2, new int[] {0, 1}, null, new float[1], null), new float[1]));
    assertTrue(batch.getMessage().contains("numFields = 3"), batch.getMessage());
    IllegalArgumentException encoding = assertThrows(IllegalArgumentException.class,
        () -> network.logit(new Tape(), Tensor.constant(new float[4], 1, 4)));
    assertTrue(encoding.getMessage().contains("has 5 columns"), encoding.getMessage());

    MixedDimensionLayout wrongRows = new MixedDimensionLayout(Map.of(DeepFmNetwork.EMBEDDING,
        new BlockDimensions(new FeatureBlocks(1, new int[5]), new int[] {2})));
    IllegalArgumentException blocks = assertThrows(IllegalArgumentException.class,
        () -> new DeepFmNetwork(config(12, FIELDS, 2, 3).withEmbeddingLayout(wrongRows)));
    assertTrue(blocks.getMessage().contains("'deepfm.embedding'") && blocks.getMessage().contains("cover 5 rows"),
        blocks.getMessage());
  }
}
