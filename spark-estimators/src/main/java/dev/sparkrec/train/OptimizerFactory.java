package dev.sparkrec.train;

import dev.sparkrec.nn.optim.Optimizer;
import dev.sparkrec.nn.optim.Optimizers;
import dev.sparkrec.nn.optim.Sgd;
import java.io.Serializable;

/**
 * Builds the optimizer each training task steps with, for a given learning rate. Shipped to executors, so
 * implementations must be serializable (a lambda assigned to this type is).
 */
@FunctionalInterface
public interface OptimizerFactory extends Serializable {

  /** Plain SGD, the default. */
  OptimizerFactory SGD = Sgd::new;

  /** A new optimizer with no state, stepping with {@code learningRate}. */
  Optimizer create(double learningRate);

  /**
   * The optimizer called {@code name} ("sgd", "adam", "adagrad") with its default settings; an unknown name
   * fails here, on the driver, listing the names.
   */
  static OptimizerFactory named(String name) {
    Optimizers.create(name, 1.0);
    return learningRate -> Optimizers.create(name, learningRate);
  }
}
