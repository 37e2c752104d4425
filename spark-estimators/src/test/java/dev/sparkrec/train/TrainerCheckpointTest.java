package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped after epoch k and resumed from its checkpoint ends exactly where an uninterrupted run does. */
class TrainerCheckpointTest {

  private final SparkSession spark = SparkTestSession.get();

  /** Raised by a listener to simulate a driver crash right after an epoch's checkpoint. */
  private static final class Crash extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  private TrainingConfig.Builder config() {
    // Momentum slots, 3 rounds per epoch, and a validation set that only gets worse after epoch 1, so the
    // learning rate decays and the best epoch is not the last: all of it must survive the checkpoint.
    return TrainFixtures.config().maxEpochs(4).lrDecayPatience(1).lrDecayFactor(0.5).numPartitions(3)
        .embeddingSync(TrainingConfig.BROADCAST);
  }

  private Dataset<Row> train() {
    return TrainFixtures.train(spark, 1200, 3);
  }

  private Dataset<Row> flippedValidation() {
    return TrainFixtures.validation(spark, 400).withColumn("label", functions.lit(1.0).minus(functions.col("label")));
  }

  @Test
  void stoppingAfterEpochTwoAndResumingEqualsAnUninterruptedRun(@TempDir Path dir) {
    TrainingResult uninterrupted = new Trainer(TrainFixtures.model(), config().build())
        .fit(train(), flippedValidation(), TrainFixtures.COLUMNS);

    // the checkpoints are written from the shards: the tables and slots, and the best epoch's tables (epoch 1's,
    // kept as a version of the shards) from epoch 2
    String checkpoints = dir.resolve("checkpoints").toString();
    TrainingConfig withCheckpoints = config().checkpointDir(checkpoints).embeddingSync(TrainingConfig.SHARDED).build();
    Trainer crashing = new Trainer(TrainFixtures.model(), withCheckpoints).addListener((report, selected) -> {
      if (report.epoch() == 2) {
        throw new Crash();
      }
    });
    assertThrows(Crash.class, () -> crashing.fit(train(), flippedValidation(), TrainFixtures.COLUMNS));
    assertTrue(Files.exists(dir.resolve("checkpoints/epoch=2/state/_SUCCESS")));
    assertTrue(Files.notExists(dir.resolve("checkpoints/epoch=3")));

    // The resumed run's executors read the checkpoint's tables and slots into the shards: both syncs train the same
    // model, so a run may resume on either.
    TrainingResult resumed = new Trainer(TrainFixtures.model(), withCheckpoints.toBuilder().resume(true).build())
        .fit(train(), flippedValidation(), TrainFixtures.COLUMNS);

    TrainerDeterminismTest.assertSameParameters(uninterrupted.finalParameters(), resumed.finalParameters());
    TrainerDeterminismTest.assertSameParameters(uninterrupted.bestParameters(), resumed.bestParameters());
    assertEquals(uninterrupted.bestEpoch(), resumed.bestEpoch());
    assertEquals(4, resumed.history().size());
    for (int e = 0; e < 4; e++) {
      EpochReport a = uninterrupted.history().get(e);
      EpochReport b = resumed.history().get(e);
      assertEquals(a.epoch(), b.epoch());
      assertEquals(a.trainLoss(), b.trainLoss(), 0.0);
      assertEquals(a.validationLogLoss(), b.validationLogLoss(), 0.0);
      assertEquals(a.learningRate(), b.learningRate(), 0.0);
      assertEquals(a.isBest(), b.isBest());
    }
    // The flipped validation made the schedule act across the interruption: best epoch 1, and each later
    // epoch halves the rate the next one trains with.
    assertEquals(1, resumed.bestEpoch());
    assertEquals(List.of(0.05, 0.05, 0.025, 0.0125),
        resumed.history().stream().map(EpochReport::learningRate).toList());
  }

