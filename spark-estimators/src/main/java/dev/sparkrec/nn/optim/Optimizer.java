package dev.sparkrec.nn.optim;

import dev.sparkrec.nn.Parameter;
import java.util.List;

/**
 * Updates parameters from their accumulated gradients. Sparse-row parameters are updated lazily: only
 * the rows the batch touched. After {@link #step} every gradient is zero again.
 *
 * <p>Per-parameter state (e.g. Adam's moments) lives in {@link #slots}: arrays of the parameter's size,
 * exposed so the trainer can checkpoint them and average them across partitions like the parameters.
 */
public abstract class Optimizer {

  private double learningRate;
  private long steps;

  protected Optimizer(double learningRate) {
    setLearningRate(learningRate);
  }

  public double learningRate() {
    return learningRate;
  }

  /** Sets the step size (> 0), e.g. when the trainer decays it on a plateau. */
  public void setLearningRate(double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("learning rate must be positive and finite, got " + value);
    }
    learningRate = value;
  }

  /** Number of steps taken so far (Adam's bias correction uses it). */
  public long steps() {
    return steps;
  }

  /** Restores the step count, e.g. from a checkpoint. */
  public void setSteps(long value) {
    steps = value;
  }

  /** Applies one update to every trainable parameter, then zeroes all gradients. */
  public final void step(List<Parameter> parameters) {
    steps++;
    for (Parameter p : parameters) {
      if (p.isTrainable()) {
        update(p);
      }
      p.zeroGrad();
    }
  }

  /** Updates {@code p} from {@code p.grad()}: all elements, or only the touched rows of a sparse-row parameter. */
  protected abstract void update(Parameter p);

  /**
   * The state arrays of {@code p} (each of {@code p.size()} floats), created on demand and created anew when
   * {@code p.size()} changed (a {@linkplain Parameter#compact compact} table given room for more or fewer rows);
   * none for plain SGD.
   */
  public abstract List<float[]> slots(Parameter p);
}
