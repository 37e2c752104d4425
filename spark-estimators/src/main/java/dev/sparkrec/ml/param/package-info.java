/**
 * SparkRec's shared params, each declared once: one {@code Has…} interface per param (name, doc, validator and,
 * where every stage agrees, its default), as MLlib's {@code sharedParams.scala}, and {@link
 * dev.sparkrec.ml.param.TrainingParams}, the mix-in of every estimator that trains on SparkRec's trainer, which
 * builds the trainer's configuration in one place.
 *
 * <p>A stage implements the interfaces of the params it has and {@code paramRegistry()} with a field; Spark finds
 * the params through the interfaces' accessors. Setters stay on the stages (as in MLlib), so a fitted model
 * exposes setters only for what may change after fitting (its input and output columns, its threshold).
 */
package dev.sparkrec.ml.param;
