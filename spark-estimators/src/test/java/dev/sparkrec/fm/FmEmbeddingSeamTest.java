package dev.sparkrec.fm;

import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.ml.TableVocabulary;
import dev.sparkrec.nn.embedding.BlockDimensions;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.nn.embedding.FeatureBlocks;
import dev.sparkrec.nn.embedding.MixedDimensionLayout;
import dev.sparkrec.nn.embedding.SoftSelectionEmbedding;
import dev.sparkrec.nn.embedding.SoftSelectionLayout;
import dev.sparkrec.nn.embedding.SoftSelectionUpdate;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.TinyCtrData;
import dev.sparkrec.train.DimensionSearch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FM through the embedding seam: row counts for input search, training and saving with mixed dimensions, searched
 * dimensions on the estimator, a fit under a search layout, and blocks built for another vocabulary.
 */
class FmEmbeddingSeamTest {

  private static final int DIM = 8;

  @TempDir
  Path tempDir;

  private static FactorizationMachine tinyFm() {
    return new FactorizationMachine().setEmbeddingDim(DIM).setNumFeatures(TinyCtrData.VOCABULARY).setBatchSize(64)
        .setMaxIter(2).setStepSize(0.02).setSeed(3);
  }

  private static Dataset<Row> ctrData(long rows) {
    return TinyCtrData.generate(SparkTestSession.get(), 11, 0, rows, 2);
  }

  /** The first half of the ids (fields 0 and 1) keep all 8 dimensions, the second half 2. */
  private static MixedDimensionLayout halfNarrow(int rows) {
    int[] blockOfRow = new int[rows];
    for (int r = 0; r < rows; r++) {
      blockOfRow[r] = r < rows / 2 ? 0 : 1;
    }
    return new MixedDimensionLayout(Map.of(FmNetwork.EMBEDDING,
        new BlockDimensions(new FeatureBlocks(2, blockOfRow), new int[] {DIM, 2})));
  }

  @Test
  void vocabulariesCountTheTrainingRowsOfEveryId() {
    StructType schema = new StructType()
        .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("label", DataTypes.DoubleType)
        .add("isVal", DataTypes.BooleanType);
    Dataset<Row> data = SparkTestSession.get().createDataFrame(List.of(
        RowFactory.create(new Integer[] {0, 2}, 1.0, false),
        RowFactory.create(new Integer[] {0, 3}, 0.0, false),
        RowFactory.create(new Integer[] {1, 3}, 1.0, false),
        RowFactory.create(new Integer[] {1, 4}, 0.0, true)), schema);
    FactorizationMachine fm = new FactorizationMachine().setFeatureValuesCol("").setEmbeddingDim(3);

    List<TableVocabulary> withValidation = fm.copy(ParamMap.empty()).setValidationIndicatorCol("isVal")
        .embeddingVocabularies(data);
    assertEquals(1, withValidation.size());
    TableVocabulary table = withValidation.get(0);
    assertEquals("fm.embedding", table.table());
    assertEquals(3, table.dim());
    // numFeatures covers the validation row's id 4, which the counts leave out
    assertArrayEquals(new long[] {2, 1, 1, 2, 0}, table.counts());

    assertArrayEquals(new long[] {2, 2, 1, 2, 1}, fm.embeddingVocabularies(data).get(0).counts());
    assertArrayEquals(new long[] {2, 2, 1, 2, 1, 0, 0, 0},
        fm.copy(ParamMap.empty()).setNumFeatures(8).embeddingVocabularies(data).get(0).counts());
  }

  @Test
  void mixedDimensionModelSavesOnlyItsBlocksAndPredictsTheSameAfterLoading() throws IOException {
    Dataset<Row> data = ctrData(400);
    FactorizationMachineModel uniform = tinyFm().fit(data);
    MixedDimensionLayout layout = halfNarrow(TinyCtrData.VOCABULARY);
    FactorizationMachineModel mixed = tinyFm().setEmbeddingDimensions(() -> layout).fit(data);

    assertSame(EmbeddingLayout.uniform(), uniform.embeddingLayout());
    assertEquals(List.of("fm.embedding"), List.copyOf(uniform.embeddingParameters().keySet()));
    assertEquals(TinyCtrData.VOCABULARY * DIM, uniform.embeddingParameterCount());
    assertEquals(layout, mixed.embeddingLayout());
    assertEquals(List.of("fm.embedding.block0", "fm.embedding.block1"),
        List.copyOf(mixed.embeddingParameters().keySet()));
    assertEquals(50 * DIM + 50 * 2, mixed.embeddingParameterCount());

    String uniformPath = tempDir.resolve("uniform").toString();
    String mixedPath = tempDir.resolve("mixed").toString();
    uniform.save(uniformPath);
    mixed.save(mixedPath);
    FactorizationMachineModel loaded = FactorizationMachineModel.load(mixedPath);
    assertEquals(layout, loaded.embeddingLayout());
    assertEquals(mixed.config(), loaded.config());
    mixed.parameterValues().forEach((name, v) -> assertArrayEquals(v, loaded.parameterValues().get(name), name));
    assertEquals(mixed.transform(data).collectAsList(), loaded.transform(data).collectAsList());
    assertSame(EmbeddingLayout.uniform(), FactorizationMachineModel.load(uniformPath).embeddingLayout());

    long uniformBytes = bytesUnder(tempDir.resolve("uniform/data"));
    long mixedBytes = bytesUnder(tempDir.resolve("mixed/data"));
    assertTrue(mixedBytes < uniformBytes, "mixed dimensions on disk: " + mixedBytes + " bytes, uniform: "
        + uniformBytes);
  }

