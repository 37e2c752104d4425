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
 * BatchedSolve: hand-computed solutions, the error for a matrix that is not positive definite, gradients with
 * respect to A and B, and the ridge solution (XᵀX + λI)⁻¹XᵀY against its Woodbury form Xᵀ(XXᵀ + λI)⁻¹Y.
 */
class BatchedSolveTest {

  private static Tensor identity(int d) {
    float[] eye = new float[d * d];
    for (int i = 0; i < d; i++) {
      eye[i * d + i] = 1f;
    }
    return Tensor.constant(eye, d, d);
  }

  /** (XᵀX + λI)⁻¹·XᵀY for X [batch, n, d], Y [batch, n, c], λ [1]. */
  private static Tensor ridge(Tape t, Tensor x, Tensor y, Tensor lambda) {
    int d = x.dim(2);
    Tensor gram = BatchedMatMul.apply(t, x, x, true, false); // XᵀX
    Tensor a = Add.apply(t, gram, Mul.apply(t, identity(d), lambda)); // + λI
    return BatchedSolve.apply(t, a, BatchedMatMul.apply(t, x, y, true, false));
  }

  /** Xᵀ(XXᵀ + λI)⁻¹·Y, algebraically equal to {@link #ridge}. */
  private static Tensor woodbury(Tape t, Tensor x, Tensor y, Tensor lambda) {
    int n = x.dim(1);
    Tensor kernel = BatchedMatMul.apply(t, x, x, false, true); // XXᵀ
    Tensor a = Add.apply(t, kernel, Mul.apply(t, identity(n), lambda)); // + λI
    return BatchedMatMul.apply(t, x, BatchedSolve.apply(t, a, y), true, false);
  }

  @Test
  void solvesHandComputedSystems() {
    // A_0 = [[4,2],[2,3]] (A_0⁻¹ = [[3,-2],[-2,4]]/8), A_1 = diag(2, 4)
    Tensor a = Tensor.constant(new float[] {4, 2, 2, 3, 2, 0, 0, 4}, 2, 2, 2);
    Tensor b = Tensor.constant(new float[] {2, 2, 1, 3, 1, 2, 2, -4}, 2, 2, 2);
    Tensor x = BatchedSolve.apply(new Tape(), a, b);
    assertArrayEquals(new int[] {2, 2, 2}, x.shape());
    assertArrayEquals(new float[] {0.5f, 0, 0, 1, 0.5f, 1, 0.5f, -1}, x.toArray(), 1e-6f);
    // only the symmetric part (A + Aᵀ)/2 counts: [[4,1],[3,3]] solves like [[4,2],[2,3]]
    Tensor skew = Tensor.constant(new float[] {4, 1, 3, 3}, 1, 2, 2);
    assertArrayEquals(new float[] {0.5f, 0}, BatchedSolve.apply(new Tape(), skew,
        Tensor.constant(new float[] {2, 1}, 1, 2, 1)).toArray(), 1e-6f);
  }

