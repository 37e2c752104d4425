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
 * Immutable (the maps
 * hold copies; do not modify their arrays).
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
    this.bestParameters = Collections.unmodifiableMap(new LinkedHashMap<>(bestParameters));
    this.finalParameters = Collections.unmodifiableMap(new LinkedHashMap<>(finalParameters));
    this.history = Collections.unmodifiableList(new ArrayList<>(history));
    this.bestEpoch = bestEpoch;
    this.stoppedEarly = stoppedEarly;
  }

  /** The parameters after the best epoch of the monitored metric. */
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
