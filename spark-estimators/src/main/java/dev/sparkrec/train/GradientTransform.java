package dev.sparkrec.train;

import dev.sparkrec.nn.Parameter;
import java.io.Serializable;
import java.util.List;

/**
 * Changes the accumulated gradients of a batch in place just before the optimizer steps, e.g. gradient
 * clipping or an L2 penalty. Called once per batch on the executor, with the model's parameters in model
 * order; sparse-row parameters hold gradients only in their touched rows. Must be serializable.
 */
@FunctionalInterface
public interface GradientTransform extends Serializable {

  /** Rewrites {@code parameters}' gradients in place. */
  void apply(List<Parameter> parameters);
}
