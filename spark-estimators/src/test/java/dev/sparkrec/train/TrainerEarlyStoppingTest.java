package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/**
 * Early stopping, best-epoch restore and learning-rate decay in a real run. The validation labels are the
 * training distribution's flipped, so every epoch of learning makes validation worse after the first: the
 * expected schedule follows from the configuration alone (checked against the recorded metrics too).
 */
class TrainerEarlyStoppingTest {

  private final SparkSession spark = SparkTestSession.get();
  private final Dataset<Row> train = TrainFixtures.train(spark, 1200, 2);
  private final Dataset<Row> flipped = TrainFixtures.validation(spark, 400)
      .withColumn("label", functions.lit(1.0).minus(functions.col("label")));

  private TrainingConfig.Builder config() {
    return TrainFixtures.config().syncEveryBatches(0).maxEpochs(10);
  }

  @Test
  void stopsAfterPatienceDecaysOnPlateauAndReturnsTheBestEpoch() {
    List<EpochReport> seen = new ArrayList<>();
    TrainingConfig config = config().patience(2).lrDecayPatience(1).lrDecayFactor(0.5).minLearningRate(0.02).build();
    TrainingResult result = new Trainer(TrainFixtures.model(), config)
        .addListener((report, selected) -> seen.add(report)).fit(train, flipped, TrainFixtures.COLUMNS);

    assertEquals(result.history(), seen, "the listener saw every report");
    assertEquals(List.of(1, 2, 3), seen.stream().map(EpochReport::epoch).toList());
    assertTrue(seen.get(0).validationLogLoss() < seen.get(1).validationLogLoss()
        && seen.get(1).validationLogLoss() < seen.get(2).validationLogLoss(), "validation worsens: " + seen);
    // epoch 1 best; epoch 2 worse → decay 0.05 → 0.025; epoch 3 worse → decay to max(0.0125, 0.02), and 2
    // epochs without improvement reach the patience.
    assertEquals(List.of(0.05, 0.05, 0.025), seen.stream().map(EpochReport::learningRate).toList());
    assertEquals(List.of(true, false, false), seen.stream().map(EpochReport::isBest).toList());
    assertTrue(result.stoppedEarly());
    assertEquals(1, result.bestEpoch());
    assertEquals(TrainingSummary.EARLY_STOPPING, result.summary().stopReason());
    assertEquals(1, result.summary().bestEpoch());
    assertEquals(seen, result.summary().history());

    TrainingResult oneEpoch = new Trainer(TrainFixtures.model(), config().maxEpochs(1).build())
        .fit(train, flipped, TrainFixtures.COLUMNS);
    TrainerDeterminismTest.assertSameParameters(oneEpoch.finalParameters(), result.bestParameters());
    assertNotEquals(TrainFixtures.hash(result.bestParameters()), TrainFixtures.hash(result.finalParameters()));
    float[] weights = result.copyBestInto(TrainFixtures.model().create()).parameters().get(1).data();
    assertEquals(TrainFixtures.hash(java.util.Map.of("w", result.bestParameters().get("proj.weight"))),
        TrainFixtures.hash(java.util.Map.of("w", weights)));
  }

  @Test
  void aucIsMonitoredHigherIsBetter() {
    TrainingResult result = new Trainer(TrainFixtures.model(), config().patience(1).validationMetric("auc").build())
        .fit(train, flipped, TrainFixtures.COLUMNS);
    List<EpochReport> h = result.history();
    assertEquals(2, h.size(), h.toString());
    assertTrue(h.get(1).validationAuc() < h.get(0).validationAuc(), h.toString());
    assertEquals(1, result.bestEpoch());
  }

  @Test
  void aucMinusLogLossIsMonitoredHigherIsBetter() {
    TrainingResult stopped = new Trainer(TrainFixtures.model(),
        config().patience(1).validationMetric(TrainingConfig.AUC_MINUS_LOGLOSS).build())
        .fit(train, flipped, TrainFixtures.COLUMNS);
    assertEquals(2, stopped.history().size(), stopped.history().toString());
    assertEquals(1, stopped.bestEpoch());

    // Without early stopping every epoch is scored: the best epoch is the one of the highest AUC − log loss, and
    // an epoch is flagged best exactly when it beats every earlier one on that difference.
    TrainingResult result = new Trainer(TrainFixtures.model(),
        config().maxEpochs(6).validationMetric(TrainingConfig.AUC_MINUS_LOGLOSS).build())
        .fit(train, TrainFixtures.validation(spark, 400), TrainFixtures.COLUMNS);
    double best = Double.NEGATIVE_INFINITY;
    int bestEpoch = 0;
    for (EpochReport r : result.history()) {
      double monitored = r.validationAuc() - r.validationLogLoss();
      assertEquals(monitored > best, r.isBest(), result.history().toString());
      if (monitored > best) {
        best = monitored;
        bestEpoch = r.epoch();
      }
    }
    assertEquals(bestEpoch, result.bestEpoch());
  }

  @Test
  void withoutValidationTheTrainingLossIsMonitored() {
    TrainingResult result = new Trainer(TrainFixtures.model(), config().maxEpochs(3).patience(1).build())
        .fit(train, null, TrainFixtures.COLUMNS);
    List<EpochReport> h = result.history();
    assertEquals(3, h.size());
    assertTrue(h.get(2).trainLoss() < h.get(1).trainLoss() && h.get(1).trainLoss() < h.get(0).trainLoss(),
        h.toString());
    assertTrue(Double.isNaN(h.get(0).validationLogLoss()) && Double.isNaN(h.get(0).validationAuc()));
    assertEquals(3, result.bestEpoch());
    assertFalse(result.stoppedEarly());
    assertEquals(TrainingSummary.MAX_ITER, result.summary().stopReason());
    TrainerDeterminismTest.assertSameParameters(result.finalParameters(), result.bestParameters());
  }
}
