package dev.sparkrec.train;

import java.io.Serializable;

/**
 * Settings of a {@link Trainer} run. Immutable; build with {@link #builder()}, which validates every value
 * and fails naming the setting. A model stage builds one from its Spark Params, so the trainer never sees
 * Params. Serializable: executors receive it with each training task.
 *
 * <p>The getters return the settings documented on the {@link Builder}'s setters.
 */
public final class TrainingConfig implements Serializable {

  private static final long serialVersionUID = 1L;

  /** {@code validationMetric} value: validation log loss, lower is better. */
  public static final String LOGLOSS = "logloss";
  /** {@code validationMetric} value: validation ROC AUC, higher is better. */
  public static final String AUC = "auc";
  /**
   * {@code validationMetric} value: validation root mean squared error of the model's outputs against
   * real-valued labels (ratings), lower is better.
   */
  public static final String RMSE = "rmse";
  /**
   * {@code validationMetric} value: validation ROC AUC minus validation log loss, higher is better; the stopping
   * criterion of the AFN reference code, which keeps an ensemble from trading calibration for ranking.
   */
  public static final String AUC_MINUS_LOGLOSS = "auc-logloss";

  /** {@code embeddingSync} value: every round broadcasts the embedding tables with the other parameters. */
  public static final String BROADCAST = "broadcast";
  /**
   * {@code embeddingSync} value: the embedding tables live in the cluster as shards keyed by row; each round a
   * task receives only the rows its batches touch and sends back only those rows ({@link ShardedTables}).
   */
  public static final String SHARDED = "sharded";
  /** {@code embeddingSync} value: {@link #SHARDED} when the tables and their slots reach {@link #AUTO_SHARDED_BYTES}. */
  public static final String AUTO = "auto";
  /** Table bytes (values and optimizer slots of all sparse-row parameters) from which "auto" shards: 256 MiB. */
  public static final long AUTO_SHARDED_BYTES = 256L << 20;

  private final int maxEpochs;
  private final int batchSize;
  private final double learningRate;
  private final long seed;
  private final int syncEveryBatches;
  private final int patience;
  private final String validationMetric;
  private final double lrDecayFactor;
  private final int lrDecayPatience;
  private final double minLearningRate;
  private final String checkpointDir;
  private final boolean resume;
  private final double maxMemoryFraction;
  private final int blockSize;
  private final int numPartitions;
  private final String embeddingSync;
  private final OptimizerFactory optimizerFactory;
  private final GradientTransform gradientTransform;
  private final TaskFailureInjector taskFailureInjector;
  private final DimensionSearch dimensionSearch;

  private TrainingConfig(Builder b) {
    this.maxEpochs = b.maxEpochs;
    this.batchSize = b.batchSize;
    this.learningRate = b.learningRate;
    this.seed = b.seed;
    this.syncEveryBatches = b.syncEveryBatches;
    this.patience = b.patience;
    this.validationMetric = b.validationMetric;
    this.lrDecayFactor = b.lrDecayFactor;
    this.lrDecayPatience = b.lrDecayPatience;
    this.minLearningRate = b.minLearningRate;
    this.checkpointDir = b.checkpointDir;
    this.resume = b.resume;
    this.maxMemoryFraction = b.maxMemoryFraction;
    this.blockSize = b.blockSize;
    this.numPartitions = b.numPartitions;
    this.embeddingSync = b.embeddingSync;
    this.optimizerFactory = b.optimizerFactory;
    this.gradientTransform = b.gradientTransform;
    this.taskFailureInjector = b.taskFailureInjector;
    this.dimensionSearch = b.dimensionSearch;
  }

