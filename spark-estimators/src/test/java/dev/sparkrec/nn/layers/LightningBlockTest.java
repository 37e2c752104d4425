package dev.sparkrec.nn.layers;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static dev.sparkrec.nn.GradientCheck.randomVariable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck;
import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.LightningAttention;
import dev.sparkrec.nn.ops.Sum;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lightning block: token-major attention equals the head-major op on the same heads, the whole block passes
 * the gradient check (every weight and the input), and a 100k-event sequence runs forward and backward.
 */
class LightningBlockTest {

  @Test
  void tokenMajorAttentionEqualsHeadMajorAttention() {
    int n = 9;
    int heads = 2;
    int d = 3;
    Tensor q = randomVariable(1, -1, 1, n, heads * d);
    Tensor k = randomVariable(2, -1, 1, n, heads * d);
    Tensor v = randomVariable(3, -1, 1, n, heads * d);
    double[] decays = {0.6, 0.95};
    float[] tokenMajor = LightningAttention.applyTokenMajor(new Tape(), q, k, v, decays, 4).toArray();
    Tensor[] headMajor = new Tensor[3];
    Tensor[] inputs = {q, k, v};
    for (int i = 0; i < 3; i++) {
      float[] data = new float[n * heads * d];
      for (int t = 0; t < n; t++) {
        for (int h = 0; h < heads; h++) {
          for (int c = 0; c < d; c++) {
            data[(h * n + t) * d + c] = inputs[i].data()[(t * heads + h) * d + c];
          }
        }
      }
      headMajor[i] = Tensor.constant(data, heads, n, d);
    }
    float[] reference = LightningAttention.apply(new Tape(), headMajor[0], headMajor[1], headMajor[2], decays, 4)
        .toArray();
    for (int t = 0; t < n; t++) {
      for (int h = 0; h < heads; h++) {
        for (int c = 0; c < d; c++) {
          assertEquals(reference[(h * n + t) * d + c], tokenMajor[(t * heads + h) * d + c], 1e-6f);
        }
      }
    }
    assertGradients(t -> LightningAttention.applyTokenMajor(t, q, k, v, decays, 4), Input.of("q", q),
        Input.of("k", k), Input.of("v", v));
  }

  @Test
  void theBlockPassesTheGradientCheck() {
    LightningBlock block = new LightningBlock("seq.block0", 4, 3, new double[] {0.5, 0.9}, 3, 7);
    Tensor x = randomVariable(4, -1, 1, 7, 4);
    List<Input> inputs = new ArrayList<>();
    inputs.add(Input.of("x", x));
    for (Parameter p : block.parameters()) {
      if (p.name().endsWith(".norm")) {
        GradientCheck.randomize(p, 5, 0.5, 1.5);
      }
      inputs.add(Input.of(p));
    }
    assertEquals(List.of("seq.block0.wq", "seq.block0.wk", "seq.block0.wv", "seq.block0.wg", "seq.block0.norm",
        "seq.block0.wo"), block.parameters().stream().map(Parameter::name).toList());
    assertGradients(t -> block.forward(t, x), inputs.toArray(new Input[0]));
    assertArrayEquals(new int[] {7, 4}, block.forward(new Tape(), x).shape());
  }

  @Test
  void theSoftmaxBlockPassesTheGradientCheckOverSegments() {
    LightningBlock block = LightningBlock.softmax("seq.block1", 4, 2, 2, 8);
    Tensor x = randomVariable(5, -1, 1, 7, 4);
    int[] offsets = {0, 3, 3, 7};
    List<Input> inputs = new ArrayList<>();
    inputs.add(Input.of("x", x));
    for (Parameter p : block.parameters()) {
      inputs.add(Input.of(p));
    }
    assertGradients(t -> block.forward(t, x, offsets), inputs.toArray(new Input[0]));
    // a segment attends only to itself: the first segment's output ignores the rest
    Tensor first = Tensor.constant(java.util.Arrays.copyOf(x.data(), 12), 3, 4);
    assertArrayEquals(block.forward(new Tape(), first).toArray(),
        java.util.Arrays.copyOf(block.forward(new Tape(), x, offsets).toArray(), 12), 1e-6f);
  }

  @Test
  void aHundredThousandEventSequenceTrainsForwardAndBackward() {
    LightningBlock block = new LightningBlock("long", 8, 4, LightningAttention.decays(2, 0, 1), 128, 3);
    Tensor x = randomVariable(6, -1, 1, 100_000, 8);
    Tape tape = new Tape();
    Tensor y = block.forward(tape, x);
    tape.backward(Sum.apply(tape, y));
    float[] grad = block.parameters().get(0).grad();
    double norm = 0;
    for (float g : grad) {
      norm += g * g;
    }
    assertTrue(Double.isFinite(norm) && norm > 0, "the query projection receives a gradient: " + norm);
  }
}
