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

/** The factorization machine's pairwise term: the sum over field pairs, its shape and its gradient. */
class PairwiseInteractionTest {

  @Test
  void equalsTheSumOfInnerProductsOverFieldPairs() {
    // example 0: v = [1, 2], [3, -1], [0.5, 0.5]; example 1: one field only, so no pairs
    Tensor v = Tensor.constant(new float[] {1, 2, 3, -1, 0.5f, 0.5f}, 1, 3, 2);
    // <v0,v1> + <v0,v2> + <v1,v2> = (3 - 2) + (0.5 + 1) + (1.5 - 0.5) = 3.5
    assertArrayEquals(new float[] {3.5f}, PairwiseInteraction.apply(new Tape(), v).toArray());
    Tensor single = Tensor.constant(new float[] {4, 5, 6, 7}, 2, 1, 2);
    assertArrayEquals(new float[] {0, 0}, PairwiseInteraction.apply(new Tape(), single).toArray());

    SplittableRandom random = new SplittableRandom(3);
    int batch = 4;
    int fields = 5;
    int dim = 3;
    float[] x = new float[batch * fields * dim];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    float[] y = PairwiseInteraction.apply(new Tape(), Tensor.constant(x, batch, fields, dim)).toArray();
    for (int b = 0; b < batch; b++) {
      double pairs = 0;
      for (int f = 0; f < fields; f++) {
        for (int g = f + 1; g < fields; g++) {
          for (int k = 0; k < dim; k++) {
            pairs += (double) x[(b * fields + f) * dim + k] * x[(b * fields + g) * dim + k];
          }
        }
      }
      assertEquals(pairs, y[b], 1e-5, "example " + b);
    }
    assertThrows(IllegalArgumentException.class,
        () -> PairwiseInteraction.apply(new Tape(), Tensor.constant(new float[4], 2, 2)));
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Tensor v = randomVariable(5, -1, 1, 6, 4, 3);
    assertGradients(t -> PairwiseInteraction.apply(t, v), Input.of("v", v));
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
      Tensor out = Sum.apply(tape, PairwiseInteraction.apply(tape, v));
      outs[run] = out.toArray();
      tape.backward(out);
      grads[run] = v.grad().clone();
    }
    assertArrayEquals(outs[0], outs[1]);
    assertArrayEquals(grads[0], grads[1]);
  }
}
