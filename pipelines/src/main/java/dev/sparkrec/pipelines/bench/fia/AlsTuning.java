package dev.sparkrec.pipelines.bench.fia;

import dev.sparkrec.pipelines.bench.StageConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLlib ALS as the benchmarks' peer: every rank × regParam of a grid fitted on the fit part of a validation split,
 * the lowest validation RMSE selected and retrained on the whole training set. The row records the selected
 * configuration, the budget, every configuration tried with its validation RMSE and seconds, and the test RMSE.
 */
final class AlsTuning {

  private static final Logger LOG = LoggerFactory.getLogger(AlsTuning.class);

  private AlsTuning() {}

  static ALS als(int rank, double regParam, int maxIter, long seed) {
    return new ALS().setRank(rank).setRegParam(regParam).setMaxIter(maxIter).setSeed(seed)
        .setUserCol("user").setItemCol("item").setRatingCol("rating").setColdStartStrategy("drop");
  }

  static double rmse(Dataset<Row> predictions) {
    return new RegressionEvaluator().setMetricName("rmse").setLabelCol("rating").setPredictionCol("prediction")
        .evaluate(predictions);
  }

  /** @param trainName what the selected configuration is retrained on, for the row's budget line */
  static Map<String, Object> tuned(Dataset<Row> fitPart, Dataset<Row> validationPart, Dataset<Row> train,
      Dataset<Row> test, int[] ranks, double[] regs, int maxIter, long seed, String trainName) {
    List<Map<String, Object>> tried = new ArrayList<>();
    int bestRank = 0;
    double bestReg = 0;
    double bestRmse = Double.POSITIVE_INFINITY;
    double tuningSeconds = 0;
    for (int rank : ranks) {
      for (double reg : regs) {
        ALS estimator = als(rank, reg, maxIter, seed);
        long start = System.nanoTime();
        ALSModel model = estimator.fit(fitPart);
        double seconds = (System.nanoTime() - start) / 1e9;
        double validationRmse = rmse(model.transform(validationPart));
        tuningSeconds += seconds;
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("rank", rank);
        config.put("regParam", reg);
        config.put("maxIter", estimator.getMaxIter());
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("config", config);
        entry.put("validation_rmse", validationRmse);
        entry.put("seconds", seconds);
        tried.add(entry);
        LOG.info("mllib-als {}: validation RMSE {} in {} s", config, validationRmse, seconds);
        if (validationRmse < bestRmse) {
          bestRmse = validationRmse;
          bestRank = rank;
          bestReg = reg;
        }
      }
    }
    ALS selected = als(bestRank, bestReg, maxIter, seed);
    long start = System.nanoTime();
    ALSModel model = selected.fit(train);
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("test_rmse", rmse(model.transform(test)));
    row.put("train_seconds", seconds);
    row.put("validation_rmse", bestRmse);
    row.put("config", StageConfig.of(selected));
    row.put("budget", "grid rank " + Arrays.toString(ranks) + " x regParam " + Arrays.toString(regs) + " ("
        + tried.size() + " fits on the 90% part), selected by RMSE on the 10% validation part, retrained on all "
        + "of " + trainName);
    row.put("tuning_seconds", tuningSeconds);
    row.put("tried", tried);
    return row;
  }
}
