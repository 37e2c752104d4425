package dev.sparkrec.nn.layers;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static dev.sparkrec.nn.GradientCheck.randomVariable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.Mul;
import dev.sparkrec.nn.ops.Sum;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** BatchNorm layer: parameters, running statistics, training and evaluation values, gradients in training. */
class BatchNormTest {

  /** [[[1,2],[3,2]], [[5,2],[7,2]]]: along axis 2, channel 0 has μ 4 and σ² 5, channel 1 has μ 2 and σ² 0. */
  private static Tensor x() {
    return Tensor.constant(new float[] {1, 2, 3, 2, 5, 2, 7, 2}, 2, 2, 2);
  }

  @Test
  void parametersInOrderWithTheirInitialValues() {
    BatchNorm bn = new BatchNorm("log.bn", 3, 2);
    List<String> names = bn.parameters().stream().map(Parameter::name).collect(Collectors.toList());
    assertEquals(List.of("log.bn.gamma", "log.bn.beta", "log.bn.runningMean", "log.bn.runningVariance"), names);
    assertTrue(bn.gamma().isTrainable() && bn.beta().isTrainable());
    assertFalse(bn.runningMean().isTrainable() || bn.runningVariance().isTrainable());
    assertArrayEquals(new float[] {1, 1, 1}, bn.gamma().data());
    assertArrayEquals(new float[] {0, 0, 0}, bn.beta().data());
    assertArrayEquals(new float[] {0, 0, 0}, bn.runningMean().data());
    assertArrayEquals(new float[] {1, 1, 1}, bn.runningVariance().data());

    BatchNorm plain = new BatchNorm("plain", 3, -1, 0.99, 1e-5, false, false);
    assertNull(plain.gamma());
    assertNull(plain.beta());
    assertEquals(List.of("plain.runningMean", "plain.runningVariance"),
        plain.parameters().stream().map(Parameter::name).collect(Collectors.toList()));
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm("bad", 3, 0, 1.5, 1e-3, true, true));
    assertThrows(IllegalArgumentException.class, () -> new BatchNorm("bad", 0, 0));
  }

  @Test
  void trainingUpdatesTheRunningStatisticsAndEvaluationUsesThem() {
    BatchNorm bn = new BatchNorm("bn", 2, 2);
    Tensor y = bn.forward(new Tape(), x());
    float s = (float) (1 / Math.sqrt(5 + BatchNorm.DEFAULT_EPS));
    assertArrayEquals(new float[] {-3 * s, 0, -s, 0, s, 0, 3 * s, 0}, y.toArray(), 1e-6f);
    // running = 0.9·running + 0.1·batch, from 0 and 1
    assertArrayEquals(new float[] {0.4f, 0.2f}, bn.runningMean().data(), 1e-6f);
    assertArrayEquals(new float[] {1.4f, 0.9f}, bn.runningVariance().data(), 1e-6f);
    bn.forward(new Tape(), x());
    assertArrayEquals(new float[] {0.76f, 0.38f}, bn.runningMean().data(), 1e-6f);
    assertArrayEquals(new float[] {1.76f, 0.81f}, bn.runningVariance().data(), 1e-6f);

    Tensor z = bn.forward(new Tape().training(false), x());
    assertArrayEquals(new float[] {0.76f, 0.38f}, bn.runningMean().data(), 1e-6f, "evaluation leaves them alone");
    double s0 = 1 / Math.sqrt(1.76 + 1e-3);
    double s1 = 1 / Math.sqrt(0.81 + 1e-3);
    assertArrayEquals(new float[] {(float) ((1 - 0.76) * s0), (float) ((2 - 0.38) * s1), (float) ((3 - 0.76) * s0),
        (float) ((2 - 0.38) * s1), (float) ((5 - 0.76) * s0), (float) ((2 - 0.38) * s1), (float) ((7 - 0.76) * s0),
        (float) ((2 - 0.38) * s1)}, z.toArray(), 1e-5f);
  }

  /**
   * A neuron whose outputs spread beyond √Float.MAX_VALUE ≈ 1.8e19 (AFN's logarithmic neurons reach 1e26) has a
   * batch variance beyond the float range: the running variance saturates at Float.MAX_VALUE instead of becoming
   * infinite, and the outputs and gradients, in training and in evaluation, stay finite.
   */
  @Test
  void aHugeActivationKeepsFiniteRunningStatisticsOutputsAndGradients() {
    BatchNorm bn = new BatchNorm("expNorm", 2, -1);
    float[] values = {1e19f, 0.5f, 5e19f, -0.25f, 1e20f, 1f, 2e19f, 0f}; // channel 0 huge, channel 1 ordinary
    Tensor x = Tensor.variable(values.clone(), 4, 2);
    double mu = (1e19 + 5e19 + 1e20 + 2e19) / 4;
    double sigma = Math.sqrt((Math.pow(1e19 - mu, 2) + Math.pow(5e19 - mu, 2) + Math.pow(1e20 - mu, 2)
        + Math.pow(2e19 - mu, 2)) / 4); // σ² ≈ 1.2e39 > Float.MAX_VALUE
    Tensor weights = Tensor.constant(new float[] {1, 2, -1, 3, 0.5f, -2, 2, 1}, 4, 2);
    for (int step = 0; step < 200; step++) {
      Arrays.fill(x.grad(), 0f);
      Tape tape = new Tape();
      Tensor y = bn.forward(tape, x);
      assertFinite("training output", y.toArray());
      assertEquals((1e20 - mu) / sigma, y.data()[4], 1e-5, "normalised with the double-precision statistics");
      tape.backward(Sum.apply(tape, Mul.apply(tape, y, weights)));
      assertFinite("input gradient", x.grad());
      assertFinite("γ gradient", bn.gamma().grad());
      assertFinite("running mean", bn.runningMean().data());
      assertFinite("running variance", bn.runningVariance().data());
    }
    assertTrue(bn.runningVariance().data()[0] > 0.999f * Float.MAX_VALUE, "saturated at the float range");
    assertEquals(mu, bn.runningMean().data()[0], 1e-5 * mu);

    Tape eval = new Tape().training(false);
    Tensor z = bn.forward(eval, x);
    assertFinite("evaluation output", z.toArray());
    Arrays.fill(x.grad(), 0f);
    eval.backward(Sum.apply(eval, z));
    assertFinite("evaluation input gradient", x.grad());
  }

  private static void assertFinite(String what, float[] values) {
    for (int i = 0; i < values.length; i++) {
      assertTrue(Float.isFinite(values[i]), what + " at index " + i + " is " + values[i]);
    }
  }

  @Test
  void gradientsInTrainingMode() {
    BatchNorm perField = new BatchNorm("bn", 4, 2);
    GradientCheck.randomize(perField.gamma(), 1, 0.5, 1.5);
    GradientCheck.randomize(perField.beta(), 2, -1, 1);
    Tensor logs = randomVariable(3, -1, 1, 3, 2, 4); // [B, K, F]: AFN's per-field normalisation of the log layer
    assertGradients(t -> perField.forward(t, logs), Input.of("x", logs), Input.of(perField.gamma()),
        Input.of(perField.beta()));

    BatchNorm perNeuron = new BatchNorm("mlp.bn", 3, -1);
    GradientCheck.randomize(perNeuron.gamma(), 4, 0.5, 1.5);
    Tensor h = randomVariable(5, -1, 1, 6, 3);
    assertGradients(t -> perNeuron.forward(t, h), Input.of("h", h), Input.of(perNeuron.gamma()),
        Input.of(perNeuron.beta()));
  }
}
