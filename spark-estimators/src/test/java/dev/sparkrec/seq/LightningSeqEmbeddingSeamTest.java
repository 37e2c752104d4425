package dev.sparkrec.seq;

import static org.apache.spark.sql.functions.rand;

import dev.sparkrec.ml.EmbeddingEstimator;
import dev.sparkrec.testing.EmbeddingSeamContract;
import dev.sparkrec.testing.SparkTestSession;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** LightningSeq's embedding seam: target and history ids share one table, counted together. */
class LightningSeqEmbeddingSeamTest extends EmbeddingSeamContract<LightningSeqModel> {

  @Override
  protected EmbeddingEstimator<LightningSeqModel> newEstimator(String validationIndicatorCol) {
    LightningSeq seq = LightningSeqTest.tiny().setEmbeddingDim(16).setNumHeads(4);
    return validationIndicatorCol == null ? seq : seq.setValidationIndicatorCol(validationIndicatorCol);
  }

  @Override
  protected Dataset<Row> trainingData() {
    return SeqTestData.generate(400, 11).withColumn(VALIDATION, rand(5).lt(0.2));
  }

  /** Target ids 0-4 in 2 fields and history ids 1 and 5; the last row is a validation row. */
  @Override
  protected Dataset<Row> countingData() {
    List<Row> rows = List.of(
        RowFactory.create(new Integer[] {0, 3}, new Integer[] {1, 5}, 1.0, false),
        RowFactory.create(new Integer[] {1, 3}, new Integer[0], 0.0, false),
        RowFactory.create(new Integer[] {0, 4}, new Integer[] {5}, 1.0, false),
        RowFactory.create(new Integer[] {2, 4}, new Integer[] {5, 5}, 0.0, true));
    return SparkTestSession.get().createDataFrame(rows, SeqTestData.SCHEMA.add(VALIDATION, "boolean"));
  }

  @Override
  protected Map<String, long[]> expectedCounts() {
    return Map.of(LightningSeqNetwork.EMBEDDING, new long[] {2, 2, 0, 2, 1, 2});
  }

  @Override
  protected String predictionCol() {
    return "probability";
  }

  @Override
  protected LightningSeqModel load(String path) {
    return LightningSeqModel.load(path);
  }

  @Override
  protected Map<String, float[]> heldParameters(LightningSeqModel model) {
    return model.heldParameters();
  }
}
