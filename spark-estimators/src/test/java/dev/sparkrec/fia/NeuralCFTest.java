package dev.sparkrec.fia;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.ops.Sigmoid;
import dev.sparkrec.testing.CfTestData;
import dev.sparkrec.testing.StageContract;
import dev.sparkrec.train.TrainingSummary;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** NeuralCF and its model: Spark contract, NeuMF's forward formula, implicit feedback, recommendations. */
class NeuralCFTest extends StageContract {

  static NeuralCF tinyNcf() {
    return new NeuralCF().setEmbeddingDim(4).setHiddenLayers(6, 3).setMaxIter(3).setStepSize(0.01).setBatchSize(32)
        .setInitStd(0.1).setSeed(5);
  }

  @Override
  protected PipelineStage newStage() {
    return tinyNcf().setDenseL2(0.001).setPredictionCol("score");
  }

  @Override
  protected Dataset<Row> inputData() {
    return CfTestData.ratings(2);
  }

  @Override
  protected void assertSameModelData(Transformer expected, Transformer actual) {
    NeuralCFModel a = (NeuralCFModel) expected;
    NeuralCFModel b = (NeuralCFModel) actual;
    assertArrayEquals(a.userIds(), b.userIds());
    assertArrayEquals(a.itemIds(), b.itemIds());
    assertEquals(a.userVectors().collectAsList(), b.userVectors().collectAsList());
    assertEquals(a.itemVectors().collectAsList(), b.itemVectors().collectAsList());
    assertSameWeights(a.denseWeights(), b.denseWeights());
    assertEquals(a.summary(), b.summary());
  }

  /** Every hidden and output layer's weights and biases equal. */
  static void assertSameWeights(NeuralCfWeights expected, NeuralCfWeights actual) {
    assertEquals(expected.hiddenLayers(), actual.hiddenLayers());
    for (int l = 0; l < expected.hiddenLayers(); l++) {
      assertArrayEquals(expected.hiddenWeights(l), actual.hiddenWeights(l));
      assertArrayEquals(expected.hiddenBiases(l), actual.hiddenBiases(l));
    }
    assertArrayEquals(expected.outputWeights(), actual.outputWeights());
    assertEquals(expected.outputBias(), actual.outputBias());
  }

  @Test
  void summarySurvivesSaveAndLoadAndListenersSeeTheSelectedModel() throws Exception {
    List<Integer> users = new java.util.ArrayList<>();
    NeuralCFModel model = tinyNcf().addTrainingListener((report, selected) ->
        users.add(selected.get().userIds().length)).fit(inputData());
    assertEquals(3, users.size(), "one call per epoch");
    assertEquals(model.userIds().length, users.get(0));
    assertEquals(3, model.summary().epochs());
    assertEquals(3, model.summary().bestEpoch());
    assertEquals(TrainingSummary.MAX_ITER, model.summary().stopReason());
    String path = tempDir.resolve("ncf-summary").toString();
    model.save(path);
    assertEquals(model.summary(), NeuralCFModel.load(path).summary());

    org.apache.commons.io.FileUtils.deleteDirectory(tempDir.resolve("ncf-summary/data/summary").toFile());
    NeuralCFModel earlier = NeuralCFModel.load(path);
    assertFalse(earlier.hasSummary(), "models saved before summaries existed still load");
    assertTrue(assertThrows(IllegalStateException.class, earlier::summary).getMessage()
        .contains("has no training summary"));
    assertFalse(new NeuralCFModel("by-hand").hasSummary());
  }

  @Test
  void predictsNeuMFOfTheEmbeddingsAndDenseWeights() {
    NeuralCFModel model = tinyNcf().fit(inputData());
    NeuralCfWeights weights = model.denseWeights();
    assertEquals(4, weights.embeddingDim());
    assertEquals(2, weights.hiddenLayers());
    assertEquals(8 * 6, weights.hiddenWeights(0).length);
    assertEquals(3 + 4, weights.outputWeights().length);
    Map<Integer, float[]> x = CfTestData.arrays(model.userVectors(), "vector");
    Map<Integer, float[]> y = CfTestData.arrays(model.itemVectors(), "vector");
    Map<Integer, float[]> userMlp = CfTestData.arrays(model.userFactors(), "mlp");
    Map<Integer, float[]> userGmf = CfTestData.arrays(model.userFactors(), "gmf");
    int someUser = model.userIds()[3];
    assertArrayEquals(RatingNetworksTest.concat(userMlp.get(someUser), userGmf.get(someUser)), x.get(someUser),
        "x_u = [pMLP_u; pGMF_u]");
    Map<Integer, float[]> itemMlp = CfTestData.arrays(model.itemFactors(), "mlp");
    Map<Integer, float[]> itemGmf = CfTestData.arrays(model.itemFactors(), "gmf");
    int someItem = model.itemIds()[3];
    assertArrayEquals(RatingNetworksTest.concat(itemMlp.get(someItem), itemGmf.get(someItem)), y.get(someItem),
        "y_i = [qMLP_i; qGMF_i]");

    FactorizedPredictor predictor = model.predictor();
    assertEquals(8, predictor.userDim());
    assertEquals(model.getRegParam(), predictor.regParam());
    for (Row row : model.transform(inputData()).collectAsList()) {
      double expected = NeuralCfReference.predict(weights, x.get(row.getInt(0)), y.get(row.getInt(1)));
      assertEquals(expected, row.getFloat(3), 1e-5, row.toString());
      assertEquals(expected, predictor.predict(x.get(row.getInt(0)), y.get(row.getInt(1))), 1e-5, row.toString());
    }
  }

  @Test
  void implicitFeedbackPredictsProbabilities() {
    Dataset<Row> clicks = inputData().withColumn("rating", when(col("rating").geq(4), 1.0).otherwise(0.0));
    NeuralCFModel model = tinyNcf().setLoss("bce").fit(clicks);
    NeuralCfWeights weights = model.denseWeights();
    Map<Integer, float[]> x = CfTestData.arrays(model.userVectors(), "vector");
    Map<Integer, float[]> y = CfTestData.arrays(model.itemVectors(), "vector");
    for (Row row : model.transform(clicks).collectAsList()) {
      double logit = NeuralCfReference.predict(weights, x.get(row.getInt(0)), y.get(row.getInt(1)));
      assertEquals(Sigmoid.sigmoid(logit), row.getFloat(3), 1e-6, row.toString());
    }
    FactorizedPredictor predictor = model.predictor();
    assertEquals(predictor.lossGradient(0.3, 1.0), Sigmoid.sigmoid(0.3) - 1.0, 1e-12, "a logit with bce");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> tinyNcf().setLoss("bce").fit(inputData()));
    assertTrue(e.getMessage().startsWith("Column 'rating' must hold 0 or 1 (the bce loss reads implicit feedback) "
        + "in every row"), e.getMessage());
  }

  @Test
  void recommendationsAreTheBruteForceTopKAndTheSeedFixesTheModel() {
    NeuralCFModel model = tinyNcf().fit(inputData());
    MatrixFactorizationTest.assertBruteForceTopK(model, 4);
    List<Row> vectors = model.userVectors().collectAsList();
    assertEquals(vectors, tinyNcf().fit(inputData()).userVectors().collectAsList());
    assertNotEquals(vectors, tinyNcf().setSeed(8).fit(inputData()).userVectors().collectAsList());
  }
}
