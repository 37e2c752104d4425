package dev.sparkrec.nn.ops;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static dev.sparkrec.nn.GradientCheck.randomVariable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import org.junit.jupiter.api.Test;

/** Forward values and gradient checks of Reshape, Transpose, Concat, StopGradient and BatchedMatMul. */
class ShapeOpsTest {

  @Test
  void reshapeIsAViewThatPassesTheGradient() {
    Tape tape = new Tape();
    Tensor x = Tensor.constant(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor y = Reshape.apply(tape, x, 3, -1);
    assertArrayEquals(new int[] {3, 2}, y.shape());
    assertSame(x.data(), y.data(), "shares the data");
    assertArrayEquals(new int[] {6}, Reshape.apply(tape, x, 6).shape());
    assertThrows(IllegalArgumentException.class, () -> Reshape.apply(tape, x, 4, -1));
    assertThrows(IllegalArgumentException.class, () -> Reshape.apply(tape, x, 5));
    assertThrows(IllegalArgumentException.class, () -> Reshape.apply(tape, x, -1, -1));

    Tensor v = randomVariable(1, -1, 1, 2, 3, 4);
    assertGradients(t -> Reshape.apply(t, v, 6, 4), Input.of("v", v));
    // the view feeds an op that treats rows differently: [2,12] rows scaled by a column
    Tensor w = randomVariable(2, -1, 1, 2, 1);
    assertGradients(t -> Mul.apply(t, Reshape.apply(t, v, 2, -1), w), Input.of("v", v), Input.of("w", w));
  }

  @Test
  void transposeSwapsTheLastTwoAxes() {
    Tape tape = new Tape();
    Tensor x = Tensor.constant(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 2, 3);
    Tensor y = Transpose.apply(tape, x);
    assertArrayEquals(new int[] {2, 3, 2}, y.shape());
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12}, y.toArray());
    assertArrayEquals(new float[] {1, 3, 2, 4},
        Transpose.apply(tape, Tensor.constant(new float[] {1, 2, 3, 4}, 2, 2)).toArray());
    assertThrows(IllegalArgumentException.class, () -> Transpose.apply(tape, Tensor.constant(new float[3], 3)));

