package dev.sparkrec.afn;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The params {@link AFN} and {@link AFNModel} share (their meaning, range and default are in each param's
 * doc; see {@code AfnParamSet}). Each stage creates one param set and exposes it here, so Spark finds every
 * param through these public accessors and every getter is written once.
 */
public interface AfnParams extends Params {

  /** The stage's param objects. */
  AfnParamSet paramSet();

  default Param<String> featureIdsCol() {
    return paramSet().featureIdsCol;
  }

  default String getFeatureIdsCol() {
    return getOrDefault(featureIdsCol());
  }

  default Param<String> featureValuesCol() {
    return paramSet().featureValuesCol;
  }

  default String getFeatureValuesCol() {
    return getOrDefault(featureValuesCol());
  }

  default Param<String> labelCol() {
    return paramSet().labelCol;
  }

  default String getLabelCol() {
    return getOrDefault(labelCol());
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

  default Param<String> rawPredictionCol() {
    return paramSet().rawPredictionCol;
  }

  default String getRawPredictionCol() {
    return getOrDefault(rawPredictionCol());
  }

  default Param<String> probabilityCol() {
    return paramSet().probabilityCol;
  }

  default String getProbabilityCol() {
    return getOrDefault(probabilityCol());
  }

  default Param<String> predictionCol() {
    return paramSet().predictionCol;
  }

  default String getPredictionCol() {
    return getOrDefault(predictionCol());
  }

  default DoubleParam threshold() {
    return paramSet().threshold;
  }

  default double getThreshold() {
    return (Double) getOrDefault(threshold());
  }

  default IntParam numFeatures() {
    return paramSet().numFeatures;
  }

  default int getNumFeatures() {
    return (Integer) getOrDefault(numFeatures());
  }

  default IntParam embeddingDim() {
    return paramSet().embeddingDim;
  }

  default int getEmbeddingDim() {
    return (Integer) getOrDefault(embeddingDim());
  }

  default IntParam logNeurons() {
    return paramSet().logNeurons;
  }

  default int getLogNeurons() {
    return (Integer) getOrDefault(logNeurons());
  }

  default IntArrayParam hiddenLayers() {
    return paramSet().hiddenLayers;
  }

  default int[] getHiddenLayers() {
    return getOrDefault(hiddenLayers());
  }

  default DoubleParam dropout() {
    return paramSet().dropout;
  }

  default double getDropout() {
    return (Double) getOrDefault(dropout());
  }

  default BooleanParam batchNorm() {
    return paramSet().batchNorm;
  }

  default boolean getBatchNorm() {
    return (Boolean) getOrDefault(batchNorm());
  }

  default BooleanParam ensemble() {
    return paramSet().ensemble;
  }

  default boolean getEnsemble() {
    return (Boolean) getOrDefault(ensemble());
  }

  default IntArrayParam dnnHiddenLayers() {
    return paramSet().dnnHiddenLayers;
  }

  default int[] getDnnHiddenLayers() {
    return getOrDefault(dnnHiddenLayers());
  }

  default DoubleParam dnnDropout() {
    return paramSet().dnnDropout;
  }

  default double getDnnDropout() {
    return (Double) getOrDefault(dnnDropout());
  }

  default DoubleParam logEpsilon() {
    return paramSet().logEpsilon;
  }

  default double getLogEpsilon() {
    return (Double) getOrDefault(logEpsilon());
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

  default IntParam maxIter() {
    return paramSet().maxIter;
  }

  default int getMaxIter() {
    return (Integer) getOrDefault(maxIter());
  }

  default IntParam patience() {
    return paramSet().patience;
  }

  default int getPatience() {
    return (Integer) getOrDefault(patience());
  }

  default Param<String> validationMetric() {
    return paramSet().validationMetric;
  }

  default String getValidationMetric() {
    return getOrDefault(validationMetric());
  }

  default DoubleParam gradientClip() {
    return paramSet().gradientClip;
  }

  default double getGradientClip() {
    return (Double) getOrDefault(gradientClip());
  }

  default DoubleParam embeddingL2() {
    return paramSet().embeddingL2;
  }

  default double getEmbeddingL2() {
    return (Double) getOrDefault(embeddingL2());
  }

  default DoubleParam l2() {
    return paramSet().l2;
  }

  default double getL2() {
    return (Double) getOrDefault(l2());
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
