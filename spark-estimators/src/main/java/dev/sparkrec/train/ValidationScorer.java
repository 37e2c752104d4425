package dev.sparkrec.train;

import dev.sparkrec.nn.Tape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * Scores one partition of validation blocks with the broadcast parameters, in row order, as a Spark task. On the
 * sharded embedding path the broadcast holds the dense parameters only ({@link ModelState#withoutSparseRows}): a
 * first task lists the table rows the partition's examples read ({@link #rowsToPull}) and the scoring task loads the
 * rows pulled from the shards into a pooled model's compact tables ({@link #withPulledRows}).
 */
final class ValidationScorer implements Function2<Integer, Iterator<ExampleBlock>, Iterator<ValidationScores>> {

  private static final long serialVersionUID = 1L;

  private final Broadcast<ModelState> state;
  private final ModelFactory modelFactory;
  private final int batchSize;
  private final int fields;
  private final boolean hasValues;
  private final boolean hasWeights;
  private final boolean hasSequences;
  /** The sharded run whose {@link TaskModelPool} the tasks take models from; null on the broadcast path. */
  private final String pool;
  private final OptimizerFactory optimizers;

  /** A scorer of the full broadcast state (the broadcast path). */
  ValidationScorer(Broadcast<ModelState> state, ModelFactory modelFactory, int batchSize, ExampleData data) {
    this(state, modelFactory, batchSize, data, null, null);
  }

  /**
   * A scorer of {@code state}; with a {@code pool} (the sharded path) its tasks take compact models, with an
   * optimizer from {@code optimizers}, from that run's {@link TaskModelPool}.
   */
  ValidationScorer(Broadcast<ModelState> state, ModelFactory modelFactory, int batchSize, ExampleData data,
      String pool, OptimizerFactory optimizers) {
    this.state = state;
    this.modelFactory = modelFactory;
    this.batchSize = batchSize;
    this.fields = data.fields();
    this.hasValues = data.hasValues();
    this.hasWeights = data.hasWeights();
    this.hasSequences = data.hasSequences();
    this.pool = pool;
    this.optimizers = optimizers;
  }

  @Override
  public Iterator<ValidationScores> call(Integer partition, Iterator<ExampleBlock> it) {
    List<ExampleBlock> blocks = new ArrayList<>();
    it.forEachRemaining(blocks::add);
    if (rows(blocks) == 0) {
      return List.of(score(null, blocks)).iterator();
    }
    TrainableModel model = modelFactory.create();
    state.value().copyValuesInto(model.parameters());
    return List.of(score(model, blocks)).iterator();
  }

  /**
   * The sharded path's first task: the table rows this partition's examples read, as one request per shard {@code
   * (shard, request)}, listed by forward passes on a listing tape in evaluation mode.
   */
  Function2<Integer, Iterator<ExampleBlock>, Iterator<Tuple2<Integer, ShardedTables.RowRequest>>> rowsToPull(
      int shards) {
    requirePool();
    return (partition, it) -> {
      List<ExampleBlock> blocks = new ArrayList<>();
      it.forEachRemaining(blocks::add);
      if (rows(blocks) == 0) {
        return Collections.emptyIterator();
      }
      TaskModelPool.Worker worker = takeWorker();
      int[][] read = TouchedRows.readBy(worker.model(),
          step -> forEachBatch(blocks, (batch, done) -> step.accept(batch)));
      TaskModelPool.giveBack(pool, worker);
      return ShardedTables.RowRequest.perShard(partition, read, shards).iterator();
    };
  }

  /** The sharded path's scoring task: the partition's blocks with the rows pulled for them (values only). */
  FlatMapFunction2<Iterator<ExampleBlock>, Iterator<ShardedTables.PulledRows>, ValidationScores> withPulledRows() {
    requirePool();
    return (it, pulled) -> {
      List<ExampleBlock> blocks = new ArrayList<>();
      it.forEachRemaining(blocks::add);
      if (rows(blocks) == 0) {
        return List.of(score(null, blocks)).iterator();
      }
      TaskModelPool.Worker worker = takeWorker();
      state.value().copyValuesInto(worker.parameters()); // the dense parameters; the tables are pulled
      ShardedTables.PulledRows.loadAll(pulled, worker.parameters(), null);
      ValidationScores scores = score(worker.model(), blocks);
      TaskModelPool.giveBack(pool, worker);
      return List.of(scores).iterator();
    };
  }

  private void requirePool() {
    if (pool == null) {
      throw new IllegalStateException("pulled rows are scored by a sharded run's pooled models; this scorer has none");
    }
  }

  private TaskModelPool.Worker takeWorker() {
    return TaskModelPool.takeCompact(pool, modelFactory, optimizers, state.value().learningRate());
  }

  /**
   * The logits, labels and weights of every row of {@code blocks}, in order, scored by {@code model} (unused, and
   * may be null, when the blocks hold no rows).
   */
  private ValidationScores score(TrainableModel model, List<ExampleBlock> blocks) {
    int rows = rows(blocks);
    float[] logits = new float[rows];
    float[] labels = new float[rows];
    float[] weights = hasWeights ? new float[rows] : null;
    Tape tape = new Tape().training(false);
    float[] out = new float[batchSize];
    forEachBatch(blocks, (batch, done) -> {
      tape.reset();
      model.logits(tape, batch, out);
      int size = batch.size();
      System.arraycopy(out, 0, logits, done, size);
      System.arraycopy(batch.labels(), 0, labels, done, size);
      if (hasWeights) {
        System.arraycopy(batch.weights(), 0, weights, done, size);
      }
    });
    return new ValidationScores(logits, labels, weights);
  }

  private static int rows(List<ExampleBlock> blocks) {
    int rows = 0;
    for (ExampleBlock block : blocks) {
      rows = Math.addExact(rows, block.rows());
    }
    return rows;
  }

  /** What a pass does with one batch; {@code done} rows of the partition came before it. */
  private interface BatchStep {
    void accept(Batch batch, int done);
  }

  /** Runs {@code step} on the rows of {@code blocks} in order, in batches of {@code batchSize} within each block. */
  private void forEachBatch(List<ExampleBlock> blocks, BatchStep step) {
    Batch batch = new Batch(batchSize, fields, hasValues, hasWeights, hasSequences);
    int done = 0;
    for (ExampleBlock block : blocks) {
      for (int start = 0; start < block.rows(); start += batchSize) {
        int size = Math.min(batchSize, block.rows() - start);
        for (int i = 0; i < size; i++) {
          block.copyRow(start + i, batch, i);
        }
        batch.setSize(size);
        step.accept(batch, done);
        done += size;
      }
    }
  }
}
