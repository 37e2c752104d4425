package dev.sparkrec.fia;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.nn.embedding.FeatureBlocks;
import dev.sparkrec.nn.embedding.MixedDimensionLayout;
import dev.sparkrec.testing.CfTestData;
import dev.sparkrec.testing.EmbeddingSeamContract;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** NeuralCF's embedding seam: the contract over its four tables, and zero-padded factor tables. */
class NeuralCfEmbeddingSeamTest extends EmbeddingSeamContract<NeuralCFModel> {

  private static NeuralCF ncf(String validationIndicatorCol) {
    NeuralCF ncf = new NeuralCF().setEmbeddingDim(16).setHiddenLayers(8).setMaxIter(3).setStepSize(0.01)
        .setBatchSize(32).setInitStd(0.1).setSeed(5);
    return validationIndicatorCol == null ? ncf : ncf.setValidationIndicatorCol(validationIndicatorCol);
  }

  @Override
  protected EmbeddingEstimator<NeuralCFModel> newEstimator(String validationIndicatorCol) {
    return ncf(validationIndicatorCol);
  }

  @Override
  protected Dataset<Row> trainingData() {
    return MatrixFactorizationEmbeddingSeamTest.ratings();
  }

  @Override
  protected Dataset<Row> countingData() {
    return MatrixFactorizationEmbeddingSeamTest.countingRows();
  }

  @Override
  protected Map<String, long[]> expectedCounts() {
    Map<String, long[]> counts = new LinkedHashMap<>();
    counts.put(NeuralCfNetwork.USER_MLP, MatrixFactorizationEmbeddingSeamTest.USER_COUNTS);
    counts.put(NeuralCfNetwork.ITEM_MLP, MatrixFactorizationEmbeddingSeamTest.ITEM_COUNTS);
    counts.put(NeuralCfNetwork.USER_GMF, MatrixFactorizationEmbeddingSeamTest.USER_COUNTS);
    counts.put(NeuralCfNetwork.ITEM_GMF, MatrixFactorizationEmbeddingSeamTest.ITEM_COUNTS);
    return counts;
  }

  @Override
  protected String predictionCol() {
    return "prediction";
  }

  @Override
  protected NeuralCFModel load(String path) {
    return NeuralCFModel.load(path);
  }

  @Override
  protected Map<String, float[]> heldParameters(NeuralCFModel model) {
    return model.data().parameters();
  }

  @Test
  void itemFactorsAreZeroPaddedBeyondTheirBlocksWidth() {
    Dataset<Row> data = trainingData();
    NeuralCF ncf = ncf(null);
    MixedDimensionLayout layout = mixed(ncf.embeddingVocabularies(data));
    NeuralCFModel model = ncf.fitWithEmbeddings(data, layout, null);
    FeatureBlocks items = layout.tables().get(NeuralCfNetwork.ITEM_GMF).blocks();
    Map<Integer, float[]> gmf = CfTestData.arrays(model.itemFactors(), "gmf");
    int[] ids = model.itemIds();
    for (int r = 0; r < ids.length; r++) {
      int width = new int[] {16, 8, 1}[items.blockOf(r)];
      for (int j = width; j < 16; j++) {
        assertEquals(0f, gmf.get(ids[r])[j], "item " + ids[r] + " beyond its block's width " + width);
      }
    }
    NeuralCfWeights weights = model.denseWeights();
    assertEquals(16, weights.embeddingDim());
    // the shared layers as the full-table network holds them
    NeuralCFTest.assertSameWeights(((NeuralCfNetwork) model.network()).sharedWeights(), weights);
  }
}
