package dev.sparkrec.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.ml.EmbeddingEstimatorPersistence;
import dev.sparkrec.ml.EmbeddingModel;
import dev.sparkrec.ml.PersistenceSupport;
import dev.sparkrec.ml.TableVocabulary;
import dev.sparkrec.nn.embedding.BlockDimensions;
import dev.sparkrec.nn.embedding.EmbeddingLayout;
import dev.sparkrec.nn.embedding.FeatureBlocks;
import dev.sparkrec.nn.embedding.MixedDimensionLayout;
import dev.sparkrec.nn.embedding.SoftSelectionLayout;
import dev.sparkrec.nn.embedding.SoftSelectionUpdate;
import dev.sparkrec.train.DimensionSearch;
import dev.sparkrec.train.PulledRowsScoring;
import dev.sparkrec.train.TrainedParameters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding seam every estimator with embedding tables keeps ({@link EmbeddingEstimator},
 * {@link EmbeddingModel}), as tests a model's test class inherits: mixed dimensions train, score, count their
 * entries and save only their blocks; the vocabularies count the training rows; blocks of another vocabulary and
 * unknown tables fail the fit naming the table; a dimension search moves the selection weights within [0, 1] and its
 * model saves and loads; the searched dimensions are kept by copies and saved with the estimator, alone and in a
 * {@code Pipeline}, whose loaded copy trains the same model.
 *
 * @param <M> the fitted model
 */
public abstract class EmbeddingSeamContract<M extends Model<M> & EmbeddingModel> {

  /** The boolean column of {@link #trainingData()} that flags validation rows. */
  protected static final String VALIDATION = "isVal";

  @TempDir
  protected Path tempDir;

  /**
   * A small, seeded estimator (embedding width 16, at least 2 epochs, fitting in seconds) reading
   * {@code validationIndicatorCol}, or none when it is null.
   */
  protected abstract EmbeddingEstimator<M> newEstimator(String validationIndicatorCol);

  /** Training data with a {@value #VALIDATION} column flagging about a fifth of the rows. */
  protected abstract Dataset<Row> trainingData();

  /** A few hand-written rows with a {@value #VALIDATION} column, for {@link #expectedCounts()}. */
  protected abstract Dataset<Row> countingData();

  /** Every table's row counts over the non-validation rows of {@link #countingData()}, in network order. */
  protected abstract Map<String, long[]> expectedCounts();

  /** The output column whose values a saved and loaded model must reproduce exactly. */
  protected abstract String predictionCol();

  /** Loads a model saved at {@code path}. */
  protected abstract M load(String path);

  /** The parameters {@code model} holds, not copied (a sharded run's are a {@link TrainedParameters}). */
  protected abstract Map<String, float[]> heldParameters(M model);

  /** Blocks of rows {@code r % 3}. */
  protected static FeatureBlocks thirds(int rows) {
    int[] blockOfRow = new int[rows];
    for (int r = 0; r < rows; r++) {
      blockOfRow[r] = r % 3;
    }
    return new FeatureBlocks(3, blockOfRow);
  }

  /** Every table of {@code vocabularies} in blocks of {@link #thirds} with dimensions {dim, dim / 2, 1}. */
  protected static MixedDimensionLayout mixed(List<TableVocabulary> vocabularies) {
    Map<String, BlockDimensions> tables = new LinkedHashMap<>();
    for (TableVocabulary v : vocabularies) {
      tables.put(v.table(), new BlockDimensions(thirds(v.rows()), new int[] {v.dim(), v.dim() / 2, 1}));
    }
    return new MixedDimensionLayout(tables);
  }

  /** Σ over the tables of Σ_b rows_b·d_b, counted row by row. */
  protected static long storedEntries(MixedDimensionLayout layout) {
    long n = 0;
    for (BlockDimensions d : layout.tables().values()) {
      for (int r = 0; r < d.blocks().rows(); r++) {
        n += d.dims()[d.blocks().blockOf(r)];
      }
    }
    return n;
  }

  protected List<Row> predictions(M model, Dataset<Row> data) {
    return model.transform(data).select(predictionCol()).collectAsList();
  }

