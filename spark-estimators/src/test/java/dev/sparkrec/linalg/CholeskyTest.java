package dev.sparkrec.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CholeskyTest {

  @Test
  void solvesTwoByTwoByHand() {
    // A = [[4, 2], [2, 3]] = L·Lᵀ with L = [[2, 0], [1, √2]]; A⁻¹ = [[3, −2], [−2, 4]] / 8.
    Cholesky cholesky = new Cholesky();
    cholesky.factor(new double[] {4, 2, 2, 3}, 2);
    assertEquals(2, cholesky.size());
    double[] y = {2, 1};
    cholesky.forwardSubstitute(y, 0); // L·y = b: y_1 = 2/2, y_2 = (1 − 1·1)/√2
    assertArrayEquals(new double[] {1, 0}, y, 1e-15);
    double[] x = {2, 1};
    cholesky.solve(x);
    assertArrayEquals(new double[] {(3 * 2 - 2 * 1) / 8.0, (-2 * 2 + 4 * 1) / 8.0}, x, 1e-15);
  }

  @Test
  void solvesThreeByThreeWithKnownFactor() {
    // The textbook A = [[4, 12, −16], [12, 37, −43], [−16, −43, 98]] = L·Lᵀ, L = [[2, 0, 0], [6, 1, 0], [−8, 5, 3]].
    double[] a = {4, 12, -16, 12, 37, -43, -16, -43, 98};
    Cholesky cholesky = new Cholesky();
    cholesky.factor(a, 3);
    double[] b = {2, 7, 0}; // = L·[1, 1, 1]ᵀ
    cholesky.forwardSubstitute(b, 0);
    assertArrayEquals(new double[] {1, 1, 1}, b, 1e-14);
    double[] back = {0, 6, 3}; // = Lᵀ·[1, 1, 1]ᵀ
    cholesky.backSubstitute(back, 0);
    assertArrayEquals(new double[] {1, 1, 1}, back, 1e-14);
    // A·[1, 2, 3]ᵀ = [4 + 24 − 48, 12 + 74 − 129, −16 − 86 + 294]
    double[] rhs = {0, -20, -43, 192};
    cholesky.solve(rhs, 1);
    assertArrayEquals(new double[] {0, 1, 2, 3}, rhs, 1e-12);
  }

  @Test
  void solvesRandomSpdSystemsReusingOneInstance() {
    SplittableRandom random = new SplittableRandom(17);
    Cholesky cholesky = new Cholesky();
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + random.nextInt(40);
      double[] b = new double[n * n];
      for (int k = 0; k < b.length; k++) {
        b[k] = random.nextDouble(-1, 1);
      }
      double[] a = new double[n * n + random.nextInt(5)]; // room past n² is ignored
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double s = i == j ? 0.1 : 0;
          for (int k = 0; k < n; k++) {
            s += b[k * n + i] * b[k * n + j]; // A = BᵀB + 0.1·I
          }
          a[i * n + j] = s;
        }
      }
      double[] rhs = new double[n];
      for (int i = 0; i < n; i++) {
        rhs[i] = random.nextDouble(-1, 1);
      }
      double[] x = rhs.clone();
      cholesky.factor(a, n);
      cholesky.solve(x);
      for (int i = 0; i < n; i++) {
        double r = -rhs[i];
        for (int j = 0; j < n; j++) {
          r += a[i * n + j] * x[j];
        }
        assertTrue(Math.abs(r) <= 1e-9, "n = " + n + ": residual " + r + " in row " + i);
      }
    }
  }

  @Test
  void rejectsMatricesThatAreNotPositiveDefinite() {
    Cholesky cholesky = new Cholesky();
    IllegalArgumentException indefinite =
        assertThrows(IllegalArgumentException.class, () -> cholesky.factor(new double[] {1, 2, 2, 1}, 2));
    assertTrue(indefinite.getMessage().contains("2 × 2") && indefinite.getMessage().contains("positive definite"),
        indefinite.getMessage());
    IllegalArgumentException singular = assertThrows(IllegalArgumentException.class,
        () -> cholesky.factor(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, 3));
    assertTrue(singular.getMessage().contains("3 × 3"), singular.getMessage());
    IllegalArgumentException asymmetric =
        assertThrows(IllegalArgumentException.class, () -> cholesky.factor(new double[] {2, 1, 0, 2}, 2));
    assertTrue(asymmetric.getMessage().contains("not symmetric"), asymmetric.getMessage());
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> cholesky.factor(new double[] {2, 0, 0, Double.NaN}, 2));
    assertTrue(nan.getMessage().contains("NaN") && nan.getMessage().contains("row 1"), nan.getMessage());
    assertThrows(IllegalArgumentException.class, () -> cholesky.factor(new double[3], 2));
    assertThrows(IllegalStateException.class, () -> new Cholesky().solve(new double[1]));
  }

  @Test
  void substitutesManyColumnsAtOnceAsOneAtATime() {
    SplittableRandom random = new SplittableRandom(3);
    int n = 5;
    int columns = 4;
    double[] m = new double[n * n];
    for (int k = 0; k < m.length; k++) {
      m[k] = random.nextGaussian();
    }
    double[] a = new double[n * n]; // MᵀM + I
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        for (int k = 0; k < n; k++) {
          a[i * n + j] += m[k * n + i] * m[k * n + j];
        }
      }
      a[i * n + i] += 1;
    }
    Cholesky cholesky = new Cholesky();
    cholesky.factor(a, n);
    double[] b = new double[n * columns];
    for (int k = 0; k < b.length; k++) {
      b[k] = random.nextGaussian();
    }
    double[] together = b.clone();
    cholesky.forwardSubstituteColumns(together, columns);
    double[] forward = together.clone();
    cholesky.backSubstituteColumns(together, columns);
    for (int c = 0; c < columns; c++) {
      double[] one = java.util.Arrays.copyOfRange(b, c * n, (c + 1) * n);
      cholesky.forwardSubstitute(one, 0);
      assertArrayEquals(one, java.util.Arrays.copyOfRange(forward, c * n, (c + 1) * n), 1e-12);
      cholesky.backSubstitute(one, 0);
      assertArrayEquals(one, java.util.Arrays.copyOfRange(together, c * n, (c + 1) * n), 1e-12);
    }
  }
}
