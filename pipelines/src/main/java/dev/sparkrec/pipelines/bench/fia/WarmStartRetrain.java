package dev.sparkrec.pipelines.bench.fia;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.optim.Optimizer;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.OptimizerFactory;
import dev.sparkrec.train.TrainableModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Warm-started retraining of an engine network (neural CF) from its fitted weights with Adam on mini-batches in
 * one fixed, seeded order, with one training rating's weight set to 0 (or none): two runs differ only by that
 * rating, so their difference is the effect of removing it after the same number of steps. The step size decays
 * linearly from {@code learningRate} to {@code learningRate / steps} over the run, so that its end point settles
 * near a minimum instead of wandering at a constant step. Inputs are {@code [userIndex, numUsers + itemIndex]} as
 * the network reads them. Retrainings for different pairs run on {@code threads} threads; each is a function of
 * its removed rating and the seed alone, so the results do not depend on the scheduling.
 */
final class WarmStartRetrain implements FiaMl100kBenchmark.Retrain {

  private final Supplier<TrainableModel> fittedNetwork;
  private final RatingArrays data;
  private final int epochs;
  private final int batchSize;
  private final double learningRate;
  private final long seed;
  private final int threads;

  private final boolean embeddingsOnly;

  WarmStartRetrain(Supplier<TrainableModel> fittedNetwork, RatingArrays data, int epochs, int batchSize,
      double learningRate, long seed, int threads) {
    this(fittedNetwork, data, epochs, batchSize, learningRate, seed, threads, false);
  }

  /**
   * {@code embeddingsOnly}: only the embedding tables (sparse-row parameters) are retrained, the dense layers keep
   * their fitted weights, as FIA assumes; their gradients are cleared before each step, so a fresh Adam never
   * moves them.
   */
  WarmStartRetrain(Supplier<TrainableModel> fittedNetwork, RatingArrays data, int epochs, int batchSize,
      double learningRate, long seed, int threads, boolean embeddingsOnly) {
    this.fittedNetwork = fittedNetwork;
    this.data = data;
    this.epochs = epochs;
    this.batchSize = batchSize;
    this.learningRate = learningRate;
    this.seed = seed;
    this.threads = threads;
    this.embeddingsOnly = embeddingsOnly;
  }

  /** The configuration of this retraining, for a bench row. */
  Map<String, Object> config() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("epochs", epochs);
    config.put("steps", steps());
    config.put("batchSize", batchSize);
    config.put("adamStep", learningRate);
    config.put("schedule", "linear decay from adamStep to adamStep / steps");
    config.put("retrained", embeddingsOnly ? "embedding tables only; dense layers fixed at their fitted weights"
        : "all parameters");
    config.put("threads", threads);
    return config;
  }

  /** Adam steps of one retraining. */
  long steps() {
    return (long) epochs * ((data.numRatings() + batchSize - 1) / batchSize);
  }

  /** Predictions for the pairs (user index, item index) after retraining without rating {@code removed} (-1: none). */
  @Override
  public double[] predictions(int removed, int[] users, int[] items) {
    return predict(retrain(removed), users, items);
  }

  /** Pair p's prediction after retraining without rating {@code removed[p]}, the pairs spread over the threads. */
  @Override
  public double[] predictionsEach(int[] removed, int[] users, int[] items) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Double>> results = new ArrayList<>();
      for (int p = 0; p < users.length; p++) {
        int z = removed[p];
        int[] user = {users[p]};
        int[] item = {items[p]};
        results.add(pool.submit(() -> predictions(z, user, item)[0]));
      }
      double[] out = new double[users.length];
      for (int p = 0; p < out.length; p++) {
        out[p] = results.get(p).get();
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retraining", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a retraining failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** The network after retraining without rating {@code removed} (-1: none). */
  TrainableModel retrain(int removed) {
    TrainableModel network = fittedNetwork.get();
    List<Parameter> parameters = network.parameters();
    Optimizer adam = OptimizerFactory.named("adam").create(learningRate);
    int n = data.numRatings();
    Batch batch = new Batch(batchSize, 2, false, true);
    Tape tape = new Tape().training(true);
    int[] order = new int[n];
    for (int z = 0; z < n; z++) {
      order[z] = z;
    }
    SplittableRandom random = new SplittableRandom(seed);
    long total = steps();
    long step = 0;
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int z = n - 1; z > 0; z--) {
        int j = random.nextInt(z + 1);
        int t = order[z];
        order[z] = order[j];
        order[j] = t;
      }
      for (int from = 0; from < n; from += batchSize) {
        int size = Math.min(batchSize, n - from);
        fill(batch, order, from, size, removed);
        tape.reset();
        Tensor loss = network.loss(tape, batch);
        tape.backward(loss);
        if (embeddingsOnly) {
          for (Parameter p : parameters) {
            if (!p.isSparseRows()) {
              p.zeroGrad();
            }
          }
        }
        adam.setLearningRate(learningRate * (total - step) / total);
        adam.step(parameters);
        step++;
      }
    }
    return network;
  }

  /**
   * The Euclidean norm of the gradient of the training objective (the network's loss over all training ratings,
   * rating {@code removed} at weight 0, as one batch) in all of the network's trainable parameters.
   */
  double gradientNorm(TrainableModel network, int removed) {
    List<Parameter> parameters = network.parameters();
    for (Parameter p : parameters) {
      p.zeroGrad();
    }
    int n = data.numRatings();
    int[] order = new int[n];
    for (int z = 0; z < n; z++) {
      order[z] = z;
    }
    Batch all = new Batch(n, 2, false, true);
    fill(all, order, 0, n, removed);
    Tape tape = new Tape().training(true);
    tape.backward(network.loss(tape, all));
    double sum = 0;
    for (Parameter p : parameters) {
      if (p.isTrainable()) {
        for (float g : p.grad()) {
          sum += (double) g * g;
        }
      }
      p.zeroGrad();
    }
    return Math.sqrt(sum);
  }

  private void fill(Batch batch, int[] order, int from, int size, int removed) {
    int numUsers = data.userIds.length;
    for (int b = 0; b < size; b++) {
      int z = order[from + b];
      batch.ids()[2 * b] = data.user[z];
      batch.ids()[2 * b + 1] = numUsers + data.item[z];
      batch.labels()[b] = data.rating[z];
      batch.weights()[b] = z == removed ? 0f : 1f;
    }
    batch.setSize(size);
  }

  private double[] predict(TrainableModel network, int[] users, int[] items) {
    int numUsers = data.userIds.length;
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
