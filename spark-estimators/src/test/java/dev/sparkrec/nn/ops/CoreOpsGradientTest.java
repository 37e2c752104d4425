package dev.sparkrec.nn.ops;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static dev.sparkrec.nn.GradientCheck.randomVariable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import org.junit.jupiter.api.Test;

/** Forward values and gradient checks of MatMul, AddBias, Relu, GatherRows and BceWithLogits. */
class CoreOpsGradientTest {

  @Test
  void matMulForwardIsTheMatrixProduct() {
    Tape tape = new Tape();
    Tensor a = Tensor.constant(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor b = Tensor.constant(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
    assertArrayEquals(new float[] {4, 5, 10, 11}, MatMul.apply(tape, a, b).toArray());
    Tensor bt = Tensor.constant(new float[] {1, 0, 1, 0, 1, 1}, 2, 3); // b transposed
    assertArrayEquals(new float[] {4, 5, 10, 11}, MatMul.apply(tape, a, bt, true).toArray());
    assertThrows(IllegalArgumentException.class, () -> MatMul.apply(tape, a, a));
  }

  @Test
  void matMulGradients() {
    Tensor a = randomVariable(1, -1, 1, 2, 4, 3); // [batch 2, rows 4, k 3] seen as 8 × 3
    Tensor b = randomVariable(2, -1, 1, 3, 5);
    assertGradients(t -> MatMul.apply(t, a, b), Input.of("a", a), Input.of("b", b));
    Tensor bt = randomVariable(3, -1, 1, 5, 3);
    assertGradients(t -> MatMul.apply(t, a, bt, true), Input.of("a", a), Input.of("bt", bt));
  }

  @Test
  void addBiasGradients() {
    Tensor x = randomVariable(4, -1, 1, 6, 4);
    Tensor bias = randomVariable(5, -1, 1, 4);
    assertGradients(t -> AddBias.apply(t, x, bias), Input.of("x", x), Input.of("bias", bias));
  }

  @Test
  void reluGradients() {
    Tensor x = randomVariable(6, 0.1, 1, 5, 4);
    for (int i = 0; i < x.size(); i += 2) {
      x.data()[i] = -x.data()[i]; // half negative, all at least 0.1 from the kink
    }
    assertGradients(t -> Relu.apply(t, x), Input.of("x", x));
    assertEquals(0f, Relu.apply(new Tape(), x).data()[0]);
  }

  @Test
  void gatherRowsScalesRowsAndHasSparseGradients() {
    Parameter table = Parameter.sparseRows("emb", 10, 3);
    GradientCheck.randomize(table, 7, -1, 1);
    int[] ids = {4, 1, 4, 9};
    float[] scales = {0.5f, 1f, 2f, 0.25f};
    Tensor out = GatherRows.apply(new Tape(), table, ids, scales, 4, 2, 2, 3);
    assertEquals(table.data()[4 * 3 + 1] * 2f, out.data()[2 * 3 + 1]);
    assertGradients(t -> GatherRows.apply(t, table, ids, scales, 4, 2, 2, 3), Input.of(table));

    Tape tape = new Tape();
    Tensor y = GatherRows.apply(tape, table, ids, null, 4, 4, 3);
    tape.backward(BceWithLogits.apply(tape, MatMul.apply(tape, y, Tensor.constant(new float[] {1, 1, 1}, 3, 1)),
        new float[] {1, 0, 1, 0}, null));
    assertEquals(3, table.touchedCount(), "rows 4, 1 and 9");
    for (int row = 0; row < 10; row++) {
      boolean used = row == 1 || row == 4 || row == 9;
      double norm = 0;
      for (int j = 0; j < 3; j++) {
        norm += Math.abs(table.grad()[row * 3 + j]);
      }
      assertEquals(used, norm > 0, "row " + row);
    }
    table.zeroGrad();
    assertEquals(0, table.touchedCount());
    for (float g : table.grad()) {
      assertEquals(0f, g);
    }
    assertThrows(IllegalArgumentException.class,
        () -> GatherRows.apply(new Tape(), table, new int[] {10}, null, 1, 1, 3));
  }

  @Test
  void bceWithLogitsValueAndGradients() {
    Tensor z = Tensor.variable(new float[] {0f, 2f, -3f, 40f}, 4);
    float[] y = {1f, 0f, 0f, 1f};
    float[] w = {1f, 2f, 1f, 0.5f};
    Tensor loss = BceWithLogits.apply(new Tape(), z, y, w);
    double expected = (1 * Math.log(2) + 2 * (2 + Math.log1p(Math.exp(-2))) + 1 * Math.log1p(Math.exp(-3))
        + 0.5 * Math.log1p(Math.exp(-40))) / 4.5;
    assertEquals(expected, loss.item(), 1e-6);
    Tensor zc = randomVariable(8, -3, 3, 6);
    float[] yc = {1, 0, 1, 1, 0, 0};
    assertGradients(t -> BceWithLogits.apply(t, zc, yc, null), Input.of("z", zc));
    assertGradients(t -> BceWithLogits.apply(t, zc, yc, new float[] {1, 2, 3, 0.5f, 1, 1}), Input.of("z", zc));
    assertTrue(Float.isFinite(BceWithLogits.apply(new Tape(), Tensor.constant(new float[] {-500f}, 1),
        new float[] {1f}, null).item()), "stable for large |z|");
  }
}
