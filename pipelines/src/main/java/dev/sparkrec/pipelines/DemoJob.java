package dev.sparkrec.pipelines;

import dev.sparkrec.data.SampleData;
import dev.sparkrec.eval.LogLossEvaluator;
import dev.sparkrec.features.FeatureIdsToVector;
import dev.sparkrec.features.FieldEncoder;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * {@code bin/sparkrec demo}: SparkRec's main job on the generated sample CTR data. It encodes the raw
 * fields with {@link FieldEncoder}, trains the models in one {@link Pipeline}, evaluates test AUC and
 * logloss, saves the fitted pipeline, and writes the test predictions as a Delta table whose version
 * is printed so a run can be reproduced and compared.
 */
final class DemoJob {

  private DemoJob() {}

  /** What the demo measured and wrote. */
  static final class Result {
    final long trainRows;
    final long testRows;
    final int numFeatures;
    final double trainSeconds;
    final double auc;
    final double logLoss;
    final String predictionsPath;
    final long predictionsVersion;
    final String modelPath;

    Result(long trainRows, long testRows, int numFeatures, double trainSeconds, double auc, double logLoss,
        String predictionsPath, long predictionsVersion, String modelPath) {
      this.trainRows = trainRows;
      this.testRows = testRows;
      this.numFeatures = numFeatures;
      this.trainSeconds = trainSeconds;
      this.auc = auc;
      this.logLoss = logLoss;
      this.predictionsPath = predictionsPath;
      this.predictionsVersion = predictionsVersion;
      this.modelPath = modelPath;
    }
  }

  static int main(String[] args, PrintStream out) {
    CommandLine line = CommandLine.parse(args, Set.of("out", "sample-data"), Set.of());
    if (!line.positional().isEmpty()) {
      throw new CommandLine.UsageException("demo takes no positional arguments: " + line.positional());
    }
    Path outDir = line.option("out", null) != null ? ProjectPaths.resolve(line.option("out", null))
        : ProjectPaths.home().resolve("target/demo");
    Path samples = line.option("sample-data", null) != null ? ProjectPaths.resolve(line.option("sample-data", null))
        : ProjectPaths.sampleData();
    SparkSession spark = Main.session("sparkrec demo");
    Result r = run(spark, samples, outDir);
    out.println("SparkRec demo: click-through prediction on the generated sample CTR data");
    out.println("  data             " + samples + " (train " + r.trainRows + " rows, test " + r.testRows + " rows)");
    out.println("  encoding         FieldEncoder -> " + r.numFeatures + " feature ids");
    out.println("  model            MLlib LogisticRegression (baseline), trained in "
        + String.format(java.util.Locale.ROOT, "%.1f s", r.trainSeconds));
    out.println("  test AUC         " + Main.fmt(r.auc));
    out.println("  test logloss     " + Main.fmt(r.logLoss));
    out.println("  predictions      " + r.predictionsPath + " (Delta table, version " + r.predictionsVersion + ")");
    out.println("  fitted pipeline  " + r.modelPath);
    return 0;
  }

  static Result run(SparkSession spark, Path samples, Path outDir) {
    Dataset<Row> train = SampleData.ctrTrain(spark, samples).cache();
    Dataset<Row> test = SampleData.ctrTest(spark, samples).cache();

    List<String> fields = new ArrayList<>();
    for (StructField f : train.schema().fields()) {
      boolean categorical = f.dataType().equals(DataTypes.StringType);
      boolean numeric = f.dataType().equals(DataTypes.DoubleType) || f.dataType().equals(DataTypes.FloatType);
      if (!f.name().equals("label") && !f.name().equals("rowId") && (categorical || numeric)) {
        fields.add(f.name());
      }
    }
    FieldEncoder encoder = new FieldEncoder()
        .setInputCols(fields.toArray(new String[0]))
        .setNumericMode("bucketize")
        .setNumBuckets(10)
        .setMinCount(2)
        .setHandleInvalid("keep");
    FeatureIdsToVector toVector = new FeatureIdsToVector().setOutputCol("features");
    LogisticRegression lr = new LogisticRegression()
        .setLabelCol("label")
        .setFeaturesCol("features")
        .setMaxIter(100)
        .setRegParam(1e-4);
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {encoder, toVector, lr});

    long start = System.nanoTime();
    PipelineModel model = pipeline.fit(train);
    double trainSeconds = (System.nanoTime() - start) / 1e9;

    Dataset<Row> predictions = model.transform(test).cache();
    double auc = new BinaryClassificationEvaluator().setLabelCol("label")
        .setRawPredictionCol("rawPrediction").setMetricName("areaUnderROC").setNumBins(0) // exact
        .evaluate(predictions);
    double logLoss = new LogLossEvaluator().setLabelCol("label").setProbabilityCol("probability")
        .evaluate(predictions);

    String predictionsPath = outDir.resolve("predictions").toString();
    predictions
        .select(predictions.col("rowId"), predictions.col("label"),
            functions.vector_to_array(predictions.col("probability"), "float64").getItem(1).alias("probability"),
            predictions.col("prediction"))
        .write().format("delta").mode("overwrite").save(predictionsPath);
    long version = DeltaTable.forPath(spark, predictionsPath).history(1).select("version").first().getLong(0);

    String modelPath = outDir.resolve("model").toString();
    try {
      model.write().overwrite().save(modelPath);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not save the fitted pipeline to " + modelPath, e);
    }
    int numFeatures = ((dev.sparkrec.features.FieldEncoderModel) model.stages()[0]).numFeatures();
    Result result = new Result(train.count(), test.count(), numFeatures, trainSeconds, auc, logLoss,
        predictionsPath, version, modelPath);
    predictions.unpersist();
    train.unpersist();
    test.unpersist();
    return result;
  }
}