  @Test
  void checkpointTablesHoldParametersSlotsAndState(@TempDir Path dir) {
    String checkpoints = dir.toString();
    new Trainer(TrainFixtures.model(), config().maxEpochs(1).checkpointDir(checkpoints).build())
        .fit(train(), flippedValidation(), TrainFixtures.COLUMNS);

    Dataset<Row> parameters = spark.read().parquet(checkpoints + "/epoch=1/parameters");
    assertEquals(List.of("group", "index", "name", "size", "offset", "values"), List.of(parameters.columns()));
    // emb (100 × 4), proj.weight (16 × 1), proj.bias (1): one chunk each as parameter, momentum slot and best.
    List<Row> emb = parameters.where("name = 'emb'").orderBy("group").collectAsList();
    assertEquals(List.of("best", "parameter", "slot0"), emb.stream().map(r -> r.getString(0)).toList());
    assertEquals(400, emb.get(1).getInt(3));
    assertEquals(400, emb.get(1).getList(5).size());
    assertEquals(0, emb.get(1).getInt(1), "emb is the model's first parameter");
    assertEquals(9, parameters.count());

    Row state = spark.read().parquet(checkpoints + "/epoch=1/state").first();
    assertEquals(1, state.<Integer>getAs("epoch"));
    // 3 partitions of about 400 rows: 7 batches of 64 each, so the optimizer took 7 steps.
    assertEquals(7L, state.<Long>getAs("steps"));
    assertEquals(1, state.<Integer>getAs("bestEpoch"));
    assertEquals(1, state.getList(state.fieldIndex("history")).size());
  }

  @Test
  void theShardedPathWritesTheCheckpointsTheBroadcastPathWrites(@TempDir Path dir) {
    // two epochs with the first the best: epoch 2's checkpoint holds the best tables from a kept version
    for (String sync : List.of(TrainingConfig.BROADCAST, TrainingConfig.SHARDED)) {
      new Trainer(TrainFixtures.model(), config().maxEpochs(2).checkpointDir(dir.resolve(sync).toString())
          .embeddingSync(sync).build()).fit(train(), flippedValidation(), TrainFixtures.COLUMNS);
    }
    for (int epoch = 1; epoch <= 2; epoch++) {
      List<String> broadcast = rows(dir.resolve(TrainingConfig.BROADCAST + "/epoch=" + epoch + "/parameters"));
      assertEquals(broadcast, rows(dir.resolve(TrainingConfig.SHARDED + "/epoch=" + epoch + "/parameters")));
      assertEquals(9, broadcast.size(), "parameter, slot0 and best of 3 parameters: " + broadcast);
    }
  }

  /** A checkpoint's parameter rows as text, sorted. */
  private List<String> rows(Path parameters) {
    return spark.read().parquet(parameters.toString()).collectAsList().stream().map(Row::toString).sorted().toList();
  }

  /**
   * On the sharded path the executors read a checkpoint's tables into the shards: resuming a run that has no epoch
   * left returns its tables still in the cluster, read from the checkpoint, with the best epoch's (not the last)
   * among them.
   */
  @Test
  void resumingOnTheShardedPathReadsTheCheckpointsTablesIntoTheCluster(@TempDir Path dir) {
    TrainingConfig sharded = config().maxEpochs(2).checkpointDir(dir.toString())
        .embeddingSync(TrainingConfig.SHARDED).build();
    TrainingResult finished = new Trainer(TrainFixtures.model(), sharded)
        .fit(train(), flippedValidation(), TrainFixtures.COLUMNS);
    assertEquals(1, finished.bestEpoch());

    TrainingResult resumed = new Trainer(TrainFixtures.model(), sharded.toBuilder().resume(true).build())
        .fit(train(), flippedValidation(), TrainFixtures.COLUMNS);

    for (Map<String, float[]> parameters : List.of(resumed.bestParameters(), resumed.finalParameters())) {
      TrainedParameters restored = assertInstanceOf(TrainedParameters.class, parameters);
      assertFalse(restored.isHeld("emb"), "the table stays in the cluster");
    }
    assertEquals(1, resumed.bestEpoch());
    TrainerDeterminismTest.assertSameParameters(finished.bestParameters(), resumed.bestParameters());
    TrainerDeterminismTest.assertSameParameters(finished.finalParameters(), resumed.finalParameters());
  }

  @Test
  void anExistingCheckpointWithoutResumeIsRefused(@TempDir Path dir) {
    TrainingConfig config = config().maxEpochs(1).checkpointDir(dir.toString()).build();
    new Trainer(TrainFixtures.model(), config).fit(train(), null, TrainFixtures.COLUMNS);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(TrainFixtures.model(), config).fit(train(), null, TrainFixtures.COLUMNS));
    assertEquals("checkpointDir " + dir + " already holds the checkpoint of epoch 1; set resume to continue from "
        + "it, or choose an empty directory.", e.getMessage());
  }
}
