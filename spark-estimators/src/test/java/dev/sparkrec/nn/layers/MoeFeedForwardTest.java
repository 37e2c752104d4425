package dev.sparkrec.nn.layers;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static dev.sparkrec.nn.GradientCheck.randomVariable;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Parameter;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import dev.sparkrec.nn.ops.Add;
import dev.sparkrec.nn.ops.Sigmoid;
import dev.sparkrec.nn.ops.Sum;
import dev.sparkrec.nn.ops.TopKGates;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The MoE layer: each token's output is the gate-weighted sum of its two selected experts' SwiGLU outputs
 * (recomputed by hand from the weights), and the output plus the auxiliary loss passes the gradient check.
 */
class MoeFeedForwardTest {

  @Test
  void eachTokenMixesItsTopTwoExpertsBySwigluOutputs() {
    MoeFeedForward moe = new MoeFeedForward("moe", 3, 4, 4, 2, 0.01, 9);
    Tensor x = randomVariable(1, -1, 1, 5, 3);
    Tensor y = moe.forward(new Tape(), x).y();
    List<Parameter> p = moe.parameters();
    float[] router = p.get(0).data();
    for (int t = 0; t < 5; t++) {
      float[] z = new float[4];
      for (int e = 0; e < 4; e++) {
        for (int c = 0; c < 3; c++) {
          z[e] += x.data()[t * 3 + c] * router[c * 4 + e];
        }
      }
      float[] gates = TopKGates.apply(new Tape(), Tensor.constant(z, 1, 4), 2).toArray();
      for (int c = 0; c < 3; c++) {
        double expected = 0;
        for (int e = 0; e < 4; e++) {
          expected += gates[e] * swiglu(x.data(), t, p.get(1 + 3 * e).data(), p.get(2 + 3 * e).data(),
              p.get(3 + 3 * e).data(), c);
        }
        assertEquals(expected, y.data()[t * 3 + c], 1e-5);
      }
    }
    assertEquals("moe.router moe.expert0.w1 moe.expert0.w3 moe.expert0.w2", String.join(" ",
        p.subList(0, 4).stream().map(Parameter::name).toList()));
  }

  /** Column {@code c} of (SiLU(x·W1) ⊙ x·W3)·W2 for token {@code t}, widths 3 → 4 → 3. */
  private static double swiglu(float[] x, int t, float[] w1, float[] w3, float[] w2, int c) {
    double out = 0;
    for (int j = 0; j < 4; j++) {
      double a = 0;
      double b = 0;
      for (int i = 0; i < 3; i++) {
        a += x[t * 3 + i] * w1[i * 4 + j];
        b += x[t * 3 + i] * w3[i * 4 + j];
      }
      out += a / (1 + Math.exp(-a)) * b * w2[j * 3 + c];
    }
    return out;
  }

  @Test
  void outputAndAuxiliaryLossPassTheGradientCheck() {
    MoeFeedForward moe = new MoeFeedForward("moe", 3, 4, 3, 2, 0.5, 4);
    // routing is piecewise constant: take tokens whose 2nd and 3rd router logits are > 0.05 apart, so that the
    // finite differences (steps of 1e-2) do not switch experts
    Tensor x = null;
    for (long seed = 2; x == null; seed++) {
      Tensor candidate = randomVariable(seed, -1, 1, 4, 3);
      if (routingMargin(candidate, moe.parameters().get(0).data()) > 0.05) {
        x = candidate;
      }
    }
    Tensor input = x;
    List<Input> inputs = new ArrayList<>();
    inputs.add(Input.of("x", input));
    moe.parameters().forEach(p -> inputs.add(Input.of(p)));
    assertGradients(t -> {
      MoeFeedForward.Output out = moe.forward(t, input);
      return Add.apply(t, Sum.apply(t, Sigmoid.apply(t, out.y())), out.auxLoss());
    }, inputs.toArray(new Input[0]));
  }

  /** The smallest gap between a token's 2nd and 3rd largest router logits (3 experts, width 3). */
  private static double routingMargin(Tensor x, float[] router) {
    double margin = Double.POSITIVE_INFINITY;
    for (int t = 0; t < x.rows(); t++) {
      double[] z = new double[3];
      for (int e = 0; e < 3; e++) {
        for (int c = 0; c < 3; c++) {
          z[e] += x.data()[t * 3 + c] * router[c * 3 + e];
        }
      }
      java.util.Arrays.sort(z);
      margin = Math.min(margin, z[1] - z[0]);
    }
    return margin;
  }
}
