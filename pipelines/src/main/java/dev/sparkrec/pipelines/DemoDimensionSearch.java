package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.expr;

import dev.sparkrec.fm.FactorizationMachine;
import dev.sparkrec.fm.FactorizationMachineModel;
import dev.sparkrec.nis.EmbeddingDimensionsModel;
import dev.sparkrec.nis.NeuralInputSearch;
import java.nio.file.Path;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The demo's embedding-dimension part: NIS searches an FM's embedding dimensions per feature block on the encoded
 * sample CTR data (one warm-start and one search epoch), prunes the search to a quarter of the uniform FM's
 * embedding parameters, retrains the FM with those dimensions and compares it with the uniform FM on the test rows.
 * The dimension table is written as the Delta table {@code embedding-dims}.
 */
final class DemoDimensionSearch {

  static final int DIM = 8;
  static final int BUDGET_DIVISOR = 4;

  /** What this part measured and wrote; {@code blockDims} are the searched table's dimensions per block. */
  record Result(long uniformParams, long searchedParams, int[] blockDims, double uniformAuc, double searchedAuc,
      double searchSeconds, String path, long version) {}

  private DemoDimensionSearch() {}

  static Result run(SparkSession spark, Dataset<Row> encodedTrain, Dataset<Row> encodedTest, int numFeatures,
      Path outDir) {
    Dataset<Row> labelled = encodedTrain.withColumn("isValidation", expr("rowId % 10 = 0"));
    BinaryClassificationEvaluator auc = new BinaryClassificationEvaluator().setLabelCol("label")
        .setRawPredictionCol("rawPrediction");

    FactorizationMachineModel uniform = fm(numFeatures).fit(labelled);
    double uniformAuc = auc.evaluate(uniform.transform(encodedTest));
    long uniformParams = uniform.embeddingParameterCount();

    EmbeddingDimensionsModel searched = new NeuralInputSearch().setEstimator(fm(numFeatures))
        .setValidationIndicatorCol("isValidation").setWarmStartEpochs(1).setSearchEpochs(1).fit(labelled)
        .withParameterBudget(uniformParams / BUDGET_DIVISOR);
    FactorizationMachineModel retrained = fm(numFeatures).setEmbeddingDimensions(searched).fit(labelled);
    double searchedAuc = auc.evaluate(retrained.transform(encodedTest));

    String path = outDir.resolve("embedding-dims").toString();
    long version = DemoJob.overwriteDelta(searched.dimensions(), path);
    return new Result(uniformParams, retrained.embeddingParameterCount(),
        searched.blockDimensions(searched.tables().get(0)), uniformAuc, searchedAuc, searched.searchSeconds(), path,
        version);
  }

  private static FactorizationMachine fm(int numFeatures) {
    return new FactorizationMachine().setNumFeatures(numFeatures).setEmbeddingDim(DIM).setMaxIter(3).setSeed(7)
        .setValidationIndicatorCol("isValidation");
  }
}
