/**
 * {@code bench resus-ml100k}: RESUS's cold-start protocol on MovieLens-100K. {@link
 * dev.sparkrec.pipelines.bench.resus.ResusMl100kBenchmark} is the suite; {@link
 * dev.sparkrec.pipelines.bench.resus.MovieLensColdStart} builds the binarised, field-encoded rows, the user split
 * and the support/query episodes; {@link dev.sparkrec.pipelines.bench.resus.SupportFineTuning} is the per-user
 * fine-tuning baseline; {@link dev.sparkrec.pipelines.bench.resus.SupportCurve} pools a system's query predictions
 * into AUC and log loss by support size and cold-start group.
 */
package dev.sparkrec.pipelines.bench.resus;
