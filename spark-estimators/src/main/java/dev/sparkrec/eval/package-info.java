/**
 * Evaluation: {@link dev.sparkrec.eval.LogLossEvaluator} and {@link dev.sparkrec.eval.GroupAucEvaluator}
 * (per-user AUC averaged with impression weights, single-class users skipped) as Spark ML
 * {@code Evaluator}s usable in {@code CrossValidator}, and {@link dev.sparkrec.eval.BinaryMetrics}, exact
 * AUC and logloss over primitive arrays for training loops. Plain AUC over a DataFrame is MLlib's
 * {@code BinaryClassificationEvaluator} (with {@code numBins = 0} for the exact value).
 */
package dev.sparkrec.eval;
