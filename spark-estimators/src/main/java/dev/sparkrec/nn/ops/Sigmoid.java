package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/** {@code y = σ(x) = 1/(1 + e^{−x})} element-wise (stable for large |x|); {@code dx = dy·y·(1 − y)}. */
public final class Sigmoid extends Op {

  private final Tensor x;
  private final Tensor out;

  private Sigmoid(Tensor x, Tensor out) {
    this.x = x;
    this.out = out;
  }

  public static Tensor apply(Tape tape, Tensor x) {
    Tensor out = tape.output(x.requiresGrad(), x.shape());
    float[] xd = x.data();
    float[] od = out.data();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      od[i] = (float) BceWithLogits.sigmoid(xd[i]); // y = 1/(1 + e^{−x})
    }
    if (out.requiresGrad()) {
      tape.record(new Sigmoid(x, out));
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
      gx[i] += g[i] * y[i] * (1f - y[i]); // dx = dy·y·(1 − y)
    }
  }
}
