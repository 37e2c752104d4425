package dev.sparkrec.nn.ops;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static dev.sparkrec.nn.GradientCheck.randomVariable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Bi-interaction pooling: the sum over field pairs per dimension, its shape, the FM term it sums to, its gradient. */
class BiInteractionTest {

  @Test
  void equalsThePerDimensionSumOfProductsOverFieldPairs() {
    // v = [1, 2], [3, -1], [0.5, 0.5]
    Tensor v = Tensor.constant(new float[] {1, 2, 3, -1, 0.5f, 0.5f}, 1, 3, 2);
    // k = 0: 1·3 + 1·0.5 + 3·0.5 = 5; k = 1: 2·(-1) + 2·0.5 + (-1)·0.5 = -1.5
    Tensor y = BiInteraction.apply(new Tape(), v);
    assertArrayEquals(new int[] {1, 2}, y.shape());
    assertArrayEquals(new float[] {5f, -1.5f}, y.toArray());
    Tensor single = Tensor.constant(new float[] {4, 5, 6, 7}, 2, 1, 2);
    assertArrayEquals(new float[] {0, 0, 0, 0}, BiInteraction.apply(new Tape(), single).toArray(), "no pairs");

    SplittableRandom random = new SplittableRandom(3);
    int batch = 4;
    int fields = 5;
    int dim = 3;
    float[] x = new float[batch * fields * dim];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    float[] out = BiInteraction.apply(new Tape(), Tensor.constant(x, batch, fields, dim)).toArray();
    for (int b = 0; b < batch; b++) {
      for (int k = 0; k < dim; k++) {
        double pairs = 0;
        for (int f = 0; f < fields; f++) {
          for (int g = f + 1; g < fields; g++) {
            pairs += (double) x[(b * fields + f) * dim + k] * x[(b * fields + g) * dim + k];
          }
        }
        assertEquals(pairs, out[b * dim + k], 1e-5, "example " + b + ", dimension " + k);
      }
    }
    assertThrows(IllegalArgumentException.class,
        () -> BiInteraction.apply(new Tape(), Tensor.constant(new float[4], 2, 2)));
  }

  @Test
  void summedOverDimensionsItIsTheFactorizationMachinesPairwiseTerm() {
    Tensor v = randomVariable(4, -1, 1, 6, 4, 3);
    float[] vector = Sum.apply(new Tape(), BiInteraction.apply(new Tape(), v), 1).toArray();
    float[] scalar = PairwiseInteraction.apply(new Tape(), v).toArray();
    for (int b = 0; b < scalar.length; b++) {
      assertEquals(scalar[b], vector[b], 1e-5, "example " + b);
    }
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Tensor v = randomVariable(5, -1, 1, 6, 4, 3);
    assertGradients(t -> BiInteraction.apply(t, v), Input.of("v", v));
  }

  @Test
  void reusedTapeGivesTheSameValuesAndGradients() {
    Tensor v = randomVariable(9, -1, 1, 3, 4, 2);
    Tape tape = new Tape().training(true);
    float[][] grads = new float[2][];
    float[][] outs = new float[2][];
    for (int run = 0; run < 2; run++) {
      tape.reset();
      Arrays.fill(v.grad(), 0f);
      Tensor out = Sum.apply(tape, BiInteraction.apply(tape, v));
      outs[run] = out.toArray();
      tape.backward(out);
      grads[run] = v.grad().clone();
    }
    assertArrayEquals(outs[0], outs[1]);
    assertArrayEquals(grads[0], grads[1]);
  }
}
