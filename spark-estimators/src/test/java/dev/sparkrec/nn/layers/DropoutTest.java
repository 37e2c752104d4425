package dev.sparkrec.nn.layers;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static dev.sparkrec.nn.GradientCheck.randomVariable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.DropoutOp;
import org.junit.jupiter.api.Test;

/** Dropout layer: no parameters, the op's mask in training, the identity in evaluation, gradients. */
class DropoutTest {

  @Test
  void appliesTheOpInTrainingAndNothingInEvaluation() {
    Dropout dropout = new Dropout(0.5);
    assertTrue(dropout.parameters().isEmpty());
    Tensor x = randomVariable(1, -1, 1, 4, 5);
    assertArrayEquals(DropoutOp.apply(new Tape().seed(3), x, 0.5).toArray(),
        dropout.forward(new Tape().seed(3), x).toArray());
    assertSame(x, dropout.forward(new Tape().training(false), x));
    assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0));
  }

  @Test
  void gradientsInTrainingMode() {
    Dropout dropout = new Dropout(0.3);
    Tensor x = randomVariable(2, -1, 1, 5, 4);
    assertGradients(t -> dropout.forward(t, x), Input.of("x", x));
  }
}