  @Test
  void namesTheBatchItemThatIsNotPositiveDefinite() {
    Tensor a = Tensor.constant(new float[] {4, 2, 2, 3, 1, 2, 2, 1}, 2, 2, 2); // item 1 has eigenvalues 3 and −1
    Tensor b = Tensor.constant(new float[4], 2, 2, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BatchedSolve.apply(new Tape(), a, b));
    assertTrue(e.getMessage().contains("matrix 1 of the batch") && e.getMessage().contains("not positive definite"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> BatchedSolve.apply(new Tape(), a, Tensor.constant(new float[6], 2, 3, 1)));
  }

  @Test
  void solvesA40By40SystemToFloatPrecision() {
    int d = 40;
    int c = 3;
    SplittableRandom random = new SplittableRandom(5);
    double[][] m = new double[d][d];
    for (double[] row : m) {
      for (int j = 0; j < d; j++) {
        row[j] = random.nextDouble(-1, 1);
      }
    }
    float[] a = new float[d * d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        double s = i == j ? 1.0 : 0.0; // A = MᵀM/d + I
        for (int k = 0; k < d; k++) {
          s += m[k][i] * m[k][j] / d;
        }
        a[i * d + j] = (float) s;
      }
    }
    float[] b = new float[d * c];
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) random.nextDouble(-1, 1);
    }
    float[] x = BatchedSolve.apply(new Tape(), Tensor.constant(a, 1, d, d), Tensor.constant(b, 1, d, c)).toArray();
    for (int i = 0; i < d; i++) {
      for (int q = 0; q < c; q++) {
        double r = -b[i * c + q];
        for (int k = 0; k < d; k++) {
          r += (double) a[i * d + k] * x[k * c + q];
        }
        assertEquals(0.0, r, 1e-5, "residual of row " + i + ", column " + q);
      }
    }
  }

  @Test
  void gradientsWithRespectToAAndB() {
    int batch = 2;
    int d = 3;
    // A_b = M_bᵀM_b + I, symmetric positive definite; perturbing single elements is valid since A enters as (A + Aᵀ)/2
    Tensor m = randomVariable(1, -1, 1, batch, d, d);
    Tensor spd = Add.apply(new Tape(), BatchedMatMul.apply(new Tape(), m, m, true, false), identity(d));
    Tensor a = Tensor.variable(spd.toArray(), batch, d, d);
    Tensor b = randomVariable(2, -1, 1, batch, d, 2);
    assertGradients(t -> BatchedSolve.apply(t, a, b), Input.of("a", a), Input.of("b", b));
    // the use it is meant for: A built symmetric from ops, A = MᵀM + λI
    Tensor lambda = Tensor.variable(new float[] {0.8f}, 1);
    assertGradients(t -> BatchedSolve.apply(t,
        Add.apply(t, BatchedMatMul.apply(t, m, m, true, false), Mul.apply(t, identity(d), lambda)), b),
        Input.of("m", m), Input.of("lambda", lambda), Input.of("b", b));
  }

  @Test
  void ridgeAndWoodburyFormsAgreeAndHaveGradients() {
    int batch = 3;
    int n = 5;
    int d = 3;
    int c = 2;
    Tensor x = randomVariable(3, -1, 1, batch, n, d);
    Tensor y = randomVariable(4, -1, 1, batch, n, c);
    Tensor lambda = Tensor.variable(new float[] {0.5f}, 1);
    float[] primal = ridge(new Tape(), x, y, lambda).toArray();
    float[] dual = woodbury(new Tape(), x, y, lambda).toArray();
    assertEquals(batch * d * c, primal.length);
    assertArrayEquals(primal, dual, 1e-5f);
    assertThrows(IllegalArgumentException.class, () -> ridge(new Tape(), x, y, Tensor.constant(new float[] {-50f}, 1)));

    assertGradients(t -> ridge(t, x, y, lambda), Input.of("x", x), Input.of("y", y), Input.of("lambda", lambda));
    assertGradients(t -> woodbury(t, x, y, lambda), Input.of("x", x), Input.of("y", y), Input.of("lambda", lambda));

    // the same gradients from both forms
    float[][] primalGrads = gradientsOfSum(true, x, y, lambda);
    float[][] dualGrads = gradientsOfSum(false, x, y, lambda);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(primalGrads[i], dualGrads[i], 1e-4f, "input " + i);
    }
  }

  private static float[][] gradientsOfSum(boolean primal, Tensor x, Tensor y, Tensor lambda) {
    Tensor[] inputs = {x, y, lambda};
    for (Tensor t : inputs) {
      java.util.Arrays.fill(t.grad(), 0f);
    }
    Tape tape = new Tape();
    Tensor w = primal ? ridge(tape, x, y, lambda) : woodbury(tape, x, y, lambda);
    tape.backward(Sum.apply(tape, w));
    float[][] grads = new float[3][];
    for (int i = 0; i < 3; i++) {
      grads[i] = inputs[i].grad().clone();
    }
    return grads;
  }
}
