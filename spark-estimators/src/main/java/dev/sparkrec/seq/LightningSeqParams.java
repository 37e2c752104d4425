package dev.sparkrec.seq;

import dev.sparkrec.ml.param.HasEmbeddingDim;
import dev.sparkrec.ml.param.HasFeatureIdsCol;
import dev.sparkrec.ml.param.HasFeatureValuesCol;
import dev.sparkrec.ml.param.HasHiddenLayers;
import dev.sparkrec.ml.param.HasLabelCol;
import dev.sparkrec.ml.param.HasNumFeatures;
import dev.sparkrec.ml.param.HasPredictionCol;
import dev.sparkrec.ml.param.HasProbabilityCol;
import dev.sparkrec.ml.param.HasRawPredictionCol;
import dev.sparkrec.ml.param.HasSeed;
import dev.sparkrec.ml.param.HasThreshold;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;

/**
 * The params {@link LightningSeq} and {@link LightningSeqModel} share: the shared input and output columns, the
 * history column, and what {@link LightningSeqConfig#from} builds the network from. {@link #setDefaults} sets the
 * LightningSeq defaults of the shared params: embedding 16, hidden layers 64-32.
 */
public interface LightningSeqParams extends HasFeatureIdsCol, HasFeatureValuesCol, HasLabelCol, HasRawPredictionCol,
    HasProbabilityCol, HasPredictionCol, HasThreshold, HasNumFeatures, HasEmbeddingDim, HasHiddenLayers, HasSeed {

  /** {@code pooling} value: target attention over the encoded history. */
  String ATTENTION = "attention";
  /** {@code pooling} value: the mean of the encoded history. */
  String MEAN = "mean";

  /** Sets the defaults of the shared params whose default depends on the model: embedding 16, hidden 64-32. */
  static void setDefaults(LightningSeqParams stage) {
    stage.setDefault(stage.embeddingDim(), 16);
    stage.setDefault(stage.hiddenLayers(), new int[] {64, 32});
  }

  /**
   * Column of the behaviour history: array<int> of feature ids in time order, oldest first, any length (empty for
   * none; never null), in the id space of featureIdsCol. Default: history.
   */
  default Param<String> historyCol() {
    return param("historyCol", o -> new Param<>(o, "historyCol",
        "column of the behaviour history: array<int> of feature ids in time order, oldest first, any length (empty "
            + "for none; never null), in the id space of featureIdsCol. Default: history"), "history");
  }

  default String getHistoryCol() {
    return getOrDefault(historyCol());
  }

  /** Most recent events kept per history (>= 0; 0 keeps every event). Default: 0. */
  default IntParam maxHistory() {
    return param("maxHistory", o -> new IntParam(o, "maxHistory",
        "most recent events kept per history (>= 0; 0 keeps every event). Default: 0", ParamValidators.gtEq(0)), 0);
  }

  default int getMaxHistory() {
    return (Integer) getOrDefault(maxHistory());
  }

  /** Sequence layers over the history, each an attention block and an MoE feed-forward (>= 0). Default: 2. */
  default IntParam numLayers() {
    return param("numLayers", o -> new IntParam(o, "numLayers",
        "sequence layers over the history, each an attention block and an MoE feed-forward (>= 0). Default: 2",
        ParamValidators.gtEq(0)), 2);
  }

  default int getNumLayers() {
    return (Integer) getOrDefault(numLayers());
  }

  /** Attention heads per layer (a power of two dividing embeddingDim). Default: 4. */
  default IntParam numHeads() {
    return param("numHeads", o -> new IntParam(o, "numHeads",
        "attention heads per layer (a power of two dividing embeddingDim). Default: 4",
        ParamValidators.gt(0)), 4);
  }

  default int getNumHeads() {
    return (Integer) getOrDefault(numHeads());
  }

  /**
   * Lightning layers before each softmax attention layer of the hybrid stack (>= 0; 0: every layer lightning).
   * Default: 8.
   */
  default IntParam softmaxEvery() {
    return param("softmaxEvery", o -> new IntParam(o, "softmaxEvery",
        "lightning layers before each softmax attention layer of the hybrid stack (>= 0; 0: every layer lightning)."
            + " Default: 8", ParamValidators.gtEq(0)), 8);
  }

  default int getSoftmaxEvery() {
    return (Integer) getOrDefault(softmaxEvery());
  }

  /** Lightning attention's block (tile) size (> 0). Default: 256. */
  default IntParam blockSize() {
    return param("blockSize", o -> new IntParam(o, "blockSize",
        "lightning attention's block (tile) size (> 0). Default: 256", ParamValidators.gt(0)), 256);
  }

  default int getBlockSize() {
    return (Integer) getOrDefault(blockSize());
  }

  /** Experts of each MoE feed-forward (> 0). Default: 8. */
  default IntParam numExperts() {
    return param("numExperts", o -> new IntParam(o, "numExperts",
        "experts of each MoE feed-forward (> 0). Default: 8", ParamValidators.gt(0)), 8);
  }

  default int getNumExperts() {
    return (Integer) getOrDefault(numExperts());
  }

  /** Experts each event is routed to (1 to numExperts). Default: 2. */
  default IntParam topK() {
    return param("topK", o -> new IntParam(o, "topK",
        "experts each event is routed to (1 to numExperts). Default: 2", ParamValidators.gt(0)), 2);
  }

  default int getTopK() {
    return (Integer) getOrDefault(topK());
  }

  /** Hidden size of each SwiGLU expert (> 0). Default: 32. */
  default IntParam expertHiddenDim() {
    return param("expertHiddenDim", o -> new IntParam(o, "expertHiddenDim",
        "hidden size of each SwiGLU expert (> 0). Default: 32", ParamValidators.gt(0)), 32);
  }

  default int getExpertHiddenDim() {
    return (Integer) getOrDefault(expertHiddenDim());
  }

  /** Weight α of the MoE load-balancing loss α·(1/E)·Σ f_i·m_i per layer (>= 0). Default: 0.01. */
  default DoubleParam auxLossWeight() {
    return param("auxLossWeight", o -> new DoubleParam(o, "auxLossWeight",
        "weight of the MoE load-balancing loss per layer (>= 0). Default: 0.01", ParamValidators.gtEq(0)), 0.01);
  }

  default double getAuxLossWeight() {
    return (Double) getOrDefault(auxLossWeight());
  }

  /** How the encoded history becomes one vector: 'attention' (target attention) or 'mean'. Default: attention. */
  default Param<String> pooling() {
    return param("pooling", o -> new Param<>(o, "pooling",
        "how the encoded history becomes one vector: 'attention' (target attention) or 'mean'. Default: attention",
        ParamValidators.inArray(new String[] {ATTENTION, MEAN})), ATTENTION);
  }

  default String getPooling() {
    return getOrDefault(pooling());
  }
}
