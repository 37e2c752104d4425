package dev.sparkrec.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.afn.AFN;
import dev.sparkrec.afn.AFNModel;
import dev.sparkrec.data.SampleData;
import dev.sparkrec.features.FeatureIdsToVector;
import dev.sparkrec.features.FieldEncoder;
import dev.sparkrec.features.FieldRoleCheck;
import dev.sparkrec.fia.MatrixFactorization;
import dev.sparkrec.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RecPipelines}: the pipelines it builds fit, save, load and tune in CrossValidator like any other. */
class RecPipelinesTest {

  private static final String[] CATEGORICAL = {"C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7"};

  private static Dataset<Row> train;
  private static Dataset<Row> test;

  @TempDir
  Path dir;

  @BeforeAll
  static void data() {
    SparkSession spark = SparkTestSession.get();
    train = SampleData.ctrTrain(spark, ProjectPaths.sampleData()).where("rowId < 8000").cache();
    test = SampleData.ctrTest(spark, ProjectPaths.sampleData()).limit(2000).cache();
  }

  private static AFN smallAfn() {
    return new AFN().setEmbeddingDim(4).setLogNeurons(8).setHiddenLayers(16).setBatchSize(256).setStepSize(0.01)
        .setMaxIter(3).setSeed(3);
  }

  @Test
  void afnPipelineFitsSavesAndLoads() throws Exception {
    Pipeline pipeline = RecPipelines.ctr().categorical(CATEGORICAL).numeric("I0", "I1").model(smallAfn()).build();
    PipelineStage[] stages = pipeline.getStages();
    assertEquals(3, stages.length);
    assertInstanceOf(FieldRoleCheck.class, stages[0]);
    assertInstanceOf(FieldEncoder.class, stages[1]);
    assertInstanceOf(AFN.class, stages[2]);

    // The unfitted pipeline round-trips through Spark ML persistence.
    String pipelinePath = dir.resolve("pipeline").toString();
    pipeline.write().save(pipelinePath);
    Pipeline loadedPipeline = Pipeline.load(pipelinePath);
    assertEquals(List.of(CATEGORICAL[0], "I1"), List.of(
        ((FieldEncoder) loadedPipeline.getStages()[1]).getInputCols()[0],
        ((FieldEncoder) loadedPipeline.getStages()[1]).getInputCols()[9]));
    assertEquals(3, ((AFN) loadedPipeline.getStages()[2]).getMaxIter());

    PipelineModel model = pipeline.fit(train);
    assertInstanceOf(AFNModel.class, model.stages()[2]);
    String modelPath = dir.resolve("model").toString();
    model.write().save(modelPath);
    PipelineModel loaded = PipelineModel.load(modelPath);
    List<Row> before = model.transform(test).select("rowId", "probability").orderBy("rowId").collectAsList();
    List<Row> after = loaded.transform(test).select("rowId", "probability").orderBy("rowId").collectAsList();
    assertEquals(before, after, "the loaded pipeline scores bit for bit as the fitted one");
    double auc = new BinaryClassificationEvaluator().evaluate(model.transform(test));
    assertTrue(auc > 0.6, "AUC " + auc);
  }

  @Test
  void mllibClassifierGetsAVectorAndTunesInCrossValidator() throws Exception {
    LogisticRegression lr = new LogisticRegression().setMaxIter(30).setElasticNetParam(1.0).setFeaturesCol("vec");
    Pipeline pipeline = RecPipelines.ctr().categorical(CATEGORICAL).numeric("I0", "I1").model(lr).build();
    assertInstanceOf(FeatureIdsToVector.class, pipeline.getStages()[2]);
    assertEquals("vec", ((FeatureIdsToVector) pipeline.getStages()[2]).getOutputCol());

    ParamMap[] grid = new ParamGridBuilder().addGrid(lr.regParam(), new double[] {1e-4, 1.0}).build();
    CrossValidator cv = new CrossValidator().setEstimator(pipeline).setEstimatorParamMaps(grid)
        .setEvaluator(new BinaryClassificationEvaluator()).setNumFolds(2).setSeed(11);
    CrossValidatorModel tuned = cv.fit(train);
    double[] metrics = tuned.avgMetrics();
    assertEquals(2, metrics.length);
    // An L1 penalty of 1 zeroes every weight: AUC 0.5.
    assertTrue(metrics[0] > metrics[1] + 0.1, "heavy regularisation must lose: " + Arrays.toString(metrics));
    PipelineModel best = (PipelineModel) tuned.bestModel();
    assertEquals(1e-4, ((org.apache.spark.ml.classification.LogisticRegressionModel) best.stages()[3]).getRegParam());

    String path = dir.resolve("cv").toString();
    tuned.write().save(path);
    CrossValidatorModel loaded = CrossValidatorModel.load(path);
    assertEquals(tuned.transform(test).select("probability").collectAsList(),
        loaded.transform(test).select("probability").collectAsList());
  }

