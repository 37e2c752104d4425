package dev.sparkrec.nn.ops;

import static dev.sparkrec.nn.GradientCheck.assertGradients;
import static dev.sparkrec.nn.GradientCheck.randomVariable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.nn.GradientCheck.Input;
import dev.sparkrec.nn.Tape;
import dev.sparkrec.nn.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Lightning attention: the blocked kernel against the dense O(n²) oracle {@code O = [(QKᵀ) ⊙ D]·V} in double, for
 * lengths that are and are not multiples of the block size and decays from fast to almost none; its backward pass
 * against the dense gradient formulas and finite differences; the op's float gradient check; MiniMax-01's decays; a
 * sequence of 100k positions in memory linear in its length.
 */
class LightningAttentionTest {

  /** The dense oracle, O(n²): o_t = Σ_{s ≤ t} λ^(t−s)·(q_t·k_s)·v_s. */
  static double[] dense(double[] q, double[] k, double[] v, int n, int d, double lambda) {
    double[] out = new double[n * d];
    for (int t = 0; t < n; t++) {
      for (int s = 0; s <= t; s++) {
        double a = 0;
        for (int c = 0; c < d; c++) {
          a += q[t * d + c] * k[s * d + c];
        }
        a *= Math.pow(lambda, t - s);
        for (int c = 0; c < d; c++) {
          out[t * d + c] += a * v[s * d + c];
        }
      }
    }
    return out;
  }

  /** Dense gradients: dV = Aᵀ·dO, dA = (dO·Vᵀ) ⊙ D, dQ = dA·K, dK = dAᵀ·Q, with A = (QKᵀ) ⊙ D. */
  static double[][] denseBackward(double[] q, double[] k, double[] v, double[] g, int n, int d, double lambda) {
    double[] dq = new double[n * d];
    double[] dk = new double[n * d];
    double[] dv = new double[n * d];
    for (int t = 0; t < n; t++) {
      for (int s = 0; s <= t; s++) {
        double decay = Math.pow(lambda, t - s);
        double a = 0;
        double da = 0;
        for (int c = 0; c < d; c++) {
          a += q[t * d + c] * k[s * d + c];
          da += g[t * d + c] * v[s * d + c];
        }
        a *= decay;
        da *= decay;
        for (int c = 0; c < d; c++) {
          dv[s * d + c] += a * g[t * d + c];
          dq[t * d + c] += da * k[s * d + c];
          dk[s * d + c] += da * q[t * d + c];
        }
      }
    }
    return new double[][] {dq, dk, dv};
  }

