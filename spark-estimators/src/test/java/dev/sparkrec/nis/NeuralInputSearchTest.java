package dev.sparkrec.nis;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.fia.MatrixFactorization;
import dev.sparkrec.fia.MatrixFactorizationModel;
import dev.sparkrec.testing.CfTestData;
import dev.sparkrec.testing.StageContract;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NeuralInputSearch over matrix factorisation: blocks by frequency, the searched dimensions, pruning, retraining
 * with mixed dimensions, persistence, and the stage contract of the search and its dimensions model.
 */
class NeuralInputSearchTest extends StageContract {

  private static final int RANK = 8;

  /** The planted ratings with a fifth of them, by a hash of (user, item), marked as validation. */
  static Dataset<Row> data() {
    return CfTestData.ratings(3).withColumn("isValidation", pmod(hash(col("user"), col("item")), lit(5)).equalTo(0));
  }

  static MatrixFactorization mf() {
    return new MatrixFactorization().setRank(RANK).setSeed(5).setBatchSize(32).setStepSize(0.01);
  }

  static NeuralInputSearch search() {
    return new NeuralInputSearch().setEstimator(mf()).setValidationIndicatorCol("isValidation").setNumBlocks(3)
        .setWarmStartEpochs(2).setSearchEpochs(3).setSelectionStepSize(0.05);
  }

  @Override
  protected PipelineStage newStage() {
    return search();
  }

  @Override
  protected Dataset<Row> inputData() {
    return data();
  }

  @Override
  protected List<Class<?>> coveredStages() {
    return List.of(NeuralInputSearch.class, EmbeddingDimensionsModel.class);
  }

  @Override
  protected void assertSameModelData(Transformer expected, Transformer actual) {
    EmbeddingDimensionsModel a = (EmbeddingDimensionsModel) expected;
    EmbeddingDimensionsModel b = (EmbeddingDimensionsModel) actual;
    assertEquals(a.layout(), b.layout());
    assertEquals(a.embeddingParametersAfter(), b.embeddingParametersAfter());
    assertEquals(a.selectionWeights().collectAsList(), b.selectionWeights().collectAsList());
    assertEquals(a.dimensions().collectAsList(), b.dimensions().collectAsList());
    assertEquals(a.summary().bestEpoch(), b.summary().bestEpoch());
    assertEquals(a.summary().epochs(), b.summary().epochs());
  }

  @Test
  void searchesEveryTableInFrequencyBlocks() {
    EmbeddingDimensionsModel dims = search().fit(data());
    assertEquals(List.of("mf.userFactors", "mf.itemFactors"), dims.tables());
    assertEquals((30 + 20) * RANK, dims.embeddingParametersBefore());
    assertTrue(dims.embeddingParametersAfter() <= dims.embeddingParametersBefore());
    List<Row> rows = dims.dimensions().orderBy("table", "block").collectAsList();
    assertEquals(6, rows.size());
    for (int i = 0; i + 1 < rows.size(); i++) {
      Row a = rows.get(i);
      Row b = rows.get(i + 1);
      if (a.getString(0).equals(b.getString(0))) {
        assertTrue(a.getLong(a.fieldIndex("minFrequency")) >= b.getLong(b.fieldIndex("maxFrequency")),
            "blocks run from frequent to rare: " + a + " then " + b);
      }
      assertTrue(a.getInt(a.fieldIndex("dim")) <= RANK);
    }
    List<Row> weights = dims.selectionWeights().collectAsList();
    assertEquals(2 * 3 * RANK, weights.size());
    boolean moved = false;
    for (Row w : weights) {
      float alpha = w.getFloat(3);
      assertTrue(alpha >= 0 && alpha <= 1, "α in [0, 1]: " + w);
      moved |= alpha != 1f;
    }
    assertTrue(moved, "the search moved α");
    assertEquals(5, dims.summary().epochs(), "2 warm-start and 3 search epochs");
  }

  @Test
  void prunesToABudgetAndRetrainsWithMixedDimensions() throws IOException {
    EmbeddingDimensionsModel searched = search().fit(data());
    long budget = searched.embeddingParametersBefore() / 4;
    EmbeddingDimensionsModel dims = searched.withParameterBudget(budget);
    assertTrue(dims.embeddingParametersAfter() <= budget);
    assertEquals(budget, dims.getParameterBudget());

    MatrixFactorization retrain = mf();
    retrain.setEmbeddingDimensions(dims);
    assertEquals(dims.layout(), retrain.copy(org.apache.spark.ml.param.ParamMap.empty()).embeddingLayout(),
        "copies keep the dimensions");
    MatrixFactorizationModel model = retrain.fit(data());
    assertEquals(dims.embeddingParametersAfter(), model.embeddingParameterCount());
    for (Row r : model.transform(data()).select("prediction").collectAsList()) {
      assertTrue(Double.isFinite(r.getFloat(0)), "finite predictions");
    }
    assertTrue(dims.embeddingDim() <= RANK);
    String path = tempDir.resolve("retrained").toString();
    model.save(path);
    MatrixFactorizationModel loaded = MatrixFactorizationModel.load(path);
    assertEquals(model.embeddingLayout(), loaded.embeddingLayout(), "the kept dimensions are saved");
    assertEquals(model.transform(data()).collectAsList(), loaded.transform(data()).collectAsList());

    EmbeddingDimensionsModel threshold = searched.withPruneThreshold(0.5);
    for (String table : threshold.tables()) {
      int[] d = threshold.blockDimensions(table);
      SearchedTable t = threshold.find(table);
      assertArrayEquals(DimensionPruning.byThreshold(t.alpha(), RANK, 0.5), d);
    }
  }