  @Test
  void afnTunesInCrossValidator() {
    AFN afn = smallAfn().setMaxIter(1);
    Pipeline pipeline = RecPipelines.ctr().categorical(CATEGORICAL).model(afn).build();
    ParamMap[] grid = new ParamGridBuilder().addGrid(afn.embeddingDim(), new int[] {2, 4}).build();
    CrossValidatorModel tuned = new CrossValidator().setEstimator(pipeline).setEstimatorParamMaps(grid)
        .setEvaluator(new BinaryClassificationEvaluator()).setNumFolds(2).setSeed(5).fit(train);
    assertEquals(2, tuned.avgMetrics().length);
    AFNModel best = (AFNModel) ((PipelineModel) tuned.bestModel()).stages()[2];
    int bestDim = tuned.avgMetrics()[0] >= tuned.avgMetrics()[1] ? 2 : 4;
    assertEquals(bestDim, best.getEmbeddingDim());
  }

  @Test
  void labelIsSetOnACopyOfTheModel() {
    Dataset<Row> relabelled = train.withColumnRenamed("label", "clicked");
    AFN afn = smallAfn();
    Pipeline pipeline = RecPipelines.ctr().categorical(CATEGORICAL).label("clicked").model(afn).build();
    assertEquals("label", afn.getLabelCol(), "the model passed is not changed");
    assertEquals("clicked", ((AFN) pipeline.getStages()[2]).getLabelCol());
    PipelineModel model = pipeline.fit(relabelled);
    assertEquals(2000, model.transform(test).count());
  }

  @Test
  void declaredRolesAreCheckedAgainstTheColumnTypes() {
    Dataset<Row> codes = train.withColumn("C0", functions.col("rowId").cast("double"));
    Pipeline pipeline = RecPipelines.ctr().categorical(CATEGORICAL).model(smallAfn()).build();
    IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class, () -> pipeline.fit(codes));
    assertTrue(wrongType.getMessage().contains("Column 'C0' is declared categorical but is double")
        && wrongType.getMessage().contains("col(\"C0\").cast(\"string\")"), wrongType.getMessage());

    Pipeline numericInt = RecPipelines.ctr().numeric("rowId").model(smallAfn()).build();
    IllegalArgumentException intNumeric = assertThrows(IllegalArgumentException.class, () -> numericInt.fit(train));
    assertTrue(intNumeric.getMessage().contains("Column 'rowId' is declared numeric but is"), intNumeric.getMessage());

    Pipeline missing = RecPipelines.ctr().categorical("nope").model(smallAfn()).build();
    IllegalArgumentException absent = assertThrows(IllegalArgumentException.class, () -> missing.fit(train));
    assertTrue(absent.getMessage().contains("Column 'nope' does not exist"), absent.getMessage());
  }

  @Test
  void buildFailsNamingWhatIsMissing() {
    assertTrue(assertThrows(IllegalStateException.class, () -> RecPipelines.ctr().model(smallAfn()).build())
        .getMessage().contains("no fields"));
    assertTrue(assertThrows(IllegalStateException.class, () -> RecPipelines.ctr().categorical("C0").build())
        .getMessage().contains("no model"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RecPipelines.ctr().categorical("C0")
        .model(new MatrixFactorization()).build()).getMessage()
        .contains("MatrixFactorization reads neither featureIdsCol"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RecPipelines.ctr().categorical("C0")
        .numeric("C0")).getMessage().contains("field 'C0' is named twice"));
  }
}
