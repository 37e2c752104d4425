package dev.sparkrec.train;

import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparkrec.afn.AFN;
import dev.sparkrec.afn.AFNModel;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.TinyCtrData;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The same data, seed and configuration give a bit-identical model however the input DataFrames are
 * partitioned: in 1, 3 or 7 partitions, or as a union of two DataFrames.
 */
class TrainerPartitionIndependenceTest {

  private final SparkSession spark = SparkTestSession.get();

  /** {@code data} in 1, 3 and 7 partitions and as a union of {@code first} and {@code second}. */
  private static List<Dataset<Row>> partitionings(Dataset<Row> data, Dataset<Row> first, Dataset<Row> second) {
    return List.of(data.repartition(1), data.repartition(3), data.repartition(7), first.union(second));
  }

  @Test
  void trainingAndValidationDoNotDependOnTheInputPartitioning() {
    Dataset<Row> train = TrainFixtures.train(spark, 1500, 2);
    List<Dataset<Row>> trains = partitionings(train,
        TinyCtrData.generate(spark, TrainFixtures.DATA_SEED, 900, 600, 2),
        TinyCtrData.generate(spark, TrainFixtures.DATA_SEED, 0, 900, 1));
    Dataset<Row> validation = TrainFixtures.validation(spark, 500);
    List<Dataset<Row>> validations = partitionings(validation,
        TinyCtrData.generate(spark, TrainFixtures.DATA_SEED, 1_000_000, 200, 1),
        TinyCtrData.generate(spark, TrainFixtures.DATA_SEED, 1_000_200, 300, 3));
    // The session's default parallelism (2), and 5 partitions: 2 rounds per epoch, a shuffle level in the tree.
    for (TrainingConfig config : List.of(TrainFixtures.config().maxEpochs(2).build(),
        TrainFixtures.config().maxEpochs(2).numPartitions(5).build())) {
      TrainingResult expected = null;
      for (int i = 0; i < trains.size(); i++) {
        TrainingResult result = new Trainer(TrainFixtures.model(), config)
            .fit(trains.get(i), validations.get(i), TrainFixtures.COLUMNS);
        if (expected == null) {
          expected = result;
          continue;
        }
        TrainerDeterminismTest.assertSameParameters(expected.finalParameters(), result.finalParameters());
        TrainerDeterminismTest.assertSameParameters(expected.bestParameters(), result.bestParameters());
        for (int e = 0; e < 2; e++) {
          EpochReport a = expected.history().get(e);
          EpochReport b = result.history().get(e);
          assertEquals(a.trainLoss(), b.trainLoss(), 0.0);
          assertEquals(a.validationLogLoss(), b.validationLogLoss(), 0.0);
          assertEquals(a.validationAuc(), b.validationAuc(), 0.0);
        }
      }
    }
  }

  @Test
  void anAfnModelDoesNotDependOnTheInputPartitioning() {
    Dataset<Row> train = TrainFixtures.train(spark, 1200, 2).withColumn("isValidation", lit(false));
    Dataset<Row> validation = TrainFixtures.validation(spark, 300).withColumn("isValidation", lit(true));
    Dataset<Row> data = train.union(validation);
    AFN afn = new AFN().setLogNeurons(4).setHiddenLayers(8).setEmbeddingDim(4).setBatchSize(64).setMaxIter(2)
        .setSyncEveryBatches(3).setValidationIndicatorCol("isValidation").setSeed(9);
    Map<String, float[]> expected = null;
    for (Dataset<Row> input : partitionings(data, validation, train)) {
      AFNModel model = afn.fit(input);
      if (expected == null) {
        expected = model.parameterValues();
      } else {
        TrainerDeterminismTest.assertSameParameters(expected, model.parameterValues());
      }
    }
  }
}