  private static long bytesUnder(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void searchedDimensionsStayWithCopiesAndAreSavedWithTheEstimator() throws IOException {
    Dataset<Row> data = ctrData(200);
    MixedDimensionLayout layout = halfNarrow(TinyCtrData.VOCABULARY);
    FactorizationMachine fm = tinyFm().setEmbeddingDimensions(() -> layout);
    assertEquals(layout, fm.embeddingLayout());
    assertEquals(layout, fm.copy(ParamMap.empty()).embeddingLayout());
    assertSame(EmbeddingLayout.uniform(), tinyFm().embeddingLayout());

    String alone = tempDir.resolve("estimator").toString();
    fm.save(alone);
    FactorizationMachine loaded = FactorizationMachine.load(alone);
    assertEquals(fm.uid(), loaded.uid());
    assertEquals(layout, loaded.embeddingLayout());
    assertEquals(fm.getMaxIter(), loaded.getMaxIter());
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {fm});
    pipeline.save(tempDir.resolve("pipeline").toString());
    FactorizationMachine inPipeline =
        (FactorizationMachine) Pipeline.load(tempDir.resolve("pipeline").toString()).getStages()[0];
    assertEquals(layout, inPipeline.embeddingLayout());
    CrossValidator validator = new CrossValidator().setEstimator(fm).setNumFolds(2)
        .setEvaluator(new BinaryClassificationEvaluator()).setEstimatorParamMaps(new ParamGridBuilder().build());
    validator.save(tempDir.resolve("validator").toString());
    assertEquals(layout, ((FactorizationMachine) CrossValidator.load(tempDir.resolve("validator").toString())
        .getEstimator()).embeddingLayout());
    assertEquals(fm.fit(data).transform(data).select("probability").collectAsList(),
        inPipeline.fit(data).transform(data).select("probability").collectAsList(), "the same model");
    tinyFm().save(tempDir.resolve("uniform").toString());
    assertSame(EmbeddingLayout.uniform(), FactorizationMachine.load(tempDir.resolve("uniform").toString())
        .embeddingLayout());
  }

  @Test
  void blocksBuiltForAnotherVocabularyFailNamingTheTable() {
    MixedDimensionLayout fiftyRows = halfNarrow(50);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> tinyFm().setEmbeddingDimensions(() -> fiftyRows).fit(ctrData(200)));
    assertTrue(e.getMessage().contains("'fm.embedding'") && e.getMessage().contains("cover 50 rows")
        && e.getMessage().contains("has 100 rows"), e.getMessage());
  }

  @Test
  void fitWithASearchStepsTheSelectionWeightsOnValidationRows() throws IOException {
    Dataset<Row> data = ctrData(600).withColumn("isVal", expr("pmod(hash(featureIds), 4) = 0"));
    int[] blockOfRow = new int[TinyCtrData.VOCABULARY];
    for (int r = 0; r < blockOfRow.length; r++) {
      blockOfRow[r] = r / TinyCtrData.CARDINALITY; // one block per field
    }
    SoftSelectionLayout layout = new SoftSelectionLayout(Map.of(FmNetwork.EMBEDDING,
        new FeatureBlocks(TinyCtrData.FIELDS, blockOfRow)));
    String alpha = SoftSelectionEmbedding.alphaName(FmNetwork.EMBEDDING);
    FactorizationMachine fm = tinyFm().setValidationIndicatorCol("isVal").setMaxIter(3);

    DimensionSearch search = new DimensionSearch(List.of(alpha), 1, new SoftSelectionUpdate(0.05, 1e-5));
    FactorizationMachineModel searched = fm.fitWithEmbeddings(data, layout, search);
    assertEquals(List.of(FmNetwork.EMBEDDING, alpha), List.copyOf(searched.embeddingParameters().keySet()));
    assertEquals(TinyCtrData.VOCABULARY * DIM, searched.embeddingParameterCount(), "selection weights not counted");
    float[] selection = searched.embeddingParameters().get(alpha);
    float[] ones = new float[TinyCtrData.FIELDS * DIM];
    Arrays.fill(ones, 1f);
    assertNotEquals(Arrays.toString(ones), Arrays.toString(selection), "the search moved the selection");
    for (float a : selection) {
      assertTrue(a >= 0 && a <= 1, "the search keeps the selection in [0, 1]: " + Arrays.toString(selection));
    }
    assertSame(EmbeddingLayout.uniform(), fm.embeddingLayout(), "fitWithEmbeddings leaves the estimator unchanged");

    String path = tempDir.resolve("searched").toString();
    searched.save(path);
    FactorizationMachineModel loaded = FactorizationMachineModel.load(path);
    assertEquals(layout.blocks(), ((SoftSelectionLayout) loaded.embeddingLayout()).blocks());
    assertArrayEquals(selection, loaded.embeddingParameters().get(alpha));
    assertEquals(searched.transform(data).collectAsList(), loaded.transform(data).collectAsList());
  }
}
