package dev.sparkrec.nn.ops;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static dev.sparkrec.nn.GradientCheck.randomVariable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import org.junit.jupiter.api.Test;

/** Forward values and gradient checks of Sum, Mean, Softmax and MseLoss. */
class ReductionOpsTest {

  /** [[[1,2],[3,4],[5,6]], [[7,8],[9,10],[11,12]]]. */
  private static Tensor oneToTwelve() {
    float[] d = new float[12];
    for (int i = 0; i < 12; i++) {
      d[i] = i + 1;
    }
    return Tensor.constant(d, 2, 3, 2);
  }

  @Test
  void sumOverAllElementsAndEachAxis() {
    Tape tape = new Tape();
    Tensor x = oneToTwelve();
    Tensor all = Sum.apply(tape, x);
    assertArrayEquals(new int[] {1}, all.shape());
    assertEquals(78f, all.item());
    Tensor axis0 = Sum.apply(tape, x, 0);
    assertArrayEquals(new int[] {3, 2}, axis0.shape());
    assertArrayEquals(new float[] {8, 10, 12, 14, 16, 18}, axis0.toArray());
    Tensor axis1 = Sum.apply(tape, x, 1);
    assertArrayEquals(new int[] {2, 2}, axis1.shape());
    assertArrayEquals(new float[] {9, 12, 27, 30}, axis1.toArray());
    Tensor last = Sum.apply(tape, x, -1);
    assertArrayEquals(new int[] {2, 3}, last.shape());
    assertArrayEquals(new float[] {3, 7, 11, 15, 19, 23}, last.toArray());
    Tensor vector = Sum.apply(tape, Tensor.constant(new float[] {1, 2, 3}, 3), 0);
    assertArrayEquals(new int[] {1}, vector.shape());
    assertEquals(6f, vector.item());
    assertThrows(IllegalArgumentException.class, () -> Sum.apply(tape, x, 3));

    Tensor v = randomVariable(1, -1, 1, 2, 3, 4);
    assertGradients(t -> Sum.apply(t, v), Input.of("v", v));
    for (int axis = 0; axis < 3; axis++) {
      int a = axis;
      assertGradients(t -> Sum.apply(t, v, a), Input.of("v", v));
    }
  }

  @Test
  void meanOverAllElementsAndEachAxis() {
    Tape tape = new Tape();
    Tensor x = oneToTwelve();
    assertEquals(6.5f, Mean.apply(tape, x).item());
    assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9}, Mean.apply(tape, x, 0).toArray());
    assertArrayEquals(new float[] {3, 4, 9, 10}, Mean.apply(tape, x, 1).toArray());
    assertArrayEquals(new float[] {1.5f, 3.5f, 5.5f, 7.5f, 9.5f, 11.5f}, Mean.apply(tape, x, 2).toArray());

    Tensor v = randomVariable(2, -1, 1, 2, 3, 4);
    assertGradients(t -> Mean.apply(t, v), Input.of("v", v));
    for (int axis = -3; axis < 0; axis++) {
      int a = axis;
      assertGradients(t -> Mean.apply(t, v, a), Input.of("v", v));
    }
  }

  @Test
  void softmaxAlongAnAxisIsStable() {
    Tape tape = new Tape();
    double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    assertArrayEquals(new float[] {(float) (Math.exp(1) / z), (float) (Math.exp(2) / z), (float) (Math.exp(3) / z)},
        Softmax.apply(tape, Tensor.constant(new float[] {1, 2, 3}, 3), 0).toArray(), 1e-7f);
    float p = (float) (1 / (1 + Math.E));
    assertArrayEquals(new float[] {p, 1 - p}, Softmax.apply(tape, Tensor.constant(new float[] {1000, 1001}, 1, 2), 1)
        .toArray(), 1e-7f, "subtracting the maximum keeps large logits finite");
    // [[0, ln 3], [ln 3, 0]] along axis 0 (columns): each column is [1/4, 3/4] or [3/4, 1/4]
    float ln3 = (float) Math.log(3);
    assertArrayEquals(new float[] {0.25f, 0.75f, 0.75f, 0.25f},
        Softmax.apply(tape, Tensor.constant(new float[] {0, ln3, ln3, 0}, 2, 2), 0).toArray(), 1e-6f);

    Tensor v = randomVariable(3, -2, 2, 2, 3, 4);
    for (int axis = 0; axis < 3; axis++) {
      int a = axis;
      assertGradients(t -> Softmax.apply(t, v, a), Input.of("v", v));
    }
  }

  @Test
  void mseLossIsTheWeightedMeanOfSquaredErrors() {
    Tape tape = new Tape();
    Tensor p = Tensor.constant(new float[] {1, 2, 3}, 3, 1);
    Tensor y = Tensor.constant(new float[] {0, 2, 5}, 3);
    assertEquals(5f / 3f, MseLoss.apply(tape, p, y).item(), 1e-6f);
    Tensor weighted = MseLoss.apply(tape, p, y, new float[] {1, 2, 0.5f});
    assertArrayEquals(new int[] {1}, weighted.shape());
    assertEquals((1 * 1 + 2 * 0 + 0.5f * 4) / 3.5f, weighted.item(), 1e-6f);
    assertEquals(0f, MseLoss.apply(tape, p, y, new float[] {0, 0, 0}).item());
    assertThrows(IllegalArgumentException.class, () -> MseLoss.apply(tape, p, Tensor.constant(new float[2], 2)));

    Tensor pv = randomVariable(4, -1, 1, 5);
    Tensor yv = randomVariable(5, -1, 1, 5);
    assertGradients(t -> MseLoss.apply(t, pv, yv), Input.of("prediction", pv), Input.of("target", yv));
    assertGradients(t -> MseLoss.apply(t, pv, yv, new float[] {1, 2, 0.5f, 0, 3}), Input.of("prediction", pv),
        Input.of("target", yv));
  }
}
