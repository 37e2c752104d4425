package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Defaults as documented; every invalid setting fails naming it. */
class TrainingConfigTest {

  @Test
  void defaults() {
    TrainingConfig c = TrainingConfig.builder().build();
    assertEquals(10, c.maxEpochs());
    assertEquals(256, c.batchSize());
    assertEquals(0.01, c.learningRate());
    assertEquals(42, c.seed());
    assertEquals(0, c.syncEveryBatches());
    assertEquals(0, c.patience());
    assertEquals("logloss", c.validationMetric());
    assertEquals(0.5, c.lrDecayFactor());
    assertEquals(0, c.lrDecayPatience());
    assertEquals(0.0, c.minLearningRate());
    assertNull(c.checkpointDir());
    assertEquals(false, c.resume());
    assertEquals(0.6, c.maxMemoryFraction());
    assertEquals(4096, c.blockSize());
    assertEquals(0, c.numPartitions());
    assertSame(OptimizerFactory.SGD, c.optimizerFactory());
    assertNull(c.gradientTransform());
    assertNull(c.taskFailureInjector());
    assertEquals(c.toString(), c.toBuilder().build().toString());
    assertEquals(5, c.toBuilder().numPartitions(5).build().toBuilder().build().numPartitions());
  }

  private static void assertInvalid(String message, UnaryOperator<TrainingConfig.Builder> setting) {
    assertEquals(message, assertThrows(IllegalArgumentException.class,
        () -> setting.apply(TrainingConfig.builder()).build()).getMessage());
  }

  @Test
  void invalidSettingsFailNamingTheSetting() {
    assertInvalid("maxEpochs must be >= 1, got 0", b -> b.maxEpochs(0));
    assertInvalid("batchSize must be >= 1, got 0", b -> b.batchSize(0));
    assertInvalid("learningRate must be positive and finite, got 0.0", b -> b.learningRate(0));
    assertInvalid("learningRate must be positive and finite, got NaN", b -> b.learningRate(Double.NaN));
    assertInvalid("syncEveryBatches must be >= 0 (0 = once per epoch), got -1", b -> b.syncEveryBatches(-1));
    assertInvalid("patience must be >= 0 (0 = no early stopping), got -1", b -> b.patience(-1));
    assertInvalid("validationMetric must be 'logloss', 'auc', 'auc-logloss' or 'rmse', got 'accuracy'",
        b -> b.validationMetric("accuracy"));
    assertInvalid("lrDecayFactor must be in (0, 1], got 1.5", b -> b.lrDecayFactor(1.5));
    assertInvalid("lrDecayPatience must be >= 0 (0 = no decay), got -2", b -> b.lrDecayPatience(-2));
    assertInvalid("minLearningRate must be in [0, learningRate = 0.01], got 0.1", b -> b.minLearningRate(0.1));
    assertInvalid("resume needs a checkpointDir to resume from", b -> b.resume(true));
    assertInvalid("checkpointDir must be null or a non-empty path", b -> b.checkpointDir(""));
    assertInvalid("maxMemoryFraction must be in (0, 1], got 0.0", b -> b.maxMemoryFraction(0));
    assertInvalid("blockSize must be >= 1, got 0", b -> b.blockSize(0));
    assertInvalid("numPartitions must be >= 0 (0 = the session's default parallelism), got -1",
        b -> b.numPartitions(-1));
    assertInvalid("optimizerFactory must not be null", b -> b.optimizerFactory(null));
  }
}
