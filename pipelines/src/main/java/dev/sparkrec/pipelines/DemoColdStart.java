package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.expr;

import dev.sparkrec.data.SampleData;
import dev.sparkrec.deepfm.DeepFM;
import dev.sparkrec.eval.LogLossEvaluator;
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
 * of the generated cold-start sample, less a fifth held out as new users. Each cold user's first {@value #SUPPORT}
 * interactions adapt it (one row per user, written as the Delta table {@code adaptation}), and the cold users' later
 * interactions are scored with and without their adaptation. The held-out users show how the residual grows with
 * the support: each is adapted from its first {@link #NEW_USER_SUPPORT} interactions in turn and scored on the rest,
 * RESUS's fine-grained cold-start protocol.
 *
 * <p>The base trains until its validation AUC stops improving (an underfitted base leaves the residual population-wide errors
 * that a user's two clicks cannot estimate), and the ridge residual starts at scale 1, the RESUS authors' later code
 * for the "rr" learner. With {@code initScale} 6, their first release's, the residual gains more from twenty
 * interactions but the scales of the smallest supports stay too large over the few epochs this sample trains, and a
 * two-click support then moves its user's predictions more than two clicks justify (below the base at two).
 */
final class DemoColdStart {

  static final int SUPPORT = 2;
  static final int[] NEW_USER_SUPPORT = {2, 5, 20};

  /**
   * What this part measured and wrote: AUC and log loss on the cold users' later interactions, and AUC of the held-out
   * users' later interactions at each of {@link #NEW_USER_SUPPORT}, without ({@code base}) and with the adaptation.
   */
  record Result(long warmRows, long coldUsers, double trainSeconds, Scores cold, long newUsers, Scores[] newUser,
      String path, long version) {}

  /** AUC and log loss of the base predictor and of RESUS on the same query rows. */
  record Scores(double baseAuc, double resusAuc, double baseLogLoss, double resusLogLoss) {}

  private DemoColdStart() {}

  static Result run(SparkSession spark, Path samples, Path outDir) {
    Dataset<Row> rows = SampleData.coldStart(spark, samples)
        .withColumn("isValidation", expr("user % 5 = 0"))
        .withColumn("isNewUser", expr("NOT isColdUser AND user % 5 = 1")).cache();
    Dataset<Row> warm = rows.where("NOT isColdUser AND NOT isNewUser");
    FieldEncoder encoder = new FieldEncoder().setInputCols("C0", "C1", "C2").setHandleInvalid("keep");
    DeepFM base = new DeepFM().setEmbeddingDim(4).setHiddenLayers(16).setMaxIter(50).setSeed(4);
    RESUS resus = new RESUS().setUserCol("user").setTimeCol("interactionIndex")
        .setValidationIndicatorCol("isValidation").setEmbeddingDim(4).setHiddenLayers(16).setMaxIter(30).setSeed(5)
        .setInitScale(1.0).setBaseEstimator(base);
    long start = System.nanoTime();
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {encoder, resus}).fit(warm);
    double seconds = (System.nanoTime() - start) / 1e9;
    RESUSModel model = (RESUSModel) fitted.stages()[1];

    Dataset<Row> cold = fitted.stages()[0].transform(rows.where("isColdUser"));
    String path = outDir.resolve("adaptation").toString();
    long version = DemoJob.overwriteDelta(model.adapt(cold.where("interactionIndex < " + SUPPORT)), path);
    Dataset<Row> adaptation = spark.read().format("delta").load(path);
    Scores coldScores = scores(model, adaptation, cold.where("interactionIndex >= " + SUPPORT));

    Dataset<Row> newUsers = fitted.stages()[0].transform(rows.where("isNewUser")).cache();
    Scores[] newUserScores = new Scores[NEW_USER_SUPPORT.length];
    for (int s = 0; s < NEW_USER_SUPPORT.length; s++) {
      int support = NEW_USER_SUPPORT[s];
      Dataset<Row> adapted = model.adapt(newUsers.where("interactionIndex < " + support)).cache();
      newUserScores[s] = scores(model, adapted, newUsers.where("interactionIndex >= " + support));
      adapted.unpersist();
    }
    Result result = new Result(warm.count(), adaptation.count(), seconds, coldScores,
        newUsers.select("user").distinct().count(), newUserScores, path, version);
    newUsers.unpersist();
    rows.unpersist();
    return result;
  }

  /** The query rows scored by the base predictor alone and with {@code adaptation}; each evaluation runs at once. */
  private static Scores scores(RESUSModel model, Dataset<Row> adaptation, Dataset<Row> query) {
    BinaryClassificationEvaluator auc = new BinaryClassificationEvaluator().setLabelCol("label")
        .setRawPredictionCol("rawPrediction");
    LogLossEvaluator logLoss = new LogLossEvaluator().setLabelCol("label").setProbabilityCol("probability");
    Dataset<Row> base = model.clearSupport().transform(query).cache();
    double baseAuc = auc.evaluate(base);
    double baseLogLoss = logLoss.evaluate(base);
    base.unpersist();
    Dataset<Row> adapted = model.setAdaptation(adaptation).transform(query).cache();
    double resusAuc = auc.evaluate(adapted);
    double resusLogLoss = logLoss.evaluate(adapted);
    adapted.unpersist();
    model.clearSupport();
    return new Scores(baseAuc, resusAuc, baseLogLoss, resusLogLoss);
  }
}
