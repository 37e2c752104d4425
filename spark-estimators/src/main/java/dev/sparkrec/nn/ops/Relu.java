package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/** {@code y = max(x, 0)} element-wise; {@code dx = dy · [y > 0]}. */
public final class Relu extends Op {

  private final Tensor x;
  private final Tensor out;

  private Relu(Tensor x, Tensor out) {
    this.x = x;
    this.out = out;
  }

  public static Tensor apply(Tape tape, Tensor x) {
    Tensor out = tape.output(x.requiresGrad(), x.shape());
    float[] xd = x.data();
    float[] od = out.data();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      od[i] = Math.max(xd[i], 0f);
    }
    if (out.requiresGrad()) {
      tape.record(new Relu(x, out));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] y = out.data();
    float[] gx = x.grad();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      if (y[i] > 0f) {
        gx[i] += g[i];
      }
    }
  }
}
