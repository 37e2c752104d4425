package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/** {@code y = |x|} element-wise; {@code dx = dy·sign(x)}, with the subgradient 0 at 0. */
public final class Abs extends Op {

  private final Tensor x;
  private final Tensor out;

  private Abs(Tensor x, Tensor out) {
    this.x = x;
    this.out = out;
  }

  public static Tensor apply(Tape tape, Tensor x) {
    Tensor out = tape.output(x.requiresGrad(), x.shape());
    float[] xd = x.data();
    float[] od = out.data();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      od[i] = Math.abs(xd[i]); // y = |x|
    }
    if (out.requiresGrad()) {
      tape.record(new Abs(x, out));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] xd = x.data();
    float[] gx = x.grad();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      gx[i] += g[i] * Math.signum(xd[i]); // dx = dy·sign(x), 0 at 0
    }
  }
}