  /** A builder with the defaults documented on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration, to derive a variant. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxEpochs = maxEpochs;
    b.batchSize = batchSize;
    b.learningRate = learningRate;
    b.seed = seed;
    b.syncEveryBatches = syncEveryBatches;
    b.patience = patience;
    b.validationMetric = validationMetric;
    b.lrDecayFactor = lrDecayFactor;
    b.lrDecayPatience = lrDecayPatience;
    b.minLearningRate = minLearningRate;
    b.checkpointDir = checkpointDir;
    b.resume = resume;
    b.maxMemoryFraction = maxMemoryFraction;
    b.blockSize = blockSize;
    b.numPartitions = numPartitions;
    b.embeddingSync = embeddingSync;
    b.optimizerFactory = optimizerFactory;
    b.gradientTransform = gradientTransform;
    b.taskFailureInjector = taskFailureInjector;
    b.dimensionSearch = dimensionSearch;
    return b;
  }

  public int maxEpochs() {
    return maxEpochs;
  }

  public int batchSize() {
    return batchSize;
  }

  public double learningRate() {
    return learningRate;
  }

  public long seed() {
    return seed;
  }

  public int syncEveryBatches() {
    return syncEveryBatches;
  }

  public int patience() {
    return patience;
  }

  public String validationMetric() {
    return validationMetric;
  }

  public double lrDecayFactor() {
    return lrDecayFactor;
  }

  public int lrDecayPatience() {
    return lrDecayPatience;
  }

  public double minLearningRate() {
    return minLearningRate;
  }

  /** The checkpoint directory, or null. */
  public String checkpointDir() {
    return checkpointDir;
  }

  public boolean resume() {
    return resume;
  }

  public double maxMemoryFraction() {
    return maxMemoryFraction;
  }

  public int blockSize() {
    return blockSize;
  }

  /** The number of partitions training runs on; 0 means the session's default parallelism. */
  public int numPartitions() {
    return numPartitions;
  }

  /** How embedding tables are synchronised: {@link #BROADCAST}, {@link #SHARDED} or {@link #AUTO}. */
  public String embeddingSync() {
    return embeddingSync;
  }

  public OptimizerFactory optimizerFactory() {
    return optimizerFactory;
  }

  /** The gradient transform, or null. */
  public GradientTransform gradientTransform() {
    return gradientTransform;
  }

  /** The test-only failure hook, or null. */
  public TaskFailureInjector taskFailureInjector() {
    return taskFailureInjector;
  }

  /** The input-search schedule, or null for plain training. */
  public DimensionSearch dimensionSearch() {
    return dimensionSearch;
  }

  @Override
  public String toString() {
    return "TrainingConfig(maxEpochs=" + maxEpochs + ", batchSize=" + batchSize + ", learningRate=" + learningRate
        + ", seed=" + seed + ", syncEveryBatches=" + syncEveryBatches + ", patience=" + patience
        + ", validationMetric=" + validationMetric + ", lrDecayFactor=" + lrDecayFactor + ", lrDecayPatience="
        + lrDecayPatience + ", minLearningRate=" + minLearningRate + ", checkpointDir=" + checkpointDir
        + ", resume=" + resume + ", maxMemoryFraction=" + maxMemoryFraction + ", blockSize=" + blockSize
        + ", numPartitions=" + numPartitions + ", embeddingSync=" + embeddingSync + (dimensionSearch == null ? "" : ", " + dimensionSearch) + ")";
  }

  /** Configures a {@link TrainingConfig}; every setter states its range and default. */
  public static final class Builder {

    private int maxEpochs = 10;
    private int batchSize = 256;
    private double learningRate = 0.01;
    private long seed = 42;
    private int syncEveryBatches = 0;
    private int patience = 0;
    private String validationMetric = LOGLOSS;
    private double lrDecayFactor = 0.5;
    private int lrDecayPatience = 0;
    private double minLearningRate = 0.0;
    private String checkpointDir = null;
    private boolean resume = false;
    private DimensionSearch dimensionSearch = null;
    private double maxMemoryFraction = 0.6;
    private int blockSize = 4096;
    private int numPartitions = 0;
    private String embeddingSync = AUTO;
    private OptimizerFactory optimizerFactory = OptimizerFactory.SGD;
    private GradientTransform gradientTransform = null;
    private TaskFailureInjector taskFailureInjector = null;