  @Test
  void mixedDimensionsTrainScoreAndSaveOnlyTheirBlocks() throws IOException {
    Dataset<Row> data = trainingData();
    EmbeddingEstimator<M> estimator = newEstimator(null);
    List<TableVocabulary> vocabularies = estimator.embeddingVocabularies(data);
    MixedDimensionLayout layout = mixed(vocabularies);
    M mixed = estimator.fitWithEmbeddings(data, layout, null);
    M uniform = estimator.fitWithEmbeddings(data, EmbeddingLayout.uniform(), null);
    assertSame(EmbeddingLayout.uniform(), estimator.embeddingLayout(), "the fit leaves the estimator unchanged");

    assertEquals(layout, mixed.embeddingLayout());
    assertEquals(storedEntries(layout), mixed.embeddingParameterCount());
    long full = vocabularies.stream().mapToLong(v -> (long) v.rows() * v.dim()).sum();
    assertEquals(full, uniform.embeddingParameterCount());
    assertTrue(mixed.embeddingParameterCount() < full);
    Map<String, float[]> blocks = mixed.embeddingParameters();
    List<String> expectedNames = new ArrayList<>();
    for (TableVocabulary v : vocabularies) {
      BlockDimensions d = layout.tables().get(v.table());
      for (int b = 0; b < 3; b++) {
        String name = v.table() + ".block" + b;
        expectedNames.add(name);
        assertEquals(d.blocks().blockSize(b) * d.dims()[b], blocks.get(name).length, name);
      }
    }
    assertEquals(expectedNames, new ArrayList<>(blocks.keySet()));
    assertEquals(vocabularies.stream().map(TableVocabulary::table).toList(),
        new ArrayList<>(uniform.embeddingParameters().keySet()), "a uniform model's tables keep their names");

    List<Row> scored = predictions(mixed, data);
    assertEquals(data.count(), scored.size());
    String mixedPath = tempDir.resolve("mixed").toString();
    String uniformPath = tempDir.resolve("uniform").toString();
    ((MLWritable) mixed).save(mixedPath);
    ((MLWritable) uniform).save(uniformPath);
    M loaded = load(mixedPath);
    assertEquals(scored, predictions(loaded, data), "the loaded model predicts the same");
    assertEquals(layout, loaded.embeddingLayout());
    assertEquals(mixed.embeddingParameterCount(), loaded.embeddingParameterCount());
    Map<String, float[]> loadedBlocks = loaded.embeddingParameters();
    assertEquals(blocks.keySet(), loadedBlocks.keySet());
    blocks.forEach((name, values) -> assertArrayEquals(values, loadedBlocks.get(name), name));
    assertSame(EmbeddingLayout.uniform(), load(uniformPath).embeddingLayout());

    long mixedBytes = dataBytes(Path.of(mixedPath));
    long uniformBytes = dataBytes(Path.of(uniformPath));
    assertTrue(mixedBytes < uniformBytes, "saved data of the mixed model: " + mixedBytes + " bytes, of the uniform "
        + "model: " + uniformBytes);
  }

  /**
   * The sharded embedding sync trains the model the broadcast path trains, bit for bit: the same tables and the
   * same predictions, also where the sharded model scores by pulling rows from its tables in the cluster and is
   * saved from there. Mixed dimensions (several block tables per table), several sync rounds per epoch.
   */
  @Test
  void shardedAndBroadcastEmbeddingSyncTrainTheSameModel() throws IOException {
    Dataset<Row> data = trainingData();
    MixedDimensionLayout layout = mixed(newEstimator(null).embeddingVocabularies(data));
    Map<String, M> models = new LinkedHashMap<>();
    for (String sync : List.of("broadcast", "sharded")) {
      models.put(sync, fit(data, sync, layout));
    }
    // the sharded model scores and saves with its tables still in the cluster: pulled row by row here
    List<Row> expected = models.get("broadcast").transform(data).collectAsList();
    String savedFromCluster = tempDir.resolve("sharded").toString();
    data.sparkSession().conf().set(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES, "0");
    try {
      assertEquals(expected, models.get("sharded").transform(data).collectAsList(), "scored by pulling rows");
      ((MLWritable) models.get("sharded")).save(savedFromCluster);
    } finally {
      data.sparkSession().conf().unset(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES);
    }
    assertEquals(expected, load(savedFromCluster).transform(data).collectAsList(), "saved from the cluster");
    Map<String, float[]> broadcast = models.get("broadcast").embeddingParameters();
    Map<String, float[]> sharded = models.get("sharded").embeddingParameters();
    assertEquals(broadcast.keySet(), sharded.keySet());
    broadcast.forEach((name, values) -> assertArrayEquals(values, sharded.get(name), name));
    assertEquals(predictions(models.get("broadcast"), data), predictions(models.get("sharded"), data));
  }

