package dev.sparkrec.nn;

/**
 * One recorded operation: its forward pass has run and saved what its backward pass needs.
 *
 * <p>Each op is one small class holding forward and backward side by side (PyTorch's autograd
 * {@code Function} shape). Backward reads the output's gradient and <b>adds</b> into the gradients
 * of the inputs that require them, so a tensor used twice receives both contributions.
 */
public abstract class Op {

  /** Propagates {@code output.grad()} to the inputs' gradients. */
  protected abstract void backward();

  /** A short name for error messages and profiles. */
  public String name() {
    return getClass().getSimpleName();
  }
}
