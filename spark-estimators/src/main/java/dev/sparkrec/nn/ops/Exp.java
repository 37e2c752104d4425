package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/** {@code y = eˣ} element-wise; {@code dx = dy·y}. */
public final class Exp extends Op {

  private final Tensor x;
  private final Tensor out;

  private Exp(Tensor x, Tensor out) {
    this.x = x;
    this.out = out;
  }

  public static Tensor apply(Tape tape, Tensor x) {
    Tensor out = tape.output(x.requiresGrad(), x.shape());
    float[] xd = x.data();
    float[] od = out.data();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      od[i] = (float) Math.exp(xd[i]); // y = eˣ
    }
    if (out.requiresGrad()) {
      tape.record(new Exp(x, out));
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
      gx[i] += g[i] * y[i]; // dx = dy·eˣ
    }
  }
}
