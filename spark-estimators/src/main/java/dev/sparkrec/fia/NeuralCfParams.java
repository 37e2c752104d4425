package dev.sparkrec.fia;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;

/** The params of {@link NeuralCF} and {@link NeuralCFModel}: {@link CfParams} and NeuMF's own. */
public interface NeuralCfParams extends CfParams {

  @Override
  NeuralCfParamSet paramSet();

  default IntParam embeddingDim() {
    return paramSet().embeddingDim;
  }

  default int getEmbeddingDim() {
    return (Integer) getOrDefault(embeddingDim());
  }

  default IntArrayParam hiddenLayers() {
    return paramSet().hiddenLayers;
  }

  default int[] getHiddenLayers() {
    return getOrDefault(hiddenLayers());
  }

  default Param<String> loss() {
    return paramSet().loss;
  }

  default String getLoss() {
    return getOrDefault(loss());
  }

  default DoubleParam denseL2() {
    return paramSet().denseL2;
  }

  default double getDenseL2() {
    return (Double) getOrDefault(denseL2());
  }
}
