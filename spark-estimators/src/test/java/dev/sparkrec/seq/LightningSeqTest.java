package dev.sparkrec.seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.StageContract;
import dev.sparkrec.train.Batch;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.SparkException;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

/**
 * The LightningSeq estimator and its model: the Spark contract, a planted history signal learnt, the network's
 * logits equal transform's, determinism, truncation, bad input, CrossValidator and a 100k-event history trained at
 * batch size 1.
 */
class LightningSeqTest extends StageContract {

  static LightningSeq tiny() {
    return new LightningSeq().setFeatureValuesCol("").setEmbeddingDim(8).setNumHeads(2).setNumLayers(2).setSoftmaxEvery(1)
        .setNumExperts(3).setExpertHiddenDim(8).setHiddenLayers(16).setBlockSize(4).setBatchSize(32).setMaxIter(2)
        .setStepSize(0.01).setSeed(7);
  }

  @Override
  protected PipelineStage newStage() {
    return tiny().setThreshold(0.4);
  }

  @Override
  protected Dataset<Row> inputData() {
    return SeqTestData.generate(200, 1);
  }

  @Override
  protected void assertSameModelData(Transformer expected, Transformer actual) {
    LightningSeqModel a = (LightningSeqModel) expected;
    LightningSeqModel b = (LightningSeqModel) actual;
    assertEquals(a.config(), b.config());
    assertEquals(a.parameterValues().keySet(), b.parameterValues().keySet());
    a.parameterValues().forEach((name, values) -> assertArrayEquals(values, b.parameterValues().get(name), name));
    assertEquals(a.summary(), b.summary());
  }

  private static double auc(Dataset<Row> scored) {
    return new BinaryClassificationEvaluator().evaluate(scored);
  }

  @Test
  void learnsWhetherTheTargetOccursInTheHistory() {
    Dataset<Row> train = SeqTestData.generate(3000, 2).cache();
    Dataset<Row> test = SeqTestData.generate(1000, 3).cache();
    LightningSeq seq = tiny().setNumLayers(1).setNumExperts(2).setTopK(1).setMaxIter(10);
    double auc = auc(seq.fit(train).transform(test));
    Column empty = functions.expr("slice(history, 1, 0)");
    double without = auc(seq.copy(ParamMap.empty()).fit(train.withColumn("history", empty))
        .transform(test.withColumn("history", empty)));
    assertTrue(without < 0.6, "without the history the label is unpredictable: AUC " + without);
    assertTrue(auc > 0.7 && auc > without + 0.15, "target attention finds the target in the history: test AUC "
        + auc + " against " + without + " without history");
  }

  @Test
  void theNetworkScoresAsTransformDoesAndTruncationKeepsTheLatestEvents() {
    Dataset<Row> data = SeqTestData.generate(300, 4);
    LightningSeqModel model = tiny().setMaxHistory(3).fit(data);
    List<Row> rows = model.transform(data).limit(20).collectAsList();
    LightningSeqNetwork network = model.network();
    for (Row row : rows) {
      int[] ids = row.getList(0).stream().mapToInt(o -> (Integer) o).toArray();
      int[] history = row.getList(1).stream().mapToInt(o -> (Integer) o).toArray();
      int[] latest = Arrays.copyOfRange(history, Math.max(0, history.length - 3), history.length);
      float[] logit = new float[1];
      network.logits(new Tape().training(false), Batch.withSequences(2, ids, null, new float[1], null,
          new int[] {0, history.length}, history), logit);
      float[] truncated = new float[1];
      network.logits(new Tape().training(false), Batch.withSequences(2, ids, null, new float[1], null,
          new int[] {0, latest.length}, latest), truncated);
      double z = ((Vector) row.getAs("rawPrediction")).apply(1);
      assertEquals(logit[0], z, 1e-5, "transform's logit is the network's");
      assertEquals(logit[0], truncated[0], 0, "maxHistory = 3 reads only the 3 latest events");
    }
  }

  @Test
  void sameSeedSameDataGiveTheSameModelBitForBit() {
    Dataset<Row> data = SeqTestData.generate(300, 5);
    LightningSeqModel a = tiny().setNumPartitions(2).fit(data);
    LightningSeqModel b = tiny().setNumPartitions(2).fit(data.repartition(3));
    a.parameterValues().forEach((name, values) -> assertArrayEquals(values, b.parameterValues().get(name), name));
  }

