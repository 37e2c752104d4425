package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * {@code y = a + b} element-wise, the second operand broadcast onto the first's shape: the same shape, one
 * element, a suffix of the first's shape ({@code [B,K,F] + [K,F]}) or the first's shape with the last
 * dimension 1 ({@code [B,F] + [B,1]}). Backward: {@code da = dy}, {@code db = Σ dy} over the broadcast
 * positions.
 */
public final class Add extends Op {

  private final Tensor a;
  private final Tensor b;
  private final Broadcast layout;
  private final Tensor out;

  private Add(Tensor a, Tensor b, Broadcast layout, Tensor out) {
    this.a = a;
    this.b = b;
    this.layout = layout;
    this.out = out;
  }

  public static Tensor apply(Tape tape, Tensor a, Tensor b) {
    Broadcast layout = Broadcast.of("Add", a, b);
    Tensor out = tape.output(a.requiresGrad() || b.requiresGrad(), a.shape());
    float[] ad = a.data();
    float[] bd = b.data();
    float[] od = out.data();
    for (int o = 0, idx = 0; o < layout.outer; o++) {
      for (int m = 0; m < layout.mid; m++) {
        float bv = bd[m];
        for (int i = 0; i < layout.inner; i++, idx++) {
          od[idx] = ad[idx] + bv; // y = a + b
        }
      }
    }
    if (out.requiresGrad()) {
      tape.record(new Add(a, b, layout, out));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    if (a.requiresGrad()) {
      float[] ga = a.grad();
      int size = a.size();
      for (int i = 0; i < size; i++) {
        ga[i] += g[i];
      }
    }
    if (b.requiresGrad()) {
      layout.reduceInto(g, b.grad(), 1f);
    }
  }
}
