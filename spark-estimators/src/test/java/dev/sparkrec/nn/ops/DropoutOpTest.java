package dev.sparkrec.nn.ops;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static dev.sparkrec.nn.GradientCheck.randomVariable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** DropoutOp: inverted scaling, a mask fixed by the tape seed, identity in evaluation mode, gradients. */
class DropoutOpTest {

  private static Tensor ones(int n) {
    float[] d = new float[n];
    Arrays.fill(d, 1f);
    return Tensor.constant(d, n);
  }

  @Test
  void dropsAboutTheRateAndScalesTheRest() {
    int n = 10_000;
    double rate = 0.3;
    float[] y = DropoutOp.apply(new Tape().seed(42), ones(n), rate).toArray();
    float keep = (float) (1 / (1 - rate));
    int dropped = 0;
    for (float v : y) {
      assertTrue(v == 0f || v == keep, "each value is 0 or 1/(1 − p): " + v);
      dropped += v == 0f ? 1 : 0;
    }
    // Binomial(10000, 0.3): mean 3000, standard deviation 45.8; 5 deviations either side
    assertTrue(Math.abs(dropped - 3000) < 230, "dropped " + dropped);
  }

  @Test
  void theTapeSeedFixesTheMask() {
    Tensor x = ones(200);
    float[] first = DropoutOp.apply(new Tape().seed(7), x, 0.5).toArray();
    float[] again = DropoutOp.apply(new Tape().seed(7), x, 0.5).toArray();
    float[] other = DropoutOp.apply(new Tape().seed(8), x, 0.5).toArray();
    assertArrayEquals(first, again);
    assertFalse(Arrays.equals(first, other));
    Tape tape = new Tape().seed(7);
    float[] streamOne = DropoutOp.apply(tape, x, 0.5).toArray();
    float[] streamTwo = DropoutOp.apply(tape, x, 0.5).toArray();
    assertFalse(Arrays.equals(streamOne, streamTwo), "two dropouts on one tape draw different masks");
  }

  @Test
  void isTheIdentityInEvaluationModeOrAtRateZero() {
    Tensor x = randomVariable(1, -1, 1, 3, 4);
    assertSame(x, DropoutOp.apply(new Tape().training(false), x, 0.5));
    assertSame(x, DropoutOp.apply(new Tape(), x, 0.0));
    assertThrows(IllegalArgumentException.class, () -> DropoutOp.apply(new Tape(), x, 1.0));
    assertThrows(IllegalArgumentException.class, () -> DropoutOp.apply(new Tape(), x, -0.1));
  }

  @Test
  void gradientsInTrainingModeWithTheMaskFixedByTheSeed() {
    Tensor x = randomVariable(2, -1, 1, 6, 5);
    assertGradients(t -> DropoutOp.apply(t, x, 0.4), Input.of("x", x));
    Tensor y = Tensor.variable(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 8);
    Tape tape = new Tape().seed(3);
    Tensor out = DropoutOp.apply(tape, y, 0.5);
    tape.backward(Sum.apply(tape, out));
    for (int i = 0; i < 8; i++) {
      assertTrue(y.grad()[i] == out.data()[i] / y.data()[i], "dx = mask at " + i);
    }
  }
}
