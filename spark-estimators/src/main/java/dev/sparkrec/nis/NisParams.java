package dev.sparkrec.nis;

import dev.sparkrec.ml.param.HasValidationIndicatorCol;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;

/**
 * The params {@link NeuralInputSearch} and {@link EmbeddingDimensionsModel} share: how features are cut into
 * blocks, the search schedule and step, and how the searched weights are pruned to dimensions. Defaults are the
 * DNIS reference scripts' (10 blocks of 10%, α step 0.01, l1 1e-5), with a shorter warm start.
 */
public interface NisParams extends HasValidationIndicatorCol {

  /** Blocks per table when {@code blockFractions} is empty: equal shares of the frequency ranking (>= 1). */
  default IntParam numBlocks() {
    return param("numBlocks", o -> new IntParam(o, "numBlocks",
        "blocks per embedding table when blockFractions is empty: equal shares of the features ranked by "
            + "training frequency (>= 1). Default: 10", ParamValidators.gtEq(1)), 10);
  }

  default int getNumBlocks() {
    return (Integer) getOrDefault(numBlocks());
  }

  /**
   * Explicit block boundaries: the share of the frequency ranking each block takes, most frequent first (positive,
   * summing to 1, e.g. [0.1, 0.2, 0.2, 0.2, 0.3]); empty for {@code numBlocks} equal shares.
   */
  default DoubleArrayParam blockFractions() {
    return param("blockFractions", o -> new DoubleArrayParam(o, "blockFractions",
        "the share of the features, ranked by training frequency, that each block takes, most frequent first "
            + "(positive, summing to 1); empty for numBlocks equal shares. Default: empty"), new double[0]);
  }

  default double[] getBlockFractions() {
    return getOrDefault(blockFractions());
  }

  /** Epochs trained with the selection fixed at 1 before the search (>= 0). */
  default IntParam warmStartEpochs() {
    return param("warmStartEpochs", o -> new IntParam(o, "warmStartEpochs",
        "epochs the base model trains with every selection weight fixed at 1 before the search (>= 0; early "
            + "stopping may end it sooner). Default: 5", ParamValidators.gtEq(0)), 5);
  }

  default int getWarmStartEpochs() {
    return (Integer) getOrDefault(warmStartEpochs());
  }

  /** Search epochs after the warm start (>= 1). */
  default IntParam searchEpochs() {
    return param("searchEpochs", o -> new IntParam(o, "searchEpochs",
        "epochs of alternating training and validation steps after the warm start (>= 1). Default: 5",
        ParamValidators.gtEq(1)), 5);
  }

  default int getSearchEpochs() {
    return (Integer) getOrDefault(searchEpochs());
  }

  /** SGD step size of the selection weights (> 0). */
  default DoubleParam selectionStepSize() {
    return param("selectionStepSize", o -> new DoubleParam(o, "selectionStepSize",
        "SGD step size of the selection weights on validation batches (> 0). Default: 0.01",
        ParamValidators.gt(0)), 0.01);
  }

  default double getSelectionStepSize() {
    return (Double) getOrDefault(selectionStepSize());
  }

  /**
   * Weight of the L1 penalty on the selection weights (>= 0). The gradient is normalised per block after the
   * penalty is added, so in a table whose data gradients are far below {@code l1} the penalty alone makes a full
   * step and the table's α reach 0 whatever the value (NCF's GMF tables on MovieLens-100K at 1e-5 and 1e-6); choose
   * it on validation, 0 included.
   */
  default DoubleParam l1() {
    return param("l1", o -> new DoubleParam(o, "l1",
        "weight of the L1 penalty l1·Σ|α| added to the validation loss (>= 0). Default: 1e-5",
        ParamValidators.gtEq(0)), 1e-5);
  }

  default double getL1() {
    return (Double) getOrDefault(l1());
  }

  /**
   * Whether a base estimator retrained with the searched dimensions starts its embedding tables from the searched
   * model's (with α folded in; DNIS retrains the searched subnetwork) rather than at random.
   */
  default BooleanParam warmStart() {
    return param("warmStart", o -> new BooleanParam(o, "warmStart",
        "whether a base estimator retrained with the searched dimensions starts its embedding tables from the "
            + "searched model's embeddings with the selection weights folded in (the kept entries; DNIS retrains "
            + "the searched subnetwork) rather than at random. Default: false"), false);
  }

  default boolean getWarmStart() {
    return (Boolean) getOrDefault(warmStart());
  }

  /**
   * How the search is pruned: {@code "dimension"} keeps a dimension per frequency block (its dimensions of largest
   * α); {@code "magnitude"} folds α into the searched table and keeps its entries of largest magnitude, so every
   * feature keeps its own dimensions (DNIS's pruning of the searched embeddings).
   */
  default Param<String> pruning() {
    return param("pruning", o -> new Param<String>(o, "pruning",
        "how the search is pruned: 'dimension' keeps a dimension per frequency block (its dimensions of largest "
            + "selection weight); 'magnitude' keeps the entries of largest magnitude of the searched table with "
            + "the selection weights folded in, so every feature keeps its own dimensions. Default: dimension",
        ParamValidators.inArray(new String[] {"dimension", "magnitude"})), "dimension");
  }

  default String getPruning() {
    return getOrDefault(pruning());
  }

  /**
   * Without a budget: pruned by dimension, a block keeps the dimensions whose selection weight exceeds this; by
   * magnitude, the entries of {@code E ⊙ α} whose magnitude exceeds it ([0, 1)).
   */
  default DoubleParam pruneThreshold() {
    return param("pruneThreshold", o -> new DoubleParam(o, "pruneThreshold",
        "without a parameterBudget: pruning by dimension, a block keeps every dimension whose selection weight "
            + "exceeds this; by magnitude, the entries of the searched table (selection folded in) whose magnitude "
            + "exceeds it; in [0, 1). Default: 0.1", ParamValidators.inRange(0, 1, true, false)), 0.1);
  }

  default double getPruneThreshold() {
    return (Double) getOrDefault(pruneThreshold());
  }

  /**
   * Target stored embedding entries over all searched tables (> 0): pruned by dimension, shared by the blocks in
   * proportion to their soft dimension counts {@code Σ_j α[b, j]}; by magnitude, the entries of largest
   * {@code |E ⊙ α|}. 0 prunes by {@code pruneThreshold} instead.
   */
  default LongParam parameterBudget() {
    return param("parameterBudget", o -> new LongParam(o, "parameterBudget",
        "target number of stored embedding entries over all searched tables (> 0): pruning by dimension, shared "
            + "by the blocks in proportion to their soft dimension counts (the sum of their selection weights); by "
            + "magnitude, the entries of largest magnitude; 0 prunes by pruneThreshold instead. Default: 0", ParamValidators.gtEq(0)), 0L);
  }

  default long getParameterBudget() {
    return (Long) getOrDefault(parameterBudget());
  }
}