    Tensor v = randomVariable(3, -1, 1, 2, 3, 4);
    assertGradients(t -> Transpose.apply(t, v), Input.of("v", v));
  }

  @Test
  void concatJoinsAlongTheLastAxis() {
    Tape tape = new Tape();
    Tensor a = Tensor.constant(new float[] {1, 2, 3, 4}, 2, 2);
    Tensor b = Tensor.constant(new float[] {5, 6}, 2, 1);
    Tensor c = Tensor.constant(new float[] {7, 8, 9, 10, 11, 12}, 2, 3);
    Tensor y = Concat.apply(tape, a, b, c);
    assertArrayEquals(new int[] {2, 6}, y.shape());
    assertArrayEquals(new float[] {1, 2, 5, 7, 8, 9, 3, 4, 6, 10, 11, 12}, y.toArray());
    assertThrows(IllegalArgumentException.class, () -> Concat.apply(tape, a));
    assertThrows(IllegalArgumentException.class, () -> Concat.apply(tape, a, Tensor.constant(new float[3], 3, 1)));

    Tensor u = randomVariable(4, -1, 1, 2, 3, 2);
    Tensor v = randomVariable(5, -1, 1, 2, 3, 4);
    Tensor w = randomVariable(6, -1, 1, 2, 3, 1);
    assertGradients(t -> Concat.apply(t, u, v, w), Input.of("u", u), Input.of("v", v), Input.of("w", w));
    Tensor constant = Tensor.constant(new float[6], 2, 3, 1);
    assertGradients(t -> Concat.apply(t, constant, v), Input.of("v", v));
  }

  @Test
  void stopGradientBlocksTheBackwardPass() {
    Tape tape = new Tape();
    Tensor x = Tensor.variable(new float[] {1, -2, 3}, 3);
    Tensor s = StopGradient.apply(tape, x);
    assertFalse(s.requiresGrad());
    assertArrayEquals(x.toArray(), s.toArray());
    assertEquals(0, tape.recordedOps());
    // L = Σ x·sg(x): dL/dx = sg(x) = x, not 2x
    tape.backward(Sum.apply(tape, Mul.apply(tape, x, s)));
    assertArrayEquals(new float[] {1, -2, 3}, x.grad());

    Tensor v = randomVariable(7, -1, 1, 3, 2);
    Tensor w = randomVariable(8, -1, 1, 3, 2);
    double error = GradientCheck.maxRelativeError(
        t -> Add.apply(t, v, StopGradient.apply(t, Mul.apply(t, v, w))), Input.of("v", v));
    assertTrue(error > 0.1, "a finite difference sees through the stop, the gradient does not: " + error);
  }

  @Test
  void batchedMatMulMultipliesEachBatchItem() {
    Tape tape = new Tape();
    // A_0 = [[1,2],[3,4]], A_1 = [[0,1],[1,0]]; B_0 = [[1,0,2],[0,1,3]], B_1 = [[1,2,3],[4,5,6]]
    Tensor a = Tensor.constant(new float[] {1, 2, 3, 4, 0, 1, 1, 0}, 2, 2, 2);
    Tensor b = Tensor.constant(new float[] {1, 0, 2, 0, 1, 3, 1, 2, 3, 4, 5, 6}, 2, 2, 3);
    Tensor c = BatchedMatMul.apply(tape, a, b);
    assertArrayEquals(new int[] {2, 2, 3}, c.shape());
    assertArrayEquals(new float[] {1, 2, 8, 3, 4, 18, 4, 5, 6, 1, 2, 3}, c.toArray());
    // A_0ᵀ = [[1,3],[2,4]]: A_0ᵀ·B_0 = [[1,3,11],[2,4,16]]; A_1ᵀ = A_1
    assertArrayEquals(new float[] {1, 3, 11, 2, 4, 16, 4, 5, 6, 1, 2, 3},
        BatchedMatMul.apply(tape, a, b, true, false).toArray());
    // B_bᵀ (3×2)·A_b (2×2)
    Tensor btA = BatchedMatMul.apply(tape, b, a, true, false);
    assertArrayEquals(new int[] {2, 3, 2}, btA.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 11, 16, 4, 1, 5, 2, 6, 3}, btA.toArray());
    // A·Aᵀ: A_0·A_0ᵀ = [[5,11],[11,25]]
    assertArrayEquals(new float[] {5, 11, 11, 25, 1, 0, 0, 1}, BatchedMatMul.apply(tape, a, a, false, true).toArray());
    assertThrows(IllegalArgumentException.class, () -> BatchedMatMul.apply(tape, b, b));
    assertThrows(IllegalArgumentException.class,
        () -> BatchedMatMul.apply(tape, a, Tensor.constant(new float[12], 3, 2, 2)));

    Tensor u = randomVariable(9, -1, 1, 3, 2, 4);  // [batch, m=2, k=4]
    Tensor ut = randomVariable(10, -1, 1, 3, 4, 2); // [batch, k=4, m=2]
    Tensor v = randomVariable(11, -1, 1, 3, 4, 5);  // [batch, k=4, n=5]
    Tensor vt = randomVariable(12, -1, 1, 3, 5, 4); // [batch, n=5, k=4]
    assertGradients(t -> BatchedMatMul.apply(t, u, v), Input.of("u", u), Input.of("v", v));
    assertGradients(t -> BatchedMatMul.apply(t, ut, v, true, false), Input.of("ut", ut), Input.of("v", v));
    assertGradients(t -> BatchedMatMul.apply(t, u, vt, false, true), Input.of("u", u), Input.of("vt", vt));
    assertGradients(t -> BatchedMatMul.apply(t, ut, vt, true, true), Input.of("ut", ut), Input.of("vt", vt));
    assertGradients(t -> BatchedMatMul.apply(t, u, u, false, true), Input.of("u used twice", u));
  }
}
