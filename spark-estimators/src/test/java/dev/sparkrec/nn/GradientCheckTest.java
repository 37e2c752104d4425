package dev.sparkrec.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck.Input;
import org.junit.jupiter.api.Test;

/** The check itself can fail: an op whose backward drops a term is caught. */
class GradientCheckTest {

  /** y = a ⊙ b, with a backward that forgets the gradient with respect to b. */
  private static final class BrokenMul extends Op {
    private final Tensor a;
    private final Tensor b;
    private final Tensor out;

    private BrokenMul(Tensor a, Tensor b, Tensor out) {
      this.a = a;
      this.b = b;
      this.out = out;
    }

    static Tensor apply(Tape tape, Tensor a, Tensor b) {
      Tensor out = tape.output(true, a.shape());
      for (int i = 0; i < a.size(); i++) {
        out.data()[i] = a.data()[i] * b.data()[i];
      }
      tape.record(new BrokenMul(a, b, out));
      return out;
    }

    @Override
    protected void backward() {
      for (int i = 0; i < a.size(); i++) {
        a.grad()[i] += out.grad()[i] * b.data()[i];
        // missing: b.grad()[i] += out.grad()[i] * a.data()[i];
      }
    }
  }

  @Test
  void aDroppedBackwardTermFailsTheCheck() {
    Tensor a = GradientCheck.randomVariable(1, 0.5, 1.5, 3, 2);
    Tensor b = GradientCheck.randomVariable(2, 0.5, 1.5, 3, 2);
    double error = GradientCheck.maxRelativeError(t -> BrokenMul.apply(t, a, b), Input.of("a", a), Input.of("b", b));
    assertTrue(error > 0.5, "error " + error);
    double onlyA = GradientCheck.maxRelativeError(t -> BrokenMul.apply(t, a, b), Input.of("a", a));
    assertTrue(onlyA < GradientCheck.FLOAT_TOLERANCE, "the term that is present checks out: " + onlyA);
  }
}
