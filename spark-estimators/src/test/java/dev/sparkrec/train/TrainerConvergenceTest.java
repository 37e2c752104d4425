package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Parameter averaging over 2 partitions reaches the validation loss of training on 1 partition. */
class TrainerConvergenceTest {

  @Test
  void oneAndTwoPartitionsReachValidationLogLossWithinTwoPercent() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> validation = TrainFixtures.validation(spark, 2000);
    TrainingConfig.Builder config = TrainFixtures.config().maxEpochs(12).syncEveryBatches(0);
    double[] logLoss = new double[2];
    for (int partitions = 1; partitions <= 2; partitions++) {
      TrainingResult result = new Trainer(TrainFixtures.model(), config.numPartitions(partitions).build())
          .fit(TrainFixtures.train(spark, 4000, 2), validation, TrainFixtures.COLUMNS);
      logLoss[partitions - 1] = result.history().get(result.bestEpoch() - 1).validationLogLoss();
    }
    assertTrue(Math.abs(logLoss[1] - logLoss[0]) <= 0.02 * logLoss[0],
        "1 partition " + logLoss[0] + ", 2 partitions " + logLoss[1]);
    // and both learned the planted model: a constant predictor scores about 0.69.
    assertTrue(logLoss[0] < 0.5 && logLoss[1] < 0.5, "1 partition " + logLoss[0] + ", 2 partitions " + logLoss[1]);
  }
}
