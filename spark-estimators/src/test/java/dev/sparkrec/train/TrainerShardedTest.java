package dev.sparkrec.train;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.optim.Adagrad;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.TinyCtrData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The sharded embedding sync computes what the broadcast path computes, in the same order: same seed, data and
 * partitioning give bit-identical parameters, validation figures and losses on both paths.
 */
class TrainerShardedTest {

  private final SparkSession spark = SparkTestSession.get();

  @Test
  void shardedAndBroadcastPathsGiveBitIdenticalParameters() {
    // 5 partitions of about 300 rows: 5 batches of 64, synced every 3 → 2 rounds per epoch, the second with a
    // partition left out where it has fewer batches; fan-in 3 → one level in the averaging tree.
    Dataset<Row> train = TrainFixtures.train(spark, 1500, 5);
    Dataset<Row> validation = TrainFixtures.validation(spark, 500);
    TrainingConfig broadcast = TrainFixtures.config().maxEpochs(2).numPartitions(5)
        .embeddingSync(TrainingConfig.BROADCAST).build();
    TrainingConfig sharded = broadcast.toBuilder().embeddingSync(TrainingConfig.SHARDED).build();

    TrainingResult expected = new Trainer(TrainFixtures.model(), broadcast).fit(train, validation, TrainFixtures.COLUMNS);
    TrainingResult actual = new Trainer(TrainFixtures.model(), sharded).fit(train, validation, TrainFixtures.COLUMNS);

    TrainerDeterminismTest.assertSameParameters(expected.finalParameters(), actual.finalParameters());
    TrainerDeterminismTest.assertSameParameters(expected.bestParameters(), actual.bestParameters());
    for (int e = 0; e < 2; e++) {
      EpochReport a = expected.history().get(e);
      EpochReport b = actual.history().get(e);
      assertEquals(a.trainLoss(), b.trainLoss(), 0.0);
      assertEquals(a.validationLogLoss(), b.validationLogLoss(), 0.0);
      assertEquals(a.validationAuc(), b.validationAuc(), 0.0);
    }
    assertTrue(actual.history().get(1).validationLogLoss() < Math.log(2), "the model learns: " + actual.history());
  }

  @Test
  void aDriverWithoutTheTablesSelectsTheBestEpochAndHandsListenersTheSameParameters() {
    // Adagrad's slots start at a non-zero accumulator, which the shards create from one row the driver holds;
    // validation labels opposite to what the model learns make the first epoch the best, so the best parameters
    // come from a version of the shards kept since then
    Dataset<Row> train = TrainFixtures.train(spark, 1500, 5);
    Dataset<Row> validation = TrainFixtures.validation(spark, 500)
        .withColumn("label", lit(1.0).minus(col("label")));
    TrainingConfig broadcast = TrainFixtures.config().maxEpochs(4).numPartitions(5).learningRate(0.5)
        .optimizerFactory(lr -> new Adagrad(lr, 0.5, 1e-8))
        .embeddingSync(TrainingConfig.BROADCAST).build();
    TrainingConfig sharded = broadcast.toBuilder().embeddingSync(TrainingConfig.SHARDED).build();
    List<Map<String, float[]>> seenBroadcast = new ArrayList<>();
    List<Map<String, float[]>> seenSharded = new ArrayList<>();

    TrainingResult expected = new Trainer(TrainFixtures.model(), broadcast)
        .addListener((report, selected) -> seenBroadcast.add(selected.get()))
        .fit(train, validation, TrainFixtures.COLUMNS);
    TrainingResult actual = new Trainer(TrainFixtures.model(), sharded)
        .addListener((report, selected) -> seenSharded.add(selected.get()))
        .fit(train, validation, TrainFixtures.COLUMNS);

    assertEquals(1, expected.bestEpoch(), "the first epoch is the best: " + expected.history());
    assertEquals(expected.bestEpoch(), actual.bestEpoch());
    TrainerDeterminismTest.assertSameParameters(expected.finalParameters(), actual.finalParameters());
    TrainerDeterminismTest.assertSameParameters(expected.bestParameters(), actual.bestParameters());
    assertEquals(4, seenSharded.size());
    for (int e = 0; e < 4; e++) {
      TrainerDeterminismTest.assertSameParameters(seenBroadcast.get(e), seenSharded.get(e));
    }
  }

