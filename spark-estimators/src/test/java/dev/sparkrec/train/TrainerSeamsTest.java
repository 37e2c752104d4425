package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.optim.Sgd;
import dev.sparkrec.testing.SparkTestSession;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The gradient transform runs before every optimizer step; the optimizer factory picks the optimizer. */
class TrainerSeamsTest {

  private final Dataset<Row> train = TrainFixtures.train(SparkTestSession.get(), 600, 2);

  private static TrainingConfig.Builder sgd(double lr) {
    return TrainingConfig.builder().maxEpochs(2).batchSize(64).learningRate(lr).seed(3).syncEveryBatches(2)
        .optimizerFactory(Sgd::new);
  }

  /** Multiplies every gradient (all of a dense parameter, the touched rows of a table) by 2. */
  private static void doubleGradients(Iterable<Parameter> parameters) {
    for (Parameter p : parameters) {
      float[] g = p.grad();
      if (p.isSparseRows()) {
        int d = p.rowSize();
        for (int k = 0; k < p.touchedCount(); k++) {
          for (int j = p.touchedRows()[k] * d; j < (p.touchedRows()[k] + 1) * d; j++) {
            g[j] *= 2;
          }
        }
      } else {
        for (int j = 0; j < p.size(); j++) {
          g[j] *= 2;
        }
      }
    }
  }

  @Test
  void doublingEveryGradientEqualsDoublingTheLearningRate() {
    // SGD: θ − lr·(2g) and θ − (2·lr)·g are the same float, as scaling by 2 is exact.
    TrainingResult doubledGradients = new Trainer(TrainFixtures.model(),
        sgd(0.05).gradientTransform(TrainerSeamsTest::doubleGradients).build()).fit(train, null, TrainFixtures.COLUMNS);
    TrainingResult doubledRate = new Trainer(TrainFixtures.model(), sgd(0.1).build())
        .fit(train, null, TrainFixtures.COLUMNS);
    TrainerDeterminismTest.assertSameParameters(doubledRate.finalParameters(), doubledGradients.finalParameters());
  }

  @Test
  void zeroedGradientsLeaveTheInitialParameters() {
    GradientTransform zero = parameters -> parameters.forEach(p -> java.util.Arrays.fill(p.grad(), 0f));
    TrainingResult result = new Trainer(TrainFixtures.model(), TrainFixtures.config().gradientTransform(zero).build())
        .fit(train, null, TrainFixtures.COLUMNS);
    Map<String, float[]> initial = new LinkedHashMap<>();
    TrainFixtures.model().create().parameters().forEach(p -> initial.put(p.name(), p.data().clone()));
    TrainerDeterminismTest.assertSameParameters(initial, result.finalParameters());
  }

  @Test
  void theOptimizerFactoryChoosesTheOptimizer() {
    TrainingResult momentum = new Trainer(TrainFixtures.model(), TrainFixtures.config().maxEpochs(1).build())
        .fit(train, null, TrainFixtures.COLUMNS);
    TrainingResult plain = new Trainer(TrainFixtures.model(),
        TrainFixtures.config().maxEpochs(1).optimizerFactory(OptimizerFactory.SGD).build())
        .fit(train, null, TrainFixtures.COLUMNS);
    assertNotEquals(TrainFixtures.hash(plain.finalParameters()), TrainFixtures.hash(momentum.finalParameters()));
    assertEquals(1, plain.history().size());
  }

  @Test
  void adamWithRegularizationAndClippingIsDeterministicAndLearns() {
    TrainingConfig config = TrainingConfig.builder().maxEpochs(3).batchSize(64).learningRate(0.01).seed(5)
        .syncEveryBatches(3).optimizerFactory(OptimizerFactory.named("adam"))
        .gradientTransform(new RegularizeAndClip(1e-4, 1e-5, new String[] {".bias"}, 1.0, 0)).build();
    TrainingResult first = new Trainer(TrainFixtures.model(), config).fit(train, null, TrainFixtures.COLUMNS);
    TrainingResult second = new Trainer(TrainFixtures.model(), config).fit(train, null, TrainFixtures.COLUMNS);
    TrainerDeterminismTest.assertSameParameters(first.finalParameters(), second.finalParameters());
    double firstLoss = first.history().get(0).trainLoss();
    double lastLoss = first.history().get(first.history().size() - 1).trainLoss();
    org.junit.jupiter.api.Assertions.assertTrue(lastLoss < firstLoss, firstLoss + " -> " + lastLoss);
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> OptimizerFactory.named("rmsprop"));
  }
}
