package dev.sparkrec.afn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.embedding.BlockDimensions;
import dev.sparkrec.nn.embedding.FeatureBlocks;
import dev.sparkrec.nn.embedding.MixedDimensionLayout;
import dev.sparkrec.nn.embedding.SoftSelectionEmbedding;
import dev.sparkrec.nn.embedding.SoftSelectionLayout;
import dev.sparkrec.nn.ops.BceWithLogits;
import dev.sparkrec.nn.ops.Sigmoid;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.ModelFactory;
import dev.sparkrec.train.TrainableModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The AFN and AFN+ forward passes, parameters and initialisation, with values computed by hand. */
class AfnNetworkTest {

  private static final int FIELDS = 3;
  private static final int IDS_PER_FIELD = 4;

  /** Small AFN sizes, set as an estimator's params. */
  private static AFN tiny() {
    return new AFN().setEmbeddingDim(2).setLogNeurons(4).setHiddenLayers(3).setDnnHiddenLayers(3).setSeed(5);
  }

  /** The network configuration of {@code params} for {@value #FIELDS} fields of {@value #IDS_PER_FIELD} ids. */
  private static AfnConfig config(AFN params) {
    return AfnConfig.from(params, FIELDS * IDS_PER_FIELD, FIELDS);
  }

  /** {@code n} examples with ids {@code f·4 + r}, values in [0.1, 1], alternating labels and weights in [0.5, 2]. */
  private static Batch batch(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] ids = new int[n * FIELDS];
    float[] values = new float[ids.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i % FIELDS) * IDS_PER_FIELD + random.nextInt(IDS_PER_FIELD);
      values[i] = (float) random.nextDouble(0.1, 1.0);
    }
    float[] labels = new float[n];
    float[] weights = new float[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
      weights[i] = (float) random.nextDouble(0.5, 2.0);
    }
    return Batch.of(FIELDS, ids, values, labels, weights);
  }

  private static float[] logits(AfnNetwork network, Batch batch, boolean training) {
    float[] out = new float[batch.size()];
    network.logits(new Tape().training(training), batch, out);
    return out;
  }

  private static Parameter parameter(AfnNetwork network, String name) {
    for (Parameter p : network.parameters()) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new AssertionError("no parameter " + name);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Golden values

  /** One neuron, no batch norm and no hidden layer, every weight fixed: the AFN of the paper's equation by hand. */
  private static AfnNetwork goldenNetwork() {
    AfnNetwork network = new AfnNetwork(AfnConfig.from(new AFN().setEmbeddingDim(2)
        .setLogNeurons(1).setHiddenLayers().setBatchNorm(false), 6, 3));
    Map<String, float[]> values = new LinkedHashMap<>();
    values.put("afn.embedding", new float[] {
        0.5f, -0.8f,
        2e-5f, 1.5f, // 2e-5 is below the 1e-4 floor
        -0.3f, 0.9f,
        1.2f, 0.25f,
        0.7f, -0.05f,
        0.4f, 0.6f});
    values.put("afn.log.weight", new float[] {0.5f, -1.25f, 2.0f});
    values.put("afn.log.bias", new float[] {0.3f});
    values.put("afn.mlp.output.weight", new float[] {0.7f, -0.2f});
    values.put("afn.mlp.output.bias", new float[] {0.1f});
    network.setParameters(values);
    return network;
  }

  /**
   * Example 0: ids 0, 2, 4 with values 0.8, 1.7 (clipped to 1), 0.5; example 1: ids 1, 3, 5 with values 0.0005
   * (clipped to 0.001), 0.6, 1.
   */
  private static Batch goldenBatch() {
    return Batch.of(3, new int[] {0, 2, 4, 1, 3, 5}, new float[] {0.8f, 1.7f, 0.5f, 0.0005f, 0.6f, 1.0f},
        new float[] {1, 0}, null);
  }

  @Test
  void logarithmicNeuronIsThePowerProductOfTheEmbeddings() {
    AfnNetwork network = goldenNetwork();
    Tensor y = network.logarithmicLayer(new Tape().training(true), goldenBatch());
    assertArrayEquals(new int[] {2, 2, 1}, y.shape());
    // y_k = e^{b}·Π_i (max(|E[id_i][k]|, 1e-4)·clip(x_i, 0.001, 1))^{w_i}, w = (0.5, −1.25, 2), b = 0.3:
    // example 0, k 0: e^{0.3}·(0.5·0.8)^{0.5}·(0.3·1)^{−1.25}·(0.7·0.5)^{2} = 0.471035
    // example 0, k 1: e^{0.3}·(0.8·0.8)^{0.5}·(0.9·1)^{−1.25}·(0.05·0.5)^{2} = 0.000769937
    // example 1, k 0: e^{0.3}·(1e-4·0.001)^{0.5}·(1.2·0.6)^{−1.25}·(0.4·1)^{2} = 0.000102978
    // example 1, k 1: e^{0.3}·(1.5·0.001)^{0.5}·(0.25·0.6)^{−1.25}·(0.6·1)^{2} = 0.201615
    double[] expected = {0.4710346553065048, 0.0007699370382472786, 0.00010297758595402563, 0.20161479615308384};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], y.data()[i], 1e-5 * expected[i], "output " + i);
    }
    // the logit: Σ_k y_k·v_k + c with v = (0.7, −0.2), c = 0.1
    float[] logits = logits(network, goldenBatch(), false);
    assertEquals(0.7 * expected[0] - 0.2 * expected[1] + 0.1, logits[0], 1e-6);
    assertEquals(0.7 * expected[2] - 0.2 * expected[3] + 0.1, logits[1], 1e-6);
  }

  /**
   * Under mixed dimensions a pruned entry enters the logarithmic layer as {@code ln 1 = 0}: the golden network with
   * id 2 (field 1 of example 0) keeping only dimension 0 drops that field's factor {@code (0.9·1)^{−1.25}} from
   * {@code y_1} of example 0 and changes nothing else; under soft selection α scales {@code ln e} itself.
   */
  @Test
  void aPrunedEntryIsANeutralFactorOfTheLogarithmicNeurons() {
    AfnNetwork golden = goldenNetwork();
    FeatureBlocks blocks = new FeatureBlocks(2, new int[] {0, 0, 1, 0, 0, 0});
    BlockDimensions dims = new BlockDimensions(blocks, new int[][] {{0, 1}, {0}});
    AfnNetwork mixed = new AfnNetwork(golden.config().withEmbeddingLayout(new MixedDimensionLayout(
        Map.of(AfnNetwork.EMBEDDING, dims), Map.of(AfnNetwork.EMBEDDING, golden.embedding().toDense()))));
    Map<String, float[]> values = golden.parameterValues();
    values.remove(AfnNetwork.EMBEDDING);
    for (Map.Entry<String, float[]> table : mixed.parameterValues().entrySet()) {
      if (table.getKey().startsWith(AfnNetwork.EMBEDDING)) {
        values.put(table.getKey(), table.getValue());
      }
    }
    mixed.setParameters(values);
    float[] y = mixed.logarithmicLayer(new Tape().training(true), goldenBatch()).data();
    double[] expected = {0.4710346553065048, 0.0007699370382472786 * Math.pow(0.9, 1.25), 0.00010297758595402563,
        0.20161479615308384};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], y[i], 1e-5 * expected[i], "output " + i);
    }

    AfnNetwork soft = new AfnNetwork(golden.config().withEmbeddingLayout(
        new SoftSelectionLayout(Map.of(AfnNetwork.EMBEDDING, blocks))));
    Map<String, float[]> softValues = golden.parameterValues();
    softValues.put(SoftSelectionEmbedding.alphaName(AfnNetwork.EMBEDDING), new float[] {1f, 1f, 1f, 0.5f});
    soft.setParameters(softValues);
    float[] ys = soft.logarithmicLayer(new Tape().training(true), goldenBatch()).data();
    assertEquals(0.0007699370382472786 * Math.pow(0.9, 1.25 / 2), ys[1], 1e-5 * ys[1], "(0.9)^{−1.25·0.5}");
    assertEquals(expected[0], ys[0], 1e-5 * expected[0]);
  }

  @Test
  void exponentIsClampedSoOutputsStayFinite() {
    AfnNetwork network = goldenNetwork();
    Map<String, float[]> values = network.parameterValues();
    values.put("afn.log.weight", new float[] {0f, 100f, 0f});
    network.setParameters(values);
    Batch batch = Batch.of(3, new int[] {0, 3, 4, 0, 2, 4}, new float[] {1, 1, 1, 1, 1, 1}, new float[] {1, 0}, null);
    Tensor y = network.logarithmicLayer(new Tape().training(true), batch);
    // example 0: 100·ln(1.2) + 0.3 = 18.53 and 100·ln(0.25) + 0.3 = −138.3 (clamped to −60)
    assertEquals(Math.exp(100 * Math.log(1.2f) + 0.3), y.data()[0], 1e-5 * y.data()[0]);
    assertEquals((float) Math.exp(-60), y.data()[1]);
    // example 1: 100·ln(0.3) + 0.3 = −120.1 (clamped to −60), 100·ln(0.9) + 0.3 = −10.2
    assertEquals((float) Math.exp(-60), y.data()[2]);
    values.put("afn.log.weight", new float[] {0f, -100f, 0f});
    network.setParameters(values);
    y = network.logarithmicLayer(new Tape().training(true), batch);
    assertEquals((float) Math.exp(60), y.data()[1]); // −100·ln(0.25) + 0.3 = 138.9, clamped to 60
    for (float logit : logits(network, batch, false)) {
      assertTrue(Float.isFinite(logit), "logit " + logit);
    }
  }

  @Test
  void missingValuesMeanOne() {
    AfnNetwork network = new AfnNetwork(config(tiny().setEnsemble(true)));
    Batch withValues = batch(6, 1);
    float[] ones = new float[withValues.values().length];
    java.util.Arrays.fill(ones, 1f);
    Batch explicitOnes = Batch.of(FIELDS, withValues.ids(), ones, withValues.labels(), null);
    Batch noValues = Batch.of(FIELDS, withValues.ids(), null, withValues.labels(), null);
    assertArrayEquals(logits(network, explicitOnes, false), logits(network, noValues, false));
    assertEquals(network.loss(new Tape(), explicitOnes).item(), network.loss(new Tape(), noValues).item());
  }

  @Test
  void valuesAboveOneAreClippedToOne() {
    AfnNetwork network = new AfnNetwork(config(tiny().setEnsemble(true)));
    Batch batch = batch(6, 2);
    float[] large = batch.values().clone();
    float[] clipped = batch.values().clone();
    large[4] = 7.5f;
    clipped[4] = 1f;
    assertArrayEquals(logits(network, Batch.of(FIELDS, batch.ids(), clipped, batch.labels(), null), false),
        logits(network, Batch.of(FIELDS, batch.ids(), large, batch.labels(), null), false));
  }

  @Test
  void lossIsTheWeightedCrossEntropyOfTheLogit() {
    AfnNetwork network = new AfnNetwork(config(tiny()));
    Batch batch = batch(10, 3);
    float[] z = logits(network, batch, true);
    double loss = 0;
    double weights = 0;
    for (int i = 0; i < z.length; i++) {
      double p = 1 / (1 + Math.exp(-z[i]));
      double y = batch.labels()[i];
      loss -= batch.weights()[i] * (y * Math.log(p) + (1 - y) * Math.log(1 - p)); // −[y ln p + (1 − y) ln(1 − p)]
      weights += batch.weights()[i];
    }
    assertEquals(loss / weights, network.loss(new Tape().training(true), batch).item(), 1e-5);
  }

  // ---------------------------------------------------------------------------------------------------------
  // AFN+

  @Test
  void ensembleStartsAsTheMeanOfTheBranchLogits() {
    AfnNetwork plus = new AfnNetwork(config(tiny().setEnsemble(true)));
    assertArrayEquals(new float[] {0.5f, 0.5f}, parameter(plus, "ensemble.weight").data());
    assertArrayEquals(new float[] {0f}, parameter(plus, "ensemble.bias").data());

    Batch batch = batch(8, 4);
    float[] afn = logits(new AfnNetwork(config(tiny())), batch, false); // same seed: the same AFN branch
    float[] ensemble = logits(plus, batch, false);
    Map<String, float[]> values = plus.parameterValues();
    values.put("ensemble.weight", new float[] {1f, 0f});
    plus.setParameters(values);
    float[] dnn = logits(plus, batch, false);
    for (int i = 0; i < batch.size(); i++) {
      assertEquals(0.5 * dnn[i] + 0.5 * afn[i], ensemble[i], 1e-6); // y = w1·y_dnn + w2·y_afn + b
    }
  }

  /** The gradient of every parameter after {@code loss} and backward, by name. */
  private static Map<String, float[]> gradients(AfnNetwork network, Batch batch) {
    for (Parameter p : network.parameters()) {
      if (p.isTrainable()) {
        p.zeroGrad();
      }
    }
    Tape tape = new Tape().training(true);
    tape.backward(network.loss(tape, batch));
    Map<String, float[]> grads = new LinkedHashMap<>();
    for (Parameter p : network.parameters()) {
      if (p.isTrainable()) {
        grads.put(p.name(), java.util.Arrays.copyOf(p.grad(), p.size()));
      }
    }
    return grads;
  }

  @Test
  void branchesLearnOnlyFromTheirOwnLoss() {
    Batch batch = batch(16, 5);
    AfnNetwork plus = new AfnNetwork(config(tiny().setEnsemble(true)));
    Map<String, float[]> atInit = gradients(plus, batch);
    Map<String, float[]> values = plus.parameterValues();
    values.put("ensemble.weight", new float[] {3.0f, -2.0f});
    values.put("ensemble.bias", new float[] {0.7f});
    plus.setParameters(values);
    Map<String, float[]> reweighted = gradients(plus, batch);
    // the branches' gradients do not depend on the ensemble weights: no gradient flows back through w1, w2
    for (String name : atInit.keySet()) {
      if (!name.startsWith("ensemble.")) {
        assertArrayEquals(atInit.get(name), reweighted.get(name), name);
      }
    }
    // and the AFN branch's gradient is exactly plain AFN's (BCE(y_afn) only)
    Map<String, float[]> plain = gradients(new AfnNetwork(config(tiny())), batch);
    for (String name : plain.keySet()) {
      assertArrayEquals(plain.get(name), reweighted.get(name), name);
    }
  }

  @Test
  void ensembleScalarsLearnOnlyFromTheEnsembleLoss() {
    Batch batch = batch(16, 6);
    AfnNetwork plus = new AfnNetwork(config(tiny().setEnsemble(true)));
    Map<String, float[]> values = plus.parameterValues();
    values.put("ensemble.weight", new float[] {0.8f, 0.3f});
    values.put("ensemble.bias", new float[] {-0.2f});
    plus.setParameters(values);
    float[] afn = logits(new AfnNetwork(config(tiny())), batch, true);
    values.put("ensemble.weight", new float[] {1f, 0f});
    values.put("ensemble.bias", new float[] {0f});
    plus.setParameters(values);
    float[] dnn = logits(plus, batch, true);
    values.put("ensemble.weight", new float[] {0.8f, 0.3f});
    values.put("ensemble.bias", new float[] {-0.2f});
    plus.setParameters(values);
    Map<String, float[]> grads = gradients(plus, batch);
    // dBCE(y)/dw1 = Σ w_i(σ(y_i) − l_i)·y_dnn,i / Σ w_i, likewise w2 with y_afn and b with 1
    double g1 = 0;
    double g2 = 0;
    double gb = 0;
    double weightSum = 0;
    for (int i = 0; i < batch.size(); i++) {
      double y = 0.8 * dnn[i] + 0.3 * afn[i] - 0.2;
      double residual = batch.weights()[i] * (Sigmoid.sigmoid(y) - batch.labels()[i]);
      g1 += residual * dnn[i];
      g2 += residual * afn[i];
      gb += residual;
      weightSum += batch.weights()[i];
    }
    assertEquals(g1 / weightSum, grads.get("ensemble.weight")[0], 1e-5);
    assertEquals(g2 / weightSum, grads.get("ensemble.weight")[1], 1e-5);
    assertEquals(gb / weightSum, grads.get("ensemble.bias")[0], 1e-5);
  }

  @Test
  void afnPlusLossIsTheSumOfThreeCrossEntropies() {
    Batch batch = batch(12, 7);
    AfnNetwork plus = new AfnNetwork(config(tiny().setEnsemble(true)));
    float[] ensemble = logits(plus, batch, true);
    float[] afn = logits(new AfnNetwork(config(tiny())), batch, true);
    Map<String, float[]> values = plus.parameterValues();
    values.put("ensemble.weight", new float[] {1f, 0f});
    plus.setParameters(values);
    float[] dnn = logits(plus, batch, true);
    values.put("ensemble.weight", new float[] {0.5f, 0.5f});
    plus.setParameters(values);
    double expected = crossEntropy(ensemble, batch) + crossEntropy(dnn, batch) + crossEntropy(afn, batch);
    assertEquals(expected, plus.loss(new Tape().training(true), batch).item(), 1e-5);
  }

  private static double crossEntropy(float[] z, Batch batch) {
    return BceWithLogits.apply(new Tape(), Tensor.constant(z, z.length), batch.labels(), batch.weights()).item();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Parameters

  @Test
  void parametersHaveAFixedOrderAndUniqueNames() {
    AfnNetwork network = new AfnNetwork(config(tiny().setEnsemble(true)));
    List<String> names = new ArrayList<>();
    for (Parameter p : network.parameters()) {
      names.add(p.name());
    }
    List<String> expected = new ArrayList<>();
    expected.add("afn.embedding");
    batchNorm(expected, "afn.logNorm");
    expected.add("afn.log.weight");
    expected.add("afn.log.bias");
    batchNorm(expected, "afn.expNorm");
    expected.add("afn.mlp.hidden0.weight");
    expected.add("afn.mlp.hidden0.bias");
    batchNorm(expected, "afn.mlp.bn0");
    expected.add("afn.mlp.output.weight");
    expected.add("afn.mlp.output.bias");
    expected.add("dnn.embedding");
    expected.add("dnn.mlp.hidden0.weight");
    expected.add("dnn.mlp.hidden0.bias");
    batchNorm(expected, "dnn.mlp.bn0");
    expected.add("dnn.mlp.output.weight");
    expected.add("dnn.mlp.output.bias");
    expected.add("ensemble.weight");
    expected.add("ensemble.bias");
    assertEquals(expected, names);
    assertEquals(names.size(), new HashSet<>(names).size());
    for (Parameter p : network.parameters()) {
      assertEquals(p.name().endsWith("embedding"), p.isSparseRows(), p.name());
      assertEquals(!p.name().contains(".running"), p.isTrainable(), p.name());
    }
    assertArrayEquals(new int[] {12, 2}, parameter(network, "afn.embedding").shape());
    assertArrayEquals(new int[] {3, 4}, parameter(network, "afn.log.weight").shape());
    assertArrayEquals(new int[] {8, 3}, parameter(network, "afn.mlp.hidden0.weight").shape()); // K·O = 8
    assertArrayEquals(new int[] {6, 3}, parameter(network, "dnn.mlp.hidden0.weight").shape()); // F·K = 6
    assertArrayEquals(new int[] {2, 1}, parameter(network, "ensemble.weight").shape());
  }

  private static void batchNorm(List<String> names, String prefix) {
    names.add(prefix + ".gamma");
    names.add(prefix + ".beta");
    names.add(prefix + ".runningMean");
    names.add(prefix + ".runningVariance");
  }

  @Test
  void plainAfnWithoutBatchNormHasOnlyItsOwnParameters() {
    List<String> names = new ArrayList<>();
    for (Parameter p : new AfnNetwork(config(tiny().setBatchNorm(false).setHiddenLayers(3, 2))).parameters()) {
      names.add(p.name());
    }
    assertEquals(List.of("afn.embedding", "afn.log.weight", "afn.log.bias", "afn.mlp.hidden0.weight",
        "afn.mlp.hidden0.bias", "afn.mlp.hidden1.weight", "afn.mlp.hidden1.bias", "afn.mlp.output.weight",
        "afn.mlp.output.bias"), names);
  }

  @Test
  void parameterValuesRoundTripThroughSetParameters() {
    AfnNetwork source = new AfnNetwork(config(tiny().setEnsemble(true).setSeed(1)));
    AfnNetwork target = new AfnNetwork(config(tiny().setEnsemble(true).setSeed(2)));
    Map<String, float[]> values = source.parameterValues();
    List<String> order = new ArrayList<>(values.keySet());
    List<String> names = new ArrayList<>();
    for (Parameter p : source.parameters()) {
      names.add(p.name());
    }
    assertEquals(names, order);
    target.setParameters(values);
    Map<String, float[]> copied = target.parameterValues();
    for (String name : values.keySet()) {
      assertArrayEquals(values.get(name), copied.get(name), name);
    }
    Batch batch = batch(5, 8);
    assertArrayEquals(logits(source, batch, false), logits(target, batch, false));
    // the map holds copies
    copied.get("afn.log.weight")[0] += 1f;
    assertEquals(values.get("afn.log.weight")[0], target.parameterValues().get("afn.log.weight")[0]);
  }

  @Test
  void setParametersNamesWhatIsWrongAndCopiesNothing() {
    AfnNetwork network = new AfnNetwork(config(tiny()));
    Map<String, float[]> before = network.parameterValues();

    Map<String, float[]> missing = new AfnNetwork(config(tiny().setSeed(9))).parameterValues();
    missing.remove("afn.expNorm.gamma");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> network.setParameters(missing));
    assertTrue(e.getMessage().contains("missing value for parameter afn.expNorm.gamma"), e.getMessage());

    Map<String, float[]> extra = new AfnNetwork(config(tiny().setSeed(9))).parameterValues();
    extra.put("dnn.embedding", new float[24]);
    e = assertThrows(IllegalArgumentException.class, () -> network.setParameters(extra));
    assertTrue(e.getMessage().contains("unknown parameter names [dnn.embedding]"), e.getMessage());

    Map<String, float[]> wrongSize = new AfnNetwork(config(tiny().setSeed(9))).parameterValues();
    wrongSize.put("afn.log.weight", new float[11]);
    e = assertThrows(IllegalArgumentException.class, () -> network.setParameters(wrongSize));
    assertTrue(e.getMessage().contains("parameter afn.log.weight of shape [3, 4] needs 12 floats, got 11"),
        e.getMessage());

    Map<String, float[]> after = network.parameterValues();
    for (String name : before.keySet()) {
      assertArrayEquals(before.get(name), after.get(name), name);
    }
  }

  @Test
  void sameSeedGivesTheSameInitialisation() {
    Map<String, float[]> a = new AfnNetwork(config(tiny().setEnsemble(true).setSeed(17))).parameterValues();
    Map<String, float[]> b = new AfnNetwork(config(tiny().setEnsemble(true).setSeed(17))).parameterValues();
    Map<String, float[]> c = new AfnNetwork(config(tiny().setEnsemble(true).setSeed(18))).parameterValues();
    for (String name : a.keySet()) {
      assertArrayEquals(a.get(name), b.get(name), name);
    }
    for (String name : List.of("afn.embedding", "afn.log.weight", "afn.mlp.hidden0.weight", "dnn.embedding",
        "dnn.mlp.output.weight")) {
      assertFalse(java.util.Arrays.equals(a.get(name), c.get(name)), name);
    }
    // AFN+ shares its AFN branch's initial weights with plain AFN of the same seed
    Map<String, float[]> plain = new AfnNetwork(config(tiny().setSeed(17))).parameterValues();
    for (String name : plain.keySet()) {
      assertArrayEquals(plain.get(name), a.get(name), name);
    }
  }

  @Test
  void initialisationFollowsTheReference() {
    AfnNetwork network = new AfnNetwork(AfnConfig.from(new AFN().setEnsemble(true)
        .setHiddenLayers(8).setDnnHiddenLayers(8), 5000, 10));
    // Feat_Emb: glorot_normal, N(0, 2/(5000 + 10)); W: N(0, 0.1²); Feat_Emb_deep: N(0, 0.1²)
    assertStd(Math.sqrt(2.0 / 5010), parameter(network, "afn.embedding"));
    assertStd(0.1, parameter(network, "afn.log.weight"));
    assertStd(0.1, parameter(network, "dnn.embedding"));
    assertConstant(0f, parameter(network, "afn.log.bias"));
    assertConstant(1f, parameter(network, "afn.logNorm.gamma"));
    assertConstant(0f, parameter(network, "afn.expNorm.beta"));
    assertConstant(1f, parameter(network, "afn.expNorm.runningVariance"));
    assertConstant(0f, parameter(network, "afn.mlp.hidden0.bias"));
    // fully_connected: Xavier-uniform, limit √(6/(6000 + 8))
    float limit = (float) Math.sqrt(6.0 / 6008);
    for (float w : parameter(network, "afn.mlp.hidden0.weight").data()) {
      assertTrue(Math.abs(w) <= limit, "weight " + w + " outside ±" + limit);
    }
  }

  private static void assertStd(double expected, Parameter p) {
    double sum = 0;
    double squares = 0;
    for (int i = 0; i < p.size(); i++) {
      sum += p.data()[i];
      squares += (double) p.data()[i] * p.data()[i];
    }
    double mean = sum / p.size();
    double std = Math.sqrt(squares / p.size() - mean * mean);
    assertEquals(0, mean, 4 * expected / Math.sqrt(p.size()), p.name() + " mean");
    assertEquals(expected, std, 0.03 * expected, p.name() + " std");
  }

  private static void assertConstant(float expected, Parameter p) {
    for (int i = 0; i < p.size(); i++) {
      assertEquals(expected, p.data()[i], p.name());
    }
  }

  @Test
  void batchNormMomentumReachesEveryBatchNorm() {
    Batch batch = batch(8, 9);
    AfnNetwork frozen = new AfnNetwork(config(tiny().setEnsemble(true)).withBatchNormMomentum(1.0));
    frozen.loss(new Tape().training(true), batch);
    AfnNetwork moving = new AfnNetwork(config(tiny().setEnsemble(true)).withBatchNormMomentum(0.5));
    moving.loss(new Tape().training(true), batch);
    for (Parameter p : frozen.parameters()) {
      if (p.name().endsWith(".runningMean")) {
        // momentum 1: running = 1·running + 0·batch stays 0; momentum 0.5 moves it
        assertConstant(0f, p);
        assertFalse(java.util.Arrays.equals(p.data(), parameter(moving, p.name()).data()), p.name());
      }
    }
  }

  @Test
  void dropoutActsOnlyInTraining() {
    Batch batch = batch(8, 10);
    AfnNetwork dropping = new AfnNetwork(config(tiny().setEnsemble(true).setDropout(0.5).setDnnDropout(0.5)));
    AfnNetwork keeping = new AfnNetwork(config(tiny().setEnsemble(true)));
    assertArrayEquals(keeping.parameterValues().get("afn.mlp.hidden0.weight"),
        dropping.parameterValues().get("afn.mlp.hidden0.weight"));
    assertArrayEquals(logits(keeping, batch, false), logits(dropping, batch, false));
    float first = dropping.loss(new Tape().training(true).seed(1), batch).item();
    float again = dropping.loss(new Tape().training(true).seed(1), batch).item();
    float other = dropping.loss(new Tape().training(true).seed(2), batch).item();
    assertEquals(first, again);
    assertNotEquals(first, other);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Inputs and the trainer seam

  @Test
  void rejectsBatchesThatDoNotFit() {
    AfnNetwork network = new AfnNetwork(config(tiny()));
    Batch twoFields = Batch.of(2, new int[] {0, 4}, new float[] {1, 1}, new float[] {1}, null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> network.loss(new Tape(), twoFields));
    assertTrue(e.getMessage().contains("numFields = 3"), e.getMessage());

    Batch nan = Batch.of(3, new int[] {0, 4, 8}, new float[] {1, Float.NaN, 1}, new float[] {1}, null);
    e = assertThrows(IllegalArgumentException.class, () -> network.loss(new Tape(), nan));
    assertTrue(e.getMessage().contains("feature value NaN for feature id 4"), e.getMessage());

    Batch outside = Batch.of(3, new int[] {0, 4, 12}, null, new float[] {1}, null);
    e = assertThrows(IllegalArgumentException.class, () -> network.loss(new Tape(), outside));
    assertTrue(e.getMessage().contains("feature id 12"), e.getMessage());
  }

  @Test
  void buildsTheSameGraphEveryBatchSoTapeBuffersAreReused() {
    AfnNetwork network = new AfnNetwork(config(tiny().setEnsemble(true)));
    Tape tape = new Tape().training(true);
    for (int step = 0; step < 3; step++) {
      tape.reset();
      tape.backward(network.loss(tape, batch(16, 11 + step)));
    }
    int allocated = tape.allocatedBuffers();
    for (int step = 0; step < 3; step++) {
      tape.reset();
      tape.backward(network.loss(tape, batch(step == 1 ? 9 : 16, 20 + step))); // a smaller batch fits too
    }
    assertEquals(allocated, tape.allocatedBuffers());
  }

  @Test
  void factorySerializesAndBuildsTheSameNetwork() throws Exception {
    AfnConfig config = config(tiny().setEnsemble(true));
    ModelFactory factory = AfnNetwork.factory(config);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(factory);
    }
    ModelFactory copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (ModelFactory) in.readObject();
    }
    TrainableModel model = copy.create();
    assertTrue(model instanceof AfnNetwork);
    AfnNetwork built = (AfnNetwork) model;
    assertEquals(config, built.config());
    Map<String, float[]> expected = new AfnNetwork(config).parameterValues();
    Map<String, float[]> actual = built.parameterValues();
    assertEquals(expected.keySet(), actual.keySet());
    for (String name : expected.keySet()) {
      assertArrayEquals(expected.get(name), actual.get(name), name);
    }
  }
}