  /**
   * A model trained on the sharded path whose tables exceed the session's broadcast limit scores and is saved with
   * its tables left in the cluster: each partition pulls the rows it reads, and the driver never reads a table.
   * Loading the save above the limit puts the tables back in the cluster, and the loaded model scores and saves the
   * same way. Every one of them scores what the broadcast path's model scores.
   */
  @Test
  void aShardedModelScoresAndSavesWithoutReadingItsTablesToTheDriver() throws IOException {
    Dataset<Row> data = trainingData();
    List<Row> expected = fit(data, "broadcast", EmbeddingLayout.uniform()).transform(data).collectAsList();
    M sharded = fit(data, "sharded", EmbeddingLayout.uniform());
    TrainedParameters held = assertInstanceOf(TrainedParameters.class, heldParameters(sharded));
    List<String> tables = held.keySet().stream().filter(held::isInCluster).toList();
    assertFalse(tables.isEmpty(), "the sharded fit left its tables in the cluster");
    String saved = tempDir.resolve("fromCluster").toString();
    String savedAgain = tempDir.resolve("loadedIntoTheCluster").toString();
    TrainedParameters loaded;
    data.sparkSession().conf().set(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES, "0");
    try {
      assertEquals(expected, sharded.transform(data).collectAsList(), "scored by pulling rows");
      ((MLWritable) sharded).save(saved);
      M model = load(saved);
      loaded = assertInstanceOf(TrainedParameters.class, heldParameters(model), "a load above the limit");
      assertEquals(tables, loaded.keySet().stream().filter(loaded::isInCluster).toList());
      assertEquals(expected, model.transform(data).collectAsList(), "loaded into the cluster");
      ((MLWritable) model).save(savedAgain);
    } finally {
      data.sparkSession().conf().unset(PulledRowsScoring.MAX_BROADCAST_TABLE_BYTES);
    }
    for (String table : tables) {
      assertFalse(held.isHeld(table), table + " was read to the driver");
      assertFalse(loaded.isHeld(table), table + " of the loaded model was read to the driver");
    }
    assertEquals(expected, load(saved).transform(data).collectAsList(), "saved from the cluster");
    assertEquals(expected, load(savedAgain).transform(data).collectAsList(), "loaded into the cluster and saved");
  }

  /** A model trained by {@link #newEstimator} on {@code data} with {@code embeddingSync} {@code sync}, in blocks of
   * {@code layout}, syncing every 2 batches (several rounds per epoch). */
  private M fit(Dataset<Row> data, String sync, EmbeddingLayout layout) {
    Params estimator = (Params) newEstimator(null);
    ParamMap settings = new ParamMap().put(estimator.getParam("embeddingSync"), sync)
        .put(estimator.getParam("syncEveryBatches"), 2);
    @SuppressWarnings("unchecked")
    EmbeddingEstimator<M> configured = (EmbeddingEstimator<M>) estimator.copy(settings);
    return configured.fitWithEmbeddings(data, layout, null);
  }

