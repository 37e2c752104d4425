package dev.sparkrec.deepfm;

import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.Tape;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.StageContract;
import dev.sparkrec.train.Batch;
import dev.sparkrec.train.EpochReport;
import dev.sparkrec.train.TrainingSummary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.SparkException;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import scala.collection.JavaConverters;

/**
 * The DeepFM estimator and its model: Spark contract, classifier outputs, a planted interaction that logistic
 * regression cannot learn, the trained network's logits and encodings, determinism, the L2 penalty, training
 * summaries, bad input and CrossValidator.
 */
class DeepFMTest extends StageContract {

  static final int FIELDS = 3;
  static final int PER_FIELD = 4;
  static final int NUM_FEATURES = FIELDS * PER_FIELD;

  /**
   * Rows of 3 fields × 4 values whose label is only a cross: 1 when the values of fields 0 and 1 have the same
   * parity (10% of labels flipped), so every single feature has a click rate near ½. Also a one-hot
   * {@code features} vector of the same ids, for MLlib's logistic regression.
   */
  static Dataset<Row> crossData(int rows, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Row> out = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      Integer[] ids = new Integer[FIELDS];
      Float[] values = new Float[FIELDS];
      int[] oneHot = new int[FIELDS];
      int[] v = new int[FIELDS];
      for (int f = 0; f < FIELDS; f++) {
        v[f] = random.nextInt(PER_FIELD);
        ids[f] = f * PER_FIELD + v[f];
        oneHot[f] = ids[f];
        values[f] = 1f;
      }
      double label = (v[0] % 2 == v[1] % 2) ? 1.0 : 0.0;
      if (random.nextDouble() < 0.1) {
        label = 1 - label;
      }
      double[] ones = new double[FIELDS];
      Arrays.fill(ones, 1.0);
      out.add(RowFactory.create(ids, values, label, Vectors.sparse(NUM_FEATURES, oneHot, ones)));
    }
    StructType schema = new StructType()
        .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("featureValues", DataTypes.createArrayType(DataTypes.FloatType))
        .add("label", DataTypes.DoubleType)
        .add("features", SQLDataTypes.VectorType());
    return SparkTestSession.get().createDataFrame(out, schema);
  }

  static DeepFM tinyDeepFm() {
    return new DeepFM().setEmbeddingDim(4).setHiddenLayers(16, 8).setBatchSize(64).setMaxIter(3).setStepSize(0.01)
        .setSeed(7);
  }

  @Override
  protected PipelineStage newStage() {
    return tinyDeepFm().setThreshold(0.4);
  }

  @Override
  protected Dataset<Row> inputData() {
    return crossData(240, 1);
  }

  @Override
  protected void assertSameModelData(Transformer expected, Transformer actual) {
    DeepFMModel a = (DeepFMModel) expected;
    DeepFMModel b = (DeepFMModel) actual;
    assertEquals(a.config(), b.config());
    assertEquals(a.parameterValues().keySet(), b.parameterValues().keySet());
    a.parameterValues().forEach((name, values) -> assertArrayEquals(values, b.parameterValues().get(name), name));
    assertEquals(a.getNumFeatures(), b.getNumFeatures());
    assertEquals(a.summary(), b.summary());
  }

  @Test
  void learnsThePlantedCrossThatLogisticRegressionCannot() {
    Dataset<Row> train = crossData(3000, 2);
    Dataset<Row> test = crossData(1000, 3);
    DeepFMModel deepFm = tinyDeepFm().setMaxIter(10).fit(train);
    Dataset<Row> scored = deepFm.transform(test);
    double auc = new BinaryClassificationEvaluator().evaluate(scored);
    double lrAuc = new BinaryClassificationEvaluator().evaluate(new LogisticRegression().fit(train).transform(test));
    assertTrue(auc > 0.85, "DeepFM learns the two-field cross: AUC " + auc);
    assertTrue(auc > lrAuc + 0.25, "DeepFM AUC " + auc + " vs logistic regression " + lrAuc);

    Row first = scored.first();
    Vector raw = first.getAs("rawPrediction");
    Vector probability = first.getAs("probability");
    double p = 1 / (1 + Math.exp(-raw.apply(1)));
    assertEquals(-raw.apply(1), raw.apply(0), 0.0);
    assertEquals(p, probability.apply(1), 1e-12);
    assertEquals(1 - p, probability.apply(0), 1e-12);
    assertEquals(p > 0.5 ? 1.0 : 0.0, first.<Double>getAs("prediction"), 0.0);
    assertEquals(NUM_FEATURES, deepFm.getNumFeatures());
  }

  @Test
  void theTrainedNetworkScoresAndEncodesRowsFromArraysAsTransformDoes() {
    Dataset<Row> data = crossData(200, 9);
    DeepFMModel model = tinyDeepFm().setMaxIter(2).fit(data);
    List<Row> rows = model.transform(data).limit(5).collectAsList();
    int n = rows.size();
    int[] ids = new int[n * FIELDS];
    float[] values = new float[n * FIELDS];
    for (int i = 0; i < n; i++) {
      List<Integer> rowIds = rows.get(i).getList(0);
      List<Float> rowValues = rows.get(i).getList(1);
      for (int f = 0; f < FIELDS; f++) {
        ids[i * FIELDS + f] = rowIds.get(f);
        values[i * FIELDS + f] = rowValues.get(f);
      }
    }
    DeepFmNetwork network = model.network();
    assertEquals(4 + 8, network.encoderDim());
    Batch batch = Batch.of(network.config().numFields(), ids, values, new float[n], null);
    Tape tape = new Tape().training(false);
    float[] logits = new float[n];
    network.logits(tape, batch, logits);
    float[] h = network.encode(tape, batch).toArray();
    assertEquals(n * network.encoderDim(), h.length);
    float[] fromEncodings = network.logit(tape, network.encode(tape, batch)).toArray();
    for (int i = 0; i < n; i++) {
      Vector raw = rows.get(i).getAs("rawPrediction");
      // transform scores chunks of up to 1024 rows, and BLAS may sum in another order for another batch size
      assertEquals(raw.apply(1), logits[i], 1e-6, "row " + i);
      assertEquals(logits[i], fromEncodings[i], 0.0, "row " + i);
    }
    network.parameters().get(0).data()[0] += 1f;
    assertEquals(model.parameterValues().get(DeepFmNetwork.EMBEDDING)[0] + 1f,
        network.parameterValues().get(DeepFmNetwork.EMBEDDING)[0], "the network holds its own copy");
  }

  @Test
  void theSameSeedGivesIdenticalParameters() {
    Dataset<Row> data = crossData(400, 4);
    Map<String, float[]> a = tinyDeepFm().setNumPartitions(2).fit(data).parameterValues();
    Map<String, float[]> b = tinyDeepFm().setNumPartitions(2).fit(data).parameterValues();
    assertEquals(a.keySet(), b.keySet());
    a.forEach((name, values) -> assertArrayEquals(values, b.get(name), name));
    Map<String, float[]> other = tinyDeepFm().setNumPartitions(2).setSeed(8).fit(data).parameterValues();
    assertFalse(Arrays.equals(a.get(DeepFmNetwork.EMBEDDING), other.get(DeepFmNetwork.EMBEDDING)));
  }

  @Test
  void regParamShrinksTheEmbeddings() {
    Dataset<Row> data = crossData(400, 5);
    DeepFMModel free = tinyDeepFm().setMaxIter(10).fit(data);
    DeepFMModel penalised = tinyDeepFm().setMaxIter(10).setRegParam(1.0).fit(data);
    double freeSquares = squares(free, DeepFmNetwork.EMBEDDING);
    double penalisedSquares = squares(penalised, DeepFmNetwork.EMBEDDING);
    assertTrue(penalisedSquares < 0.5 * freeSquares, penalisedSquares + " vs " + freeSquares);
    assertEquals(0.0, new DeepFM().getRegParam());
  }

  private static double squares(DeepFMModel model, String name) {
    double sum = 0;
    for (float v : model.parameterValues().get(name)) {
      sum += v * v;
    }
    return sum;
  }

  @Test
  void defaultsAreTheReferencePretraining() {
    DeepFM deepFm = new DeepFM();
    assertEquals(10, deepFm.getEmbeddingDim());
    assertArrayEquals(new int[] {400, 400, 400}, deepFm.getHiddenLayers());
    assertEquals(0.001, deepFm.getStepSize());
    assertEquals(1024, deepFm.getBatchSize());
    assertEquals(100, deepFm.getMaxIter());
    assertEquals(4, deepFm.getPatience());
    assertEquals(DeepFM.AUC, deepFm.getValidationMetric());
    assertEquals(42L, deepFm.getSeed());
    assertEquals(0.5, deepFm.getThreshold());
    assertArrayEquals(new int[] {400, 400, 400}, new DeepFMModel("m").getHiddenLayers());
  }

  @Test
  void summaryRecordsValidationAndEarlyStoppingAndSurvivesSaveAndLoad() throws Exception {
    List<EpochReport> seen = new ArrayList<>();
    Dataset<Row> data = crossData(600, 6).withColumn("isVal", when(rand(5).lt(0.3), true).otherwise(false));
    DeepFMModel model = tinyDeepFm().setValidationIndicatorCol("isVal").setMaxIter(4).setPatience(1)
        .addTrainingListener((report, selected) -> seen.add(report)).fit(data);
    TrainingSummary summary = model.summary();
    assertEquals(seen, summary.history(), "the summary holds what the listener saw");
    assertTrue(seen.stream().allMatch(r -> Double.isFinite(r.validationAuc())), seen.toString());
    int lastBest = seen.stream().filter(EpochReport::isBest).mapToInt(EpochReport::epoch).max().orElse(0);
    assertEquals(lastBest, summary.bestEpoch(), "the kept epoch is the last that improved validation");

    String path = tempDir.resolve("summary").toString();
    model.save(path);
    DeepFMModel loaded = DeepFMModel.load(path);
    assertEquals(summary, loaded.summary());
    assertEquals(summary, loaded.copy(ParamMap.empty()).summary(), "copy keeps the summary");
    assertFalse(new DeepFMModel("by-hand").hasSummary());
    IllegalStateException unfitted = assertThrows(IllegalStateException.class,
        () -> new DeepFMModel("by-hand").transform(data));
    assertTrue(unfitted.getMessage().contains("holds no trained network"), unfitted.getMessage());
  }

  @Test
  void badInputFailsNamingTheColumnAndValue() {
    StructType schema = inputData().schema();
    Vector features = Vectors.sparse(NUM_FEATURES, new int[] {0}, new double[] {1});
    Dataset<Row> badLabel = SparkTestSession.get().createDataFrame(List.of(
        RowFactory.create(new Integer[] {0, 4, 8}, new Float[] {1f, 1f, 1f}, 2.0, features)), schema);
    Exception e = assertThrows(Exception.class, () -> tinyDeepFm().fit(badLabel));
    assertTrue(root(e).contains("'label'") && root(e).contains("2.0"), root(e));

    IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
        () -> tinyDeepFm().setNumFeatures(10).fit(inputData()));
    assertTrue(tooSmall.getMessage().contains("'featureIds' has feature id 11"), tooSmall.getMessage());

    DeepFMModel model = tinyDeepFm().setMaxIter(1).fit(inputData());
    Dataset<Row> unknownId = SparkTestSession.get().createDataFrame(List.of(
        RowFactory.create(new Integer[] {0, 4, 12}, new Float[] {1f, 1f, 1f}, 1.0, features)), schema);
    SparkException scoring = assertThrows(SparkException.class, () -> model.transform(unknownId).collect());
    assertTrue(root(scoring).contains("'featureIds' has feature id 12 outside the model's vocabulary [0, 12)"),
        root(scoring));
    Dataset<Row> nanValue = SparkTestSession.get().createDataFrame(List.of(
        RowFactory.create(new Integer[] {0, 4, 8}, new Float[] {1f, Float.NaN, 1f}, 1.0, features)), schema);
    SparkException nan = assertThrows(SparkException.class, () -> model.transform(nanValue).collect());
    assertTrue(root(nan).contains("'featureValues' has value NaN for feature id 4"), root(nan));
    assertThrows(IllegalArgumentException.class, () -> model.transform(inputData().drop("featureIds")));
  }

  @Test
  void worksInsideCrossValidatorOverEmbeddingDimAndHiddenLayers() throws Exception {
    DeepFM deepFm = tinyDeepFm().setMaxIter(2);
    ParamMap[] grid = new ParamGridBuilder().addGrid(deepFm.embeddingDim(), new int[] {2, 4})
        .addGrid(deepFm.hiddenLayers(), JavaConverters.asScalaBuffer(List.of(new int[] {8}, new int[] {16, 8})))
        .build();
    CrossValidator cv = new CrossValidator().setEstimator(deepFm).setEstimatorParamMaps(grid)
        .setEvaluator(new BinaryClassificationEvaluator()).setNumFolds(2).setSeed(3);
    CrossValidatorModel fitted = cv.fit(crossData(400, 7));
    assertEquals(4, fitted.avgMetrics().length);
    for (double metric : fitted.avgMetrics()) {
      assertTrue(Double.isFinite(metric));
    }
    String path = tempDir.resolve("cv").toString();
    fitted.write().save(path);
    assertSameRows(fitted.transform(inputData()), CrossValidatorModel.load(path).transform(inputData()));
  }

  static String root(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
