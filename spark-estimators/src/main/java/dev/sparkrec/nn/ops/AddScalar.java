package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/** {@code y = x + c} for a constant {@code c}; {@code dx = dy}. */
public final class AddScalar extends Op {

  private final Tensor x;
  private final Tensor out;

  private AddScalar(Tensor x, Tensor out) {
    this.x = x;
    this.out = out;
  }

  public static Tensor apply(Tape tape, Tensor x, float c) {
    Tensor out = tape.output(x.requiresGrad(), x.shape());
    float[] xd = x.data();
    float[] od = out.data();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      od[i] = xd[i] + c; // y = x + c
    }
    if (out.requiresGrad()) {
      tape.record(new AddScalar(x, out));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] gx = x.grad();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      gx[i] += g[i]; // dx = dy
    }
  }
}
