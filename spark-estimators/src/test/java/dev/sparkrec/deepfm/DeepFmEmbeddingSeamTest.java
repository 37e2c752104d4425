package dev.sparkrec.deepfm;

import static org.apache.spark.sql.functions.rand;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.testing.EmbeddingSeamContract;
import dev.sparkrec.testing.SparkTestSession;
import dev.sparkrec.testing.TinyCtrData;
import dev.sparkrec.train.Batch;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** DeepFM's embedding seam: the contract, and a mixed-dimension model's network scoring as its transform does. */
class DeepFmEmbeddingSeamTest extends EmbeddingSeamContract<DeepFMModel> {

  private static DeepFM deepFm(String validationIndicatorCol) {
    DeepFM deepFm = new DeepFM().setEmbeddingDim(16).setHiddenLayers(8).setBatchSize(64).setMaxIter(2)
        .setStepSize(0.01).setSeed(7);
    return validationIndicatorCol == null ? deepFm : deepFm.setValidationIndicatorCol(validationIndicatorCol);
  }

  @Override
  protected EmbeddingEstimator<DeepFMModel> newEstimator(String validationIndicatorCol) {
    return deepFm(validationIndicatorCol);
  }

  @Override
  protected Dataset<Row> trainingData() {
    return TinyCtrData.generate(SparkTestSession.get(), 3, 0, 600, 2).withColumn(VALIDATION, rand(5).lt(0.2));
  }

  /** Ids 0-4 in 2 fields; the last row is a validation row. */
  @Override
  protected Dataset<Row> countingData() {
    StructType schema = new StructType()
        .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("featureValues", DataTypes.createArrayType(DataTypes.FloatType))
        .add("label", DataTypes.DoubleType)
        .add(VALIDATION, DataTypes.BooleanType);
    List<Row> rows = List.of(
        RowFactory.create(new Integer[] {0, 3}, new Float[] {1f, 1f}, 1.0, false),
        RowFactory.create(new Integer[] {1, 3}, new Float[] {1f, 1f}, 0.0, false),
        RowFactory.create(new Integer[] {0, 4}, new Float[] {1f, 1f}, 1.0, false),
        RowFactory.create(new Integer[] {2, 4}, new Float[] {1f, 1f}, 0.0, true));
    return SparkTestSession.get().createDataFrame(rows, schema);
  }

  @Override
  protected Map<String, long[]> expectedCounts() {
    return Map.of(DeepFmNetwork.EMBEDDING, new long[] {2, 1, 0, 2, 1});
  }

  @Override
  protected String predictionCol() {
    return "probability";
  }

  @Override
  protected DeepFMModel load(String path) {
    return DeepFMModel.load(path);
  }

  @Override
  protected Map<String, float[]> heldParameters(DeepFMModel model) {
    return model.heldParameters();
  }

  @Test
  void aMixedDimensionModelsNetworkScoresAsItsTransform() {
    Dataset<Row> data = trainingData();
    DeepFM deepFm = deepFm(null);
    DeepFMModel model = deepFm.fitWithEmbeddings(data, mixed(deepFm.embeddingVocabularies(data)), null);
    Row row = model.transform(data).first();
    List<Integer> ids = row.getList(0);
    List<Float> values = row.getList(1);
    int[] idArray = ids.stream().mapToInt(Integer::intValue).toArray();
    float[] valueArray = new float[values.size()];
    for (int f = 0; f < valueArray.length; f++) {
      valueArray[f] = values.get(f);
    }
    DeepFmNetwork network = model.network();
    float[] logit = new float[1];
    network.logits(new Tape().training(false), Batch.of(idArray.length, idArray, valueArray, new float[1], null),
        logit);
    Vector raw = row.getAs("rawPrediction");
    assertEquals(raw.apply(1), logit[0], 1e-6); // BLAS may sum in another order for another batch size
    assertEquals(16 + 8, network.encoderDim());
  }
}
