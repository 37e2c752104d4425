package dev.sparkrec.fia;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The params every collaborative-filtering stage of this package shares (meaning, range and default in each
 * param's doc; see {@code CfParamSet} and the model's param set). A stage creates one param set and exposes it
 * here, so Spark finds every param through these public accessors and each getter is written once.
 */
public interface CfParams extends Params {

  /** The stage's param objects. */
  CfParamSet paramSet();

  default Param<String> userCol() {
    return paramSet().userCol;
  }

  default String getUserCol() {
    return getOrDefault(userCol());
  }

  default Param<String> itemCol() {
    return paramSet().itemCol;
  }

  default String getItemCol() {
    return getOrDefault(itemCol());
  }

  default Param<String> ratingCol() {
    return paramSet().ratingCol;
  }

  default String getRatingCol() {
    return getOrDefault(ratingCol());
  }

  default Param<String> weightCol() {
    return paramSet().weightCol;
  }

  default String getWeightCol() {
    return getOrDefault(weightCol());
  }

  default Param<String> validationIndicatorCol() {
    return paramSet().validationIndicatorCol;
  }

  default String getValidationIndicatorCol() {
    return getOrDefault(validationIndicatorCol());
  }

  default Param<String> predictionCol() {
    return paramSet().predictionCol;
  }

  default String getPredictionCol() {
    return getOrDefault(predictionCol());
  }

  default Param<String> coldStartStrategy() {
    return paramSet().coldStartStrategy;
  }

  default String getColdStartStrategy() {
    return getOrDefault(coldStartStrategy());
  }

  default DoubleParam regParam() {
    return paramSet().regParam;
  }

  default double getRegParam() {
    return (Double) getOrDefault(regParam());
  }

  default DoubleParam initStd() {
    return paramSet().initStd;
  }

  default double getInitStd() {
    return (Double) getOrDefault(initStd());
  }

  default IntParam maxIter() {
    return paramSet().maxIter;
  }

  default int getMaxIter() {
    return (Integer) getOrDefault(maxIter());
  }

  default DoubleParam stepSize() {
    return paramSet().stepSize;
  }

  default double getStepSize() {
    return (Double) getOrDefault(stepSize());
  }

  default IntParam batchSize() {
    return paramSet().batchSize;
  }

  default int getBatchSize() {
    return (Integer) getOrDefault(batchSize());
  }

  default IntParam patience() {
    return paramSet().patience;
  }

  default int getPatience() {
    return (Integer) getOrDefault(patience());
  }

  default IntParam syncEveryBatches() {
    return paramSet().syncEveryBatches;
  }

  default int getSyncEveryBatches() {
    return (Integer) getOrDefault(syncEveryBatches());
  }

  default LongParam seed() {
    return paramSet().seed;
  }

  default long getSeed() {
    return (Long) getOrDefault(seed());
  }
}
