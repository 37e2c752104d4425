package dev.sparkrec.nn.ops;

import dev.sparkrec.nn.Op;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;

/**
 * {@code y = a ⊙ b} element-wise, the second operand broadcast onto the first's shape: the same shape, one
 * element, a suffix of the first's shape ({@code [B,K,F] ⊙ [F]}) or the first's shape with the last
 * dimension 1 ({@code [B,F] ⊙ [B,1]}). Backward: {@code da = dy ⊙ b}, {@code db = Σ dy ⊙ a} over the
 * broadcast positions.
 */
public final class Mul extends Op {

  private final Tensor a;
  private final Tensor b;
  private final Broadcast layout;
  private final Tensor out;

  private Mul(Tensor a, Tensor b, Broadcast layout, Tensor out) {
    this.a = a;
    this.b = b;
    this.layout = layout;
    this.out = out;
  }

  public static Tensor apply(Tape tape, Tensor a, Tensor b) {
    Broadcast layout = Broadcast.of("Mul", a, b);
    Tensor out = tape.output(a.requiresGrad() || b.requiresGrad(), a.shape());
    float[] ad = a.data();
    float[] bd = b.data();
    float[] od = out.data();
    for (int o = 0, idx = 0; o < layout.outer; o++) {
      for (int m = 0; m < layout.mid; m++) {
        float bv = bd[m];
        for (int i = 0; i < layout.inner; i++, idx++) {
          od[idx] = ad[idx] * bv; // y = a·b
        }
      }
    }
    if (out.requiresGrad()) {
      tape.record(new Mul(a, b, layout, out));
    }
    return out;
  }

  @Override
  protected void backward() {
    float[] g = out.grad();
    float[] ad = a.data();
    float[] bd = b.data();
    float[] ga = a.requiresGrad() ? a.grad() : null;
    float[] gb = b.requiresGrad() ? b.grad() : null;
    for (int o = 0, idx = 0; o < layout.outer; o++) {
      for (int m = 0; m < layout.mid; m++) {
        float bv = bd[m];
        float s = 0f;
        for (int i = 0; i < layout.inner; i++, idx++) {
          if (ga != null) {
            ga[idx] += g[idx] * bv; // da = dy·b
          }
          s += g[idx] * ad[idx]; // db = Σ dy·a
        }
        if (gb != null) {
          gb[m] += s;
        }
      }
    }
  }
}
