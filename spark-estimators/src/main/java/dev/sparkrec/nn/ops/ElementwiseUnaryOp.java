package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * An element-wise function of one tensor, {@code y_i = f(x_i)}, with {@code dx_i = dy_i·f'(x_i, y_i)}: this base
 * allocates the output on the tape (same shape as the input), records the op when a gradient is needed and hands
 * whole arrays to the op, so an op is two small loops (tinygrad's {@code function.py} shape):
 * {@link #forward(float[], float[], int)} and {@link #backward(float[], float[], float[], float[], int)}.
 *
 * <p>Each op's loop runs over the whole array in one call, with no per-element call or object, so the JIT
 * compiles (and where it can, vectorises) each op's loop on its own.
 */
public abstract class ElementwiseUnaryOp extends Op {

  private Tensor x;
  private Tensor out;

  /** Writes {@code y[i] = f(x[i])} for {@code i < n}. */
  protected abstract void forward(float[] x, float[] y, int n);

  /** Adds {@code dy[i]·f'(x[i], y[i])} into {@code dx[i]} for {@code i < n}. */
  protected abstract void backward(float[] x, float[] y, float[] dy, float[] dx, int n);

  /** Computes this op on {@code input} into a new tape output and records the op when a gradient is needed. */
  protected final Tensor applyTo(Tape tape, Tensor input) {
    Tensor output = tape.output(input.requiresGrad(), input.shape());
    forward(input.data(), output.data(), input.size());
    if (output.requiresGrad()) {
      this.x = input;
      this.out = output;
      tape.record(this);
    }
    return output;
  }

  @Override
  protected final void backward() {
    backward(x.data(), out.data(), out.grad(), x.grad(), x.size());
  }
}
