package dev.sparkrec.pipelines.bench.resus;

import dev.sparkrec.deepfm.DeepFMModel;
import dev.sparkrec.deepfm.DeepFmNetwork;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.optim.Sgd;
import dev.sparkrec.pipelines.bench.resus.MovieLensColdStart.UserRows;
import dev.sparkrec.train.Batch;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The fine-tuning baseline of the RESUS suite, on the driver: for one user and support size {@code i}, a copy of
 * the base DeepFM's parameters takes {@code steps} plain SGD steps, {@code θ ← θ − lr·∇θ BCE(support)}, each on
 * the mean binary cross-entropy of all {@code i} support rows (full batch, every parameter: the embedding rows the
 * support uses, the hidden layers and the output layer), then scores the user's query rows. With 0 steps it is the
 * base model itself.
 *
 * <p>Users are independent: {@link #curves} runs them on parallel threads, one network per thread, and pools
 * their rows in user order, so the result does not depend on the thread count.
 */
final class SupportFineTuning {

  private final DeepFMModel base;
  private final Map<String, float[]> baseParameters;
  private final ThreadLocal<Worker> workers;

  SupportFineTuning(DeepFMModel base) {
    this.base = base;
    this.baseParameters = base.parameterValues();
    this.workers = ThreadLocal.withInitial(Worker::new);
  }

  /** The base model's query predictions of every user of {@code users} and support size {@code 1..maxSupport}. */
  SupportCurve baseCurve(List<UserRows> users, int maxSupport) {
    return curves(users, maxSupport, 1.0, new int[] {0})[0]; // no step: the learning rate is not used
  }

  /**
   * Query predictions of every user of {@code users} and every support size {@code 1..maxSupport} after each
   * number of steps of {@code stepCounts} (ascending; 0 is the base model) at learning rate {@code learningRate}:
   * one curve per entry of {@code stepCounts}. Users without query rows at a support size are left out of it.
   */
  SupportCurve[] curves(List<UserRows> users, int maxSupport, double learningRate, int[] stepCounts) {
    List<SupportCurve[]> perUser = users.parallelStream()
        .map(u -> workers.get().userCurves(u, maxSupport, learningRate, stepCounts)).toList();
    SupportCurve[] pooled = new SupportCurve[stepCounts.length];
    for (int k = 0; k < stepCounts.length; k++) {
      pooled[k] = new SupportCurve(maxSupport);
      for (SupportCurve[] curves : perUser) {
        pooled[k].addAll(curves[k]);
      }
    }
    return pooled;
  }

  /**
   * Milliseconds of one user's adaptation at support size {@code supportSize}, per user of {@code users} with
   * more rows than that: copying the base parameters and {@code steps} SGD steps on the support, timed on this
   * thread after one untimed pass over the same users.
   */
  double[] adaptationMillis(List<UserRows> users, int supportSize, double learningRate, int steps) {
    Worker worker = new Worker();
    List<UserRows> timed = users.stream().filter(u -> u.size() > supportSize).toList();
    double[] millis = new double[timed.size()];
    for (int pass = 0; pass < 2; pass++) { // the first pass warms up the JIT
      for (int u = 0; u < timed.size(); u++) {
        Batch support = timed.get(u).batch(0, supportSize);
        long start = System.nanoTime();
        worker.adapt(support, learningRate, steps);
        millis[u] = (System.nanoTime() - start) / 1e6;
      }
    }
    return millis;
  }

  /** One thread's network, tapes and optimizer. */
  private final class Worker {
    private final DeepFmNetwork network = base.network();
    private final Tape trainTape = new Tape().training(true);
    private final Tape scoreTape = new Tape().training(false);

    /** Resets the network to the base parameters and takes {@code steps} SGD steps on {@code support}. */
    void adapt(Batch support, double learningRate, int steps) {
      network.setParameters(baseParameters);
      step(support, new Sgd(learningRate), steps);
    }

    private void step(Batch support, Sgd sgd, int steps) {
      for (int s = 0; s < steps; s++) {
        trainTape.reset();
        Tensor loss = network.loss(trainTape, support); // mean BCE of the support rows
        trainTape.backward(loss);
        sgd.step(network.parameters()); // θ ← θ − lr·g, then g ← 0
      }
    }

    SupportCurve[] userCurves(UserRows user, int maxSupport, double learningRate, int[] stepCounts) {
      SupportCurve[] curves = new SupportCurve[stepCounts.length];
      for (int k = 0; k < stepCounts.length; k++) {
        curves[k] = new SupportCurve(maxSupport);
      }
      int n = user.size();
      float[] logits = new float[n];
      for (int i = 1; i <= maxSupport && i < n; i++) {
        Batch support = user.batch(0, i);
        Batch query = user.batch(i, n);
        network.setParameters(baseParameters);
        Sgd sgd = stepCounts[stepCounts.length - 1] > 0 ? new Sgd(learningRate) : null;
        int done = 0;
        for (int k = 0; k < stepCounts.length; k++) {
          step(support, sgd, stepCounts[k] - done);
          done = stepCounts[k];
          scoreTape.reset();
          network.logits(scoreTape, query, logits);
          for (int r = 0; r < query.size(); r++) {
            curves[k].add(i, logits[r], user.labels()[i + r]);
          }
        }
      }
      return curves;
    }
  }

  /** The median of {@code values} (the mean of the middle two for an even count); NaN when empty. */
  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
