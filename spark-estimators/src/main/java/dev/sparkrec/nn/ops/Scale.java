package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/** {@code y = c·x} for a constant {@code c}; {@code dx = c·dy}. */
public final class Scale extends Op {

  private final Tensor x;
  private final float c;
  private final Tensor out;

  private Scale(Tensor x, float c, Tensor out) {
    this.x = x;
    this.c = c;
    this.out = out;
  }

  public static Tensor apply(Tape tape, Tensor x, float c) {
    Tensor out = tape.output(x.requiresGrad(), x.shape());
    float[] xd = x.data();
    float[] od = out.data();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      od[i] = c * xd[i]; // y = c·x
    }
    if (out.requiresGrad()) {
      tape.record(new Scale(x, c, out));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] gx = x.grad();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      gx[i] += c * g[i]; // dx = c·dy
    }
  }
}
