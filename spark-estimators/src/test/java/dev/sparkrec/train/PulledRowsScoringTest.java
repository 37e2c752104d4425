package dev.sparkrec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.ml.CtrScorer;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.TinyCtrData;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkException;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scoring a sharded run's parameters pulls the rows each partition reads from the tables in the cluster, and
 * scores what a broadcast of every parameter scores, bit for bit, without reading a table to the driver; tables
 * up to the session's limit are broadcast.
 */
class PulledRowsScoringTest {

  private static final SparkSession SPARK = SparkTestSession.get();
  private static TrainingResult broadcast;
  private static Dataset<Row> test;

  @BeforeAll
  static void train() {
    TrainingConfig config = TrainFixtures.config().maxEpochs(1).numPartitions(3)
        .embeddingSync(TrainingConfig.BROADCAST).build();
    broadcast = new Trainer(TrainFixtures.model(), config).fit(TrainFixtures.train(SPARK, 900, 3), null,
        TrainFixtures.COLUMNS);
    // 4 partitions against the 3 shards, the last one empty
    test = TrainFixtures.validation(SPARK, 300).repartition(3).union(SPARK.createDataFrame(List.of(),
        TinyCtrData.SCHEMA).repartition(1));
  }

  @AfterEach
  void resetLimit() {
    SPARK.conf().unset(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES);
  }

  @Test
  void tablesAboveTheLimitArePulledRowByRowAndScoreAsTheBroadcast() {
    TrainedParameters sharded = shardedResult();
    SPARK.conf().set(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES, "0");
    assertTrue(PulledRowsScoring.pulls(SPARK, sharded, TrainFixtures.model()));

    List<Row> pulled = score(test, sharded).collectAsList();

    assertFalse(sharded.isHeld("emb"), "scoring did not read the table to the driver");
    assertEquals(300, pulled.size());
    assertEquals(score(test, broadcast.bestParameters()).collectAsList(), pulled);
  }

  @Test
  void tablesUpToTheLimitAreBroadcast() {
    TrainedParameters sharded = shardedResult();
    long bytes = 4L * TinyCtrData.VOCABULARY * TrainFixtures.DIM;
    SPARK.conf().set(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES, Long.toString(bytes));
    assertFalse(PulledRowsScoring.pulls(SPARK, sharded, TrainFixtures.model()));
    SPARK.conf().set(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES, Long.toString(bytes - 1));
    assertTrue(PulledRowsScoring.pulls(SPARK, sharded, TrainFixtures.model()));
    SPARK.conf().unset(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES);
    assertFalse(PulledRowsScoring.pulls(SPARK, broadcast.bestParameters(), TrainFixtures.model()),
        "a plain map is always broadcast");

    List<Row> scored = score(test, sharded).collectAsList();

    assertTrue(sharded.isHeld("emb"), "the broadcast read the table");
    assertEquals(score(test, broadcast.bestParameters()).collectAsList(), scored);
  }

  @Test
  void anIdOutsideTheVocabularyFailsNamingTheColumnOnThePulledPath() {
    TrainedParameters sharded = shardedResult();
    SPARK.conf().set(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES, "0");
    Dataset<Row> bad = SPARK.createDataFrame(List.of(TinyCtrData.row(1, 0), badRow()), TinyCtrData.SCHEMA);

    SparkException e = assertThrows(SparkException.class, () -> score(bad, sharded).collectAsList());

    assertTrue(String.valueOf(e.getMessage()).contains("Column 'featureIds' has feature id 100 outside the model's "
        + "vocabulary [0, 100)"), e.getMessage());
  }

  private static Row badRow() {
    Row good = TinyCtrData.row(1, 1);
    Integer[] ids = ((Integer[]) good.get(0)).clone();
    ids[2] = TinyCtrData.VOCABULARY;
    return RowFactory.create(ids, good.get(1), good.get(2), good.get(3));
  }

  private static TrainedParameters shardedResult() {
    TrainingConfig config = TrainFixtures.config().maxEpochs(1).numPartitions(3)
        .embeddingSync(TrainingConfig.SHARDED).build();
    return (TrainedParameters) new Trainer(TrainFixtures.model(), config)
        .fit(TrainFixtures.train(SPARK, 900, 3), null, TrainFixtures.COLUMNS).bestParameters();
  }

  private static Dataset<Row> score(Dataset<Row> data, Map<String, float[]> parameters) {
    StructType out = data.schema()
        .add("rawPrediction", new VectorUDT(), false)
        .add("probability", new VectorUDT(), false)
        .add("prediction", DataTypes.DoubleType, false);
    return CtrScorer.transform(data, out, TrainFixtures.model(), parameters, TinyCtrData.FIELDS,
        TinyCtrData.VOCABULARY, "featureIds", "featureValues", 0.5);
  }
}