  @Test
  void emptyHistoriesScoreFromTheTargetAlone() {
    Dataset<Row> data = SeqTestData.generate(200, 6);
    LightningSeqModel model = tiny().fit(data);
    List<Row> rows = List.of(RowFactory.create(new Integer[] {3, 21}, new Integer[0], 1.0));
    Row scored = model.transform(SparkTestSession.get().createDataFrame(rows, SeqTestData.SCHEMA)).first();
    double p = ((Vector) scored.getAs("probability")).apply(1);
    assertTrue(p > 0 && p < 1, "a probability: " + p);
  }

  @Test
  void badHistoriesFailNamingTheColumnAndTheValue() {
    Dataset<Row> data = SeqTestData.generate(200, 7);
    List<Row> outOfRange = List.of(RowFactory.create(new Integer[] {3, 21}, new Integer[] {2, 99}, 1.0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tiny().setNumFeatures(24).fit(
        data.union(SparkTestSession.get().createDataFrame(outOfRange, SeqTestData.SCHEMA))));
    assertTrue(e.getMessage().startsWith("Column 'history' has feature id"), e.getMessage());
    LightningSeqModel model = tiny().fit(data);
    List<Row> nulls = List.of(RowFactory.create(new Integer[] {3, 21}, null, 1.0));
    SparkException failure = assertThrows(SparkException.class, () -> model.transform(
        SparkTestSession.get().createDataFrame(nulls, SeqTestData.SCHEMA)).collect());
    assertTrue(String.valueOf(failure.getMessage()).contains("Column 'history' is null in a row"),
        failure.getMessage());
    SparkException unknown = assertThrows(SparkException.class, () -> model.transform(
        SparkTestSession.get().createDataFrame(outOfRange, SeqTestData.SCHEMA)).collect());
    assertTrue(String.valueOf(unknown.getMessage()).contains("Column 'history' has feature id 99 outside the model's "
        + "vocabulary [0, 24) at position 1"), unknown.getMessage());
    IllegalArgumentException heads = assertThrows(IllegalArgumentException.class,
        () -> tiny().setNumHeads(3).fit(data));
    assertEquals("numHeads must be a power of two dividing embeddingDim (8), got 3", heads.getMessage());
    assertThrows(IllegalArgumentException.class, () -> tiny().fit(data.drop("history")));
  }

  @Test
  void crossValidatorPicksAPoolingAndRefits() {
    Dataset<Row> data = SeqTestData.generate(400, 8);
    LightningSeq seq = tiny().setMaxIter(1);
    ParamMap[] grid = new ParamGridBuilder().addGrid(seq.pooling(),
        JavaConverters.iterableAsScalaIterableConverter(List.of("attention", "mean")).asScala()).build();
    CrossValidatorModel cv = new CrossValidator().setEstimator(seq).setEstimatorParamMaps(grid)
        .setEvaluator(new BinaryClassificationEvaluator()).setNumFolds(2).setSeed(3).fit(data);
    assertEquals(2, cv.avgMetrics().length);
    assertTrue(cv.bestModel() instanceof LightningSeqModel);
  }

  @Test
  void aHundredThousandEventHistoryTrainsAtBatchSizeOne() {
    SplittableRandom random = new SplittableRandom(9);
    Integer[] history = new Integer[100_000];
    for (int t = 0; t < history.length; t++) {
      history[t] = random.nextInt(SeqTestData.ITEMS);
    }
    List<Row> rows = List.of(RowFactory.create(new Integer[] {1, 20}, history, 1.0),
        RowFactory.create(new Integer[] {2, 21}, Arrays.copyOf(history, 10_000), 0.0));
    Dataset<Row> data = SparkTestSession.get().createDataFrame(rows, SeqTestData.SCHEMA);
    LightningSeqModel model = new LightningSeq().setFeatureValuesCol("").setNumLayers(1).setBatchSize(1).setMaxIter(1).setSeed(3)
        .fit(data);
    double loss = model.summary().history().get(0).trainLoss();
    assertTrue(Double.isFinite(loss) && loss > 0, "one epoch over 110k events: loss " + loss);
    List<Row> scored = model.transform(data).collectAsList();
    assertEquals(2, scored.size());
  }
}
