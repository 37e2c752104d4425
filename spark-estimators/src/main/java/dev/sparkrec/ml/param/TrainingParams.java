package dev.sparkrec.ml.param;

import dev.sparkrec.train.OptimizerFactory;
import dev.sparkrec.train.TrainingConfig;

/**
 * The params of an estimator that trains on SparkRec's distributed {@code Trainer}, and the one place they become
 * the trainer's {@link TrainingConfig}. The defaults of {@code maxIter}, {@code stepSize}, {@code batchSize} and
 * {@code patience} differ by model: each estimator states them in its own {@code setDefault} block.
 */
public interface TrainingParams extends HasMaxIter, HasStepSize, HasBatchSize, HasPatience, HasSyncEveryBatches,
    HasNumPartitions, HasSeed, HasValidationIndicatorCol, HasEmbeddingSync {

  /**
   * The trainer's settings from these params: Adam at {@code stepSize}, {@code maxIter} epochs of
   * {@code batchSize}-example mini-batches averaged every {@code syncEveryBatches} batches over
   * {@code numPartitions} partitions (embedding tables synchronised as {@code embeddingSync} says), seeded by
   * {@code seed}, and early stopping with {@code patience} when
   * {@code hasValidation} (the data has validation rows). The caller adds the validation metric and any
   * model-specific setting (gradient transform) to the returned builder.
   */
  default TrainingConfig.Builder trainingConfig(boolean hasValidation) {
    return TrainingConfig.builder()
        .maxEpochs(getMaxIter())
        .batchSize(getBatchSize())
        .learningRate(getStepSize())
        .seed(getSeed())
        .syncEveryBatches(getSyncEveryBatches())
        .numPartitions(getNumPartitions())
        .embeddingSync(getEmbeddingSync())
        .patience(hasValidation ? getPatience() : 0)
        .optimizerFactory(OptimizerFactory.named("adam"));
  }
}
