package dev.sparkrec.resus;

import dev.sparkrec.eval.BinaryMetrics;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.BceWithLogits;
import dev.sparkrec.nn.ops.Sigmoid;
import dev.sparkrec.nn.optim.Adam;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.EpochReport;
import dev.sparkrec.train.TrainingSummary;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RESUS's episodic meta-training on Spark, as the published {@code main_rr.py}/{@code main_nn.py} run it: every
 * epoch, every training user with at least two interactions is one episode — support = the first {@code n} rows,
 * {@code n} uniform in {@code 1..min(size − 1, maxSupport)}, query = the rest — and one Adam step on the mean
 * binary cross-entropy of the query rows, at {@code stepSize} for the encoder and the NN metric and at
 * {@code adjustStepSize} for {@code (a_n, c_n)} and λ; the base predictor is frozen (its logits are inputs).
 *
 * <p>Each partition of users trains its own copy for the epoch, in a seeded order, and the driver averages the
 * copies weighted by their users, in partition order (one partition, the default, is the reference's sequential
 * training). Adam's moments restart every epoch. Validation users are scored after every epoch with a support
 * size drawn once per user (seeded); training stops after {@code patience} epochs without a better pooled query
 * AUC and keeps the best epoch's parameters. Every draw derives from the seed and the user, so the same data,
 * seed and partitioning give the same parameters.
 */
