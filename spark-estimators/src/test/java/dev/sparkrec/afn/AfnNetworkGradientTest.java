package dev.sparkrec.afn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.embedding.FeatureBlocks;
import dev.sparkrec.nn.embedding.SoftSelectionEmbedding;
import dev.sparkrec.nn.embedding.SoftSelectionLayout;
import dev.sparkrec.nn.ops.BceWithLogits;
import dev.sparkrec.nn.ops.Sub;
import dev.sparkrec.train.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks of the whole AFN and AFN+ graphs, from the loss back to every trainable parameter,
 * in training mode (batch statistics in every batch norm; no dropout).
 */
class AfnNetworkGradientTest {

  private static final int FIELDS = 3;
  private static final int IDS_PER_FIELD = 4;
  private static final int EXAMPLES = 32;

  /** Small AFN sizes, set as an estimator's params. */
  private static AFN tiny() {
    return new AFN().setEmbeddingDim(2).setLogNeurons(4).setHiddenLayers(3).setDnnHiddenLayers(3).setSeed(5);
  }

  /** The network configuration of {@code params} for {@value #FIELDS} fields of {@value #IDS_PER_FIELD} ids. */
  private static AfnConfig config(AFN params) {
    return AfnConfig.from(params, FIELDS * IDS_PER_FIELD, FIELDS);
  }

  /** Ids {@code f·4 + r} and values in [0.2, 0.9] (inside the clip range), labels 0/1, weights in [0.5, 2]. */
  private static Batch batch(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] ids = new int[EXAMPLES * FIELDS];
    float[] values = new float[ids.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i % FIELDS) * IDS_PER_FIELD + random.nextInt(IDS_PER_FIELD);
      values[i] = (float) random.nextDouble(0.2, 0.9);
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
   * Moves every input well inside its smooth region: AFN embedding entries to ±[0.3, 1] (far from the kink of
   * |·| at 0 and from the 1e-4 floor, relative to the check's 1e-2 steps), batch-norm scales and shifts and the
   * ensemble weights to non-trivial values.
   */
  private static void prepare(AfnNetwork network, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (Parameter p : network.parameters()) {
      if (p.name().equals("afn.embedding")) {
        randomizeMagnitudes(p, random, 0.3, 1.0);
      } else if (p.name().equals("afn.log.weight")) {
        if (network.config().batchNorm()) {
          // no neuron with near-zero orders, whose nearly constant output the next batch norm would blow up
          randomizeMagnitudes(p, random, 0.3, 0.6);
        } else {
          // small orders keep the unnormalised products near 1, far from the hidden ReLUs' kinks
          randomizeMagnitudes(p, random, 0.05, 0.2);
        }
      } else if (p.name().equals("afn.logNorm.gamma")) {
        // small normalised logarithms keep exp's curvature in the log weights below the check's 1e-2 steps
        GradientCheck.randomize(p, random.nextLong(), 0.3, 0.6);
      } else if (p.name().endsWith(".gamma")) {
        GradientCheck.randomize(p, random.nextLong(), 0.6, 1.4);
      } else if (p.name().endsWith(".beta") || p.name().equals("afn.log.bias")) {
        GradientCheck.randomize(p, random.nextLong(), -0.3, 0.3);
      } else if (p.name().matches(".*\\.hidden\\d+\\.bias")) {
        Initializers.constant(p, 3f); // every ReLU active: no kink within the check's steps
      } else if (p.name().equals("ensemble.weight")) {
        GradientCheck.randomize(p, random.nextLong(), 0.3, 0.8);
      }
    }
  }

  /** Values of random sign with magnitudes uniform in [lo, hi]. */
  private static void randomizeMagnitudes(Parameter p, SplittableRandom random, double lo, double hi) {
    float[] d = p.data();
    for (int i = 0; i < p.size(); i++) {
      d[i] = (float) (random.nextDouble(lo, hi) * (random.nextBoolean() ? 1 : -1));
    }
  }

  private static double maxError(AfnNetwork network, Function<Tape, Tensor> forward, Predicate<String> names) {
    List<GradientCheck.Input> inputs = new ArrayList<>();
    for (Parameter p : network.parameters()) {
      if (p.isTrainable() && names.test(p.name())) {
        inputs.add(GradientCheck.Input.of(p));
      }
    }
    return GradientCheck.maxRelativeError(forward, inputs.toArray(new GradientCheck.Input[0]));
  }

  /** AFN: the loss's gradient with respect to every trainable parameter. */
  private static void checkAfn(AfnConfig config, long seed) {
    AfnNetwork network = new AfnNetwork(config);
    prepare(network, seed);
    Batch batch = batch(seed);
    double error = maxError(network, tape -> network.loss(tape, batch), name -> true);
    assertTrue(error <= GradientCheck.FLOAT_TOLERANCE, config + ": max relative gradient error " + error);
  }

  /**
   * AFN+: the stop-gradients make the branch parameters' gradient that of {@code BCE(y_dnn) + BCE(y_afn)} only, so
   * it is compared with finite differences of the loss minus {@code BCE(y)} (that term enters as a constant, with
   * no gradient path); the ensemble parameters', that of {@code BCE(y)}, with finite differences of the full loss.
   */
  private static void checkAfnPlus(AfnConfig config, long seed) {
    AfnNetwork network = new AfnNetwork(config);
    prepare(network, seed);
    Batch batch = batch(seed);
    Function<Tape, Tensor> branchLosses = tape -> {
      float[] ensembleLogits = new float[batch.size()];
      network.logits(new Tape().training(true), batch, ensembleLogits); // the same batch statistics
      float ensembleLoss = BceWithLogits.apply(new Tape(), Tensor.constant(ensembleLogits, batch.size(), 1),
          batch.labels(), batch.weights()).item();
      return Sub.apply(tape, network.loss(tape, batch), Tensor.constant(new float[] {ensembleLoss}, 1));
    };
    double branchError = maxError(network, branchLosses, name -> !name.startsWith("ensemble."));
    assertTrue(branchError <= GradientCheck.FLOAT_TOLERANCE,
        config + ": branch parameters' max relative gradient error " + branchError);
    double ensembleError = maxError(network, tape -> network.loss(tape, batch), name -> name.startsWith("ensemble."));
    assertTrue(ensembleError <= GradientCheck.FLOAT_TOLERANCE,
        config + ": ensemble parameters' max relative gradient error " + ensembleError);
  }

  @Test
  void afnGradientsMatchFiniteDifferences() {
    checkAfn(config(tiny()), 1);
  }

  @Test
  void afnWithoutBatchNormGradientsMatchFiniteDifferences() {
    checkAfn(config(tiny().setBatchNorm(false)), 2);
  }

  @Test
  void afnPlusGradientsMatchFiniteDifferences() {
    checkAfnPlus(config(tiny().setEnsemble(true)), 3);
  }

  @Test
  void afnPlusWithoutBatchNormGradientsMatchFiniteDifferences() {
    checkAfnPlus(config(tiny().setEnsemble(true).setBatchNorm(false)), 4);
  }

  /**
   * AFN under a soft selection of its table's dimensions, applied in the log domain: the gradients of every
   * trainable parameter and of the selection weights α (state to optimizers, stepped by the search).
   */
  @Test
  void afnUnderSoftSelectionGradientsMatchFiniteDifferences() {
    for (boolean batchNorm : new boolean[] {true, false}) {
      FeatureBlocks blocks = new FeatureBlocks(3, new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2});
      AfnConfig config = config(tiny().setBatchNorm(batchNorm))
          .withEmbeddingLayout(new SoftSelectionLayout(Map.of(AfnNetwork.EMBEDDING, blocks)));
      AfnNetwork network = new AfnNetwork(config);
      prepare(network, 6);
      Parameter alpha = null;
      for (Parameter p : network.parameters()) {
        if (p.name().equals(SoftSelectionEmbedding.alphaName(AfnNetwork.EMBEDDING))) {
          alpha = p;
          GradientCheck.randomize(p, 9, 0.3, 1.0);
        }
      }
      Batch batch = batch(6);
      List<GradientCheck.Input> inputs = new ArrayList<>();
      for (Parameter p : network.parameters()) {
        if (p.isTrainable() || p == alpha) {
          inputs.add(GradientCheck.Input.of(p));
        }
      }
      double error = GradientCheck.maxRelativeError(tape -> network.loss(tape, batch),
          inputs.toArray(new GradientCheck.Input[0]));
      assertTrue(error <= GradientCheck.FLOAT_TOLERANCE, "batch norm " + batchNorm + ": max relative error " + error);
    }
  }

