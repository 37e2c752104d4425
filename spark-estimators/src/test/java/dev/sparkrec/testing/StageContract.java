package dev.sparkrec.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every SparkRec stage keeps, as tests a stage's test class inherits.
 *
 * <p>A subclass supplies a configured stage (with some non-default params, so that copying and
 * persistence are really exercised) and a small input DataFrame. For an {@link Estimator} the
 * contract covers the estimator and the model it fits; for a {@link Transformer}, the
 * transformer itself:
 * <ul>
 *   <li>{@code copy} keeps the uid and every param, and {@code copy(extra)} applies {@code extra};</li>
 *   <li>save/load round trips keep uid, params and (for models) the model data — checked by
 *       comparing {@code transform} output before and after, plus {@link #assertSameModelData};</li>
 *   <li>{@code transformSchema} predicts the schema that {@code transform} produces;</li>
 *   <li>the stage works inside a {@link Pipeline} whose {@link PipelineModel} saves and loads;</li>
 *   <li>every param has a public getter ({@code getX}, or {@code isX} for a boolean) and, on an estimator or a
 *       transformer, a public setter ({@code setX}) that sets that param and returns the stage; a model needs
 *       getters only (it fits no params of its own), and its setters, where it has them, round trip too.</li>
 * </ul>
 *
 * <p>{@code StageCoverageTest} fails for every public stage of the library that no subclass covers; a subclass
 * covers {@link #coveredStages()}.
 */
public abstract class StageContract {

  /** A configured stage: an {@link Estimator} or a {@link Transformer} that implements {@link MLWritable}. */
  protected abstract PipelineStage newStage();

  /** Input the stage is fitted on and/or transforms; small, so the contract runs in seconds. */
  protected abstract Dataset<Row> inputData();

  /** Extra model-data checks beyond equal {@code transform} output; the default adds none. */
  protected void assertSameModelData(Transformer expected, Transformer actual) {}

  /**
   * Params of {@link #newStage()} that users cannot set by design, each with its reason in a comment; they
   * still need a getter. The default is none.
   */
  protected Set<String> readOnlyParams() {
    return Set.of();
  }

  /**
   * The stage classes this contract covers: the class of {@link #newStage()} and, for an {@link Estimator},
   * the model class it fits (its {@code Estimator<M>} type argument).
   */
  protected List<Class<?>> coveredStages() {
    Class<?> stage = newStage().getClass();
    List<Class<?>> covered = new ArrayList<>(List.of(stage));
    Class<?> model = StageClasses.modelClassOf(stage);
    if (model != null) {
      covered.add(model);
    }
    return covered;
  }

  /** The shared test session. */
  protected static SparkSession spark() {
    return SparkTestSession.get();
  }

  @TempDir
  protected Path tempDir;

  @Test
  void copyKeepsUidAndParams() {
    PipelineStage stage = newStage();
    PipelineStage copy = stage.copy(ParamMap.empty());
    assertNotSame(stage, copy);
    assertEquals(stage.getClass(), copy.getClass());
    assertEquals(stage.uid(), copy.uid());
    assertSameParams(stage, copy);

    @SuppressWarnings("unchecked")
    Param<Object> someParam = (Param<Object>) stage.params()[0];
    Object original = stage.getOrDefault(someParam);
    ParamMap extra = ParamMap.empty().put(someParam.w(original));
    PipelineStage withExtra = stage.copy(extra);
    assertTrue(withExtra.isSet(someParam), "copy(extra) must set " + someParam.name());
  }

  @Test
  void stageSavesAndLoads() throws IOException {
    PipelineStage stage = newStage();
    String path = tempDir.resolve("stage").toString();
    ((MLWritable) stage).save(path);
    assertThrows(IOException.class, () -> ((MLWritable) stage).save(path),
        "saving twice to the same path without overwrite() must fail");
    ((MLWritable) stage).write().overwrite().save(path);
    PipelineStage loaded = load(stage.getClass(), path);
    assertEquals(stage.uid(), loaded.uid());
    assertSameParams(stage, loaded);
  }

  @Test
  void modelSavesAndLoads() throws IOException {
    Transformer model = fitted(newStage());
    String path = tempDir.resolve("model").toString();
    ((MLWritable) model).write().save(path);
    Transformer loaded = (Transformer) load(model.getClass(), path);
    assertEquals(model.uid(), loaded.uid());
    assertSameParams(model, loaded);
    assertSameModelData(model, loaded);
    assertSameRows(model.transform(inputData()), loaded.transform(inputData()));
  }

  @Test
  void transformSchemaAgreesWithTransform() {
    PipelineStage stage = newStage();
    StructType input = inputData().schema();
    StructType predicted = stage.transformSchema(input);
    Transformer transformer = fitted(stage);
    StructType modelPredicted = transformer.transformSchema(input);
    StructType actual = transformer.transform(inputData()).schema();
    assertSameFields(modelPredicted, actual);
    if (stage instanceof Estimator) {
      assertSameFields(predicted, actual);
    }
  }

  @Test
  void worksInsidePipelineThatSavesAndLoads() throws IOException {
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {newStage()});
    PipelineModel model = pipeline.fit(inputData());
    String pipelinePath = tempDir.resolve("pipeline").toString();
    pipeline.write().save(pipelinePath);
    assertEquals(1, Pipeline.load(pipelinePath).getStages().length);

    String modelPath = tempDir.resolve("pipeline-model").toString();
    model.write().save(modelPath);
    PipelineModel loaded = PipelineModel.load(modelPath);
    assertSameRows(model.transform(inputData()), loaded.transform(inputData()));
  }

  @Test
  void everyParamHasAGetterAndASetterThatRoundTrip() {
    PipelineStage stage = newStage();
    List<String> problems = new ArrayList<>(ParamAccessors.check(stage, true, readOnlyParams()));
    if (stage instanceof Estimator) {
      problems.addAll(ParamAccessors.check(fitted(stage), false, Set.of()));
    }
    assertTrue(problems.isEmpty(), "params without a working public accessor:\n  " + String.join("\n  ", problems));
  }

  /** Fits an estimator on {@link #inputData()}, or returns a transformer as it is. */
  protected Transformer fitted(PipelineStage stage) {
    if (stage instanceof Estimator) {
      return (Transformer) ((Estimator<?>) stage).fit(inputData());
    }
    return (Transformer) stage;
  }

  /** Loads a stage through its class's static {@code read()}, exactly as Spark's Pipeline loader does. */
  protected static PipelineStage load(Class<?> cls, String path) {
    try {
      MLReader<?> reader = (MLReader<?>) cls.getMethod("read").invoke(null);
      return (PipelineStage) reader.load(path);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(cls.getName() + " must declare public static MLReader read()", e);
    }
  }

  /** Every param of {@code expected} is defined in {@code actual} with an equal value (arrays by content). */
  protected static void assertSameParams(Params expected, Params actual) {
    for (Param<?> param : expected.params()) {
      Param<?> other = actual.getParam(param.name());
      assertEquals(expected.isDefined(param), actual.isDefined(other), "defined: " + param.name());
      assertEquals(expected.isSet(param), actual.isSet(other), "set: " + param.name());
      if (expected.isDefined(param)) {
        Object a = expected.getOrDefault(param);
        Object b = actual.getOrDefault(other);
        assertTrue(Objects.deepEquals(a, b),
            "param " + param.name() + ": " + deepToString(a) + " != " + deepToString(b));
      }
    }
  }

  /** Same rows in the same order; floating-point values compared exactly. */
  protected static void assertSameRows(Dataset<Row> expected, Dataset<Row> actual) {
    assertSameFields(expected.schema(), actual.schema());
    List<Row> a = expected.collectAsList();
    List<Row> b = actual.collectAsList();
    assertEquals(a.size(), b.size(), "row count");
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i), b.get(i), "row " + i);
    }
  }

  /** Same field names and data types, in order (nullability is not compared). */
  protected static void assertSameFields(StructType expected, StructType actual) {
    assertEquals(describe(expected), describe(actual));
  }

  private static String describe(StructType schema) {
    StringBuilder out = new StringBuilder();
    for (StructField f : schema.fields()) {
      out.append(f.name()).append(':').append(f.dataType().catalogString()).append('\n');
    }
    return out.toString();
  }

  private static String deepToString(Object value) {
    return value != null && value.getClass().isArray() ? Arrays.deepToString(new Object[] {value})
        : String.valueOf(value);
  }
}
