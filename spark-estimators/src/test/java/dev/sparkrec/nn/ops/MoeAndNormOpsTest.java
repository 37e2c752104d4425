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

/**
 * The ops of a lightning block and its mixture of experts: top-k routing gates and the load-balancing loss against
 * hand-computed values, SiLU and RMSNorm against their formulas, and gradient checks of all four.
 */
class MoeAndNormOpsTest {

  @Test
  void topTwoGatesAreTheSoftmaxRenormalisedOverTheTwoLargestLogits() {
    Tensor z = Tensor.constant(new float[] {1, 3, 2, 0, 0, 0, 0, 5}, 2, 4);
    assertArrayEquals(new int[] {1, 2, 3, 0}, TopKGates.selected(z, 2), "ties go to the lower expert");
    Tensor g = TopKGates.apply(new Tape(), z, 2);
    float s1 = (float) (1 / (1 + Math.exp(-1))); // e³/(e³ + e²) = σ(1)
    float s5 = (float) (1 / (1 + Math.exp(-5))); // e⁵/(e⁵ + e⁰) = σ(5)
    assertArrayEquals(new float[] {0, s1, 1 - s1, 0, 1 - s5, 0, 0, s5}, g.toArray(), 1e-6f);
    assertThrows(IllegalArgumentException.class, () -> TopKGates.apply(new Tape(), z, 5));
  }

  @Test
  void loadBalancingLossIsAlphaOverExpertsTimesSumOfFractionTimesMeanProbability() {
    // balanced: every expert gets half the tokens' top-2 slots, Σ f_i m_i = ½·Σ m_i = ½
    Tensor balanced = Tensor.constant(new float[] {1, 3, 2, 0, 0, 0, 0, 5}, 2, 4);
    assertEquals(0.01 * 0.5 / 4, LoadBalancingLoss.apply(new Tape(), balanced, 2, 0.01).item(), 1e-9);
    // collapsed: both tokens pick experts 0 and 1 (f = 1, 1, 0, 0); m = softmax(3, 2, 0, 0)
    Tensor collapsed = Tensor.constant(new float[] {3, 2, 0, 0, 3, 2, 0, 0}, 2, 4);
    double sum = Math.exp(3) + Math.exp(2) + 2;
    double expected = 0.01 / 4 * (Math.exp(3) / sum + Math.exp(2) / sum); // 0.0023303
    assertEquals(expected, LoadBalancingLoss.apply(new Tape(), collapsed, 2, 0.01).item(), 1e-8);
    assertEquals(0.0023303, expected, 1e-6);
  }

  @Test
  void routingGradients() {
    Tensor z = randomVariable(1, -2, 2, 5, 4);
    assertGradients(t -> TopKGates.apply(t, z, 2), Input.of("z", z));
    assertGradients(t -> LoadBalancingLoss.apply(t, z, 2, 1.0), Input.of("z", z));
  }

  @Test
  void siluAndRmsNormValuesAndGradients() {
    Tensor x = Tensor.variable(new float[] {-1, 0, 2}, 3);
    assertArrayEquals(new float[] {(float) (-1 / (1 + Math.E)), 0, (float) (2 / (1 + Math.exp(-2)))},
        Silu.apply(new Tape(), x).toArray(), 1e-6f);
    Tensor row = Tensor.variable(new float[] {3, 4, 0, 0, 1, 1}, 2, 3);
    Tensor w = Tensor.variable(new float[] {1, 2, 0.5f}, 3);
    float r0 = (float) Math.sqrt(25.0 / 3);
    float r1 = (float) Math.sqrt(2.0 / 3);
    assertArrayEquals(new float[] {3 / r0, 8 / r0, 0, 0, 2 / r1, 0.5f / r1},
        RmsNorm.apply(new Tape(), row, w, 0).toArray(), 1e-5f);
    Tensor y = randomVariable(2, -2, 2, 4, 5);
    Tensor weight = randomVariable(3, 0.5, 1.5, 5);
    assertGradients(t -> Silu.apply(t, y), Input.of("x", y));
    assertGradients(t -> RmsNorm.apply(t, y, weight, 1e-6), Input.of("x", y), Input.of("w", weight));
    assertThrows(IllegalArgumentException.class, () -> RmsNorm.apply(new Tape(), y, w, 1e-6));
  }
}
