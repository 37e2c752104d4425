package dev.sparkrec.resus;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.afn.AFN;
import dev.sparkrec.afn.AFNModel;
import dev.sparkrec.data.SyntheticColdStart;
import dev.sparkrec.data.SyntheticCtrData;
import dev.sparkrec.deepfm.DeepFM;
import dev.sparkrec.deepfm.DeepFMModel;
import dev.sparkrec.eval.BinaryMetrics;
import dev.sparkrec.testing.StageContract;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * RESUS and RESUSModel: the Spark contract, learning per-user residuals that the base predictor cannot see, the
 * adaptation table through Delta, empty and unknown supports, determinism, persistence with a given base model
 * and bad input.
 */
class RESUSTest extends StageContract {

  static final int[] CARDINALITIES = {30, 6, 4};
  static final StructType SCHEMA = new StructType().add("user", DataTypes.IntegerType)
      .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType)).add("label", DataTypes.DoubleType)
      .add("time", DataTypes.LongType).add("isValidation", DataTypes.BooleanType);

  /**
   * Synthetic interactions of {@code users} warm users (16–30 each) whose clicks carry a strong personal bias and
   * taste; user ids ≥ {@code validationFrom} are flagged as validation users. The user is not a feature.
   */
  static Dataset<Row> interactions(int users, int validationFrom, long seed) {
    SyntheticColdStart data = SyntheticColdStart.builder().numUsers(users).seed(seed).coldUserFraction(0)
        .warmInteractions(16, 30).cardinalities(CARDINALITIES).userBiasStd(1.5).tasteStd(1.0).groupShare(0)
        .numPartitions(2).build();
    List<Row> rows = new ArrayList<>();
    for (Row r : data.generate(spark()).collectAsList()) {
      Integer[] ids = new Integer[CARDINALITIES.length];
      int offset = 0;
      for (int f = 0; f < ids.length; f++) {
        ids[f] = offset + SyntheticCtrData.valueIndex(r.getString(r.fieldIndex("C" + f)));
        offset += CARDINALITIES[f];
      }
      int user = r.getInt(0);
      rows.add(RowFactory.create(user, ids, r.getDouble(r.fieldIndex("label")),
          (long) r.getInt(r.fieldIndex("interactionIndex")), user >= validationFrom));
    }
    return spark().createDataFrame(rows, SCHEMA).repartition(2);
  }

  /** A small RESUS whose base is a DeepFM of 3 epochs. */
  private static RESUS tiny() {
    DeepFM base = new DeepFM().setEmbeddingDim(3).setHiddenLayers(8).setMaxIter(3).setSeed(4);
    return new RESUS().setUserCol("user").setFeatureIdsCol("featureIds").setFeatureValuesCol("").setTimeCol("time")
        .setValidationIndicatorCol("isValidation").setEmbeddingDim(3).setHiddenLayers(8).setMaxIter(2).setSeed(5)
        .setBaseEstimator(base);
  }

  @Override
  protected PipelineStage newStage() {
    return tiny();
  }

  @Override
  protected Dataset<Row> inputData() {
    return interactions(24, 18, 3);
  }

  @Override
  protected void assertSameModelData(Transformer expected, Transformer actual) {
    RESUSModel a = (RESUSModel) expected;
    RESUSModel b = (RESUSModel) actual;
    assertEquals(a.config(), b.config());
    assertParametersEqual(a.parameterValues(), b.parameterValues());
    assertEquals(a.summary(), b.summary());
    assertParametersEqual(((DeepFMModel) a.baseModel()).parameterValues(),
        ((DeepFMModel) b.baseModel()).parameterValues());
  }

  private static void assertParametersEqual(Map<String, float[]> a, Map<String, float[]> b) {
    assertEquals(a.keySet(), b.keySet());
    a.forEach((name, values) -> assertArrayEquals(values, b.get(name), name));
  }

  /** Users ≥ 240 are test users: support = their first {@code n} rows, query = the rest. */
  private static Dataset<Row> support(Dataset<Row> all, int n) {
    return all.where(col("user").geq(240).and(col("time").lt(n)));
  }

  private static Dataset<Row> queries(Dataset<Row> all, int n) {
    return all.where(col("user").geq(240).and(col("time").geq(n)));
  }

  private static double auc(Dataset<Row> scored) {
    List<Row> rows = scored.select("probability", "label").collectAsList();
    float[] p = new float[rows.size()];
    float[] y = new float[rows.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) ((Vector) rows.get(i).get(0)).apply(1);
      y[i] = (float) rows.get(i).getDouble(1);
    }
    return BinaryMetrics.auc(p, y, p.length);
  }

  /** Fitted once: training users 0–199, validation 200–239, test 240–299. */
  private static Dataset<Row> learningData;
  private static DeepFMModel base;

  private static synchronized Dataset<Row> learningData() {
    if (learningData == null) {
      learningData = interactions(300, 200, 21).cache();
      Dataset<Row> fitRows = learningData.where(col("user").lt(240));
      base = new DeepFM().setFeatureIdsCol("featureIds").setFeatureValuesCol("").setValidationIndicatorCol("isValidation")
          .setEmbeddingDim(4).setHiddenLayers(16).setMaxIter(15).setSeed(3).fit(fitRows);
    }
    return learningData;
  }

  @Test
  void bothLearnersLearnThePersonalResidualTheBaseCannotSee() {
    Dataset<Row> all = learningData();
    Dataset<Row> fitRows = all.where(col("user").lt(240));
    double baseAuc = auc(base.transform(queries(all, 10)));
    for (String learner : new String[] {"rr", "nn"}) {
      RESUSModel model = new RESUS().setFeatureIdsCol("featureIds").setFeatureValuesCol("").setValidationIndicatorCol("isValidation")
          .setEmbeddingDim(4).setHiddenLayers(16).setLearner(learner).setMaxIter(8).setPatience(3).setSeed(7)
          .setInitScale(1).setBaseModel(base).fit(fitRows);
      double resusAuc = auc(model.setSupport(support(all, 10)).transform(queries(all, 10)));
      assertTrue(resusAuc > baseAuc + 0.03, learner + ": RESUS AUC " + resusAuc + " vs base " + baseAuc);
      assertTrue(model.summary().epochs() >= 1);
    }
  }

  @Test
  void theAdaptationTableRoundTripsThroughDeltaAndScoresAsDirectTransform() {
    Dataset<Row> all = learningData();
    RESUSModel model = tiny().setBaseModel(base).setEmbeddingDim(4).setHiddenLayers(16).setMaxIter(1)
        .fit(all.where(col("user").lt(240)));
    Dataset<Row> table = model.adapt(support(all, 6));
    assertEquals(60, table.count());
    assertEquals(Arrays.asList("user", RESUSModel.SUPPORT_SIZE, RESUSModel.ADAPTATION),
        Arrays.asList(table.schema().fieldNames()));
    String path = tempDir.resolve("adaptation").toString();
    table.write().format("delta").save(path);
    Dataset<Row> stored = spark().read().format("delta").load(path);

    Dataset<Row> q = queries(all, 6).orderBy("user", "time");
    List<Row> direct = model.setSupport(support(all, 6)).transform(q).orderBy("user", "time").collectAsList();
    List<Row> joined = model.setAdaptation(stored).transform(q).orderBy("user", "time").collectAsList();
    assertEquals(direct, joined);
    List<Row> baseRows = base.transform(q).orderBy("user", "time").collectAsList();
    int moved = 0;
    for (int i = 0; i < direct.size(); i++) {
      Vector personal = direct.get(i).getAs("rawPrediction");
      Vector shared = baseRows.get(i).getAs("rawPrediction");
      moved += Math.abs(personal.apply(1) - shared.apply(1)) > 1e-6 ? 1 : 0;
    }
    assertEquals(direct.size(), moved, "every query of a user with support is personalised");
  }

  @Test
  void usersWithoutSupportGetTheBasePredictionAndUnknownSupportUsersAreCounted() {
    Dataset<Row> all = learningData();
    RESUSModel model = tiny().setBaseModel(base).setEmbeddingDim(4).setHiddenLayers(16).setMaxIter(1)
        .fit(all.where(col("user").lt(240)));
    // support for users 240–299; queries only of users 270–299 and of 200–209, who have no support
    Dataset<Row> q = all.where(col("user").geq(270).or(col("user").between(200, 209))).where(col("time").geq(8))
        .orderBy("user", "time");
    List<Row> personal = model.setSupport(support(all, 8)).transform(q).orderBy("user", "time").collectAsList();
    assertEquals(30, model.lastIgnoredSupportUsers(), "users 240–269 have support but no query");
    List<Row> shared = base.transform(q).orderBy("user", "time").collectAsList();
    assertEquals(shared.size(), personal.size());
    for (int i = 0; i < shared.size(); i++) {
      int user = personal.get(i).getInt(0);
      double z = ((Vector) personal.get(i).getAs("rawPrediction")).apply(1);
      double zBase = ((Vector) shared.get(i).getAs("rawPrediction")).apply(1);
      if (user < 240) {
        assertEquals(zBase, z, 0.0, "user " + user + " has no support: base prediction");
      } else {
        assertTrue(Math.abs(zBase - z) > 1e-6, "user " + user + " is personalised");
      }
    }
    model.clearSupport();
    assertEquals(shared, model.transform(q).orderBy("user", "time").collectAsList());
    assertEquals(0, model.lastIgnoredSupportUsers());
  }

  @Test
  void anAfnBaseEstimatorWorksAsTheBasePredictor() throws Exception {
    Dataset<Row> data = inputData();
    AFN afn = new AFN().setEmbeddingDim(3).setLogNeurons(4).setHiddenLayers(8).setMaxIter(2).setSeed(2);
    RESUS stage = tiny().setBaseEstimator(afn);
    RESUSModel model = stage.fit(data);
    assertTrue(model.baseModel() instanceof AFNModel, model.baseModel().getClass().getName());
    Dataset<Row> support = data.where(col("time").lt(5));
    Dataset<Row> queries = data.where(col("time").geq(5)).orderBy("user", "time");
    List<Row> personal = model.setSupport(support).transform(queries).orderBy("user", "time").collectAsList();
    List<Row> shared = model.baseModel().transform(queries).orderBy("user", "time").collectAsList();
    assertEquals(shared.size(), personal.size());
    for (int i = 0; i < shared.size(); i++) {
      assertTrue(Math.abs(((Vector) personal.get(i).getAs("rawPrediction")).apply(1)
          - ((Vector) shared.get(i).getAs("rawPrediction")).apply(1)) > 1e-7, "row " + i + " is personalised");
    }
    String path = tempDir.resolve("resus-afn").toString();
    stage.save(path);
    assertTrue(RESUS.load(path).getBaseEstimator() instanceof AFN);
    model.write().save(path + "-model");
    RESUSModel loaded = RESUSModel.load(path + "-model");
    assertTrue(loaded.baseModel() instanceof AFNModel);
    assertEquals(personal, loaded.setSupport(support).transform(queries).orderBy("user", "time").collectAsList());
  }

  @Test
  void sameSeedDataAndPartitioningGiveTheSameModel() {
    Dataset<Row> data = inputData();
    RESUSModel a = tiny().setNumPartitions(2).fit(data);
    RESUSModel b = tiny().setNumPartitions(2).fit(data.repartition(3));
    assertParametersEqual(a.parameterValues(), b.parameterValues());
  }

  @Test
  void savesAndLoadsWithAGivenBaseModel() throws Exception {
    Dataset<Row> all = learningData();
    RESUS stage = tiny().setBaseModel(base).setEmbeddingDim(4).setHiddenLayers(16);
    String path = tempDir.resolve("resus-with-base").toString();
    stage.save(path);
    RESUS loaded = RESUS.load(path);
    assertNotNull(loaded.getBaseModel());
    assertParametersEqual(base.parameterValues(), ((DeepFMModel) loaded.getBaseModel()).parameterValues());
    assertSame(base, stage.copy(org.apache.spark.ml.param.ParamMap.empty()).getBaseModel());
    assertNotNull(all);
  }

  @Test
  void badInputFailsNamingTheColumnAndValue() {
    Dataset<Row> data = inputData();
    IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
        () -> tiny().fit(data.withColumn("label", col("label").multiply(2))));
    assertTrue(label.getMessage().contains("'label'") && label.getMessage().contains("2.0"), label.getMessage());
    IllegalArgumentException time = assertThrows(IllegalArgumentException.class,
        () -> tiny().fit(data.withColumn("time", org.apache.spark.sql.functions.lit(null).cast("long"))));
    assertTrue(time.getMessage().contains("'time'"), time.getMessage());
    IllegalArgumentException learner = assertThrows(IllegalArgumentException.class,
        () -> tiny().setLearner("svm"));
    assertTrue(learner.getMessage().contains("svm"), learner.getMessage());
  }
}