  private static final java.util.concurrent.atomic.AtomicInteger MODELS_BUILT =
      new java.util.concurrent.atomic.AtomicInteger();

  @Test
  void validationPullsTheRowsItReadsAlsoInAnotherPartitioningThanTheShards() {
    // 5 shards, validation in 3 partitions: each validation partition lists and pulls its rows from all 5 shards
    ExampleData train = ExampleData.fromDataFrame(TrainFixtures.train(spark, 1500, 5), TrainFixtures.COLUMNS, 64,
        TinyCtrData.FIELDS, 5, TrainFixtures.DATA_SEED);
    ExampleData validation = ExampleData.fromDataFrame(TrainFixtures.validation(spark, 500), TrainFixtures.COLUMNS,
        64, TinyCtrData.FIELDS, 3, TrainFixtures.DATA_SEED);
    try {
      TrainingConfig broadcast = TrainFixtures.config().maxEpochs(2).embeddingSync(TrainingConfig.BROADCAST).build();
      TrainingConfig sharded = broadcast.toBuilder().embeddingSync(TrainingConfig.SHARDED).build();

      TrainingResult expected = new Trainer(TrainFixtures.model(), broadcast).fit(train, validation);
      TrainingResult actual = new Trainer(TrainFixtures.model(), sharded).fit(train, validation);

      for (int e = 0; e < 2; e++) {
        EpochReport a = expected.history().get(e);
        EpochReport b = actual.history().get(e);
        assertEquals(a.validationLogLoss(), b.validationLogLoss(), 0.0);
        assertEquals(a.validationAuc(), b.validationAuc(), 0.0);
      }
      assertTrue(actual.history().get(1).validationLogLoss() < Math.log(2), "validation scores the trained rows: "
          + actual.history());
      TrainerDeterminismTest.assertSameParameters(expected.bestParameters(), actual.bestParameters());
    } finally {
      train.unpersist();
      validation.unpersist();
    }
  }

  @Test
  void tablesStartOnTheExecutorsUnlessTheirRowsWereWrittenOtherwise() {
    TrainingConfig sharded = TrainFixtures.config().maxEpochs(1).numPartitions(5)
        .embeddingSync(TrainingConfig.SHARDED).build();
    TrainingConfig broadcast = sharded.toBuilder().embeddingSync(TrainingConfig.BROADCAST).build();
    ModelState fromRowInits = new Trainer(TrainFixtures.model(), sharded).prepare(spark.sparkContext(), 5);
    int emb = indexOf(fromRowInits, "emb");
    assertFalse(fromRowInits.holdsValues(emb), "the driver built the table");
    assertEquals(0.1, fromRowInits.rowInit(emb).std());
    assertTrue(new Trainer(TrainFixtures.model(), broadcast).prepare(spark.sparkContext(), 5).holdsValues(emb));

    // a table changed after its initialiser ran is built on the driver and its values sharded
    ModelFactory written = () -> {
      TrainableModel model = TrainFixtures.model().create();
      model.parameters().get(emb).data()[1] = 0.5f;
      return model;
    };
    ModelState fromValues = new Trainer(written, sharded).prepare(spark.sparkContext(), 5);
    assertTrue(fromValues.holdsValues(emb));
    assertNull(fromValues.rowInit(emb));
    Dataset<Row> train = TrainFixtures.train(spark, 600, 5);
    TrainerDeterminismTest.assertSameParameters(
        new Trainer(written, broadcast).fit(train, null, TrainFixtures.COLUMNS).finalParameters(),
        new Trainer(written, sharded).fit(train, null, TrainFixtures.COLUMNS).finalParameters());
  }

