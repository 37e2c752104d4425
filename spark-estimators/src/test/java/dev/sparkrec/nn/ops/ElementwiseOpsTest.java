package dev.sparkrec.nn.ops;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static dev.sparkrec.nn.GradientCheck.randomVariable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Forward values and gradient checks of the element-wise ops: Add, Sub, Mul (with broadcasting) and unary ops. */
class ElementwiseOpsTest {

  /** Second-operand shapes for a first operand of shape [2, 3, 4]: same, row (two suffixes), column, scalar. */
  private static final int[][] SECOND_SHAPES = {{2, 3, 4}, {4}, {3, 4}, {2, 3, 1}, {1}};

  private static Tensor c(float[] data, int... shape) {
    return Tensor.constant(data, shape);
  }

  /** The gradient of Σ f(x) with respect to x. */
  private static float[] gradientOfSum(Function<Tape, Tensor> f, Tensor x) {
    java.util.Arrays.fill(x.grad(), 0f);
    Tape tape = new Tape();
    tape.backward(Sum.apply(tape, f.apply(tape)));
    return x.grad().clone();
  }

  private static void checkBroadcastGradients(String op, BiFunction<Tape, Tensor[], Tensor> apply) {
    Tensor a = randomVariable(1, -1, 1, 2, 3, 4);
    long seed = 2;
    for (int[] shape : SECOND_SHAPES) {
      Tensor b = randomVariable(seed++, -1, 1, shape);
      assertGradients(t -> apply.apply(t, new Tensor[] {a, b}), Input.of("a", a), Input.of(op + " b", b));
    }
  }

