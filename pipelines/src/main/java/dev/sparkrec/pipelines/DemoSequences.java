package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import dev.sparkrec.data.SampleData;
import dev.sparkrec.deepfm.DeepFM;
import dev.sparkrec.deepfm.DeepFMModel;
import dev.sparkrec.seq.LightningSeq;
import dev.sparkrec.seq.LightningSeqModel;
import java.nio.file.Path;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * The demo's behaviour-sequence part: the generated sample ratings become click prediction with histories. Each
 * user's ratings, in the sample's order, are targets labelled 1 for four stars or more, with ids {@code [user,
 * U + item]} and as history every earlier rating of the user as a "liked item" ({@code U + I + item}) or "did not
 * like item" ({@code U + 2I + item}) event, oldest first. A user's last {@value #TEST_PER_USER} targets are test
 * rows, the one before validates and the {@value #TRAIN_PER_USER} before that train. LightningSeq (lightning
 * attention and a top-2 mixture of experts over the history) is compared on the test rows with DeepFM on the
 * target's ids alone; LightningSeq's test scores are written as the Delta table {@code sequence-scores}.
 */
final class DemoSequences {

  static final int TEST_PER_USER = 2;
  static final int TRAIN_PER_USER = 10;
  static final int MAX_HISTORY = 64;

  /** What this part measured and wrote. */
  record Result(long trainRows, long testRows, double meanHistory, double trainSeconds, double lightningAuc,
      double noHistoryAuc, String path, long version) {}

  private DemoSequences() {}

  /**
   * The sample ratings as targets with histories: user, item, position (in the user's ratings), label,
   * featureIds, history, isTest, isValidation; rows before a user's last {@value #TRAIN_PER_USER} training targets
   * are left out (they are histories only).
   */
  static Dataset<Row> histories(SparkSession spark, Path samples) {
    Dataset<Row> ratings = SampleData.ratings(spark, samples).withColumn("order", monotonically_increasing_id());
    int[] ids = idSpace(ratings);
    int numUsers = ids[0];
    int numItems = ids[1];
    WindowSpec byUser = Window.partitionBy("user").orderBy("order");
    Column liked = col("rating").geq(4.0);
    return ratings
        .withColumn("position", row_number().over(byUser).minus(1))
        .withColumn("ratings", count(lit(1)).over(Window.partitionBy("user")))
        .withColumn("event", lit(numUsers).plus(lit(numItems).multiply(when(liked, 1).otherwise(2)))
            .plus(col("item")))
        .withColumn("history", collect_list("event").over(byUser.rowsBetween(Window.unboundedPreceding(), -1)))
        .withColumn("label", when(liked, 1.0).otherwise(0.0))
        .withColumn("featureIds", array(col("user"), lit(numUsers).plus(col("item"))))
        .withColumn("fromEnd", col("ratings").minus(col("position")))
        .where(col("position").geq(1).and(col("fromEnd").leq(TEST_PER_USER + 1 + TRAIN_PER_USER)))
        .withColumn("isTest", col("fromEnd").leq(TEST_PER_USER))
        .withColumn("isValidation", col("fromEnd").equalTo(TEST_PER_USER + 1))
        .select("user", "item", "position", "label", "featureIds", "history", "isTest", "isValidation");
  }

  /** {users, items}: one more than the largest ids of the sample ratings. */
  private static int[] idSpace(Dataset<Row> ratings) {
    Row sizes = ratings.agg(max("user"), max("item")).first();
    return new int[] {sizes.getInt(0) + 1, sizes.getInt(1) + 1};
  }

  static Result run(SparkSession spark, Path samples, Path outDir) {
    Dataset<Row> rows = histories(spark, samples).cache();
    int[] ids = idSpace(SampleData.ratings(spark, samples));
    int numUsers = ids[0];
    int numItems = ids[1];
    Dataset<Row> train = rows.where("NOT isTest");
    Dataset<Row> test = rows.where("isTest");
    int numFeatures = numUsers + 3 * numItems;

    LightningSeq sequence = new LightningSeq().setFeatureIdsCol("featureIds").setFeatureValuesCol("")
        .setHistoryCol("history").setMaxHistory(MAX_HISTORY).setLabelCol("label")
        .setValidationIndicatorCol("isValidation").setNumFeatures(numFeatures).setEmbeddingDim(8).setNumLayers(1)
        .setNumHeads(2).setNumExperts(4).setTopK(2).setExpertHiddenDim(16).setBlockSize(16).setHiddenLayers(16)
        .setBatchSize(128).setStepSize(3e-3).setMaxIter(3).setSeed(11);
    long start = System.nanoTime();
    LightningSeqModel model = sequence.fit(train);
    double seconds = (System.nanoTime() - start) / 1e9;
    DeepFMModel noHistory = new DeepFM().setFeatureIdsCol("featureIds").setFeatureValuesCol("").setLabelCol("label")
        .setValidationIndicatorCol("isValidation").setNumFeatures(numFeatures).setEmbeddingDim(8).setHiddenLayers(16)
        .setBatchSize(128).setStepSize(3e-3).setMaxIter(3).setSeed(11).fit(train);

    BinaryClassificationEvaluator auc = new BinaryClassificationEvaluator().setLabelCol("label")
        .setRawPredictionCol("rawPrediction");
    Dataset<Row> scored = model.transform(test);
    double lightningAuc = auc.evaluate(scored);
    double noHistoryAuc = auc.evaluate(noHistory.transform(test));
    String path = outDir.resolve("sequence-scores").toString();
    long version = DemoJob.overwriteDelta(scored.select(col("user"), col("item"), col("position"), col("label"),
        org.apache.spark.ml.functions.vector_to_array(col("probability"), "float64").getItem(1).as("probability")),
        path);
    Row stats = train.selectExpr("count(*)", "avg(least(size(history), " + MAX_HISTORY + "))").first();
    Result result = new Result(stats.getLong(0), test.count(), stats.getDouble(1), seconds, lightningAuc,
        noHistoryAuc, path, version);
    rows.unpersist();
    return result;
  }
}