  @Test
  void prunesEntriesByMagnitudeSavesThemAndRetrainsWithThem() throws IOException {
    EmbeddingDimensionsModel searched = search().setPruning("magnitude").fit(data());
    long budget = searched.embeddingParametersBefore() / 5;
    EmbeddingDimensionsModel dims = searched.withParameterBudget(budget);
    assertEquals("magnitude", dims.getPruning());
    assertEquals(budget, dims.embeddingParametersAfter(), "the budget's largest entries of E ⊙ α");
    float smallestKept = Float.POSITIVE_INFINITY;
    float largestDropped = 0;
    for (String table : dims.tables()) {
      SearchedTable t = dims.find(table);
      boolean[] kept = new boolean[t.folded().length];
      for (int r = 0; r < t.blocks().rows(); r++) {
        for (int j : t.keptOfRow(r)) {
          kept[r * RANK + j] = true;
        }
      }
      for (int i = 0; i < kept.length; i++) {
        float m = Math.abs(t.folded()[i]);
        if (kept[i]) {
          smallestKept = Math.min(smallestKept, m);
        } else {
          largestDropped = Math.max(largestDropped, m);
        }
      }
    }
    assertTrue(smallestKept >= largestDropped, smallestKept + " kept, " + largestDropped + " dropped");

    String path = tempDir.resolve("magnitude-dims").toString();
    dims.save(path);
    EmbeddingDimensionsModel loaded = EmbeddingDimensionsModel.load(path);
    assertSameModelData(dims, loaded);
    assertEquals(dims.dimensions().collectAsList(), loaded.dimensions().collectAsList());

    for (boolean warm : new boolean[] {false, true}) {
      MatrixFactorization retrain = mf();
      retrain.setEmbeddingDimensions(loaded.copy(org.apache.spark.ml.param.ParamMap.empty()).setWarmStart(warm));
      MatrixFactorizationModel model = retrain.fit(data());
      assertEquals(budget, model.embeddingParameterCount(), "warm start " + warm);
      String modelPath = tempDir.resolve("magnitude-mf-" + warm).toString();
      model.save(modelPath);
      assertEquals(model.transform(data()).collectAsList(),
          MatrixFactorizationModel.load(modelPath).transform(data()).collectAsList());
    }

    EmbeddingDimensionsModel threshold = searched.withPruneThreshold(0.05);
    for (String table : threshold.tables()) {
      SearchedTable t = threshold.find(table);
      for (int r = 0; r < t.blocks().rows(); r++) {
        int[] kept = t.keptOfRow(r);
        int n = 0;
        for (int j = 0; j < RANK; j++) {
          boolean above = Math.abs(t.folded()[r * RANK + j]) > 0.05;
          assertEquals(above, n < kept.length && kept[n] == j, table + " row " + r + " dimension " + j);
          n += above ? 1 : 0;
        }
      }
    }
  }

  @Test
  void dimensionsForAnotherVocabularyFailClearly() {
    EmbeddingDimensionsModel dims = search().fit(data());
    MatrixFactorization other = mf();
    other.setEmbeddingDimensions(dims);
    Dataset<Row> fewerUsers = data().where(col("user").gt(0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.fit(fewerUsers));
    assertTrue(e.getMessage().contains("mf.userFactors") && e.getMessage().contains("rows"), e.getMessage());
  }

  @Test
  void needsValidationRowsAndAnEmbeddingEstimator() {
    NeuralInputSearch noValidation = new NeuralInputSearch().setEstimator(mf());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> noValidation.fit(data()));
    assertTrue(e.getMessage().contains("validationIndicatorCol"), e.getMessage());
    IllegalArgumentException base = assertThrows(IllegalArgumentException.class,
        () -> new NeuralInputSearch().setEstimator(new LogisticRegression()));
    assertTrue(base.getMessage().contains("LogisticRegression"), base.getMessage());
  }

  @Test
  void theSearchKeepsItsBaseEstimatorWhenSaved(@TempDir Path dir) throws IOException {
    NeuralInputSearch search = search();
    String path = dir.resolve("nis").toString();
    search.save(path);
    NeuralInputSearch loaded = NeuralInputSearch.load(path);
    assertEquals(MatrixFactorization.class, loaded.getEstimator().getClass());
    assertEquals(RANK, ((MatrixFactorization) loaded.getEstimator()).getRank());
    assertEquals(3, loaded.getNumBlocks());
  }
}
