package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.TinyCtrData;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Same seed, data and partitioning give bit-identical parameters; averaging follows its formula exactly. */
class TrainerDeterminismTest {

  private final SparkSession spark = SparkTestSession.get();

  @Test
  void twoRunsWithTheSameSeedDataAndPartitioningAreBitIdentical() {
    // 5 partitions of about 300 rows: 5 batches of 64, synced every 3 → 2 rounds per epoch; fan-in 3 → one
    // shuffle level.
    Dataset<Row> train = TrainFixtures.train(spark, 1500, 5);
    Dataset<Row> validation = TrainFixtures.validation(spark, 500);
    TrainingConfig config = TrainFixtures.config().maxEpochs(2).numPartitions(5).build();

    TrainingResult first = new Trainer(TrainFixtures.model(), config).fit(train, validation, TrainFixtures.COLUMNS);
    TrainingResult second = new Trainer(TrainFixtures.model(), config).fit(train, validation, TrainFixtures.COLUMNS);

    assertSameParameters(first.finalParameters(), second.finalParameters());
    for (int e = 0; e < 2; e++) {
      EpochReport a = first.history().get(e);
      EpochReport b = second.history().get(e);
      assertEquals(a.trainLoss(), b.trainLoss(), 0.0);
      assertEquals(a.validationLogLoss(), b.validationLogLoss(), 0.0);
      assertEquals(a.validationAuc(), b.validationAuc(), 0.0);
    }
    assertTrue(first.history().get(1).validationLogLoss() < first.history().get(0).validationLogLoss()
        && first.history().get(0).validationLogLoss() < Math.log(2), "the model learns: " + first.history());

    TrainingResult otherSeed = new Trainer(TrainFixtures.model(), config.toBuilder().seed(4).build())
        .fit(train, validation, TrainFixtures.COLUMNS);
    assertNotEquals(TrainFixtures.hash(first.finalParameters()), TrainFixtures.hash(otherSeed.finalParameters()),
        "the seed drives the shuffles");
  }

  @Test
  void withOnePartitionTheSyncFrequencyChangesNothing() {
    // Averaging a single partition returns its values exactly and the shuffle order is per epoch, so syncing
    // every 2 batches (slots and step counts round-tripping through the driver) equals syncing once per epoch.
    Dataset<Row> train = TrainFixtures.train(spark, 700, 1);
    TrainingConfig perEpoch = TrainFixtures.config().maxEpochs(2).syncEveryBatches(0).numPartitions(1).build();
    TrainingResult once = new Trainer(TrainFixtures.model(), perEpoch).fit(train, null, TrainFixtures.COLUMNS);
    TrainingResult often = new Trainer(TrainFixtures.model(), perEpoch.toBuilder().syncEveryBatches(2).build())
        .fit(train, null, TrainFixtures.COLUMNS);
    assertSameParameters(once.finalParameters(), often.finalParameters());
  }

  @Test
  void oneRoundAveragesDenseParametersByExampleCountAndEmbeddingRowsOverTheirPartitions() {
    // Blocks in the DataFrame's partitioning: partition 0 holds rows [0, 40), partition 1 rows [40, 60); one
    // batch each (batch size 64), one epoch.
    long seed = 5;
    double lr = 0.1;
    long[] bounds = {0, 40, 60};
    ExampleData train = ExampleData.fromDataFrame(TinyCtrData.generate(spark, TrainFixtures.DATA_SEED, bounds),
        TrainFixtures.COLUMNS, 16);
    TrainingConfig config = TrainingConfig.builder().maxEpochs(1).batchSize(64).learningRate(lr).seed(seed)
        .optimizerFactory(rate -> new MomentumSgd(rate, 0.9)).build();
    Map<String, float[]> trained;
    try {
      trained = new Trainer(TrainFixtures.model(), config).fit(train, null).finalParameters();
    } finally {
      train.unpersist();
    }

    // The same step by hand: each partition's batch in its seeded order, then the weighted average.
    List<Parameter> initial = TrainFixtures.model().create().parameters();
    float[][][] local = new float[2][][];
    boolean[][] touched = new boolean[2][TinyCtrData.VOCABULARY];
    for (int p = 0; p < 2; p++) {
      int n = (int) (bounds[p + 1] - bounds[p]);
      int[] order = ShuffleOrder.permutation(seed, 1, p, n);
      int[] ids = new int[n * TinyCtrData.FIELDS];
      float[] values = new float[n * TinyCtrData.FIELDS];
      float[] labels = new float[n];
      float[] weights = new float[n];
      for (int i = 0; i < n; i++) {
        Row row = TinyCtrData.row(TrainFixtures.DATA_SEED, bounds[p] + order[i]);
        Integer[] rowIds = (Integer[]) row.get(0);
        Float[] rowValues = (Float[]) row.get(1);
        for (int f = 0; f < TinyCtrData.FIELDS; f++) {
          ids[i * TinyCtrData.FIELDS + f] = rowIds[f];
          values[i * TinyCtrData.FIELDS + f] = rowValues[f];
        }
        labels[i] = (float) row.getDouble(2);
        weights[i] = (float) row.getDouble(3);
      }
      TrainableModel model = TrainFixtures.model().create();
      MomentumSgd optimizer = new MomentumSgd(lr, 0.9);
      Tape tape = new Tape().training(true).seed(ShuffleOrder.mix(seed, 1, p, 0));
      Tensor loss = model.loss(tape, Batch.of(TinyCtrData.FIELDS, ids, values, labels, weights));
      tape.backward(loss);
      Parameter table = model.parameters().get(0);
      for (int k = 0; k < table.touchedCount(); k++) {
        touched[p][table.touchedRows()[k]] = true;
      }
      optimizer.step(model.parameters());
      local[p] = model.parameters().stream().map(q -> q.data().clone()).toArray(float[][]::new);
    }
    double w0 = 40;
    double w1 = 20;
    int d = TrainFixtures.DIM;
    int both = 0;
    int one = 0;
    int none = 0;
    for (int i = 0; i < initial.size(); i++) {
      Parameter p = initial.get(i);
      float[] expected = new float[p.size()];
      for (int j = 0; j < p.size(); j++) {
        boolean in0 = !p.isSparseRows() || touched[0][j / d];
        boolean in1 = !p.isSparseRows() || touched[1][j / d];
        double sum = 0;
        double weight = 0;
        if (in0) {
          sum += w0 * local[0][i][j];
          weight += w0;
        }
        if (in1) {
          sum += w1 * local[1][i][j];
          weight += w1;
        }
        // θ = Σ w_p θ_p / Σ w_p over the partitions holding the element; untouched rows keep their value.
        expected[j] = weight == 0 ? p.data()[j] : (float) (sum / weight);
        if (p.isSparseRows() && j % d == 0) {
          if (in0 && in1) {
            both++;
          } else if (in0 || in1) {
            one++;
          } else {
            none++;
          }
        }
      }
      assertArrayEquals(expected, trained.get(p.name()), p.name());
    }
    assertTrue(both > 0 && one > 0 && none > 0, "rows touched by both, one and no partition: " + both + ", " + one
        + ", " + none);
  }

  static void assertSameParameters(Map<String, float[]> expected, Map<String, float[]> actual) {
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
    for (Map.Entry<String, float[]> e : expected.entrySet()) {
      assertArrayEquals(e.getValue(), actual.get(e.getKey()), e.getKey());
    }
    assertEquals(TrainFixtures.hash(expected), TrainFixtures.hash(actual));
  }
}
