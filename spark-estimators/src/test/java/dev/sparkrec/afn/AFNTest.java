package dev.sparkrec.afn;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The AFN estimator and model: Spark contract, outputs, AFN+, validation, bad input, CrossValidator. */
class AFNTest extends StageContract {

  static final int FIELDS = 3;
  static final int PER_FIELD = 4;

  /** Rows of 3 fields × 4 values; the label follows a cross of fields 0 and 1 (same parity) with 10% noise. */
  static Dataset<Row> crossData(int rows, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Row> out = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      Integer[] ids = new Integer[FIELDS];
      Float[] values = new Float[FIELDS];
      int[] v = new int[FIELDS];
      for (int f = 0; f < FIELDS; f++) {
        v[f] = random.nextInt(PER_FIELD);
        ids[f] = f * PER_FIELD + v[f];
        values[f] = 1f;
      }
      double label = (v[0] % 2 == v[1] % 2) ? 1.0 : 0.0;
      if (random.nextDouble() < 0.1) {
        label = 1 - label;
      }
      out.add(RowFactory.create(ids, values, label));
    }
    StructType schema = new StructType()
        .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("featureValues", DataTypes.createArrayType(DataTypes.FloatType))
        .add("label", DataTypes.DoubleType);
    return SparkTestSession.get().createDataFrame(out, schema);
  }

  static AFN tinyAfn() {
    return new AFN().setEmbeddingDim(3).setLogNeurons(6).setHiddenLayers(8).setDnnHiddenLayers(8)
        .setBatchSize(64).setMaxIter(3).setStepSize(0.01).setSeed(7);
  }

  @Override
  protected PipelineStage newStage() {
    return tinyAfn().setThreshold(0.4);
  }

  @Override
  protected Dataset<Row> inputData() {
    return crossData(240, 1);
  }

  @Override
  protected void assertSameModelData(Transformer expected, Transformer actual) {
    AFNModel a = (AFNModel) expected;
    AFNModel b = (AFNModel) actual;
    assertEquals(a.parameterValues().keySet(), b.parameterValues().keySet());
    a.parameterValues().forEach((name, values) -> assertArrayEquals(values, b.parameterValues().get(name), name));
    assertArrayEquals(a.fieldNames(), b.fieldNames());
    assertEquals(a.getNumFeatures(), b.getNumFeatures());
    assertEquals(a.summary(), b.summary());
  }

  @Test
  void summariesOfAfnAndAfnPlusSurviveSaveAndLoad() throws Exception {
    List<EpochReport> seen = new ArrayList<>();
    AFNModel plain = tinyAfn().setMaxIter(2).addTrainingListener((report, selected) -> seen.add(report))
        .fit(inputData());
    TrainingSummary summary = plain.summary();
    assertEquals(seen, summary.history(), "the summary holds what the listener saw");
    assertEquals(2, summary.epochs());
    assertEquals(2, summary.bestEpoch(), "without validation the last epoch is kept");
    assertEquals(TrainingSummary.MAX_ITER, summary.stopReason());
    assertEquals(seen.get(0).seconds() + seen.get(1).seconds(), summary.totalSeconds(), 1e-9);
    assertEquals(2, summary.toDF().count());

    Dataset<Row> data = crossData(600, 4).withColumn("isVal",
        when(org.apache.spark.sql.functions.rand(5).lt(0.3), true).otherwise(false));
    AFNModel plus = tinyAfn().setEnsemble(true).setValidationIndicatorCol("isVal").setMaxIter(4).setPatience(1)
        .fit(data);
    TrainingSummary plusSummary = plus.summary();
    List<EpochReport> history = plusSummary.history();
    assertTrue(history.stream().allMatch(r -> Double.isFinite(r.validationAuc())), history.toString());
    int lastBest = history.stream().filter(EpochReport::isBest).mapToInt(EpochReport::epoch).max().orElse(0);
    assertEquals(lastBest, plusSummary.bestEpoch(), "the kept epoch is the last that improved validation");
    assertEquals(history.size() < 4 ? TrainingSummary.EARLY_STOPPING : TrainingSummary.MAX_ITER,
        plusSummary.stopReason());

    for (AFNModel model : List.of(plain, plus)) {
      String path = tempDir.resolve("summary-" + model.getEnsemble()).toString();
      model.save(path);
      AFNModel loaded = AFNModel.load(path);
      assertEquals(model.summary(), loaded.summary());
      assertEquals(model.summary(), loaded.copy(ParamMap.empty()).summary(), "copy keeps the summary");
    }
  }

  @Test
  void modelsWithoutSummaryLoadAndSaySo() throws Exception {
    AFNModel model = tinyAfn().setMaxIter(1).fit(inputData());
    String path = tempDir.resolve("no-summary").toString();
    model.save(path);
    // A model saved before summaries existed has no data/summary folder.
    org.apache.commons.io.FileUtils.deleteDirectory(tempDir.resolve("no-summary/data/summary").toFile());
    AFNModel loaded = AFNModel.load(path);
    assertFalse(loaded.hasSummary());
    assertSameRows(model.transform(inputData()), loaded.transform(inputData()));
    IllegalStateException e = assertThrows(IllegalStateException.class, loaded::summary);
    assertTrue(e.getMessage().contains("has no training summary"), e.getMessage());
    assertFalse(new AFNModel("by-hand").hasSummary());
  }

  @Test
  void writesClassifierColumnsThatMllibEvaluatorsRead() {
    AFNModel model = tinyAfn().setMaxIter(8).fit(crossData(2000, 2));
    Dataset<Row> scored = model.transform(crossData(600, 3));
    Row first = scored.first();
    Vector raw = first.getAs("rawPrediction");
    Vector probability = first.getAs("probability");
    double p = 1 / (1 + Math.exp(-raw.apply(1)));
    assertEquals(-raw.apply(1), raw.apply(0), 0.0);
    assertEquals(p, probability.apply(1), 1e-12);
    assertEquals(1 - p, probability.apply(0), 1e-12);
    assertEquals(p > 0.5 ? 1.0 : 0.0, first.<Double>getAs("prediction"), 0.0);
    double auc = new BinaryClassificationEvaluator().evaluate(scored);
    assertTrue(auc > 0.8, "AFN learns the planted two-field cross: AUC " + auc);
    assertEquals(12, model.getNumFeatures());
    assertArrayEquals(new String[] {"field_0", "field_1", "field_2"}, model.fieldNames());
  }

  @Test
  void afnPlusTrainsWithValidationRowsAndReportsCrossFeatures() {
    Dataset<Row> data = crossData(1500, 4).withColumn("isVal", col("label").geq(lit(2.0)))
        .withColumn("isVal", when(org.apache.spark.sql.functions.rand(5).lt(0.2), true).otherwise(false));
    AFNModel model = tinyAfn().setEnsemble(true).setValidationIndicatorCol("isVal").setMaxIter(6).setPatience(2)
        .fit(data);
    assertTrue(model.parameterValues().keySet().stream().anyMatch(n -> n.contains("dnn")), "a DNN branch exists");
    double auc = new BinaryClassificationEvaluator().evaluate(model.transform(crossData(600, 3)));
    assertTrue(auc > 0.75, "AUC " + auc);
    Dataset<Row> crosses = model.crossFeatures(crossData(600, 3), 3);
    assertEquals(List.of("rank", "neuron", "importance", "fields", "orders", "shares"),
        List.of(crosses.columns()));
    List<Row> rows = crosses.collectAsList();
    assertEquals(3, rows.size());
    assertEquals(1, rows.get(0).getInt(0));
    assertTrue(rows.get(0).getDouble(2) >= rows.get(1).getDouble(2), "ranked by importance");
    assertEquals(rows.get(0).getList(3).size(), rows.get(0).getList(4).size(), "one order per field");
    assertEquals(rows.get(0).getList(3).size(), rows.get(0).getList(5).size(), "one share per field");
  }

  @Test
  void epochListenerSeesEverySelectedModel() {
    List<Double> aucs = new ArrayList<>();
    List<Integer> epochs = new ArrayList<>();
    Dataset<Row> test = crossData(300, 9);
    AFN afn = tinyAfn().setMaxIter(3).addTrainingListener((report, selected) -> {
      epochs.add(report.epoch());
      aucs.add(new BinaryClassificationEvaluator().evaluate(selected.get().transform(test)));
    });
    AFNModel fitted = afn.copy(ParamMap.empty()).fit(crossData(600, 8));
    assertEquals(List.of(1, 2, 3), epochs, "copy keeps the listener; one call per epoch");
    assertEquals(aucs.get(2), new BinaryClassificationEvaluator().evaluate(fitted.transform(test)), 1e-12,
        "without validation the last epoch's model is the one returned");
  }

  @Test
  void badInputFailsNamingTheColumnAndValue() {
    StructType schema = inputData().schema();
    Dataset<Row> badLabel = SparkTestSession.get().createDataFrame(List.of(
        RowFactory.create(new Integer[] {0, 4, 8}, new Float[] {1f, 1f, 1f}, 2.0)), schema);
    Exception e = assertThrows(Exception.class, () -> tinyAfn().fit(badLabel));
    assertTrue(root(e).contains("'label'") && root(e).contains("2.0"), root(e));

    Dataset<Row> nullIds = SparkTestSession.get().createDataFrame(List.of(
        RowFactory.create(null, new Float[] {1f, 1f, 1f}, 1.0), RowFactory.create(new Integer[] {0, 4, 8},
            new Float[] {1f, 1f, 1f}, 0.0)), schema);
    Exception nullError = assertThrows(Exception.class, () -> tinyAfn().fit(nullIds));
    assertTrue(root(nullError).contains("'featureIds'"), root(nullError));

    IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
        () -> tinyAfn().setNumFeatures(10).fit(inputData()));
    assertTrue(tooSmall.getMessage().contains("'featureIds' has feature id 11"), tooSmall.getMessage());

    AFNModel model = tinyAfn().setMaxIter(1).fit(inputData());
    Dataset<Row> unknownId = SparkTestSession.get().createDataFrame(List.of(
        RowFactory.create(new Integer[] {0, 4, 12}, new Float[] {1f, 1f, 1f}, 1.0)), schema);
    SparkException scoring = assertThrows(SparkException.class, () -> model.transform(unknownId).collect());
    assertTrue(root(scoring).contains("'featureIds' has feature id 12 outside the model's vocabulary [0, 12)"),
        root(scoring));
    assertThrows(IllegalArgumentException.class, () -> model.transform(inputData().drop("featureIds")));
  }

  @Test
  void worksInsideCrossValidatorOverLogNeuronsAndDropout() throws Exception {
    AFN afn = tinyAfn().setMaxIter(2);
    ParamMap[] grid = new ParamGridBuilder().addGrid(afn.logNeurons(), new int[] {2, 6})
        .addGrid(afn.dropout(), new double[] {0.0, 0.1}).build();
    CrossValidator cv = new CrossValidator().setEstimator(afn).setEstimatorParamMaps(grid)
        .setEvaluator(new BinaryClassificationEvaluator()).setNumFolds(2).setSeed(3);
    CrossValidatorModel fitted = cv.fit(crossData(400, 6));
    assertEquals(4, fitted.avgMetrics().length);
    for (double metric : fitted.avgMetrics()) {
      assertTrue(Double.isFinite(metric));
    }
    String path = tempDir.resolve("cv").toString();
    fitted.write().save(path);
    CrossValidatorModel loaded = CrossValidatorModel.load(path);
    assertSameRows(fitted.transform(inputData()), loaded.transform(inputData()));
  }

  static String root(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