  /**
   * The checks above compare non-trivial gradients: every trainable parameter receives a clearly non-zero one,
   * except, under batch norm, the parameters whose effect a following batch norm removes (up to its ε): the
   * log-layer bias and the log batch norm's shift only multiply a neuron's outputs by a constant factor, and a
   * hidden bias only shifts its (all active) ReLU's outputs by a constant. Without batch norm these get gradients
   * and are checked in the other configurations.
   */
  @Test
  void checkedGradientsAreNotTrivial() {
    for (AfnConfig config : List.of(config(tiny().setEnsemble(true)),
        config(tiny().setEnsemble(true).setBatchNorm(false)))) {
      AfnNetwork network = new AfnNetwork(config);
      prepare(network, 3);
      Tape tape = new Tape().training(true);
      tape.backward(network.loss(tape, batch(3)));
      int trainable = 0;
      for (Parameter p : network.parameters()) {
        if (!p.isTrainable()) {
          continue;
        }
        trainable++;
        float largest = 0;
        for (int i = 0; i < p.size(); i++) {
          largest = Math.max(largest, Math.abs(p.grad()[i]));
        }
        boolean removedByBatchNorm = p.name().equals("afn.log.bias") || p.name().equals("afn.logNorm.beta")
            || p.name().matches(".*\\.hidden\\d+\\.bias");
        if (!(config.batchNorm() && removedByBatchNorm)) {
          assertTrue(largest > 1e-3, config + ": " + p.name() + " gets no gradient (" + largest + ")");
        }
      }
      // AFN: embedding, logNorm γ β, log W b, expNorm γ β, hidden0 W b, bn0 γ β, output W b (13 with batch norm);
      // DNN: embedding, hidden0 W b, bn0 γ β, output W b (7); ensemble W b (2)
      assertEquals(config.batchNorm() ? 22 : 14, trainable);
    }
  }
}
