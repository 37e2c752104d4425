package dev.sparkrec.train;

import dev.sparkrec.nn.Module;
import dev.sparkrec.nn.ParameterValues;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link Trainer#fit}: the best epoch's parameters (the model to use), the last epoch's
 * parameters, both by name in model order, the per-epoch history, the best epoch and its {@link #summary()}.
 * Immutable (the maps hold copies, or are {@link TrainedParameters}; do not modify their arrays).
 */
public final class TrainingResult implements Serializable {

  private static final long serialVersionUID = 1L;

  private final Map<String, float[]> bestParameters;
  private final Map<String, float[]> finalParameters;
  private final List<EpochReport> history;
  private final int bestEpoch;
  private final boolean stoppedEarly;
  private final TrainingSummary summary;

  TrainingResult(Map<String, float[]> bestParameters, Map<String, float[]> finalParameters,
      List<EpochReport> history, int bestEpoch, boolean stoppedEarly) {
    this.summary = new TrainingSummary(history, bestEpoch,
        stoppedEarly ? TrainingSummary.EARLY_STOPPING : TrainingSummary.MAX_ITER);
    this.bestParameters = unmodifiable(bestParameters);
    this.finalParameters = bestParameters == finalParameters ? this.bestParameters : unmodifiable(finalParameters);
    this.history = Collections.unmodifiableList(new ArrayList<>(history));
    this.bestEpoch = bestEpoch;
    this.stoppedEarly = stoppedEarly;
  }

  /** {@code parameters} as they are when they are a sharded run's (unmodifiable already), else a copy. */
  private static Map<String, float[]> unmodifiable(Map<String, float[]> parameters) {
    return parameters instanceof TrainedParameters ? parameters
        : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  /**
   * The parameters after the best epoch of the monitored metric. On the sharded embedding sync the embedding tables
   * stay in the cluster until they are read or saved ({@link TrainedParameters}).
   */
  public Map<String, float[]> bestParameters() {
    return bestParameters;
  }

  /** The parameters after the last epoch trained. */
  public Map<String, float[]> finalParameters() {
    return finalParameters;
  }

  /** One report per epoch trained, including epochs before a resumed checkpoint. */
  public List<EpochReport> history() {
    return history;
  }

  /** The 1-based epoch whose parameters {@link #bestParameters()} holds. */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** True when early stopping ended training before maxEpochs. */
  public boolean stoppedEarly() {
    return stoppedEarly;
  }

  /** The history, best epoch and stop reason, as a fitted model keeps them. */
  public TrainingSummary summary() {
    return summary;
  }

  /**
   * Copies the best parameters into {@code model}'s parameters of the same names ({@link ParameterValues#copyInto}:
   * the model must have exactly the trained parameters); returns {@code model}.
   */
  public <M extends Module> M copyBestInto(M model) {
    ParameterValues.copyInto(model.parameters(), bestParameters);
    return model;
  }
}
