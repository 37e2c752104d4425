package dev.sparkrec.seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.train.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The LightningSeq network: the gradient of the whole loss (lightning and softmax layers, experts, both poolings)
 * against finite differences, a batch scoring as its examples scored one by one, residual branches that start as
 * the identity, and tape memory linear in the history length.
 */
class LightningSeqNetworkTest {

  private static LightningSeqConfig config(String pooling, int layers, int softmaxEvery) {
    return new LightningSeqConfig(10, 2, 4, layers, 2, softmaxEvery, 2, 3, 2, 4, 0.01, new int[] {3}, pooling, 0, 5,
        EmbeddingLayout.uniform());
  }

  /** Four examples with histories of 3, 0, 5 and 2 events. */
  private static Batch batch() {
    int[] ids = {0, 5, 1, 6, 2, 7, 3, 8};
    int[] offsets = {0, 3, 3, 8, 10};
    int[] history = {1, 2, 3, 4, 0, 9, 8, 1, 2, 3};
    return Batch.withSequences(2, ids, null, new float[] {1, 0, 1, 0}, new float[] {1, 2, 0.5f, 1}, offsets,
        history);
  }

  /** Every parameter random (no zero branch), hidden ReLUs always active. */
  private static LightningSeqNetwork randomized(LightningSeqConfig config) {
    LightningSeqNetwork network = new LightningSeqNetwork(config);
    SplittableRandom random = new SplittableRandom(11);
    for (Parameter p : network.parameters()) {
      if (p.name().matches(".*hidden\\d+\\.bias")) {
        Initializers.constant(p, 3f);
      } else if (p.name().endsWith("Norm") || p.name().endsWith(".norm")) {
        GradientCheck.randomize(p, random.nextLong(), 0.5, 1.5);
      } else {
        GradientCheck.randomize(p, random.nextLong(), -0.4, 0.4);
      }
    }
    return network;
  }

  private static void checkGradients(LightningSeqConfig config) {
    LightningSeqNetwork network = randomized(config);
    Batch batch = batch();
    List<GradientCheck.Input> inputs = new ArrayList<>();
    for (Parameter p : network.parameters()) {
      inputs.add(GradientCheck.Input.of(p));
    }
    double error = GradientCheck.maxRelativeError(tape -> network.loss(tape, batch),
        inputs.toArray(new GradientCheck.Input[0]));
    assertTrue(error <= GradientCheck.FLOAT_TOLERANCE, config + ": max relative gradient error " + error);
  }

  @Test
  void theLossPassesTheGradientCheckWithAttentionPoolingOverLightningAndSoftmaxLayers() {
    checkGradients(config(LightningSeqParams.ATTENTION, 2, 1));
  }

  @Test
  void theLossPassesTheGradientCheckWithMeanPoolingOverLightningLayers() {
    checkGradients(config(LightningSeqParams.MEAN, 2, 0));
  }

  @Test
  void aBatchScoresAsItsExamplesOneByOne() {
    LightningSeqNetwork network = randomized(config(LightningSeqParams.ATTENTION, 2, 1));
    Batch batch = batch();
    float[] together = new float[4];
    network.logits(new Tape().training(false), batch, together);
    for (int i = 0; i < 4; i++) {
      int[] history = Arrays.copyOfRange(batch.sequenceIds(), batch.sequenceOffsets()[i],
          batch.sequenceOffsets()[i + 1]);
      Batch one = Batch.withSequences(2, Arrays.copyOfRange(batch.ids(), 2 * i, 2 * i + 2), null, new float[1], null,
          new int[] {0, history.length}, history);
      float[] alone = new float[1];
      network.logits(new Tape().training(false), one, alone);
      assertEquals(alone[0], together[i], 1e-5, "example " + i);
    }
  }

  @Test
  void residualBranchesStartAsTheIdentity() {
    LightningSeqNetwork fresh = new LightningSeqNetwork(config(LightningSeqParams.MEAN, 2, 0));
    LightningSeqNetwork noLayers = new LightningSeqNetwork(config(LightningSeqParams.MEAN, 0, 0));
    // with zero output projections the layers pass the history through: mean pooling sees the raw embeddings
    float[] a = new float[4];
    fresh.logits(new Tape().training(false), batch(), a);
    noLayers.setParameters(subset(fresh, noLayers));
    float[] b = new float[4];
    noLayers.logits(new Tape().training(false), batch(), b);
    assertArrayEquals(b, a, 1e-6f);
  }

  private static java.util.Map<String, float[]> subset(LightningSeqNetwork from, LightningSeqNetwork to) {
    java.util.Map<String, float[]> all = from.parameterValues();
    java.util.Map<String, float[]> out = new java.util.LinkedHashMap<>();
    for (Parameter p : to.parameters()) {
      out.put(p.name(), all.get(p.name()));
    }
    return out;
  }

  @Test
  void tapeMemoryGrowsLinearlyWithTheHistory() {
    LightningSeqConfig config = new LightningSeqConfig(50, 1, 8, 2, 2, 8, 64, 4, 2, 8, 0.01, new int[] {8},
        LightningSeqParams.ATTENTION, 0, 3, EmbeddingLayout.uniform());
    long small = pooledFloatsAfterOneStep(config, 10_000);
    long large = pooledFloatsAfterOneStep(config, 100_000);
    double ratio = (double) large / small;
    assertTrue(ratio > 8 && ratio < 11, "10× the events take " + ratio + "× the tape memory");
  }

  private static long pooledFloatsAfterOneStep(LightningSeqConfig config, int events) {
    LightningSeqNetwork network = new LightningSeqNetwork(config);
    int[] history = new SplittableRandom(events).ints(events, 0, 50).toArray();
    Batch batch = Batch.withSequences(1, new int[] {7}, null, new float[] {1}, null, new int[] {0, events}, history);
    Tape tape = new Tape();
    Tensor loss = network.loss(tape, batch);
    tape.backward(loss);
    return tape.pooledFloats();
  }
}
