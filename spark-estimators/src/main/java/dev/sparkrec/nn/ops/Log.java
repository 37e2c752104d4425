package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * {@code y = ln x} element-wise; {@code dx = dy / x}. Every input must be positive: a zero, negative or NaN
 * value is an error naming the value and its index (guard with {@link Abs} and {@link Clamp} first, as AFN's
 * logarithmic layer does).
 */
public final class Log extends Op {

  private final Tensor x;
  private final Tensor out;

  private Log(Tensor x, Tensor out) {
    this.x = x;
    this.out = out;
  }

  public static Tensor apply(Tape tape, Tensor x) {
    Tensor out = tape.output(x.requiresGrad(), x.shape());
    float[] xd = x.data();
    float[] od = out.data();
    int size = x.size();
    for (int i = 0; i < size; i++) {
      float v = xd[i];
      if (!(v > 0f)) {
        throw new IllegalArgumentException("Log: input " + x + " has the non-positive value " + v + " at index " + i
            + "; clamp the input to a positive minimum first (e.g. Clamp of Abs)");
      }
      od[i] = (float) Math.log(v); // y = ln x
    }
    if (out.requiresGrad()) {
      tape.record(new Log(x, out));
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
      gx[i] += g[i] / xd[i]; // dx = dy / x
    }
  }
}