  static double[] random(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] out = new double[size];
    for (int i = 0; i < size; i++) {
      out[i] = random.nextDouble(-1, 1);
    }
    return out;
  }

  static double relativeError(double[] expected, double[] actual) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < expected.length; i++) {
      num = Math.max(num, Math.abs(expected[i] - actual[i]));
      den = Math.max(den, Math.abs(expected[i]));
    }
    return num / Math.max(den, 1e-300);
  }

  private static final double[] SLOPES = {0.917, 0.05, 9e-6};

  @Test
  void blockedForwardEqualsTheDenseOracleInDouble() {
    int d = 5;
    for (int blockSize : new int[] {16, 64}) {
      for (int n : new int[] {1, 15, 16, 17, 64, 65, 203}) {
        for (double s : SLOPES) {
          double lambda = Math.exp(-s);
          double[] q = random(n * d, 1);
          double[] k = random(n * d, 2);
          double[] v = random(n * d, 3);
          double[] out = new double[n * d];
          LightningKernel.forward(q, k, v, 0, n, d, lambda, blockSize, out);
          double error = relativeError(dense(q, k, v, n, d, lambda), out);
          assertTrue(error <= 1e-5, "n " + n + ", block " + blockSize + ", s " + s + ": relative error " + error);
        }
      }
    }
  }

  @Test
  void blockedBackwardEqualsTheDenseGradientsInDouble() {
    int d = 4;
    for (int n : new int[] {1, 16, 17, 50}) {
      for (double s : SLOPES) {
        double lambda = Math.exp(-s);
        double[] q = random(n * d, 4);
        double[] k = random(n * d, 5);
        double[] v = random(n * d, 6);
        double[] g = random(n * d, 7);
        double[][] expected = denseBackward(q, k, v, g, n, d, lambda);
        double[] dq = new double[n * d];
        double[] dk = new double[n * d];
        double[] dv = new double[n * d];
        LightningKernel.backward(q, k, v, g, 0, n, d, lambda, 16, dq, dk, dv);
        assertTrue(relativeError(expected[0], dq) <= 1e-9, "dq, n " + n + ", s " + s);
        assertTrue(relativeError(expected[1], dk) <= 1e-9, "dk, n " + n + ", s " + s);
        assertTrue(relativeError(expected[2], dv) <= 1e-9, "dv, n " + n + ", s " + s);
      }
    }
  }

  @Test
  void backwardMatchesFiniteDifferencesOfTheDenseForm() {
    int n = 9;
    int d = 3;
    double lambda = Math.exp(-0.3);
    double[] q = random(n * d, 8);
    double[] k = random(n * d, 9);
    double[] v = random(n * d, 10);
    double[] g = random(n * d, 11);
    double[] dq = new double[n * d];
    double[] dk = new double[n * d];
    double[] dv = new double[n * d];
    LightningKernel.backward(q, k, v, g, 0, n, d, lambda, 4, dq, dk, dv);
    double eps = 1e-6;
    double[][] inputs = {q, k, v};
    double[][] grads = {dq, dk, dv};
    for (int which = 0; which < 3; which++) {
      for (int i = 0; i < n * d; i++) {
        double saved = inputs[which][i];
        inputs[which][i] = saved + eps;
        double plus = dot(g, dense(q, k, v, n, d, lambda));
        inputs[which][i] = saved - eps;
        double minus = dot(g, dense(q, k, v, n, d, lambda));
        inputs[which][i] = saved;
        assertEquals((plus - minus) / (2 * eps), grads[which][i], 1e-7, "input " + which + ", element " + i);
      }
    }
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void theOpMatchesThePerHeadKernelAndPassesTheGradientCheck() {
    Tensor q = randomVariable(1, -1, 1, 2, 11, 3);
    Tensor k = randomVariable(2, -1, 1, 2, 11, 3);
    Tensor v = randomVariable(3, -1, 1, 2, 11, 3);
    double[] decays = {0.5, 0.97};
    Tensor out = LightningAttention.apply(new Tape(), q, k, v, decays, 4);
    assertArrayEquals(new int[] {2, 11, 3}, out.shape());
    for (int h = 0; h < 2; h++) {
      double[] qh = new double[33];
      double[] kh = new double[33];
      double[] vh = new double[33];
      for (int i = 0; i < 33; i++) {
        qh[i] = q.data()[h * 33 + i];
        kh[i] = k.data()[h * 33 + i];
        vh[i] = v.data()[h * 33 + i];
      }
      double[] expected = dense(qh, kh, vh, 11, 3, decays[h]);
      for (int i = 0; i < 33; i++) {
        assertEquals(expected[i], out.data()[h * 33 + i], 1e-5);
      }
    }
    assertGradients(t -> LightningAttention.apply(t, q, k, v, decays, 4), Input.of("q", q), Input.of("k", k),
        Input.of("v", v));
    assertThrows(IllegalArgumentException.class,
        () -> LightningAttention.apply(new Tape(), q, k, v, new double[] {0.5}, 4));
    assertThrows(IllegalArgumentException.class,
        () -> LightningAttention.apply(new Tape(), q, k, v, new double[] {0.5, 1.5}, 4));
  }

  @Test
  void causalSoftmaxAttentionMatchesItsFormulaAndPassesTheGradientCheck() {
    Tensor q = randomVariable(21, -1, 1, 2, 6, 3);
    Tensor k = randomVariable(22, -1, 1, 2, 6, 3);
    Tensor v = randomVariable(23, -1, 1, 2, 6, 3);
    Tensor out = CausalSoftmaxAttention.apply(new Tape(), q, k, v);
    for (int h = 0; h < 2; h++) {
      for (int t = 0; t < 6; t++) {
        double[] weights = new double[t + 1];
        double sum = 0;
        for (int s = 0; s <= t; s++) {
          double dot = 0;
          for (int c = 0; c < 3; c++) {
            dot += q.data()[h * 18 + t * 3 + c] * k.data()[h * 18 + s * 3 + c];
          }
          weights[s] = Math.exp(dot / Math.sqrt(3));
          sum += weights[s];
        }
        for (int c = 0; c < 3; c++) {
          double expected = 0;
          for (int s = 0; s <= t; s++) {
            expected += weights[s] / sum * v.data()[h * 18 + s * 3 + c];
          }
          assertEquals(expected, out.data()[h * 18 + t * 3 + c], 1e-5);
        }
      }
    }
    assertGradients(t -> CausalSoftmaxAttention.apply(t, q, k, v), Input.of("q", q), Input.of("k", k),
        Input.of("v", v));
  }

  @Test
  void minimaxDecaysAreAlibiSlopesScaledByLayer() {
    double[] first = LightningAttention.decays(64, 0, 80);
    assertEquals(Math.exp(-Math.pow(2, -0.125) * (1 + 1e-5)), first[0], 1e-15); // s_1 = 0.917
    assertEquals(Math.exp(-Math.pow(2, -8) * (1 + 1e-5)), first[63], 1e-15); // s_64 = 0.0039
    assertEquals(0.40, first[0], 0.005);
    assertEquals(0.9961, first[63], 5e-5);
    double[] deep = LightningAttention.decays(64, 78, 80);
    assertTrue(deep[0] > first[0] && deep[63] > first[63], "deeper layers decay less");
    assertArrayEquals(new double[] {Math.exp(-Math.pow(2, -4)), Math.exp(-Math.pow(2, -8))},
        LightningAttention.decays(2, 0, 1), 1e-15);
    assertThrows(IllegalArgumentException.class, () -> LightningAttention.decays(6, 0, 2));
  }

  @Test
  void aHundredThousandPositionsRunInMemoryLinearInTheLength() {
    int n = 100_000;
    int d = 8;
    Tensor q = randomVariable(12, -1, 1, 1, n, d);
    Tensor k = randomVariable(13, -1, 1, 1, n, d);
    Tensor v = randomVariable(14, -1, 1, 1, n, d);
    Tape tape = new Tape();
    Tensor out = LightningAttention.apply(tape, q, k, v, new double[] {0.99}, 128);
    tape.backward(Sum.apply(tape, out));
    float last = out.data()[n * d - 1];
    assertTrue(Float.isFinite(last) && Float.isFinite(q.grad()[0]) && Float.isFinite(v.grad()[n * d - 1]));
  }
}
