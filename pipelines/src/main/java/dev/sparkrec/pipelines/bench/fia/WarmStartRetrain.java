package dev.sparkrec.pipelines.bench.fia;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.optim.Optimizer;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.OptimizerFactory;
import dev.sparkrec.train.TrainableModel;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Warm-started retraining of an engine network (neural CF) from its fitted weights with Adam on mini-batches in
 * one fixed, seeded order, with one training rating's weight set to 0 (or none): two runs differ only by that
 * rating, so their difference is the effect of removing it after the same number of steps. Inputs are
 * {@code [userIndex, numUsers + itemIndex]} as the network reads them.
 */
final class WarmStartRetrain {

  private final Supplier<TrainableModel> fittedNetwork;
  private final RatingArrays data;
  private final int epochs;
  private final int batchSize;
  private final double learningRate;
  private final long seed;

  WarmStartRetrain(Supplier<TrainableModel> fittedNetwork, RatingArrays data, int epochs, int batchSize,
      double learningRate, long seed) {
    this.fittedNetwork = fittedNetwork;
    this.data = data;
    this.epochs = epochs;
    this.batchSize = batchSize;
    this.learningRate = learningRate;
    this.seed = seed;
  }

  /** Predictions for the pairs (user index, item index) after retraining without rating {@code removed} (-1: none). */
  double[] retrainAndPredict(int removed, int[] users, int[] items) {
    TrainableModel network = fittedNetwork.get();
    List<Parameter> parameters = network.parameters();
    Optimizer adam = OptimizerFactory.named("adam").create(learningRate);
    int n = data.numRatings();
    int numUsers = data.userIds.length;
    Batch batch = new Batch(batchSize, 2, false, true);
    Tape tape = new Tape().training(true);
    int[] order = new int[n];
    for (int z = 0; z < n; z++) {
      order[z] = z;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int z = n - 1; z > 0; z--) {
        int j = random.nextInt(z + 1);
        int t = order[z];
        order[z] = order[j];
        order[j] = t;
      }
      for (int from = 0; from < n; from += batchSize) {
        int size = Math.min(batchSize, n - from);
        for (int b = 0; b < size; b++) {
          int z = order[from + b];
          batch.ids()[2 * b] = data.user[z];
          batch.ids()[2 * b + 1] = numUsers + data.item[z];
          batch.labels()[b] = data.rating[z];
          batch.weights()[b] = z == removed ? 0f : 1f;
        }
        batch.setSize(size);
        tape.reset();
        Tensor loss = network.loss(tape, batch);
        tape.backward(loss);
        adam.step(parameters);
      }
    }
    Batch pairs = new Batch(users.length, 2, false, false);
    for (int p = 0; p < users.length; p++) {
      pairs.ids()[2 * p] = users[p];
      pairs.ids()[2 * p + 1] = numUsers + items[p];
    }
    pairs.setSize(users.length);
    float[] out = new float[users.length];
    Tape eval = new Tape().training(false);
    network.logits(eval, pairs, out);
    double[] predictions = new double[users.length];
    for (int p = 0; p < users.length; p++) {
      predictions[p] = out[p];
    }
    return predictions;
  }
}