    private Builder() {}

    /** Most passes over the training data (>= 1); early stopping may end sooner. Default: 10. */
    public Builder maxEpochs(int value) {
      maxEpochs = value;
      return this;
    }

    /** Examples per mini-batch within a partition (>= 1). Default: 256. */
    public Builder batchSize(int value) {
      batchSize = value;
      return this;
    }

    /** Initial optimizer step size (> 0, finite). Default: 0.01. */
    public Builder learningRate(double value) {
      learningRate = value;
      return this;
    }

    /** Seed of the per-partition shuffles and of stochastic layers. Default: 42. */
    public Builder seed(long value) {
      seed = value;
      return this;
    }

    /**
     * Local mini-batches each partition trains between parameter averagings (>= 0; 0 = average once per
     * epoch). Default: 0.
     */
    public Builder syncEveryBatches(int value) {
      syncEveryBatches = value;
      return this;
    }

    /**
     * Epochs without improvement of the monitored metric after which training stops (>= 0; 0 = never stop
     * early). Default: 0.
     */
    public Builder patience(int value) {
      patience = value;
      return this;
    }

    /**
     * Validation metric monitored by early stopping, best-epoch selection and learning-rate decay:
     * "logloss" (lower is better), "auc" or "auc-logloss" (AUC minus log loss; higher is better) for 0/1
     * labels, "rmse" (lower is better) for real-valued labels; without validation data the training loss is
     * monitored. Default: logloss.
     */
    public Builder validationMetric(String value) {
      validationMetric = value;
      return this;
    }

    /** Factor the learning rate is multiplied by on a plateau (in (0, 1]). Default: 0.5. */
    public Builder lrDecayFactor(double value) {
      lrDecayFactor = value;
      return this;
    }

    /**
     * Epochs without improvement (since the last improvement or decay) after which the learning rate decays
     * (>= 0; 0 = never decay). Default: 0.
     */
    public Builder lrDecayPatience(int value) {
      lrDecayPatience = value;
      return this;
    }

    /** Floor of the decayed learning rate (>= 0, <= learningRate). Default: 0. */
    public Builder minLearningRate(double value) {
      minLearningRate = value;
      return this;
    }

    /**
     * Directory (any Hadoop file system) for one checkpoint per epoch under {@code epoch=K}, or null for
     * none. Default: null.
     */
    public Builder checkpointDir(String value) {
      checkpointDir = value;
      return this;
    }

    /**
     * Whether to continue from the latest complete checkpoint in {@code checkpointDir} (which must be set);
     * without one, training starts from scratch. Default: false.
     */
    public Builder resume(boolean value) {
      resume = value;
      return this;
    }

    /**
     * Largest fraction of the executor heap the estimated parameter, gradient and optimizer-slot memory may
     * take before training refuses to start (in (0, 1]). Default: 0.6.
     */
    public Builder maxMemoryFraction(double value) {
      maxMemoryFraction = value;
      return this;
    }

    /** Rows per cached block of training data (>= 1). Default: 4096. */
    public Builder blockSize(int value) {
      blockSize = value;
      return this;
    }

    /**
     * Partitions the training and validation rows are redistributed into before training (>= 0; 0 = the
     * session's default parallelism): each row goes to a partition, and to a place in it, chosen by a seeded
     * hash of its content, so the model does not depend on how the input is partitioned. Default: 0.
     */
    public Builder numPartitions(int value) {
      numPartitions = value;
      return this;
    }

    /**
     * How the sparse-row parameters (embedding tables) and their optimizer slots are synchronised each round:
     * {@link #BROADCAST} with the dense parameters, {@link #SHARDED} as cluster-resident shards of which a task
     * receives and returns only the rows it touches, or {@link #AUTO}: sharded when the tables and slots hold at
     * least {@link #AUTO_SHARDED_BYTES} and no dimension search runs. Both paths give bit-identical parameters.
     * Default: {@link #AUTO}.
     */
    public Builder embeddingSync(String value) {
      embeddingSync = value;
      return this;
    }

