package dev.sparkrec.train;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.optim.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * One partition's work in one sync round, run as a Spark task: build the model, load the broadcast
 * parameters and optimizer slots, train on this round's slice of the partition's shuffled mini-batches and
 * return the partition's {@link WeightedSums}. Everything it does is a function of the broadcast state,
 * the partition's rows and (seed, epoch, partition index, batch index), so a retried task returns the same
 * values.
 *
 * <p>Under a {@link DimensionSearch} the selection parameters' gradients are dropped before every optimizer
 * step, and in a search epoch (run on the training blocks zipped with the validation blocks of the same
 * partition) each training batch is followed by a validation batch, visited in its own seeded order, whose
 * loss gradient steps the selection parameters; the other gradients of that batch are discarded.
 *
 * <p>On the sharded embedding path ({@link ShardedTables}) the broadcast state holds no embedding rows: a first
 * task per partition lists the rows its batches of the round touch ({@link #rowsToPull}), and the training
 * task ({@link #withPulledRows}) loads those rows into its model's compact tables ({@link Parameter#compact}),
 * trains exactly as on the broadcast path and returns its sums split into the dense part and one push per shard.
 * Both take their model from the run's {@link TaskModelPool}.
 */
final class PartitionTrainer implements Function2<Integer, Iterator<ExampleBlock>, Iterator<WeightedSums>> {

  private static final long serialVersionUID = 1L;

  private final Broadcast<ModelState> state;
  private final ModelFactory modelFactory;
  private final TrainingConfig config;
  private final int fields;
  private final boolean hasValues;
  private final boolean hasWeights;
  private final boolean hasSequences;
  private final int epoch;
  private final int round;
  /** The run whose {@link TaskModelPool} models the sharded path's tasks reuse; null builds a model per task. */
  private final String pool;

  PartitionTrainer(Broadcast<ModelState> state, ModelFactory modelFactory, TrainingConfig config,
      ExampleData data, int epoch, int round, String pool) {
    this.state = state;
    this.modelFactory = modelFactory;
    this.config = config;
    this.fields = data.fields();
    this.hasValues = data.hasValues();
    this.hasWeights = data.hasWeights();
    this.hasSequences = data.hasSequences();
    this.epoch = epoch;
    this.round = round;
    this.pool = pool;
  }

  /** Mini-batches of a partition of {@code rows} rows per epoch: ⌈rows / batchSize⌉. */
  static long batchesPerEpoch(long rows, int batchSize) {
    return (rows + batchSize - 1) / batchSize;
  }

  @Override
  public Iterator<WeightedSums> call(Integer partition, Iterator<ExampleBlock> it) {
    return List.of(train(partition, it, null, null)).iterator();
  }

  /** A search epoch's task, for a partition's training blocks zipped with its validation blocks. */
  FlatMapFunction2<Iterator<ExampleBlock>, Iterator<ExampleBlock>, WeightedSums> withValidation() {
    return (trainBlocks, validationBlocks) ->
        List.of(train(TaskContext.getPartitionId(), trainBlocks, validationBlocks, null)).iterator();
  }

  /**
   * The sharded path's training task, for a partition's training blocks zipped with the rows it pulled: one
   * {@link ShardedTables.RoundOutput} with the dense sums and a push to each of {@code shards} shards (none when
   * the partition had no batch left in the round).
   */
  FlatMapFunction2<Iterator<ExampleBlock>, Iterator<ShardedTables.PulledRows>, ShardedTables.RoundOutput>
      withPulledRows(int shards) {
    return (trainBlocks, pulled) -> {
      int partition = TaskContext.getPartitionId();
      WeightedSums sums = train(partition, trainBlocks, null, pulled);
      return List.of(ShardedTables.RoundOutput.split(sums, partition, shards)).iterator();
    };
  }

  /**
   * The sharded path's first task: the rows of each embedding table that this partition's batches of the round
   * touch, as one request per shard {@code (shard, request)}. It runs the model's forward pass on those batches on
   * a {@linkplain Tape#listingRows listing tape}, whose row lookups mark the rows they read as backward would;
   * which rows are touched depends on the batches only, not on the parameter values.
   */
  Function2<Integer, Iterator<ExampleBlock>, Iterator<Tuple2<Integer, ShardedTables.RowRequest>>> rowsToPull(
      int shards) {
    return (partition, it) -> {
      Rows train = new Rows(it);
      long[] range = batchRange(train.count());
      if (range[0] >= range[1]) {
        return java.util.Collections.emptyIterator();
      }
      int[] order = ShuffleOrder.permutation(config.seed(), epoch, partition, train.count());
      TaskModelPool.Worker worker = takeWorker(config.learningRate());
      TrainableModel model = worker.model();
      List<Parameter> parameters = worker.parameters();
      TouchedRows touched = TouchedRows.listing(parameters);
      Tape tape = new Tape().training(true).listingRows(true);
      Batch batch = new Batch(config.batchSize(), fields, hasValues, hasWeights, hasSequences);
      for (long b = range[0]; b < range[1]; b++) {
        int from = (int) (b * config.batchSize());
        train.fill(order, from, (int) Math.min(config.batchSize(), train.count() - from), batch);
        tape.reset();
        tape.seed(ShuffleOrder.mix(config.seed(), epoch, partition, b));
        model.loss(tape, batch); // forward only: the listing tape marks the rows read
        touched.record(parameters);
        for (Parameter p : parameters) {
          p.zeroGrad();
        }
      }
      giveBack(worker);
      return ShardedTables.RowRequest.perShard(partition, touched.sorted(), shards).iterator();
    };
  }

  /** The batches {@code [first, last)} of the partition's epoch sequence that this round trains on. */
  private long[] batchRange(int rows) {
    long batches = batchesPerEpoch(rows, config.batchSize());
    long first = (long) round * config.syncEveryBatches();
    long last = config.syncEveryBatches() == 0 ? batches : Math.min(batches, first + config.syncEveryBatches());
    return new long[] {first, last};
  }

  /** One round on this partition; {@code pulled} is null on the broadcast path, else the pulled embedding rows. */
  private WeightedSums train(int partition, Iterator<ExampleBlock> it, Iterator<ExampleBlock> validationIt,
      Iterator<ShardedTables.PulledRows> pulled) {
    if (config.taskFailureInjector() != null) {
      TaskContext task = TaskContext.get();
      config.taskFailureInjector().beforeTraining(epoch, round, partition, task == null ? 0 : task.attemptNumber());
    }
    Rows train = new Rows(it);
    int rows = train.count();
    int batchSize = config.batchSize();
    long[] range = batchRange(rows);
    long first = range[0];
    long last = range[1];
    if (first >= last) {
      return WeightedSums.empty();
    }
    int[] order = ShuffleOrder.permutation(config.seed(), epoch, partition, rows);

    ModelState initial = state.value();
    TaskModelPool.Worker worker = takeWorker(initial.learningRate());
    TrainableModel model = worker.model();
    List<Parameter> parameters = worker.parameters();
    Optimizer optimizer = worker.optimizer();
    initial.copyInto(parameters, optimizer);
    if (pulled != null) {
      ShardedTables.PulledRows.loadAll(pulled, parameters, optimizer);
    }
    long initialSteps = optimizer.steps();
    TouchedRows touched = new TouchedRows(parameters);
    Tape tape = new Tape().training(true);
    Batch batch = new Batch(batchSize, fields, hasValues, hasWeights, hasSequences);
    DimensionSearch search = config.dimensionSearch();
    List<Parameter> selection = selectionParameters(parameters, search);
    Rows validation = validationIt == null ? null : new Rows(validationIt);
    Batch validationBatch = validation == null ? null
        : new Batch(batchSize, fields, hasValues, hasWeights, hasSequences);
    int[] validationOrder = validation == null ? null
        : ShuffleOrder.permutation(ShuffleOrder.mix(config.seed(), epoch, partition, -1), epoch, partition,
            validation.count());
    long validationBatches = validation == null ? 0 : batchesPerEpoch(validation.count(), batchSize);
    Tape validationTape = validation == null ? null : new Tape().training(false);
    long examples = 0;
    double lossSum = 0;
    for (long b = first; b < last; b++) {
      int from = (int) (b * batchSize);
      int size = (int) Math.min(batchSize, rows - from);
      train.fill(order, from, size, batch);
      tape.reset();
      tape.seed(ShuffleOrder.mix(config.seed(), epoch, partition, b));
      Tensor loss = model.loss(tape, batch);
      float value = loss.item();
      if (!Float.isFinite(value)) {
        throw new IllegalStateException("The training loss became " + value + " in epoch " + epoch + ", partition "
            + partition + ", batch " + b + " (learning rate " + initial.learningRate() + "); lower the learning "
            + "rate or clip gradients.");
      }
      lossSum += (double) value * size;
      examples += size;
      tape.backward(loss);
      if (config.gradientTransform() != null) {
        config.gradientTransform().apply(parameters);
      }
      for (Parameter p : selection) {
        p.zeroGrad(); // the selection moves only on validation batches
      }
      touched.record(parameters);
      optimizer.step(parameters);
      if (validationBatches > 0) {
        stepSelection(model, parameters, selection, search, validation, validationOrder, validationBatches, b,
            validationBatch, validationTape, epoch, partition);
      }
    }
    int[][] touchedRows = touched.sorted();
    WeightedSums sums = WeightedSums.ofPartition(examples, lossSum, optimizer.steps() - initialSteps, parameters,
        optimizer, touchedRows);
    giveBack(worker);
    return sums;
  }

  /**
   * A model and optimizer for this task: on the sharded path from the run's pool, built with compact embedding
   * tables (holding only the rows a round loads, never allocated at full size), else new.
   */
  private TaskModelPool.Worker takeWorker(double learningRate) {
    if (pool != null) {
      return TaskModelPool.takeCompact(pool, modelFactory, config.optimizerFactory(), learningRate);
    }
    TrainableModel model = modelFactory.create();
    return new TaskModelPool.Worker(model, model.parameters(), config.optimizerFactory().create(learningRate));
  }

  /** Returns a finished task's model to the run's pool (nothing without one). */
  private void giveBack(TaskModelPool.Worker worker) {
    if (pool != null) {
      TaskModelPool.giveBack(pool, worker);
    }
  }

  /**
   * The search's upper step: the validation loss ({@link TrainableModel#validationLoss}) of validation batch
   * {@code b mod validationBatches} steps the selection
   * parameters; every other gradient it leaves is discarded. Evaluation mode, so batch-norm statistics and
   * dropout see only training batches.
   */
  private static void stepSelection(TrainableModel model, List<Parameter> parameters, List<Parameter> selection,
      DimensionSearch search, Rows validation, int[] order, long validationBatches, long b, Batch batch, Tape tape,
      int epoch, int partition) {
    int batchSize = batch.capacity();
    int from = (int) ((b % validationBatches) * batchSize);
    int size = Math.min(batchSize, validation.count() - from);
    validation.fill(order, from, size, batch);
    tape.reset();
    Tensor loss = model.validationLoss(tape, batch);
    if (!Float.isFinite(loss.item())) {
      throw new IllegalStateException("The validation loss of the dimension search became " + loss.item()
          + " in epoch " + epoch + ", partition " + partition + "; lower the selection step size.");
    }
    tape.backward(loss);
    for (Parameter p : selection) {
      search.update().apply(p);
    }
    for (Parameter p : parameters) {
      p.zeroGrad();
    }
  }

  /** The parameters a dimension search steps on validation batches (none without a search). */
  private static List<Parameter> selectionParameters(List<Parameter> parameters, DimensionSearch search) {
    if (search == null) {
      return List.of();
    }
    List<Parameter> out = new ArrayList<>();
    for (String name : search.selectionParameters()) {
      Parameter found = null;
      for (Parameter p : parameters) {
        if (p.name().equals(name)) {
          found = p;
        }
      }
      if (found == null) {
        throw new IllegalArgumentException("The dimension search names selection parameter '" + name + "', which "
            + "the model does not have; train it with a soft-selection embedding layout.");
      }
      out.add(found);
    }
    return out;
  }

  /** A partition's rows as its cached blocks, addressed by row index within the partition. */
  private static final class Rows {
    private final List<ExampleBlock> blocks = new ArrayList<>();
    private final int[] blockStart;

    Rows(Iterator<ExampleBlock> it) {
      it.forEachRemaining(blocks::add);
      blockStart = new int[blocks.size() + 1];
      for (int b = 0; b < blocks.size(); b++) {
        blockStart[b + 1] = Math.addExact(blockStart[b], blocks.get(b).rows());
      }
    }

    int count() {
      return blockStart[blocks.size()];
    }

    /** Copies rows {@code order[from .. from + size)} into {@code batch} and sets its size. */
    void fill(int[] order, int from, int size, Batch batch) {
      for (int i = 0; i < size; i++) {
        int row = order[from + i];
        int block = blockOf(blockStart, row);
        blocks.get(block).copyRow(row - blockStart[block], batch, i);
      }
      batch.setSize(size);
    }
  }

  /** The block holding partition row {@code row}: the last block whose start is {@code <= row}. */
  private static int blockOf(int[] blockStart, int row) {
    int i = Arrays.binarySearch(blockStart, row);
    if (i >= 0) {
      while (i + 1 < blockStart.length && blockStart[i + 1] == row) {
        i++; // skip empty blocks
      }
      return i;
    }
    return -i - 2;
  }
}
