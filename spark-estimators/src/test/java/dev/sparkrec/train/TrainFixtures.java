package dev.sparkrec.train;

import dev.sparkrec.testing.TinyCtrData;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Data, model and configuration shared by the trainer tests and the retry child process. */
final class TrainFixtures {

  static final long DATA_SEED = 7;
  static final int DIM = 4;
  static final ExampleColumns COLUMNS = ExampleColumns.DEFAULT.withWeightCol("weight");

  private TrainFixtures() {}

  static ModelFactory model() {
    return TinyCtrModel.factory(TinyCtrData.VOCABULARY, TinyCtrData.FIELDS, DIM, 11);
  }

  static Dataset<Row> train(SparkSession spark, long rows, int partitions) {
    return TinyCtrData.generate(spark, DATA_SEED, 0, rows, partitions);
  }

  static Dataset<Row> validation(SparkSession spark, long rows) {
    return TinyCtrData.generate(spark, DATA_SEED, 1_000_000, rows, 2);
  }

  /** Momentum SGD, synced every 3 batches: slots, several rounds per epoch and sparse deltas all take part. */
  static TrainingConfig.Builder config() {
    return TrainingConfig.builder()
        .maxEpochs(3)
        .batchSize(64)
        .learningRate(0.05)
        .seed(3)
        .syncEveryBatches(3)
        .optimizerFactory(lr -> new MomentumSgd(lr, 0.9));
  }

  /** SHA-256 over every parameter's name and float bits, in order. */
  static String hash(Map<String, float[]> parameters) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, float[]> e : parameters.entrySet()) {
        digest.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ByteBuffer bytes = ByteBuffer.allocate(4 * e.getValue().length);
        for (float v : e.getValue()) {
          bytes.putInt(Float.floatToRawIntBits(v));
        }
        digest.update(bytes.array());
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
