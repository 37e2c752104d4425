package dev.sparkrec.eval;

/**
 * The outcome of {@link GroupAucEvaluator#evaluateDetailed}.
 *
 * @param groupAuc the impression-weighted mean of per-group AUC over the evaluated groups
 * @param evaluatedGroups groups with both classes (with positive weight), whose AUC entered the mean
 * @param skippedGroups groups left out because their AUC is undefined (a single class)
 * @param evaluatedWeight the total weight of the evaluated groups (their row count when unweighted)
 */
public record GroupAucResult(double groupAuc, long evaluatedGroups, long skippedGroups, double evaluatedWeight) {}
