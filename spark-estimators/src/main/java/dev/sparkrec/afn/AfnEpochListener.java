package dev.sparkrec.afn;

import dev.sparkrec.train.EpochReport;

/**
 * Called on the driver after every training epoch of {@link AFN#fit} with the epoch's report and the model
 * training would return if it stopped now (the best epoch by validation so far), e.g. to plot test curves
 * in a notebook or measure time to a target AUC. Listeners are not params: they are not saved with the
 * estimator.
 */
@FunctionalInterface
public interface AfnEpochListener {

  void onEpoch(EpochReport report, AFNModel selectedSoFar);
}