  /** Bytes of the data files (Parquet parts) under {@code model/data}. */
  protected static long dataBytes(Path model) {
    try (Stream<Path> files = Files.walk(model.resolve("data"))) {
      return files.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().startsWith("part-"))
          .mapToLong(f -> {
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
  void vocabulariesCountEveryRowOverTheTrainingRows() {
    List<TableVocabulary> vocabularies = newEstimator(VALIDATION).embeddingVocabularies(countingData());
    Map<String, long[]> expected = expectedCounts();
    assertEquals(new ArrayList<>(expected.keySet()), vocabularies.stream().map(TableVocabulary::table).toList());
    for (TableVocabulary v : vocabularies) {
      assertArrayEquals(expected.get(v.table()), v.counts(), v.table());
      assertEquals(16, v.dim(), v.table());
    }
  }

  @Test
  void blocksOfAnotherVocabularyAndUnknownTablesFailTheFitNamingTheTable() {
    Dataset<Row> data = trainingData();
    EmbeddingEstimator<M> estimator = newEstimator(null);
    TableVocabulary first = estimator.embeddingVocabularies(data).get(0);
    int rows = first.rows();
    MixedDimensionLayout shifted = new MixedDimensionLayout(Map.of(first.table(),
        new BlockDimensions(thirds(rows + 1), new int[] {4, 2, 1})));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> estimator.fitWithEmbeddings(data, shifted, null));
    assertTrue(e.getMessage().contains("'" + first.table() + "'") && e.getMessage().contains((rows + 1) + " rows")
        && e.getMessage().contains(rows + " rows"), e.getMessage());

    MixedDimensionLayout unknown = new MixedDimensionLayout(Map.of("no.such.table",
        new BlockDimensions(thirds(rows), new int[] {4, 2, 1})));
    e = assertThrows(IllegalArgumentException.class, () -> estimator.fitWithEmbeddings(data, unknown, null));
    assertTrue(e.getMessage().contains("'no.such.table'") && e.getMessage().contains(first.table()), e.getMessage());
  }

  @Test
  void dimensionSearchMovesTheSelectionWeightsWithinZeroAndOne() throws IOException {
    Dataset<Row> data = trainingData();
    EmbeddingEstimator<M> estimator = newEstimator(VALIDATION);
    TableVocabulary first = estimator.embeddingVocabularies(data).get(0);
    SoftSelectionLayout soft = new SoftSelectionLayout(Map.of(first.table(), thirds(first.rows())));
    String alphaName = first.table() + ".alpha";
    DimensionSearch search = new DimensionSearch(List.of(alphaName), 1, new SoftSelectionUpdate(0.01, 1e-5));
    M model = estimator.fitWithEmbeddings(data, soft, search);

    float[] alpha = model.embeddingParameters().get(alphaName);
    assertEquals(3 * first.dim(), alpha.length);
    boolean moved = false;
    for (float a : alpha) {
      assertTrue(a >= 0 && a <= 1, "α " + a + " outside [0, 1]");
      moved |= a != 1f;
    }
    assertTrue(moved, "the search moves at least one selection weight away from 1");
    List<Row> scored = predictions(model, data);
    assertEquals(data.count(), scored.size());
    String path = tempDir.resolve("soft").toString();
    ((MLWritable) model).save(path);
    M loaded = load(path);
    assertEquals(soft, loaded.embeddingLayout());
    assertArrayEquals(alpha, loaded.embeddingParameters().get(alphaName));
    assertEquals(scored, predictions(loaded, data), "the loaded model predicts the same");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> newEstimator(null).fitWithEmbeddings(data, soft, search));
    assertTrue(e.getMessage().contains("validationIndicatorCol"), e.getMessage());
    DimensionSearch misspelt = new DimensionSearch(List.of(first.table() + ".alpa"), 1,
        new SoftSelectionUpdate(0.01, 1e-5));
    e = assertThrows(IllegalArgumentException.class, () -> estimator.fitWithEmbeddings(data, soft, misspelt));
    assertTrue(e.getMessage().contains("'" + first.table() + ".alpa'"), e.getMessage());
  }

  @Test
  @SuppressWarnings("unchecked")
  void searchedDimensionsAreKeptByCopiesAndSavedWithTheEstimator() throws IOException {
    Dataset<Row> data = trainingData();
    EmbeddingEstimator<M> estimator = newEstimator(null);
    assertSame(EmbeddingLayout.uniform(), estimator.embeddingLayout());
    MixedDimensionLayout layout = mixed(estimator.embeddingVocabularies(data));
    assertSame(estimator, estimator.setEmbeddingDimensions(() -> layout));
    assertSame(layout, estimator.embeddingLayout());
    Estimator<M> stage = (Estimator<M>) estimator;
    EmbeddingEstimator<M> copy = (EmbeddingEstimator<M>) stage.copy(ParamMap.empty());
    assertSame(layout, copy.embeddingLayout(), "CrossValidator's copies train with the searched dimensions");

    M model = stage.fit(data);
    assertEquals(layout, model.embeddingLayout());
    assertEquals(storedEntries(layout), model.embeddingParameterCount());

    // Saved alone and as a Pipeline's stage, the estimator keeps its dimensions and trains the same model.
    String alone = tempDir.resolve("estimator").toString();
    ((MLWritable) estimator).save(alone);
    assertTrue(Files.isDirectory(Path.of(alone, EmbeddingEstimatorPersistence.DIMENSIONS)));
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {stage});
    String inPipeline = tempDir.resolve("pipeline").toString();
    pipeline.save(inPipeline);
    List<Row> expected = predictions(model, data);
    for (Estimator<M> loaded : List.of((Estimator<M>) PersistenceSupport.loadStage(alone, data.sparkSession()
        .sparkContext()), (Estimator<M>) Pipeline.load(inPipeline).getStages()[0])) {
      assertEquals(stage.getClass(), loaded.getClass());
      assertEquals(stage.uid(), loaded.uid());
      assertEquals(layout, ((EmbeddingEstimator<M>) loaded).embeddingLayout());
      assertEquals(expected, predictions(loaded.fit(data), data), "the loaded estimator trains the same model");
    }

    // Without searched dimensions nothing but the params is saved, and the loaded estimator is uniform.
    String uniform = tempDir.resolve("uniform").toString();
    ((MLWritable) newEstimator(null)).save(uniform);
    assertFalse(Files.exists(Path.of(uniform, EmbeddingEstimatorPersistence.DIMENSIONS)));
    assertSame(EmbeddingLayout.uniform(),
        ((EmbeddingEstimator<M>) PersistenceSupport.loadStage(uniform, data.sparkSession().sparkContext()))
            .embeddingLayout());
  }
}
