package dev.sparkrec.fm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
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
import org.junit.jupiter.api.Test;

/** The FM network: a hand-computed logit, its gradients, its parameters under each layout and its L2 penalty. */
class FmNetworkTest {

  private static final int FIELDS = 3;
  private static final int IDS_PER_FIELD = 4;
  private static final int EXAMPLES = 16;

  private static FmConfig config(int numFeatures, int numFields, int dim) {
    return new FmConfig(numFeatures, numFields, dim, 0.01, 5, EmbeddingLayout.uniform());
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

  @Test
  void logitOfATwoFieldExampleIsTheHandComputedValue() {
    FmNetwork network = new FmNetwork(config(4, 2, 2));
    Map<String, float[]> values = new LinkedHashMap<>();
    values.put(FmNetwork.BIAS, new float[] {0.5f}); // w0
    values.put(FmNetwork.LINEAR, new float[] {0.1f, 0, 0, -0.2f}); // b[0] = 0.1, b[3] = -0.2
    values.put(FmNetwork.EMBEDDING, new float[] {1, 2, 0, 0, 0, 0, 3, -1}); // E[0] = [1, 2], E[3] = [3, -1]
    network.setParameters(values);
    // ids [0, 3], values [1, 0.5]: v_0 = [1, 2], v_1 = [1.5, -0.5]
    // w0 + Σ b·x + <v_0, v_1> = 0.5 + (0.1 - 0.1) + (1.5 - 1) = 1.0
    float[] out = new float[2];
    Batch withValues = Batch.of(2, new int[] {0, 3, 3, 0}, new float[] {1, 0.5f, 1, 1}, new float[2], null);
    network.logits(new Tape().training(false), withValues, out);
    assertEquals(1.0f, out[0], 1e-6f);
    // ids [3, 0], values 1: 0.5 + (-0.2 + 0.1) + (3 - 2) = 1.4
    assertEquals(1.4f, out[1], 1e-6f);
    // without a values column every value is 1
    network.logits(new Tape().training(false), Batch.of(2, new int[] {0, 3}, null, new float[1], null), out);
    assertEquals(1.4f, out[0], 1e-6f);
  }

  @Test
  void gradientsOfTheLossMatchFiniteDifferences() {
    FmNetwork network = new FmNetwork(config(FIELDS * IDS_PER_FIELD, FIELDS, 3));
    SplittableRandom random = new SplittableRandom(3);
    for (Parameter p : network.parameters()) {
      GradientCheck.randomize(p, random.nextLong(), -0.8, 0.8);
    }
    Batch batch = batch(7);
    GradientCheck.assertGradients(tape -> network.loss(tape, batch),
        network.parameters().stream().map(Input::of).toArray(Input[]::new));
  }

  @Test
  void gradientsUnderMixedDimensionsReachOnlyTheStoredEntries() {
    int rows = FIELDS * IDS_PER_FIELD;
    int[] blockOfRow = new int[rows];
    for (int r = 0; r < rows; r++) {
      blockOfRow[r] = r % 2;
    }
    MixedDimensionLayout layout = new MixedDimensionLayout(Map.of(FmNetwork.EMBEDDING,
        new BlockDimensions(new FeatureBlocks(2, blockOfRow), new int[] {3, 1})));
    FmNetwork network = new FmNetwork(config(rows, FIELDS, 3).withEmbeddingLayout(layout));
    assertEquals(List.of("fm.bias", "fm.linear", "fm.embedding.block0", "fm.embedding.block1"),
        network.parameters().stream().map(Parameter::name).toList());
    assertEquals(6 * 3 + 6, network.embeddingTables().get(0).embeddingParameterCount());
    SplittableRandom random = new SplittableRandom(4);
    for (Parameter p : network.parameters()) {
      GradientCheck.randomize(p, random.nextLong(), -0.8, 0.8);
    }
    Batch batch = batch(8);
    GradientCheck.assertGradients(tape -> network.loss(tape, batch),
        network.parameters().stream().map(Input::of).toArray(Input[]::new));
  }

  @Test
  void parametersStartAsConfiguredAndTheSameSeedGivesTheSameNetwork() {
    FmConfig config = new FmConfig(50, 3, 4, 0.01, 11, EmbeddingLayout.uniform());
    FmNetwork network = new FmNetwork(config);
    assertEquals(List.of("fm.bias", "fm.linear", "fm.embedding"),
        network.parameters().stream().map(Parameter::name).toList());
    assertArrayEquals(new float[1], network.parameterValues().get(FmNetwork.BIAS));
    assertArrayEquals(new float[50], network.parameterValues().get(FmNetwork.LINEAR));
    float[] embedding = network.parameterValues().get(FmNetwork.EMBEDDING);
    double squares = 0;
    for (float e : embedding) {
      squares += e * e;
    }
    assertEquals(0.01, Math.sqrt(squares / embedding.length), 0.002, "N(0, 0.01²)");
    assertTrue(network.parameters().get(1).isSparseRows() && network.parameters().get(2).isSparseRows());

    FmNetwork same = new FmNetwork(config);
    network.parameterValues().forEach((name, v) -> assertArrayEquals(v, same.parameterValues().get(name), name));
    FmNetwork other = new FmNetwork(new FmConfig(50, 3, 4, 0.01, 12, EmbeddingLayout.uniform()));
    assertFalse(Arrays.equals(embedding, other.parameterValues().get(FmNetwork.EMBEDDING)));
  }

  @Test
  void softSelectionAddsTheSelectionWeightsAfterTheTable() {
    int rows = FIELDS * IDS_PER_FIELD;
    SoftSelectionLayout layout = new SoftSelectionLayout(Map.of(FmNetwork.EMBEDDING,
        new FeatureBlocks(3, new int[] {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2})));
    FmNetwork network = new FmNetwork(config(rows, FIELDS, 2).withEmbeddingLayout(layout));
    assertEquals(List.of("fm.bias", "fm.linear", "fm.embedding", "fm.embedding.alpha"),
        network.parameters().stream().map(Parameter::name).toList());
    assertEquals(FmNetwork.EMBEDDING, network.embeddingTables().get(0).name());
  }

  @Test
  void embeddingL2PenalisesOnlyTheTouchedEmbeddingRows() {
    FmNetwork network = new FmNetwork(config(FIELDS * IDS_PER_FIELD, FIELDS, 2));
    for (Parameter p : network.parameters()) {
      GradientCheck.randomize(p, 1, 0.5, 1.0);
    }
    Tape tape = new Tape().training(true);
    Batch one = Batch.of(FIELDS, new int[] {0, 4, 8}, null, new float[] {1}, null);
    tape.backward(network.loss(tape, one));
    Map<String, float[]> before = new LinkedHashMap<>();
    network.parameters().forEach(p -> before.put(p.name(), p.grad().clone()));
    FmNetwork.embeddingL2(0.5).apply(network.parameters());
    Parameter embedding = network.parameters().get(2);
    for (int i = 0; i < embedding.size(); i++) {
      int row = i / 2;
      double expected = before.get(FmNetwork.EMBEDDING)[i] + (row % 4 == 0 ? 0.5 * embedding.data()[i] : 0);
      assertEquals(expected, embedding.grad()[i], 1e-6, "entry " + i);
    }
    assertArrayEquals(before.get(FmNetwork.LINEAR), network.parameters().get(1).grad(), "first order unpenalised");
    assertArrayEquals(before.get(FmNetwork.BIAS), network.parameters().get(0).grad(), "bias unpenalised");
    assertThrows(IllegalArgumentException.class, () -> FmNetwork.embeddingL2(-1));
  }

  @Test
  void badConfigurationsAndBatchesFailNamingTheValue() {
    IllegalArgumentException fields = assertThrows(IllegalArgumentException.class,
        () -> new FmConfig(10, 0, 4, 0.01, 1, EmbeddingLayout.uniform()));
    assertTrue(fields.getMessage().contains("numFields"), fields.getMessage());
    IllegalArgumentException std = assertThrows(IllegalArgumentException.class,
        () -> new FmConfig(10, 2, 4, -1, 1, EmbeddingLayout.uniform()));
    assertTrue(std.getMessage().contains("initStd"), std.getMessage());

    FmNetwork network = new FmNetwork(config(12, FIELDS, 2));
    IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> network.logits(new Tape(),
        Batch.of(2, new int[] {0, 1}, null, new float[1], null), new float[1]));
    assertTrue(batch.getMessage().contains("numFields = 3"), batch.getMessage());

    MixedDimensionLayout wrongRows = new MixedDimensionLayout(Map.of(FmNetwork.EMBEDDING,
        new BlockDimensions(new FeatureBlocks(1, new int[5]), new int[] {2})));
    IllegalArgumentException blocks = assertThrows(IllegalArgumentException.class,
        () -> new FmNetwork(config(12, FIELDS, 2).withEmbeddingLayout(wrongRows)));
    assertTrue(blocks.getMessage().contains("'fm.embedding'") && blocks.getMessage().contains("cover 5 rows"),
        blocks.getMessage());
  }
}
