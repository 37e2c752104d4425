package dev.sparkrec.nn.layers;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static dev.sparkrec.nn.GradientCheck.randomVariable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.DropoutOp;
import dev.sparkrec.nn.ops.Relu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Mlp: parameter order and names, seeded initialisation, AFN's block order, gradients with BN and dropout. */
class MlpTest {

  private static Mlp tiny(long seed) {
    return Mlp.builder("dnn", 3).hidden(4, 3).batchNorm(true).dropout(0.25).seed(seed).build();
  }

  @Test
  void parametersInLayerOrderWithUniqueNames() {
    Mlp mlp = tiny(5);
    List<String> names = mlp.parameters().stream().map(Parameter::name).collect(Collectors.toList());
    assertEquals(List.of("dnn.hidden0.weight", "dnn.hidden0.bias", "dnn.bn0.gamma", "dnn.bn0.beta",
        "dnn.bn0.runningMean", "dnn.bn0.runningVariance", "dnn.hidden1.weight", "dnn.hidden1.bias", "dnn.bn1.gamma",
        "dnn.bn1.beta", "dnn.bn1.runningMean", "dnn.bn1.runningVariance", "dnn.output.weight", "dnn.output.bias"),
        names);
    assertArrayEquals(new int[] {3, 4}, mlp.parameters().get(0).shape());
    assertArrayEquals(new int[] {3, 1}, mlp.parameters().get(12).shape());
    assertEquals(1, mlp.outputSize());

    Mlp plain = Mlp.builder("p", 3).hidden(4).output(false).build();
    assertEquals(List.of("p.hidden0.weight", "p.hidden0.bias"),
        plain.parameters().stream().map(Parameter::name).collect(Collectors.toList()));
    assertEquals(4, plain.outputSize());
    assertThrows(IllegalArgumentException.class, () -> Mlp.builder("none", 3).output(false).build());
    assertThrows(IllegalArgumentException.class, () -> Mlp.builder("bad", 3).hidden(0));
  }

  @Test
  void theBatchNormMomentumWeighsTheOldRunningValue() {
    Tensor x = Tensor.constant(new float[] {1, -2, 3, 0.5f, -1, 2}, 3, 2);
    Mlp slow = Mlp.builder("m", 2).hidden(3).batchNorm(true).batchNormMomentum(0.99).seed(7).build();
    Mlp usual = Mlp.builder("m", 2).hidden(3).batchNorm(true).seed(7).build();
    slow.forward(new Tape(), x);
    usual.forward(new Tape(), x);
    float[] slowMean = slow.batchNorms().get(0).runningMean().data();
    float[] usualMean = usual.batchNorms().get(0).runningMean().data();
    for (int c = 0; c < 3; c++) {
      // from 0: running = (1 − m)·batch, so the two differ by the factor 0.01/0.1
      assertEquals(0.1 * usualMean[c], slowMean[c], 1e-6, "channel " + c);
    }
    assertThrows(IllegalArgumentException.class, () -> Mlp.builder("bad", 2).batchNormMomentum(1.5));
  }

  @Test
  void theSeedFixesTheWeights() {
    float[] first = tiny(5).parameters().get(0).data().clone();
    assertArrayEquals(first, tiny(5).parameters().get(0).data());
    assertFalse(Arrays.equals(first, tiny(6).parameters().get(0).data()));
    assertFalse(Arrays.equals(first, tiny(5).parameters().get(6).data()), "layers get distinct seeds");
  }

  @Test
  void blocksAreLinearReluBatchNormDropoutThenTheOutput() {
    Tensor x = randomVariable(1, -1, 1, 6, 3);
    Mlp mlp = tiny(5);
    Mlp twin = tiny(5);
    Tensor y = mlp.forward(new Tape().seed(9), x);
    assertArrayEquals(new int[] {6, 1}, y.shape());

    Tape tape = new Tape().seed(9);
    Tensor h = x;
    for (int i = 0; i < 2; i++) {
      h = Relu.apply(tape, twin.hiddenLayers().get(i).forward(tape, h));
      h = twin.batchNorms().get(i).forward(tape, h);
      h = DropoutOp.apply(tape, h, 0.25);
    }
    assertArrayEquals(twin.outputLayer().forward(tape, h).toArray(), y.toArray());

    Tensor eval = mlp.forward(new Tape().training(false), x);
    assertArrayEquals(eval.toArray(), mlp.forward(new Tape().training(false).seed(1), x).toArray(),
        "no dropout in evaluation");
    assertThrows(IllegalArgumentException.class, () -> mlp.forward(new Tape(), randomVariable(2, -1, 1, 6, 4)));
  }

  /**
   * Central differences straddle ReLU's kink when a pre-activation lies within the step (0.01) of 0, and batch
   * norm magnifies that on a channel of small variance; this instance (seed 5) keeps every first-layer
   * pre-activation at least 0.03 from 0 and every first-layer channel variance above 0.04.
   */
  @Test
  void gradientsWithBatchNormAndDropoutInTrainingMode() {
    Mlp mlp = tiny(5);
    Tensor x = randomVariable(3, -1, 1, 6, 3);
    List<Input> inputs = new ArrayList<>();
    inputs.add(Input.of("x", x));
    for (Parameter p : mlp.parameters()) {
      if (p.isTrainable()) {
        inputs.add(Input.of(p));
      }
    }
    assertGradients(t -> mlp.forward(t, x), inputs.toArray(new Input[0]));
  }
}