  private static int indexOf(ModelState state, String name) {
    for (int i = 0; i < state.size(); i++) {
      if (state.name(i).equals(name)) {
        return i;
      }
    }
    throw new AssertionError("no parameter " + name);
  }

  @Test
  void shardedTasksReuseTheirJvmsModelsFromRoundToRound() {
    // 5 partitions × 2 rounds × 2 epochs × (listing + training) = 40 tasks; local[2] runs 2 at a time
    Dataset<Row> train = TrainFixtures.train(spark, 1500, 5);
    TrainingConfig sharded = TrainFixtures.config().maxEpochs(2).numPartitions(5)
        .embeddingSync(TrainingConfig.SHARDED).build();
    ModelFactory base = TrainFixtures.model();
    ModelFactory counting = () -> {
      MODELS_BUILT.incrementAndGet();
      return base.create();
    };
    MODELS_BUILT.set(0);
    new Trainer(counting, sharded).fit(train, null, TrainFixtures.COLUMNS);
    int built = MODELS_BUILT.get();
    // that pooled models train what new ones would: shardedAndBroadcastPathsGiveBitIdenticalParameters
    assertTrue(built >= 2 && built <= 1 + spark.sparkContext().defaultParallelism(),
        "the driver's model and one per concurrent task, not one per task: " + built);
  }

  @Test
  void aPoolKeepsIdleModelsPerRunAndDropsTheOldestRun() {
    TaskModelPool.Worker a = worker();
    assertEquals(a, TaskModelPool.take("run-a", () -> a), "an empty pool builds");
    TaskModelPool.giveBack("run-a", a);
    assertEquals(1, TaskModelPool.idle("run-a"));
    assertTrue(a == TaskModelPool.take("run-a", TrainerShardedTest::worker), "an idle model is reused");
    assertEquals(0, TaskModelPool.idle("run-a"), "a taken model is no longer idle: no two tasks share one");
    TaskModelPool.giveBack("run-a", a);
    TaskModelPool.giveBack("run-b", worker());
    TaskModelPool.giveBack("run-c", worker());
    assertEquals(0, TaskModelPool.idle("run-a"), "a third run drops the oldest run's models");
    assertEquals(1, TaskModelPool.idle("run-b"));
    TaskModelPool.release("run-b");
    TaskModelPool.release("run-c");
    assertEquals(0, TaskModelPool.idle("run-b"));
    assertEquals(0, TaskModelPool.idle("run-c"));
  }

  private static TaskModelPool.Worker worker() {
    TrainableModel model = TrainFixtures.model().create();
    return new TaskModelPool.Worker(model, model.parameters(), new MomentumSgd(0.1, 0.9));
  }

