package dev.sparkrec.train;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;

/**
 * Trains {@link TrainerRetryTest}'s configuration in its own JVM on master {@code local[2,2]} (tasks may fail
 * once and are retried), with the first attempt of partition 0's task in epoch 1 failing, on the broadcast and
 * then on the sharded embedding sync, and prints for each the number of injected failures and retried attempts
 * and the hash of the final parameters.
 */
public final class RetryTrainingMain {

  private RetryTrainingMain() {}

  /** Fails the first attempt of partition 0 in epoch 1, round 0; counts what it saw (local mode: one JVM). */
  static final class FailFirstAttempt implements TaskFailureInjector {
    private static final long serialVersionUID = 1L;
    static final AtomicInteger FAILURES = new AtomicInteger();
    static final AtomicInteger RETRIES = new AtomicInteger();

    @Override
    public void beforeTraining(int epoch, int round, int partition, int attemptNumber) {
      if (epoch == 1 && round == 0 && partition == 0) {
        if (attemptNumber == 0) {
          FAILURES.incrementAndGet();
          throw new IllegalStateException("injected failure of the first attempt");
        }
        RETRIES.incrementAndGet();
      }
    }
  }

  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder()
        .appName("sparkrec-retry-test")
        .master("local[2,2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    try {
      for (String sync : List.of(TrainingConfig.BROADCAST, TrainingConfig.SHARDED)) {
        FailFirstAttempt.FAILURES.set(0);
        FailFirstAttempt.RETRIES.set(0);
        TrainingConfig config = TrainerRetryTest.config().embeddingSync(sync)
            .taskFailureInjector(new FailFirstAttempt()).build();
        TrainingResult result = new Trainer(TrainFixtures.model(), config)
            .fit(TrainerRetryTest.train(spark), null, TrainFixtures.COLUMNS);
        String key = sync.toUpperCase(java.util.Locale.ROOT);
        System.out.println(key + "_INJECTED_FAILURES " + FailFirstAttempt.FAILURES.get());
        System.out.println(key + "_RETRIED_ATTEMPTS " + FailFirstAttempt.RETRIES.get());
        System.out.println(key + "_PARAMETER_HASH " + TrainFixtures.hash(result.finalParameters()));
      }
    } finally {
      spark.stop();
    }
  }
}