  @Test
  void addBroadcastsAndHasGradients() {
    Tape tape = new Tape();
    Tensor a = c(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertArrayEquals(new float[] {11, 22, 33, 44, 55, 66},
        Add.apply(tape, a, c(new float[] {10, 20, 30, 40, 50, 60}, 2, 3)).toArray(), "same shape");
    assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36},
        Add.apply(tape, a, c(new float[] {10, 20, 30}, 3)).toArray(), "row");
    assertArrayEquals(new float[] {11, 12, 13, 24, 25, 26},
        Add.apply(tape, a, c(new float[] {10, 20}, 2, 1)).toArray(), "column");
    assertArrayEquals(new float[] {6, 7, 8, 9, 10, 11}, Add.apply(tape, a, c(new float[] {5}, 1)).toArray(), "scalar");
    Tensor abc = c(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 2, 2, 2);
    assertArrayEquals(new float[] {100, 201, 302, 403, 104, 205, 306, 407},
        Add.apply(tape, abc, c(new float[] {100, 200, 300, 400}, 2, 2)).toArray(), "[B,K,F] + [K,F]");
    assertArrayEquals(new int[] {2, 3}, Add.apply(tape, a, c(new float[] {1, 2, 3}, 3)).shape());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Add.apply(tape, a, c(new float[] {1, 2}, 2)));
    assertTrue(e.getMessage().startsWith("Add: cannot broadcast"), e.getMessage());
    assertFalse(Add.apply(tape, a, a).requiresGrad());
    assertEquals(0, tape.recordedOps(), "constants record nothing");
    checkBroadcastGradients("Add", (t, ab) -> Add.apply(t, ab[0], ab[1]));
  }

  @Test
  void subBroadcastsAndHasGradients() {
    Tape tape = new Tape();
    Tensor a = c(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertArrayEquals(new float[] {0, 0, 0, 3, 3, 3}, Sub.apply(tape, a, c(new float[] {1, 2, 3}, 3)).toArray());
    assertArrayEquals(new float[] {-9, -8, -7, -16, -15, -14},
        Sub.apply(tape, a, c(new float[] {10, 20}, 2, 1)).toArray());
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, Sub.apply(tape, a, c(new float[] {1}, 1)).toArray());
    checkBroadcastGradients("Sub", (t, ab) -> Sub.apply(t, ab[0], ab[1]));
    Tensor x = Tensor.variable(new float[] {1, 2, 3, 4}, 2, 2);
    Tensor b = Tensor.variable(new float[] {0, 0}, 2);
    gradientOfSum(t -> Sub.apply(t, x, b), x);
    assertArrayEquals(new float[] {-2, -2}, b.grad(), "db = −Σ over the rows");
  }

  @Test
  void mulBroadcastsAndHasGradients() {
    Tape tape = new Tape();
    Tensor a = c(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertArrayEquals(new float[] {1, 4, 9, 16, 25, 36}, Mul.apply(tape, a, a).toArray());
    assertArrayEquals(new float[] {2, 0, -3, 8, 0, -6}, Mul.apply(tape, a, c(new float[] {2, 0, -1}, 3)).toArray());
    assertArrayEquals(new float[] {10, 20, 30, -4, -5, -6},
        Mul.apply(tape, a, c(new float[] {10, -1}, 2, 1)).toArray());
    assertArrayEquals(new float[] {0.5f, 1, 1.5f, 2, 2.5f, 3}, Mul.apply(tape, a, c(new float[] {0.5f}, 1)).toArray());
    checkBroadcastGradients("Mul", (t, ab) -> Mul.apply(t, ab[0], ab[1]));
    Tensor x = randomVariable(9, -1, 1, 3, 2);
    assertGradients(t -> Mul.apply(t, x, x), Input.of("x used twice", x));
  }

  @Test
  void scaleAndAddScalar() {
    Tape tape = new Tape();
    Tensor a = c(new float[] {1, -2, 3}, 3);
    assertArrayEquals(new float[] {-2, 4, -6}, Scale.apply(tape, a, -2f).toArray());
    assertArrayEquals(new float[] {1.5f, -1.5f, 3.5f}, AddScalar.apply(tape, a, 0.5f).toArray());
    Tensor x = randomVariable(3, -1, 1, 4, 2);
    assertGradients(t -> Scale.apply(t, x, -1.5f), Input.of("x", x));
    assertGradients(t -> AddScalar.apply(t, x, 3f), Input.of("x", x));
  }

  @Test
  void exp() {
    Tensor a = c(new float[] {0, 1, -2}, 3);
    assertArrayEquals(new float[] {1f, (float) Math.E, (float) Math.exp(-2)}, Exp.apply(new Tape(), a).toArray(),
        1e-6f);
    Tensor x = randomVariable(4, -2, 2, 3, 3);
    assertGradients(t -> Exp.apply(t, x), Input.of("x", x));
  }

  @Test
  void logRejectsNonPositiveValues() {
    Tensor a = c(new float[] {1, (float) Math.E, 0.25f}, 3);
    assertArrayEquals(new float[] {0f, 1f, (float) Math.log(0.25)}, Log.apply(new Tape(), a).toArray(), 1e-6f);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Log.apply(new Tape(), c(new float[] {1, 2, -0.5f}, 3)));
    assertTrue(e.getMessage().startsWith("Log:") && e.getMessage().contains("-0.5 at index 2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Log.apply(new Tape(), c(new float[] {0f}, 1)));
    assertThrows(IllegalArgumentException.class, () -> Log.apply(new Tape(), c(new float[] {Float.NaN}, 1)));
    Tensor x = randomVariable(5, 0.5, 3, 3, 3);
    assertGradients(t -> Log.apply(t, x), Input.of("x", x));
  }

  @Test
  void absHasSubgradientZeroAtZero() {
    assertArrayEquals(new float[] {2, 0, 3}, Abs.apply(new Tape(), c(new float[] {-2, 0, 3}, 3)).toArray());
    Tensor x = Tensor.variable(new float[] {-2, 0, 3}, 3);
    assertArrayEquals(new float[] {-1, 0, 1}, gradientOfSum(t -> Abs.apply(t, x), x));
    Tensor y = randomVariable(6, 0.1, 1, 4, 2);
    for (int i = 0; i < y.size(); i += 2) {
      y.data()[i] = -y.data()[i];
    }
    assertGradients(t -> Abs.apply(t, y), Input.of("y", y));
  }

  @Test
  void clampPassesTheGradientInsideTheBoundsOnly() {
    assertArrayEquals(new float[] {-1, 0.5f, 1, 1},
        Clamp.apply(new Tape(), c(new float[] {-2, 0.5f, 1, 3}, 4), -1f, 1f).toArray());
    Tensor x = Tensor.variable(new float[] {-2, 0.5f, 1, 3}, 4);
    assertArrayEquals(new float[] {0, 1, 1, 0}, gradientOfSum(t -> Clamp.apply(t, x, -1f, 1f), x),
        "0 outside, 1 inside and at the bound itself");
    assertArrayEquals(new float[] {1e-4f, 0.5f, 1, 3},
        Clamp.apply(new Tape(), x, 1e-4f, Float.POSITIVE_INFINITY).toArray(), "only a lower bound");
    assertThrows(IllegalArgumentException.class, () -> Clamp.apply(new Tape(), x, 1f, 0f));
    Tensor y = Tensor.variable(new float[] {-3, -0.5f, 0.2f, 0.7f, 2, 4}, 3, 2);
    assertGradients(t -> Clamp.apply(t, y, -1f, 1f), Input.of("y", y));
  }

  @Test
  void sigmoid() {
    float[] y = Sigmoid.apply(new Tape(), c(new float[] {0, 2, -800}, 3)).toArray();
    assertArrayEquals(new float[] {0.5f, (float) (1 / (1 + Math.exp(-2))), 0f}, y, 1e-7f);
    Tensor x = randomVariable(7, -3, 3, 4, 3);
    assertGradients(t -> Sigmoid.apply(t, x), Input.of("x", x));
  }

  @Test
  void tanh() {
    float[] y = Tanh.apply(new Tape(), c(new float[] {0, 0.5f, -1}, 3)).toArray();
    assertArrayEquals(new float[] {0f, (float) Math.tanh(0.5), (float) Math.tanh(-1)}, y, 1e-7f);
    Tensor x = randomVariable(8, -2, 2, 4, 3);
    assertGradients(t -> Tanh.apply(t, x), Input.of("x", x));
  }

  @Test
  void constantInputsGiveConstantOutputs() {
    Tape tape = new Tape();
    Tensor a = c(new float[] {1, 2}, 2);
    assertFalse(Exp.apply(tape, a).requiresGrad());
    assertSame(null, Exp.apply(tape, a).grad());
    assertEquals(0, tape.recordedOps());
  }
}