  @Test
  void autoShardsFromTheStatedTableSizeAndNeverUnderADimensionSearch() {
    TrainingConfig auto = TrainFixtures.config().build();
    assertEquals(TrainingConfig.AUTO, auto.embeddingSync());
    ModelState small = stateOf(TinyCtrModel.factory(1000, 3, 4, 1));
    assertFalse(ShardedTables.chosen(auto, small), "16 kB of table and slots stay on the broadcast path");
    assertTrue(ShardedTables.chosen(auto.toBuilder().embeddingSync(TrainingConfig.SHARDED).build(), small));
    // 2^21 rows × 16 floats × (value + momentum) × 4 bytes = 256 MiB
    ModelState large = stateOf(TinyCtrModel.factory(1 << 21, 3, 16, 1));
    assertTrue(ShardedTables.chosen(auto, large));
    assertFalse(ShardedTables.chosen(auto.toBuilder().embeddingSync(TrainingConfig.BROADCAST).build(), large));
    ModelState belowLarge = stateOf(TinyCtrModel.factory((1 << 21) - 1, 3, 16, 1));
    assertFalse(ShardedTables.chosen(auto, belowLarge));

    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> TrainFixtures.config().embeddingSync("shards").build());
    assertEquals("embeddingSync must be 'broadcast', 'sharded' or 'auto', got 'shards'", unknown.getMessage());
  }

  private static ModelState stateOf(ModelFactory factory) {
    TrainableModel model = factory.create();
    return ModelState.wrap(model.parameters(), new MomentumSgd(0.1, 0.9));
  }

  @Test
  void aShardKeepsItsRowsInChunksAndGivesThemBackInPlace() {
    int rows = 7 * (ShardedTables.Slab.ROWS + 1000) + 3; // shards of two slabs, of unequal rows
    int d = 3;
    float[] values = new float[rows * d];
    float[][] slots = {new float[rows * d]};
    for (int j = 0; j < values.length; j++) {
      values[j] = j;
      slots[0][j] = -j;
    }
    float[] back = new float[rows * d];
    float[][] backSlots = {new float[rows * d]};
    int shards = 7;
    for (int s = 0; s < shards; s++) {
      ShardedTables.Table t = ShardedTables.Table.of(values, null, slots, rows, d, s, shards);
      assertEquals(s < rows % shards ? rows / shards + 1 : rows / shards, t.rows);
      assertEquals((t.rows + ShardedTables.CHUNK_ROWS - 1) / ShardedTables.CHUNK_ROWS, t.chunks());
      for (ShardedTables.Slab slab : ShardedTables.Slab.of(new ShardedTables.TableShard(s,
          new ShardedTables.Table[] {t}), true)) {
        slab.copyInto(shards, back, backSlots);
      }
    }
    assertArrayEquals(values, back);
    assertArrayEquals(slots[0], backSlots[0]);
    // a slot given as one row (as a driver holds slots before sharding) starts every row with that row
    float[] row = new float[d];
    for (int j = 0; j < d; j++) {
      row[j] = 0.1f + j;
    }
    float[] backValues = new float[rows * d];
    float[][] filled = {new float[rows * d]};
    for (int s = 0; s < shards; s++) {
      ShardedTables.Table t = ShardedTables.Table.of(values, null, new float[][] {row}, rows, d, s, shards);
      for (ShardedTables.Slab slab : ShardedTables.Slab.of(new ShardedTables.TableShard(s,
          new ShardedTables.Table[] {t}), true)) {
        slab.copyInto(shards, backValues, filled);
      }
    }
    assertArrayEquals(values, backValues);
    for (int r = 0; r < rows; r++) {
      assertArrayEquals(row, Arrays.copyOfRange(filled[0], r * d, (r + 1) * d), "row " + r);
    }
    assertEquals(List.of(3, 10, 17), Arrays.stream(ShardedTables.ofShard(new int[] {1, 3, 4, 10, 12, 17}, 3,
        7)).boxed().toList());
  }

  @Test
  void aNewVersionCopiesOnlyTheChunksItWritesAndLeavesTheOldOneAsItWas() {
    int rows = 10 * ShardedTables.CHUNK_ROWS;
    float[] values = new float[rows];
    float[][] slots = {new float[rows], new float[rows]};
    Arrays.fill(values, 1f);
    ShardedTables.Table old = ShardedTables.Table.of(values, null, slots, rows, 1, 0, 1);
    ShardedTables.Table next = old.shallowCopy();
    BitSet copied = new BitSet();
    int written = 5;
    next.writable(written, copied);
    float[] copy = next.values(written);
    next.writable(written, copied); // a second write copies nothing again
    assertSame(copy, next.values(written));
    next.values(written)[0] = 7f;
    next.slot(1, written)[0] = 8f;
    assertEquals(1f, old.values(written)[0]);
    assertEquals(0f, old.slot(1, written)[0]);
    assertEquals(7f, next.values(written)[0]);
    assertEquals(8f, next.slot(1, written)[0]);
    assertNotSame(old.slot(0, written), next.slot(0, written));
    assertArrayEquals(old.slot(0, written), next.slot(0, written));
    assertSame(old.values(written + 1), next.values(written + 1));
    assertSame(old.slot(0, 0), next.slot(0, 0));
  }
}
