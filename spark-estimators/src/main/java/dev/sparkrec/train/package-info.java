/**
 * Distributed training of {@link dev.sparkrec.nn} models on Spark: the layer between a model stage's Spark
 * Params and the numeric core.
 *
 * <p>A model implements {@link dev.sparkrec.train.TrainableModel} and ships as a
 * {@link dev.sparkrec.train.ModelFactory}; a stage turns its Params into a
 * {@link dev.sparkrec.train.TrainingConfig} and calls {@link dev.sparkrec.train.Trainer#fit}, which
 * redistributes the rows into {@code numPartitions} partitions by a seeded hash of their content, caches
 * them as {@link dev.sparkrec.train.ExampleBlock}s, trains every partition locally between parameter
 * averagings merged in a fixed order, validates, stops early and returns a
 * {@link dev.sparkrec.train.TrainingResult}. The same data, seed and configuration give a bit-identical
 * model however the input DataFrames are partitioned, also after task retries and resumed checkpoints.
 */
package dev.sparkrec.train;
