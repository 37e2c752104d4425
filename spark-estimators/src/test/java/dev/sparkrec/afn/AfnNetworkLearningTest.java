package dev.sparkrec.afn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.optim.Adam;
import dev.sparkrec.nn.optim.GradientClipping;
import dev.sparkrec.train.Batch;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * AFN learns a planted multiplicative cross and {@link CrossFeatureRanking}, measured on held-out rows, names it.
 * Five fields, each with three ids and a value {@code x_f ~ U(0.05, 1)}; the label is Bernoulli with
 * {@code P(1) = σ(10·(x_0·x_1 − 0.2))}, so only fields 0 and 1 matter and only through their product, which one logarithmic neuron with orders (1, 1) on
 * fields 0 and 1 computes exactly. Trained without Spark: Adam (lr 0.01), element-wise gradient clipping at 1 as
 * in the reference, 400 steps of 256 examples.
 */
class AfnNetworkLearningTest {

  private static final int FIELDS = 5;
  private static final int IDS_PER_FIELD = 3;
  private static final int TRAIN_ROWS = 8192;
  private static final int BATCH = 256;
  private static final int STEPS = 400;
  private static final int TOP_NEURONS = 8;

  /** {@code n} examples; {@code trueProbability} receives each example's planted probability. */
  private static Batch plantedCross(int n, long seed, double[] trueProbability) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] ids = new int[n * FIELDS];
    float[] values = new float[ids.length];
    float[] labels = new float[n];
    for (int e = 0; e < n; e++) {
      for (int f = 0; f < FIELDS; f++) {
        ids[e * FIELDS + f] = f * IDS_PER_FIELD + random.nextInt(IDS_PER_FIELD);
        values[e * FIELDS + f] = (float) random.nextDouble(0.05, 1.0);
      }
      double p = 1 / (1 + Math.exp(-10 * (values[e * FIELDS] * values[e * FIELDS + 1] - 0.2))); // σ(10(x0·x1 − 0.2))
      trueProbability[e] = p;
      labels[e] = random.nextDouble() < p ? 1f : 0f;
    }
    return Batch.of(FIELDS, ids, values, labels, null);
  }

  private static Batch rows(Batch all, int from, int n) {
    return Batch.of(FIELDS, Arrays.copyOfRange(all.ids(), from * FIELDS, (from + n) * FIELDS),
        Arrays.copyOfRange(all.values(), from * FIELDS, (from + n) * FIELDS),
        Arrays.copyOfRange(all.labels(), from, from + n), null);
  }

  /** Mean cross-entropy of probabilities {@code p} against the batch's labels. */
  private static double crossEntropy(double[] p, Batch batch) {
    double sum = 0;
    for (int i = 0; i < batch.size(); i++) {
      sum -= batch.labels()[i] == 1f ? Math.log(p[i]) : Math.log(1 - p[i]);
    }
    return sum / batch.size();
  }

  private static void learnsAndRanksThePlantedCross(boolean batchNorm) {
    AfnNetwork network = new AfnNetwork(AfnConfig.from(new AFN().setEmbeddingDim(4).setLogNeurons(16)
        .setHiddenLayers(16).setBatchNorm(batchNorm).setSeed(1), FIELDS * IDS_PER_FIELD, FIELDS));
    Batch train = plantedCross(TRAIN_ROWS, 1, new double[TRAIN_ROWS]);
    double[] trueProbability = new double[4096];
    Batch test = plantedCross(4096, 2, trueProbability);

    double initialTestLoss = network.loss(new Tape().training(true), test).item(); // the untrained network
    Adam adam = new Adam(0.01);
    Tape tape = new Tape().training(true);
    double firstLoss = 0;
    double lastLoss = 0;
    for (int step = 0; step < STEPS; step++) {
      tape.reset();
      tape.seed(step);
      Tensor loss = network.loss(tape, rows(train, (step * BATCH) % TRAIN_ROWS, BATCH));
      if (step < 20) {
        firstLoss += loss.item() / 20;
      } else if (step >= STEPS - 20) {
        lastLoss += loss.item() / 20;
      }
      tape.backward(loss);
      GradientClipping.clipByValue(network.parameters(), 1.0);
      adam.step(network.parameters());
    }
    String setting = batchNorm ? "with batch norm" : "without batch norm";
    assertTrue(lastLoss < firstLoss - 0.05, setting + ": training loss " + firstLoss + " -> " + lastLoss);

    // held out: far below the untrained network's and the base rate's loss, close to the planted probabilities'
    double testLoss = network.loss(new Tape().training(false), test).item();
    double plantedLoss = crossEntropy(trueProbability, test);
    double positives = 0;
    for (int i = 0; i < test.size(); i++) {
      positives += test.labels()[i];
    }
    double rate = positives / test.size();
    double baseRateLoss = -(rate * Math.log(rate) + (1 - rate) * Math.log(1 - rate));
    assertTrue(testLoss < initialTestLoss - 0.1 && testLoss < baseRateLoss - 0.1 && testLoss < plantedLoss + 0.03,
        setting + ": test loss " + testLoss + ", untrained " + initialTestLoss + ", base rate " + baseRateLoss
            + ", planted " + plantedLoss);

    // the most important neurons, measured on the test rows, cross fields 0 and 1 more often than any other pair
    // (a listed field has more than 10% of its neuron's contribution)
    List<CrossFeature> ranked = CrossFeatureRanking.rank(network, test, TOP_NEURONS, 0.1);
    int[][] pairs = new int[FIELDS][FIELDS];
    for (CrossFeature cross : ranked) {
      int[] f = cross.fields();
      for (int a = 0; a < f.length; a++) {
        for (int b = a + 1; b < f.length; b++) {
          pairs[Math.min(f[a], f[b])][Math.max(f[a], f[b])]++;
        }
      }
    }
    int otherPairs = 0;
    for (int a = 0; a < FIELDS; a++) {
      for (int b = a + 1; b < FIELDS; b++) {
        if (a != 0 || b != 1) {
          otherPairs = Math.max(otherPairs, pairs[a][b]);
        }
      }
    }
    org.slf4j.LoggerFactory.getLogger(AfnNetworkLearningTest.class).info("{}: {}", setting, ranked);
    assertTrue(pairs[0][1] > otherPairs, setting + ": field pairs of the top " + TOP_NEURONS + " neurons "
        + Arrays.deepToString(pairs) + ", ranking " + ranked);
    int[] top = ranked.get(0).fields();
    assertTrue(top.length >= 2 && Math.min(top[0], top[1]) == 0 && Math.max(top[0], top[1]) == 1,
        setting + ": the most important neuron's two largest shares are fields 0 and 1: " + ranked);
  }

  @Test
  void learnsAndRanksThePlantedCrossWithBatchNorm() {
    learnsAndRanksThePlantedCross(true);
  }

  @Test
  void learnsAndRanksThePlantedCrossWithoutBatchNorm() {
    learnsAndRanksThePlantedCross(false);
  }
}
