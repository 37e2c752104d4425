package dev.sparkrec.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.layers.Embedding;
import dev.sparkrec.nn.ops.BceWithLogits;
import dev.sparkrec.nn.ops.GatherRows;
import dev.sparkrec.nn.ops.MatMul;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Adagrad's dense and lazy sparse updates and its accumulator slot. */
class AdagradTest {

  @Test
  void twoStepsMatchTheHandComputedValues() {
    Parameter theta = Parameter.dense("theta", 1);
    theta.data()[0] = 1f;
    Adagrad adagrad = new Adagrad(0.1); // initial accumulator 0.1, ε 1e-7
    assertEquals(0.1f, adagrad.slots(theta).get(0)[0]);

    // g = 0.5: a = 0.1 + 0.25 = 0.35, √a = 0.5916079783, θ = 1 − 0.1·0.5/(0.5916079783 + 1e-7) = 0.9154845888
    theta.grad()[0] = 0.5f;
    adagrad.step(List.of(theta));
    assertEquals(0.35, adagrad.slots(theta).get(0)[0], 1e-7);
    assertEquals(0.9154845888, theta.data()[0], 1e-7);

    // g = −1: a = 0.35 + 1 = 1.35, √a = 1.1618950039, θ = 0.9154845888 + 0.1/(1.1618950039 + 1e-7) = 1.0015508780
    theta.grad()[0] = -1f;
    adagrad.step(List.of(theta));
    assertEquals(1.35, adagrad.slots(theta).get(0)[0], 1e-7);
    assertEquals(1.0015508780, theta.data()[0], 1e-6);
  }

  @Test
  void zeroInitialAccumulatorGivesPyTorchsFirstStepOfLrTimesSign() {
    Parameter theta = Parameter.dense("theta", 2);
    Adagrad adagrad = new Adagrad(0.1, 0, 1e-10);
    theta.grad()[0] = 4f;
    theta.grad()[1] = -0.01f;
    adagrad.step(List.of(theta));
    // θ = −0.1·g/√(g²) = −0.1·sign(g)
    assertEquals(-0.1, theta.data()[0], 1e-7);
    assertEquals(0.1, theta.data()[1], 1e-6);
  }

  @Test
  void lazySparseUpdateEqualsTheDenseUpdateAndLeavesOtherRowsAlone() {
    Embedding embedding = new Embedding("emb", 5, 3, 0.5, 2);
    Parameter table = embedding.table();
    float[] initial = Arrays.copyOf(table.data(), table.size());
    Parameter dense = Parameter.dense("dense", 5, 3);
    System.arraycopy(table.data(), 0, dense.data(), 0, table.size());
    Adagrad sparseAdagrad = new Adagrad(0.2);
    Adagrad denseAdagrad = new Adagrad(0.2);
    for (int step = 0; step < 3; step++) {
      Tape tape = new Tape();
      int[] ids = {1, 3, 3};
      Tensor rows = GatherRows.apply(tape, table, ids, null, 3, 3, 3);
      Tensor logits = MatMul.apply(tape, rows, Tensor.constant(new float[] {1f, 2f, -1f}, 3, 1));
      tape.backward(BceWithLogits.apply(tape, logits, new float[] {1, 0, step % 2}, null));
      System.arraycopy(table.grad(), 0, dense.grad(), 0, table.size());
      sparseAdagrad.step(List.of(table));
      denseAdagrad.step(List.of(dense));
    }
    // a zero gradient changes neither accumulator nor value, so lazy and dense agree on every row
    assertArrayEquals(dense.data(), table.data());
    assertArrayEquals(denseAdagrad.slots(dense).get(0), sparseAdagrad.slots(table).get(0));
    for (int r : new int[] {0, 2, 4}) {
      assertArrayEquals(Arrays.copyOfRange(initial, r * 3, r * 3 + 3), Arrays.copyOfRange(table.data(), r * 3, r * 3 + 3));
      assertArrayEquals(new float[] {0.1f, 0.1f, 0.1f},
          Arrays.copyOfRange(sparseAdagrad.slots(table).get(0), r * 3, r * 3 + 3));
    }
    for (int i = 3; i < 6; i++) {
      assertNotEquals(initial[i], table.data()[i], "touched row 1 moved at " + i);
    }
  }

  @Test
  void slotIsStableAndStateParametersHaveNone() {
    Parameter w = Parameter.dense("w", 4);
    Adagrad adagrad = new Adagrad(0.1);
    assertSame(adagrad.slots(w).get(0), adagrad.slots(w).get(0));
    assertEquals(4, adagrad.slots(w).get(0).length);
    assertEquals(List.of(), adagrad.slots(Parameter.state("s", 2)));
  }

  @Test
  void rejectsInvalidHyperParameters() {
    assertThrows(IllegalArgumentException.class, () -> new Adagrad(-1));
    assertThrows(IllegalArgumentException.class, () -> new Adagrad(0.1, -0.1, 1e-7));
    assertThrows(IllegalArgumentException.class, () -> new Adagrad(0.1, 0.1, 0));
  }
}
