package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.expr;

import dev.sparkrec.data.SampleData;
import dev.sparkrec.deepfm.DeepFM;
import dev.sparkrec.features.FieldEncoder;
import dev.sparkrec.resus.RESUS;
import dev.sparkrec.resus.RESUSModel;
import java.nio.file.Path;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The demo's cold-start part: RESUS (a DeepFM base predictor and the meta-trained residual) fitted on the warm users
 * of the generated cold-start sample; each cold user's first {@value #SUPPORT} interactions adapt it (one row per
 * user, written as the Delta table {@code adaptation}), and the cold users' later interactions are scored with and
 * without their adaptation.
 */
final class DemoColdStart {

  static final int SUPPORT = 2;

  /** What this part measured and wrote. */
  record Result(long warmRows, long coldUsers, double trainSeconds, double baseAuc, double adaptedAuc, String path,
      long version) {}

  private DemoColdStart() {}

  static Result run(SparkSession spark, Path samples, Path outDir) {
    Dataset<Row> rows = SampleData.coldStart(spark, samples)
        .withColumn("isValidation", expr("user % 5 = 0")).cache();
    Dataset<Row> warm = rows.where("NOT isColdUser");
    FieldEncoder encoder = new FieldEncoder().setInputCols("C0", "C1", "C2").setHandleInvalid("keep");
    DeepFM base = new DeepFM().setEmbeddingDim(4).setHiddenLayers(16).setMaxIter(3).setSeed(4);
    RESUS resus = new RESUS().setUserCol("user").setTimeCol("interactionIndex")
        .setValidationIndicatorCol("isValidation").setEmbeddingDim(4).setHiddenLayers(16).setMaxIter(3).setSeed(5)
        .setBaseEstimator(base);
    long start = System.nanoTime();
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {encoder, resus}).fit(warm);
    double seconds = (System.nanoTime() - start) / 1e9;
    RESUSModel model = (RESUSModel) fitted.stages()[1];

    Dataset<Row> cold = fitted.stages()[0].transform(rows.where("isColdUser"));
    Dataset<Row> support = cold.where("interactionIndex < " + SUPPORT);
    Dataset<Row> query = cold.where("interactionIndex >= " + SUPPORT);
    String path = outDir.resolve("adaptation").toString();
    long version = DemoJob.overwriteDelta(model.adapt(support), path);
    Dataset<Row> adaptation = spark.read().format("delta").load(path);

    BinaryClassificationEvaluator auc = new BinaryClassificationEvaluator().setLabelCol("label")
        .setRawPredictionCol("rawPrediction");
    double baseAuc = auc.evaluate(model.clearSupport().transform(query)); // each evaluate runs at once
    double adaptedAuc = auc.evaluate(model.setAdaptation(adaptation).transform(query));
    Result result = new Result(warm.count(), adaptation.count(), seconds, baseAuc, adaptedAuc, path, version);
    rows.unpersist();
    return result;
  }
}