    /** Builds each task's optimizer (not null). Default: {@link OptimizerFactory#SGD}. */
    public Builder optimizerFactory(OptimizerFactory value) {
      optimizerFactory = value;
      return this;
    }

    /** Hook applied to the gradients before every optimizer step, or null for none. Default: null. */
    public Builder gradientTransform(GradientTransform value) {
      gradientTransform = value;
      return this;
    }

    /** Test-only hook that can fail training tasks, or null. Default: null. */
    public Builder taskFailureInjector(TaskFailureInjector value) {
      taskFailureInjector = value;
      return this;
    }

    /**
     * Makes the run a DNIS search on validation data ({@link DimensionSearch}), or null for plain training.
     * Default: null.
     */
    public Builder dimensionSearch(DimensionSearch value) {
      dimensionSearch = value;
      return this;
    }

    /** Validates the settings and returns the configuration. */
    public TrainingConfig build() {
      require(maxEpochs >= 1, "maxEpochs must be >= 1, got " + maxEpochs);
      require(batchSize >= 1, "batchSize must be >= 1, got " + batchSize);
      require(learningRate > 0 && !Double.isInfinite(learningRate),
          "learningRate must be positive and finite, got " + learningRate);
      require(syncEveryBatches >= 0, "syncEveryBatches must be >= 0 (0 = once per epoch), got " + syncEveryBatches);
      require(patience >= 0, "patience must be >= 0 (0 = no early stopping), got " + patience);
      require(LOGLOSS.equals(validationMetric) || AUC.equals(validationMetric) || RMSE.equals(validationMetric)
          || AUC_MINUS_LOGLOSS.equals(validationMetric), "validationMetric must be '" + LOGLOSS + "', '" + AUC
          + "', '" + AUC_MINUS_LOGLOSS + "' or '" + RMSE + "', got '" + validationMetric + "'");
      require(lrDecayFactor > 0 && lrDecayFactor <= 1, "lrDecayFactor must be in (0, 1], got " + lrDecayFactor);
      require(lrDecayPatience >= 0, "lrDecayPatience must be >= 0 (0 = no decay), got " + lrDecayPatience);
      require(minLearningRate >= 0 && minLearningRate <= learningRate,
          "minLearningRate must be in [0, learningRate = " + learningRate + "], got " + minLearningRate);
      require(!resume || (checkpointDir != null && !checkpointDir.isEmpty()),
          "resume needs a checkpointDir to resume from");
      require(checkpointDir == null || !checkpointDir.isEmpty(), "checkpointDir must be null or a non-empty path");
      require(maxMemoryFraction > 0 && maxMemoryFraction <= 1,
          "maxMemoryFraction must be in (0, 1], got " + maxMemoryFraction);
      require(blockSize >= 1, "blockSize must be >= 1, got " + blockSize);
      require(numPartitions >= 0,
          "numPartitions must be >= 0 (0 = the session's default parallelism), got " + numPartitions);
      require(BROADCAST.equals(embeddingSync) || SHARDED.equals(embeddingSync) || AUTO.equals(embeddingSync),
          "embeddingSync must be '" + BROADCAST + "', '" + SHARDED + "' or '" + AUTO + "', got '" + embeddingSync
              + "'");
      require(!(SHARDED.equals(embeddingSync) && dimensionSearch != null), "a dimension search steps its selection "
          + "weights on validation batches, which the sharded embedding sync does not serve; set embeddingSync to '"
          + BROADCAST + "' or '" + AUTO + "'");
      require(optimizerFactory != null, "optimizerFactory must not be null");
      require(dimensionSearch == null || dimensionSearch.warmStartEpochs() < maxEpochs, "a dimension search needs "
          + "maxEpochs above its warmStartEpochs (" + (dimensionSearch == null ? 0 : dimensionSearch.warmStartEpochs())
          + ") to search at all, got maxEpochs " + maxEpochs);
      return new TrainingConfig(this);
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
