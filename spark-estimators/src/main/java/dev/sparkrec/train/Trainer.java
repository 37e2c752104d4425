package dev.sparkrec.train;

import dev.sparkrec.eval.BinaryMetrics;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.RowInit;
import dev.sparkrec.nn.ops.Sigmoid;
import dev.sparkrec.nn.optim.Optimizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link TrainableModel} on a Spark cluster by synchronous parameter averaging, deterministically.
 *
 * <p><b>One epoch.</b> The training examples are cached once as blocks ({@link ExampleData}). Each sync
 * round broadcasts the current parameters, optimizer slots, step count and learning rate; every partition
 * builds the model with the {@link ModelFactory}, overwrites its parameters with the broadcast values,
 * restores the optimizer from the slots and trains locally on its next mini-batches: all of its batches
 * when {@code syncEveryBatches} is 0 (one round per epoch), else the next {@code syncEveryBatches}. The
 * partition's rows are visited in a permutation seeded by (seed, epoch, partition index) only, and each
 * round takes its slice of that epoch's batch sequence, so the order does not depend on the number of
 * rounds already run or on task retries. Each partition returns its parameters weighted by the examples it
 * trained on in the round: dense parameters in full, sparse-row tables only as their touched rows
 * (sorted). The driver then sets each dense parameter to Σ w_p θ_p / Σ w_p and each touched embedding row
 * to the same average over the partitions that touched it (untouched rows keep their values); optimizer
 * slots are averaged the same way.
 *
 * <p><b>Embedding sync.</b> On the {@link TrainingConfig#SHARDED} path (chosen by {@code embeddingSync}) the
 * embedding tables and their slots stay in the cluster as shards ({@link ShardedTables}): the round's broadcast
 * carries only the dense state, each partition pulls the rows its batches touch and pushes back its touched rows,
 * which the shards average in the same order as the driver does here, so both paths give bit-identical
 * parameters. The driver holds the tables only while it needs them: the executors initialise their shards' rows
 * ({@link RowInit}), so the driver builds no table (unless one was written other than by its initialiser), scores
 * validation with tasks that pull the rows they read ({@link ShardedTables#score}), gathers the tables (with their
 * slots) only for a checkpoint and keeps the best epoch's as a cached version of the shards
 * ({@link ShardedTables#keepAsBest}). The result leaves the trained tables in the cluster ({@link
 * TrainedParameters}): the driver reads a table only when something asks for its values.
 *
 * <p><b>Determinism.</b> Same seed, data and configuration give bit-identical parameters, however the input
 * DataFrames are partitioned, also across task retries and resumed runs. Training and validation rows are
 * first redistributed into {@code numPartitions} partitions (the session's default parallelism when 0) by a
 * seeded hash of the columns read, and sorted within each partition by that hash and those columns
 * ({@link ExampleData}), so every partition's rows and their order, and with them the local batches, the
 * averaging weights and the order validation scores are gathered in, are functions of the data and the
 * seed. That shuffle runs once, when the blocks are cached; every round reads the cache. A different
 * {@code numPartitions} is a different run, as is a different default parallelism when it is 0. Spark's
 * {@code treeAggregate} and {@code reduce} merge partition results in task-completion order, which changes
 * floating-point sums, so the averaging uses
 * {@link FixedOrderTreeAggregate}: a {@code treeAggregate} with a fixed tree, where partition i goes to
 * group i / fanIn ({@code fanIn = ⌈√partitions⌉}), each group's children are merged in index order after a
 * {@code groupByKey}, and the driver merges the groups in index order.
 *
 * <p><b>After each epoch</b> the optional validation data is scored with the new parameters (exact AUC
 * and log loss over the gathered scores; with {@code validationMetric} "rmse", the weighted root mean
 * squared error of the model's {@code logits} output, which a regression model fills with its
 * prediction), the monitored metric drives early stopping, best-epoch selection
 * and learning-rate decay ({@link TrainingConfig}), a checkpoint is written when {@code checkpointDir} is
 * set, a progress line is logged at INFO and every {@link TrainingListener} is called. The result holds the
 * best epoch's parameters. Before anything runs, a memory guard estimates parameter, gradient and slot
 * memory and fails at once when it exceeds {@code maxMemoryFraction} of the executor heap.
 */
public final class Trainer {

  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  private final ModelFactory modelFactory;
  private final TrainingConfig config;
  private final List<TrainingListener<? super Map<String, float[]>>> listeners = new ArrayList<>();

  public Trainer(ModelFactory modelFactory, TrainingConfig config) {
    if (modelFactory == null || config == null) {
      throw new IllegalArgumentException("a model factory and a training configuration are required");
    }
    this.modelFactory = modelFactory;
    this.config = config;
  }

  /**
   * Adds a listener called after every epoch with the epoch's report and the parameters selected so far (fresh
   * copies by name, in model order, built only when the listener asks); returns this trainer.
   */
  public Trainer addListener(TrainingListener<? super Map<String, float[]>> listener) {
    listeners.add(listener);
    return this;
  }

  /**
   * Trains on {@code train} and, after each epoch, evaluates on {@code validation} (may be null), both read
   * through {@code columns}. Both are redistributed into {@code numPartitions} partitions by content (the
   * session's default parallelism when 0) and cached as blocks for the duration of the call. The memory guard
   * runs before the data is read. Real-valued labels need {@code validationMetric} "rmse".
   */
  public TrainingResult fit(Dataset<Row> train, Dataset<Row> validation, ExampleColumns columns) {
    requireMetricForLabels(!columns.binaryLabels(), columns.labelCol());
    SparkContext sc = train.sparkSession().sparkContext();
    int partitions = config.numPartitions() > 0 ? config.numPartitions() : sc.defaultParallelism();
    ModelState state = prepare(sc, partitions);
    int fields = ExampleData.firstRowFields(train, columns);
    ExampleData trainData =
        ExampleData.fromDataFrame(train, columns, config.blockSize(), fields, partitions, config.seed());
    ExampleData validationData = null;
    try {
      if (validation != null) {
        validationData =
            ExampleData.fromDataFrame(validation, columns, config.blockSize(), fields, partitions, config.seed());
      }
      return run(state, trainData, validationData);
    } finally {
      trainData.unpersist();
      if (validationData != null) {
        validationData.unpersist();
      }
    }
  }

  /**
   * Trains on already built blocks (validation may be null) in their partitioning; the caller keeps ownership
   * of their caching, and {@code numPartitions} is not used.
   */
  public TrainingResult fit(ExampleData train, ExampleData validation) {
    if (validation != null && validation.fields() != train.fields()) {
      throw new IllegalArgumentException("The validation data has " + validation.fields() + " ids per row but the "
          + "training data has " + train.fields() + ".");
    }
    requireMetricForLabels(train.realValuedLabels(), "label");
    return run(prepare(train.session().sparkContext(), train.numPartitions()), train, validation);
  }

  /** Log loss and AUC score 0/1 labels: a run on real-valued labels must monitor RMSE. */
  private void requireMetricForLabels(boolean realValuedLabels, String labelCol) {
    if (realValuedLabels && !TrainingConfig.RMSE.equals(config.validationMetric())) {
      throw new IllegalArgumentException("Column '" + labelCol + "' holds real-valued labels, which validationMetric '"
          + config.validationMetric() + "' cannot score (it needs 0/1 labels); set validationMetric to '"
          + TrainingConfig.RMSE + "'.");
    }
  }

  /**
   * Builds the driver's model, whose parameter and slot arrays hold the state, and runs the memory guard for the
   * embedding sync the run will use (its tables sharded over {@code partitions} partitions on the sharded path). On
   * the sharded path the state holds no table-sized array: the model is built with compact tables, and a table
   * whose rows its initialiser draws row by row ({@link RowInit}) starts on the executors that hold its shards; a
   * table written any other way is built here and its initial values sharded. Its optimizer slots are always
   * created by the shards.
   */
  ModelState prepare(SparkContext sc, int partitions) {
    // the broadcast path needs the tables on the driver, so only another sync builds the compact model first
    ModelState state = TrainingConfig.BROADCAST.equals(config.embeddingSync()) ? null : withTablesFromRowInits();
    if (state == null || !ShardedTables.chosen(config, state)) {
      state = withInitialTables();
    }
    MemoryGuard.Heap heap = MemoryGuard.executorHeap(sc.master(), sc.getConf());
    if (!ShardedTables.chosen(config, state)) {
      MemoryGuard.check(state, heap, config.maxMemoryFraction());
      state.attachSparseRows(true);
      return state;
    }
    MemoryGuard.Storage storage = MemoryGuard.Storage.of(sc);
    MemoryGuard.check(state, heap, config.maxMemoryFraction(), storage == null ? 1 : storage.executors(),
        Runtime.getRuntime().maxMemory());
    if (storage == null) {
      LOG.warn("No executor has registered yet, so whether the embedding shards fit the executors' storage memory "
          + "is not checked before training");
    } else {
      MemoryGuard.checkShards(state, partitions, storage);
    }
    return state;
  }

  /**
   * The initial state from a model built with compact tables, every table left to start from its {@link RowInit};
   * null when some table's first rows are not what its recorded initialiser gives (written some other way).
   */
  private ModelState withTablesFromRowInits() {
    TrainableModel model = Parameter.buildingCompact(modelFactory::create);
    Optimizer optimizer = config.optimizerFactory().create(config.learningRate());
    List<Parameter> parameters = model.parameters();
    RowInit[] inits = new RowInit[parameters.size()];
    for (int i = 0; i < parameters.size(); i++) {
      Parameter p = parameters.get(i);
      if (p.isSparseRows()) {
        inits[i] = p.rowInit();
        if (inits[i] == null || !startsAsRowInit(p, inits[i])) {
          return null;
        }
      }
    }
    ModelState state = ModelState.wrap(parameters, optimizer);
    for (int i = 0; i < inits.length; i++) {
      if (inits[i] != null) {
        state.startWithoutValues(i, inits[i]);
      }
    }
    return state;
  }

  /** Whether the rows a freshly built compact table holds (its first rows) are bit for bit those {@code init} gives. */
  private static boolean startsAsRowInit(Parameter table, RowInit init) {
    int d = table.rowSize();
    int rows = Math.min(table.shape()[0], table.data().length / d);
    float[] row = new float[d];
    for (int r = 0; r < rows; r++) {
      init.fillRow(r, d, row, 0);
      for (int j = 0; j < d; j++) {
        if (Float.floatToIntBits(row[j]) != Float.floatToIntBits(table.data()[r * d + j])) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The initial state from a model built with full tables; the state keeps one row of each table's optimizer slots
   * (which the broadcast path attaches at full size and the shards create).
   */
  private ModelState withInitialTables() {
    TrainableModel model = modelFactory.create();
    Optimizer optimizer = config.optimizerFactory().create(config.learningRate());
    List<Parameter> parameters = model.parameters();
    float[][] tables = new float[parameters.size()][];
    for (int i = 0; i < parameters.size(); i++) {
      Parameter p = parameters.get(i);
      if (p.isSparseRows()) {
        tables[i] = p.data();
        p.compact(1); // the optimizer creates one row of slots for it, not a table's worth
      }
    }
    ModelState state = ModelState.wrap(parameters, optimizer);
    for (int i = 0; i < tables.length; i++) {
      if (tables[i] != null) {
        state.adoptValues(i, tables[i]);
      }
    }
    return state;
  }

  private TrainingResult run(ModelState state, ExampleData train, ExampleData validation) {
    SparkSession spark = train.session();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    boolean aucMinusLogLoss = TrainingConfig.AUC_MINUS_LOGLOSS.equals(config.validationMetric());
    boolean higherIsBetter = validation != null && (TrainingConfig.AUC.equals(config.validationMetric())
        || aucMinusLogLoss);
    PlateauSchedule schedule = new PlateauSchedule(higherIsBetter, config);
    DimensionSearch search = config.dimensionSearch();
    if (search != null && validation == null) {
      throw new IllegalArgumentException("A dimension search steps its selection weights on validation rows; give "
          + "the training validation data (e.g. set validationIndicatorCol).");
    }
    if (search != null) {
      for (String name : search.selectionParameters()) {
        boolean found = false;
        for (int i = 0; i < state.size(); i++) {
          found |= state.name(i).equals(name);
        }
        if (!found) {
          throw new IllegalArgumentException("The dimension search names selection parameter '" + name + "', which "
              + "the model does not have; build the model with a soft-selection embedding layout.");
        }
      }
    }
    if (search != null && validation.numPartitions() != train.numPartitions()) {
      throw new IllegalArgumentException("A dimension search pairs every training partition with a validation "
          + "partition, but the training data has " + train.numPartitions() + " partitions and the validation data "
          + validation.numPartitions() + ".");
    }
    List<EpochReport> history = new ArrayList<>();
    float[][] bestValues = null;
    Checkpoints.TablesInCluster restoredTables = null;
    TrainedTables finalTables = null;
    TrainedTables bestTables = null;
    int lastEpoch = 0;

    String dir = config.checkpointDir();
    if (dir != null) {
      OptionalInt latest = Checkpoints.latestEpoch(spark, dir);
      if (latest.isPresent()) {
        if (!config.resume()) {
          throw new IllegalArgumentException("checkpointDir " + dir + " already holds the checkpoint of epoch "
              + latest.getAsInt() + "; set resume to continue from it, or choose an empty directory.");
        }
        // on the sharded path the executors read the checkpoint's tables into the shards: the driver holds none
        boolean tablesInCluster = ShardedTables.chosen(config, state);
        if (tablesInCluster) {
          state.detachSparseRows();
        } else {
          state.attachSparseRows(true);
        }
        Checkpoints.Restored restored = Checkpoints.read(spark, dir, latest.getAsInt(), state, tablesInCluster);
        restoredTables = restored.tables;
        if (restored.seed != config.seed()) {
          LOG.warn("Resuming from a checkpoint written with seed {} using seed {}; the run will not repeat the "
              + "original one.", restored.seed, config.seed());
        }
        schedule.restore(state.learningRate(), restored.bestMetric, restored.bestEpoch, restored.epochsSinceBest,
            restored.epochsSinceDecay, restored.stopped);
        bestValues = restored.bestValues;
        history.addAll(restored.history);
        lastEpoch = restored.epoch;
        LOG.info("Resuming training after epoch {} from {}", lastEpoch, Checkpoints.epochDir(dir, lastEpoch));
      } else if (config.resume()) {
        LOG.info("No checkpoint in {}; training from the start.", dir);
      }
    }

    // a resumed search that had finished its warm start searches on
    boolean searching = search != null && lastEpoch >= search.warmStartEpochs();
    int rounds = roundsPerEpoch(train);
    int fanIn = FixedOrderTreeAggregate.fanIn(train.numPartitions());
    double secondsThisRun = 0;
    int epochsThisRun = 0;
    ShardedTables tables = null;
    if (restoredTables != null) {
      // also when no epoch is left: the result's tables then come from the checkpoint's shards
      jsc.setJobDescription("SparkRec training: reading the checkpoint's embedding tables into shards");
      try {
        tables = ShardedTables.restore(state, train.numPartitions(), restoredTables.values(), restoredTables.slots(),
            restoredTables.best());
      } finally {
        jsc.setJobDescription(null);
      }
      LOG.info("Embedding tables sharded over {} partitions from the checkpoint ({} MB with their optimizer slots)",
          train.numPartitions(), 4L * state.sparseRowFloats() >> 20);
    } else if (ShardedTables.chosen(config, state) && lastEpoch < config.maxEpochs() && !schedule.stopped()) {
      jsc.setJobDescription("SparkRec training: sharding the embedding tables");
      try {
        tables = ShardedTables.create(jsc, state, train.numPartitions());
        state.detachSparseRows();
      } finally {
        jsc.setJobDescription(null);
      }
      LOG.info("Embedding tables sharded over {} partitions ({} MB with their optimizer slots)",
          train.numPartitions(), 4L * state.sparseRowFloats() >> 20);
    }
    // the sharded path's tasks reuse their JVM's models from round to round (TaskModelPool)
    String pool = tables != null ? UUID.randomUUID().toString() : null;
    try {
      for (int epoch = lastEpoch + 1; epoch <= config.maxEpochs() && !schedule.stopped(); epoch++) {
        long start = System.nanoTime();
        double learningRate = state.learningRate();
        long examples = 0;
        double lossSum = 0;
        boolean searchEpoch = searching;
        for (int round = 0; round < rounds; round++) {
          jsc.setJobDescription("SparkRec training: epoch " + epoch + (searchEpoch ? " (dimension search)" : "")
              + ", round " + (round + 1) + "/" + rounds);
          Broadcast<ModelState> broadcast = jsc.broadcast(tables == null ? state : state.withoutSparseRows());
          try {
            PartitionTrainer task = new PartitionTrainer(broadcast, modelFactory, config, train, epoch, round, pool);
            WeightedSums sums = tables != null ? tables.round(train, task, fanIn)
                : FixedOrderTreeAggregate.aggregate(
                    searchEpoch ? train.blocks().zipPartitions(validation.blocks(), task.withValidation())
                        : train.blocks().mapPartitionsWithIndex(task, false),
                    WeightedSums::merge, fanIn);
            state.applyAverage(sums);
            examples += sums.examples();
            lossSum += sums.lossSum();
          } catch (Exception e) {
            throw SparkErrors.withInvalidInputFirst(e);
          } finally {
            broadcast.destroy();
            jsc.setJobDescription(null);
          }
        }
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        double trainLoss = examples > 0 ? lossSum / examples : Double.NaN;

        double[] metrics = validation == null ? new double[] {Double.NaN, Double.NaN, Double.NaN}
            : validate(jsc, state, validation, tables, pool);
        double monitored = validation == null ? trainLoss : aucMinusLogLoss ? metrics[1] - metrics[0]
            : higherIsBetter ? metrics[1] : TrainingConfig.RMSE.equals(config.validationMetric()) ? metrics[2]
            : metrics[0];
        boolean improved = schedule.update(epoch, monitored);
        if (improved) {
          bestValues = copyValues(state, tables != null);
          if (tables != null) {
            tables.keepAsBest();
          }
        }
        state.setLearningRate(schedule.learningRate());
        if (search != null && !searching && (epoch >= search.warmStartEpochs() || schedule.stopped())) {
          // the search starts from the best warm-start epoch; early stopping and selection start afresh
          if (bestValues != null) {
            state.setValues(bestValues);
          }
          schedule = new PlateauSchedule(higherIsBetter, config);
          schedule.restore(state.learningRate(), Double.NaN, 0, 0, 0, false);
          bestValues = null;
          LOG.info("Warm start of the dimension search done after epoch {}; searching from epoch {}", epoch, epoch + 1);
          searching = true;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        EpochReport report = new EpochReport(epoch, trainLoss, metrics[0], metrics[1], metrics[2], seconds,
            examples / Math.max(trainSeconds, 1e-9), learningRate, improved);
        history.add(report);
        if (dir != null) {
          jsc.setJobDescription("SparkRec training: epoch " + epoch + ", writing the checkpoint");
          try {
            Checkpoints.write(spark, dir, epoch, state, bestValues, tables, schedule, config.seed(), history);
          } finally {
            jsc.setJobDescription(null);
          }
        }
        lastEpoch = epoch;
        secondsThisRun += (System.nanoTime() - start) / 1e9;
        epochsThisRun++;
        double eta = secondsThisRun / epochsThisRun * (config.maxEpochs() - epoch);
        LOG.info(ProgressLine.format(report, config.maxEpochs(), eta, validation != null));
        for (TrainingListener<? super Map<String, float[]>> listener : listeners) {
          SelectedParameters selected = new SelectedParameters(state, bestValues, tables, epoch);
          try {
            listener.onEpochEnd(report, selected);
          } finally {
            selected.expired = true;
          }
        }
      }
      if (tables != null) {
        jsc.setJobDescription("SparkRec training: keeping the trained embedding tables in the cluster");
        try {
          finalTables = tables.trainedTables(false);
          if (bestValues != null && missesTables(bestValues, state)) {
            bestTables = tables.bestIsCurrent() ? finalTables : tables.trainedTables(true);
          }
        } finally {
          jsc.setJobDescription(null);
        }
      }
    } finally {
      if (tables != null) {
        tables.unpersist();
        TaskModelPool.release(pool);
      }
    }

    Map<String, float[]> finalParameters = tables == null ? state.parameterValues()
        : resultParameters(state, null, finalTables);
    Map<String, float[]> bestParameters;
    int bestEpoch;
    if (bestValues == null) {
      bestParameters = finalParameters;
      bestEpoch = lastEpoch;
    } else {
      bestParameters = resultParameters(state, bestValues, bestTables);
      bestEpoch = schedule.bestEpoch();
    }
    boolean stoppedEarly = schedule.stopped() && lastEpoch < config.maxEpochs();
    return new TrainingResult(bestParameters, finalParameters, history, bestEpoch, stoppedEarly);
  }

  /** Sync rounds per epoch: 1, or ⌈(most batches in a partition) / syncEveryBatches⌉. */
  private int roundsPerEpoch(ExampleData train) {
    if (config.syncEveryBatches() == 0) {
      return 1;
    }
    long mostBatches = 0;
    for (long rows : train.partitionRows()) {
      mostBatches = Math.max(mostBatches, PartitionTrainer.batchesPerEpoch(rows, config.batchSize()));
    }
    return (int) Math.max(1, (mostBatches + config.syncEveryBatches() - 1) / config.syncEveryBatches());
  }

  /**
   * Validation {log loss, AUC, NaN} of the current parameters over all validation rows, in partition order; with
   * the "rmse" metric {NaN, NaN, RMSE} instead. With sharded {@code tables} the tasks pull the rows they read from
   * the shards ({@link ShardedTables#score}) and take their models from the run's {@code pool}.
   */
  private double[] validate(JavaSparkContext jsc, ModelState state, ExampleData validation, ShardedTables tables,
      String pool) {
    jsc.setJobDescription("SparkRec training: validation");
    Broadcast<ModelState> broadcast = jsc.broadcast(tables == null ? state : state.withoutSparseRows());
    List<ValidationScores> parts;
    try {
      parts = tables == null
          ? validation.blocks().mapPartitionsWithIndex(
              new ValidationScorer(broadcast, modelFactory, config.batchSize(), validation), false).collect()
          : tables.score(validation, new ValidationScorer(broadcast, modelFactory, config.batchSize(), validation,
              pool, config.optimizerFactory()));
    } catch (Exception e) {
      throw SparkErrors.withInvalidInputFirst(e);
    } finally {
      broadcast.destroy();
      jsc.setJobDescription(null);
    }
    int n = 0;
    for (ValidationScores part : parts) {
      n = Math.addExact(n, part.logits.length);
    }
    float[] logits = new float[n];
    float[] labels = new float[n];
    float[] weights = validation.hasWeights() ? new float[n] : null;
    int at = 0;
    for (ValidationScores part : parts) {
      int m = part.logits.length;
      System.arraycopy(part.logits, 0, logits, at, m);
      System.arraycopy(part.labels, 0, labels, at, m);
      if (weights != null) {
        System.arraycopy(part.weights, 0, weights, at, m);
      }
      at += m;
    }
    if (TrainingConfig.RMSE.equals(config.validationMetric())) {
      return new double[] {Double.NaN, Double.NaN, rootMeanSquaredError(logits, labels, weights, n)};
    }
    double[] probabilities = new double[n];
    double[] labelsDouble = new double[n];
    double[] weightsDouble = validation.hasWeights() ? new double[n] : null;
    for (int i = 0; i < n; i++) {
      probabilities[i] = Sigmoid.sigmoid(logits[i]);
      labelsDouble[i] = labels[i];
      if (weightsDouble != null) {
        weightsDouble[i] = weights[i];
      }
    }
    double logLoss = BinaryMetrics.logLoss(probabilities, labelsDouble, weightsDouble, n, BinaryMetrics.DEFAULT_EPS);
    double auc = BinaryMetrics.auc(logits, labels, weights, n);
    return new double[] {logLoss, auc, Double.NaN};
  }

  /** {@code √(Σ w_i·(ŷ_i − y_i)² / Σ w_i)} over the first {@code n} rows (null weights: all 1); NaN if Σw=0. */
  static double rootMeanSquaredError(float[] predictions, float[] labels, float[] weights, int n) {
    double squares = 0;
    double weightSum = 0;
    for (int i = 0; i < n; i++) {
      double w = weights == null ? 1.0 : weights[i];
      double e = (double) predictions[i] - labels[i];
      squares += w * e * e; // Σ w_i·(ŷ_i − y_i)²
      weightSum += w;
    }
    return weightSum > 0 ? Math.sqrt(squares / weightSum) : Double.NaN;
  }

  /** What a listener's {@code selected} supplies: the parameters selected after one epoch, during its call only. */
  private static final class SelectedParameters implements Supplier<Map<String, float[]>> {
    private final ModelState state;
    private final float[][] bestValues;
    private final ShardedTables tables;
    private final int epoch;
    private boolean expired;

    SelectedParameters(ModelState state, float[][] bestValues, ShardedTables tables, int epoch) {
      this.state = state;
      this.bestValues = bestValues;
      this.tables = tables;
      this.epoch = epoch;
    }

    @Override
    public Map<String, float[]> get() {
      if (expired) {
        throw new IllegalStateException("The parameters selected after epoch " + epoch + " can only be read during "
            + "that epoch's onEpochEnd call; call get() there and keep what it returns.");
      }
      float[][] kept = bestValues != null ? bestValues : new float[state.size()][];
      if (bestValues == null) {
        for (int i = 0; i < state.size(); i++) {
          kept[i] = tables != null && state.isSparseRows(i) && !state.holdsValues(i) ? new float[0] : state.values(i);
        }
      }
      // tables the driver does not hold come from the shards, as new arrays
      float[][] gathered = null;
      Map<String, float[]> map = new LinkedHashMap<>();
      for (int i = 0; i < state.size(); i++) {
        float[] values = kept[i];
        if (values.length != state.floats(i)) {
          if (gathered == null) {
            gathered = tables.values(state, bestValues != null);
          }
          values = gathered[i];
        } else {
          values = values.clone();
        }
        map.put(state.name(i), values);
      }
      return map;
    }
  }

  /** Whether the sharded path left a table of the best epoch's values in the cluster ({@link #copyValues}). */
  private static boolean missesTables(float[][] bestValues, ModelState state) {
    for (int i = 0; i < state.size(); i++) {
      if (bestValues[i].length != state.floats(i)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A result's parameters by name: copies of {@code values} (or of the state's dense values when null), with the
   * tables they lack left in the cluster as {@code tables} ({@link TrainedParameters}; a plain map when they lack
   * none).
   */
  private static Map<String, float[]> resultParameters(ModelState state, float[][] values, TrainedTables tables) {
    LinkedHashMap<String, float[]> held = new LinkedHashMap<>();
    boolean lacking = false;
    for (int i = 0; i < state.size(); i++) {
      float[] v = values != null ? values[i] : state.isSparseRows(i) ? null : state.values(i);
      boolean inCluster = state.isSparseRows(i) && (v == null || v.length != state.floats(i));
      held.put(state.name(i), inCluster ? null : v.clone());
      lacking |= inCluster;
    }
    return lacking ? new TrainedParameters(held, tables) : held;
  }

  /**
   * Copies of the current values; with {@code withoutTables} (the sharded path, whose best tables stay in the
   * shards) empty arrays in place of the sparse-row tables.
   */
  private static float[][] copyValues(ModelState state, boolean withoutTables) {
    float[][] copy = new float[state.size()][];
    for (int i = 0; i < state.size(); i++) {
      copy[i] = withoutTables && state.isSparseRows(i) ? new float[0] : state.values(i).clone();
    }
    return copy;
  }
}