final class MetaTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(MetaTrainer.class);
  private static final long EPISODE_STREAM = 0x5e5;
  private static final long VALIDATION_STREAM = 0x7a1;
  private static final long ORDER_STREAM = 0x0de;

  /** The best parameters and how training went. */
  record Result(Map<String, float[]> parameters, TrainingSummary summary) {}

  private final ResusConfig config;

  MetaTrainer(ResusConfig config) {
    this.config = config;
  }

  /** Meta-trains from a fresh network on {@code train}'s users, early-stopping on {@code validation}'s (or null). */
  Result fit(JavaRDD<UserHistory> train, JavaRDD<UserHistory> validation) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(train.context());
    Map<String, float[]> current = new ResusNetwork(config).parameterValues();
    Map<String, float[]> best = current;
    List<EpochReport> history = new ArrayList<>();
    double bestAuc = Double.NEGATIVE_INFINITY;
    int bestEpoch = config.maxIter() == 0 ? 0 : config.maxIter();
    int sinceBest = 0;
    boolean stoppedEarly = false;
    for (int epoch = 1; epoch <= config.maxIter(); epoch++) {
      long start = System.nanoTime();
      Broadcast<Map<String, float[]>> broadcast = sc.broadcast(current);
      ResusConfig c = config;
      int e = epoch;
      List<PartitionResult> parts = new ArrayList<>(train.mapPartitionsWithIndex(
          (partition, users) -> trainPartition(c, broadcast.value(), e, partition, users), true).collect());
      broadcast.destroy();
      parts.sort((a, b) -> Integer.compare(a.partition, b.partition));
      current = average(current, parts);
      long episodes = 0;
      double lossSum = 0;
      long examples = 0;
      for (PartitionResult p : parts) {
        episodes += p.episodes;
        lossSum += p.lossSum;
        examples += p.examples;
      }
      if (episodes == 0) {
        throw new IllegalArgumentException("RESUS found no training user with at least two interactions: an "
            + "episode needs a support row and a query row.");
      }
      double auc = Double.NaN;
      double logLoss = Double.NaN;
      boolean isBest = true;
      if (validation != null) {
        double[] metrics = evaluate(validation, current);
        logLoss = metrics[0];
        auc = metrics[1];
        isBest = auc > bestAuc;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      history.add(new EpochReport(epoch, lossSum / episodes, logLoss, auc, seconds, examples / seconds,
          config.stepSize(), isBest));
      LOG.info("RESUS-{} epoch {}/{}  episode loss {}  val logloss {}  val auc {}  {}s", config.learner(), epoch,
          config.maxIter(), String.format("%.4f", lossSum / episodes), String.format("%.4f", logLoss),
          String.format("%.4f", auc), String.format("%.1f", seconds));
      if (isBest) {
        best = current;
        bestAuc = validation == null ? bestAuc : auc;
        bestEpoch = epoch;
        sinceBest = 0;
      } else if (++sinceBest >= config.patience() && config.patience() > 0) {
        stoppedEarly = epoch < config.maxIter();
        break;
      }
    }
    String reason = stoppedEarly ? TrainingSummary.EARLY_STOPPING : TrainingSummary.MAX_ITER;
    return new Result(best, TrainingSummary.of(history, bestEpoch, reason));
  }

  /** Pooled validation {@code [logloss, auc]} of {@code parameters} over the users' query rows. */
  double[] evaluate(JavaRDD<UserHistory> users, Map<String, float[]> parameters) {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(users.context());
    Broadcast<Map<String, float[]>> broadcast = sc.broadcast(parameters);
    ResusConfig c = config;
    List<float[][]> parts = users.mapPartitions(it -> scorePartition(c, broadcast.value(), it), true).collect();
    broadcast.destroy();
    int n = 0;
    for (float[][] p : parts) {
      n += p[0].length;
    }
    float[] probabilities = new float[n];
    float[] labels = new float[n];
    int at = 0;
    for (float[][] p : parts) {
      System.arraycopy(p[0], 0, probabilities, at, p[0].length);
      System.arraycopy(p[1], 0, labels, at, p[1].length);
      at += p[0].length;
    }
    if (n == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    return new double[] {BinaryMetrics.logLoss(probabilities, labels, n), BinaryMetrics.auc(probabilities, labels, n)};
  }

  /** The support size of a user's episode in {@code epoch} (validation: epoch 0, fixed). */
  static int supportSize(ResusConfig config, long stream, int epoch, UserHistory user) {
    SplittableRandom random = new SplittableRandom(mix(config.seed(), stream, epoch, user.user()));
    return 1 + random.nextInt(Math.min(user.size() - 1, config.maxSupport()));
  }

  private static Iterator<float[][]> scorePartition(ResusConfig config, Map<String, float[]> parameters,
      Iterator<UserHistory> users) {
    ResusNetwork network = new ResusNetwork(config);
    network.setParameters(parameters);
    List<Float> probabilities = new ArrayList<>();
    List<Float> labels = new ArrayList<>();
    while (users.hasNext()) {
      UserHistory user = users.next();
      if (user.size() < 2) {
        continue;
      }
      int n = supportSize(config, VALIDATION_STREAM, 0, user);
      Batch query = user.rows(n, user.size());
      float[] logits = new float[query.size()];
      network.score(query, user.baseLogits(n, user.size()),
          network.adapt(user.rows(0, n), user.baseLogits(0, n)), n, logits);
      for (int i = 0; i < logits.length; i++) {
        probabilities.add((float) Sigmoid.sigmoid(logits[i]));
        labels.add(query.labels()[i]);
      }
    }
    float[][] out = new float[2][probabilities.size()];
    for (int i = 0; i < out[0].length; i++) {
      out[0][i] = probabilities.get(i);
      out[1][i] = labels.get(i);
    }
    return Collections.singletonList(out).iterator();
  }

  /** What one partition's epoch returns: its trained parameters, its users and its loss. */
  private static final class PartitionResult implements Serializable {
    private static final long serialVersionUID = 1L;
    final int partition;
    final Map<String, float[]> parameters;
    final long episodes;
    final long examples;
    final double lossSum;

    PartitionResult(int partition, Map<String, float[]> parameters, long episodes, long examples, double lossSum) {
      this.partition = partition;
      this.parameters = parameters;
      this.episodes = episodes;
      this.examples = examples;
      this.lossSum = lossSum;
    }
  }

  private static Iterator<PartitionResult> trainPartition(ResusConfig config, Map<String, float[]> parameters,
      int epoch, int partition, Iterator<UserHistory> it) {
    List<UserHistory> users = new ArrayList<>();
    it.forEachRemaining(user -> {
      if (user.size() >= 2) {
        users.add(user);
      }
    });
    ResusNetwork network = new ResusNetwork(config);
    network.setParameters(parameters);
    Collections.shuffle(users, new java.util.Random(mix(config.seed(), ORDER_STREAM, epoch, partition)));
    Adam learner = new Adam(config.stepSize());
    Adam adjust = new Adam(config.adjustStepSize());
    Tape tape = new Tape().training(true);
    double lossSum = 0;
    long examples = 0;
    for (UserHistory user : users) {
      int n = supportSize(config, EPISODE_STREAM, epoch, user);
      Batch query = user.rows(n, user.size());
      tape.reset();
      Tensor logits = network.episodeLogits(tape, user.rows(0, n), user.baseLogits(0, n), query,
          user.baseLogits(n, user.size()));
      Tensor loss = BceWithLogits.apply(tape, logits, query.labels(), null);
      float value = loss.item();
      if (!Float.isFinite(value)) {
        throw new IllegalStateException("The RESUS episode loss became " + value + " in epoch " + epoch + " for user "
            + user.user() + "; lower stepSize or adjustStepSize.");
      }
      lossSum += value;
      examples += query.size();
      tape.backward(loss);
      learner.step(network.learnerParameters());
      adjust.step(network.adjustParameters());
    }
    return List.of(new PartitionResult(partition, network.parameterValues(), users.size(), examples, lossSum))
        .iterator();
  }

  /** The copies' parameters averaged with their episode counts as weights; {@code previous} when none trained. */
  private static Map<String, float[]> average(Map<String, float[]> previous, List<PartitionResult> parts) {
    long total = 0;
    for (PartitionResult p : parts) {
      total += p.episodes;
    }
    if (total == 0) {
      return previous;
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    for (String name : previous.keySet()) {
      double[] sum = new double[previous.get(name).length];
      for (PartitionResult p : parts) {
        if (p.episodes == 0) {
          continue;
        }
        float[] values = p.parameters.get(name);
        double w = (double) p.episodes / total;
        for (int i = 0; i < sum.length; i++) {
          sum[i] += w * values[i];
        }
      }
      float[] averaged = new float[sum.length];
      for (int i = 0; i < sum.length; i++) {
        averaged[i] = (float) sum[i];
      }
      out.put(name, averaged);
    }
    return out;
  }

  static long mix(long seed, long... parts) {
    long h = seed;
    for (long p : parts) {
      h = Long.rotateLeft(h ^ (p * 0x9E3779B97F4A7C15L), 27) * 0xBF58476D1CE4E5B9L;
    }
    return h ^ (h >>> 31);
  }
}
