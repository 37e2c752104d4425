package dev.sparkrec.train;

import java.io.Serializable;

/**
 * Builds the model to train. It is shipped to executors: each training task builds a model with it (on the
 * sharded embedding path, takes one its JVM built for an earlier round: {@link TaskModelPool}) and then
 * overwrites every parameter it reads with the values broadcast or pulled from the driver's state, so the factory
 * must build the same parameters (names, shapes, order) wherever it runs; only the driver's initial values are
 * used.
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {

  /** A new model with initialised parameters. */
  TrainableModel create();
}
