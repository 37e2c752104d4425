/**
 * {@code bench seq-ml100k}: click prediction from behaviour histories on MovieLens-100K. {@link
 * dev.sparkrec.pipelines.bench.seq.SeqMl100kBenchmark} is the suite, LightningSeq against a mean-pooled history and
 * DeepFM without one; {@link dev.sparkrec.pipelines.bench.seq.MovieLensSequences} builds the target rows, each with
 * the user's earlier ratings as liked / not-liked events, split per user in time order into training, validation and
 * test targets.
 */
package dev.sparkrec.pipelines.bench.seq;
