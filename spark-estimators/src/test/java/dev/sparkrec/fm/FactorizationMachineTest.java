package dev.sparkrec.fm;

import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.StageContract;
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

/**
 * The FactorizationMachine estimator and its model: Spark contract, classifier outputs, a planted interaction that
 * logistic regression cannot learn, determinism, the L2 penalty, training summaries, bad input and CrossValidator.
 */
class FactorizationMachineTest extends StageContract {

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

  static FactorizationMachine tinyFm() {
    return new FactorizationMachine().setEmbeddingDim(4).setBatchSize(64).setMaxIter(3).setStepSize(0.02)
        .setSeed(7);
  }

  @Override
  protected PipelineStage newStage() {
    return tinyFm().setThreshold(0.4).setInitStd(0.05);
  }

  @Override
  protected Dataset<Row> inputData() {
    return crossData(240, 1);
  }

  @Override
  protected void assertSameModelData(Transformer expected, Transformer actual) {
    FactorizationMachineModel a = (FactorizationMachineModel) expected;
    FactorizationMachineModel b = (FactorizationMachineModel) actual;
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
    FactorizationMachineModel fm = tinyFm().setMaxIter(10).fit(train);
    Dataset<Row> scored = fm.transform(test);
    double fmAuc = new BinaryClassificationEvaluator().evaluate(scored);
    double lrAuc = new BinaryClassificationEvaluator().evaluate(new LogisticRegression().fit(train).transform(test));
    assertTrue(fmAuc > 0.85, "FM learns the two-field cross: AUC " + fmAuc);
    assertTrue(fmAuc > lrAuc + 0.25, "FM AUC " + fmAuc + " vs logistic regression " + lrAuc);

    Row first = scored.first();
    Vector raw = first.getAs("rawPrediction");
    Vector probability = first.getAs("probability");
    double p = 1 / (1 + Math.exp(-raw.apply(1)));
    assertEquals(-raw.apply(1), raw.apply(0), 0.0);
    assertEquals(p, probability.apply(1), 1e-12);
    assertEquals(1 - p, probability.apply(0), 1e-12);
    assertEquals(p > 0.5 ? 1.0 : 0.0, first.<Double>getAs("prediction"), 0.0);
    assertEquals(NUM_FEATURES, fm.getNumFeatures());
  }

  @Test
  void theSameSeedGivesIdenticalParameters() {
    Dataset<Row> data = crossData(400, 4);
    Map<String, float[]> a = tinyFm().setNumPartitions(2).fit(data).parameterValues();
    Map<String, float[]> b = tinyFm().setNumPartitions(2).fit(data).parameterValues();
    assertEquals(a.keySet(), b.keySet());
    a.forEach((name, values) -> assertArrayEquals(values, b.get(name), name));
    Map<String, float[]> other = tinyFm().setNumPartitions(2).setSeed(8).fit(data).parameterValues();
    assertFalse(Arrays.equals(a.get(FmNetwork.EMBEDDING), other.get(FmNetwork.EMBEDDING)));
  }

  @Test
  void regParamShrinksTheEmbeddingsOnly() {
    Dataset<Row> data = crossData(400, 5);
    FactorizationMachineModel free = tinyFm().fit(data);
    FactorizationMachineModel penalised = tinyFm().setRegParam(1.0).fit(data);
    assertTrue(squares(penalised, FmNetwork.EMBEDDING) < 0.5 * squares(free, FmNetwork.EMBEDDING),
        squares(penalised, FmNetwork.EMBEDDING) + " vs " + squares(free, FmNetwork.EMBEDDING));
    assertEquals(0.0, new FactorizationMachine().getRegParam());
  }

  private static double squares(FactorizationMachineModel model, String name) {
    double sum = 0;
    for (float v : model.parameterValues().get(name)) {
      sum += v * v;
    }
    return sum;
  }

  @Test
  void defaultsSuitClickThroughData() {
    FactorizationMachine fm = new FactorizationMachine();
    assertEquals(10, fm.getEmbeddingDim());
    assertEquals(0.1, fm.getInitStd());
    assertEquals(0.01, fm.getStepSize());
    assertEquals(1024, fm.getBatchSize());
    assertEquals(50, fm.getMaxIter());
    assertEquals(2, fm.getPatience());
    assertEquals(FactorizationMachine.AUC_MINUS_LOGLOSS, fm.getValidationMetric());
    assertEquals(0.5, fm.getThreshold());
  }

  @Test
  void summaryRecordsValidationAndEarlyStoppingAndSurvivesSaveAndLoad() throws Exception {
    List<EpochReport> seen = new ArrayList<>();
    Dataset<Row> data = crossData(600, 6).withColumn("isVal", when(rand(5).lt(0.3), true).otherwise(false));
    FactorizationMachineModel model = tinyFm().setValidationIndicatorCol("isVal").setMaxIter(4).setPatience(1)
        .addTrainingListener((report, selected) -> seen.add(report)).fit(data);
    TrainingSummary summary = model.summary();
    assertEquals(seen, summary.history(), "the summary holds what the listener saw");
    assertTrue(seen.stream().allMatch(r -> Double.isFinite(r.validationAuc())), seen.toString());
    int lastBest = seen.stream().filter(EpochReport::isBest).mapToInt(EpochReport::epoch).max().orElse(0);
    assertEquals(lastBest, summary.bestEpoch(), "the kept epoch is the last that improved validation");

    String path = tempDir.resolve("summary").toString();
    model.save(path);
    FactorizationMachineModel loaded = FactorizationMachineModel.load(path);
    assertEquals(summary, loaded.summary());
    assertEquals(summary, loaded.copy(ParamMap.empty()).summary(), "copy keeps the summary");
    assertFalse(new FactorizationMachineModel("by-hand").hasSummary());
    IllegalStateException unfitted = assertThrows(IllegalStateException.class,
        () -> new FactorizationMachineModel("by-hand").transform(data));
    assertTrue(unfitted.getMessage().contains("holds no trained network"), unfitted.getMessage());
  }

  @Test
  void badInputFailsNamingTheColumnAndValue() {
    StructType schema = inputData().schema();
    Vector features = Vectors.sparse(NUM_FEATURES, new int[] {0}, new double[] {1});
    Dataset<Row> badLabel = SparkTestSession.get().createDataFrame(List.of(
        RowFactory.create(new Integer[] {0, 4, 8}, new Float[] {1f, 1f, 1f}, 2.0, features)), schema);
    Exception e = assertThrows(Exception.class, () -> tinyFm().fit(badLabel));
    assertTrue(root(e).contains("'label'") && root(e).contains("2.0"), root(e));

    IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
        () -> tinyFm().setNumFeatures(10).fit(inputData()));
    assertTrue(tooSmall.getMessage().contains("'featureIds' has feature id 11"), tooSmall.getMessage());

    FactorizationMachineModel model = tinyFm().setMaxIter(1).fit(inputData());
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
  void worksInsideCrossValidatorOverEmbeddingDimAndRegParam() throws Exception {
    FactorizationMachine fm = tinyFm().setMaxIter(2);
    ParamMap[] grid = new ParamGridBuilder().addGrid(fm.embeddingDim(), new int[] {2, 4})
        .addGrid(fm.regParam(), new double[] {0.0, 0.01}).build();
    CrossValidator cv = new CrossValidator().setEstimator(fm).setEstimatorParamMaps(grid)
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
