package dev.sparkrec.fia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Koh &amp; Liang baseline: its Hessian-vector products and its influences, checked against definitions. */
class FullInfluenceTest {

  /**
   * {@code H·d} equals the central difference {@code (∇J(θ + εd) − ∇J(θ − εd)) / 2ε} of an independently written
   * gradient, at a point that is not a minimum (so the residual cross terms {@code 2e·I} matter). J is a quartic
   * polynomial, so the difference is exact up to {@code O(ε²)} and rounding.
   */
  @ParameterizedTest(name = "withBiases = {0}")
  @ValueSource(booleans = {true, false})
  void hessianVectorProductMatchesDifferencesOfTheGradient(boolean withBiases) {
    TinyFactorization fit = TinyFactorization.fit(withBiases, 5);
    SplittableRandom random = new SplittableRandom(3);
    float[] users = fit.userTable();
    float[] items = fit.itemTable();
    for (int k = 0; k < users.length; k++) {
      users[k] += (float) (0.3 * random.nextGaussian()); // away from the minimum
    }
    double damping = 0.01;
    FullInfluence full = new FullInfluence(fit.model, fit.users, fit.items, fit.ratings, users, items, damping,
        1e-10, 100);
    int size = users.length + items.length;
    double[] theta = new double[size];
    for (int k = 0; k < users.length; k++) {
      theta[k] = users[k];
    }
    for (int k = 0; k < items.length; k++) {
      theta[users.length + k] = items[k];
    }
    double[] direction = new double[size];
    for (int k = 0; k < size; k++) {
      direction[k] = random.nextGaussian();
    }
    double[] product = new double[size];
    full.multiplyHessian(direction, product);
    double eps = 1e-4;
    double[] plus = new double[size];
    double[] minus = new double[size];
    for (int k = 0; k < size; k++) {
      plus[k] = theta[k] + eps * direction[k];
      minus[k] = theta[k] - eps * direction[k];
    }
    double[] gradPlus = gradient(fit, plus, users.length);
    double[] gradMinus = gradient(fit, minus, users.length);
    double largest = 0;
    for (int k = 0; k < size; k++) {
      largest = Math.max(largest, Math.abs(product[k]));
    }
    for (int k = 0; k < size; k++) {
      double numeric = (gradPlus[k] - gradMinus[k]) / (2 * eps) + damping * direction[k];
      assertEquals(numeric, product[k], 1e-6 * largest, "parameter " + k);
    }
  }

  /**
   * Koh &amp; Liang's influence is the derivative of the retrained prediction when {@code z}'s weight drops from 1:
   * {@code influence(z) = lim (f(w_z = 1 − ε) − f(w_z = 1 + ε)) / 2ε}, here with ε = 1e-3 and retraining to
   * ‖∇J‖ < 1e-10 (difference error O(ε²) ≈ 1e-6 relative; the influences read float vectors, 6e-8 relative).
   * The damping is the default 1e-6: J is invariant under rotating all {@code p_u} and {@code q_j} together, so
   * its Hessian is singular at the minimum, and on float-rounded vectors slightly indefinite (−3e-10 was met with
   * 1e-8); {@code v} and every {@code ∇ℓ_z} are orthogonal to that rotation, so the damping shifts the influences
   * by about damping / λ_min ≈ 1e-5 relative.
   */
  @ParameterizedTest(name = "withBiases = {0}")
  @ValueSource(booleans = {true, false})
  void influenceIsTheDerivativeOfRetrainingWithTheRatingDownWeighted(boolean withBiases) {
    TinyFactorization fit = TinyFactorization.fit(withBiases, 5);
    FullInfluence full = new FullInfluence(fit.model, fit.users, fit.items, fit.ratings, fit.userTable(),
        fit.itemTable(), InfluenceCalculator.DEFAULT_DAMPING, 1e-12, 1000);
    int u = 1;
    int i = 8;
    InfluenceExplanation explanation = full.explain(u, i, Integer.MAX_VALUE);
    assertTrue(full.lastRelativeResidual() <= 1e-12 && full.lastIterations() > 0);
    assertEquals(fit.predict(fit.x[u], fit.y[i]), explanation.prediction(), 1e-5);
    assertEquals(10, explanation.relatedCount()); // user 1 rates 6 items, item 8 has 4 raters
    InfluenceExplanation fast = fit.explain(new InfluenceCalculator(fit.model), u, i);
    double eps = 1e-3;
    double largest = 0;
    for (double influence : explanation.influences()) {
      largest = Math.max(largest, Math.abs(influence));
    }
    double fiaError = 0;
    for (int c = 0; c < explanation.size(); c++) {
      int row = fit.row(explanation.users()[c], explanation.items()[c]);
      TinyFactorization down = fit.reweighted(row, 1 - eps);
      TinyFactorization up = fit.reweighted(row, 1 + eps);
      double derivative = (down.predict(down.x[u], down.y[i]) - up.predict(up.x[u], up.y[i])) / (2 * eps);
      assertEquals(derivative, explanation.influences()[c], 1e-4 * largest,
          "rating (" + explanation.users()[c] + ", " + explanation.items()[c] + ")");
      double fia = TinyFactorization.influenceOf(fast, explanation.users()[c], explanation.items()[c]);
      fiaError = Math.max(fiaError, Math.abs(fia - derivative));
    }
    // FIA is the derivative of retraining x_u and y_i only; the other vectors' response it leaves out is visible.
    assertTrue(fiaError > 1e-2 * largest, "FIA's largest deviation " + fiaError + " vs influences up to " + largest);
  }

  @ParameterizedTest(name = "withBiases = {0}")
  @ValueSource(booleans = {true, false})
  void rejectsInconsistentInput(boolean withBiases) {
    FactorPredictor model = new FactorPredictor(2, withBiases, 0, 0.1);
    int d = model.userDim();
    assertThrows(IllegalArgumentException.class, () -> new FullInfluence(model, new int[] {0}, new int[] {1},
        new float[] {1}, new float[d], new float[d], 0, 1e-8, 10)); // item 1 of a one-item table
    assertThrows(IllegalArgumentException.class, () -> new FullInfluence(model, new int[] {0}, new int[] {0},
        new float[] {1}, new float[d + 1], new float[d], 0, 1e-8, 10));
    assertThrows(IllegalArgumentException.class, () -> new FullInfluence(model, new int[] {0}, new int[] {0},
        new float[] {1}, new float[d], new float[d], -1, 1e-8, 10));
  }

  /** ∇J at the flat parameters {@code theta} (users first), written from the objective directly. */
  private static double[] gradient(TinyFactorization fit, double[] theta, int userValues) {
    int d = fit.dim;
    int rank = fit.rank;
    double lambda = fit.model.regParam();
    double[] g = new double[theta.length];
    for (int z = 0; z < fit.users.length; z++) {
      int x = fit.users[z] * d;
      int y = userValues + fit.items[z] * d;
      double f = fit.model.globalMean();
      for (int a = 0; a < rank; a++) {
        f += theta[x + a] * theta[y + a];
      }
      if (fit.model.withBiases()) {
        f += theta[x + rank] + theta[y + rank];
      }
      double e = f - fit.ratings[z];
      for (int a = 0; a < rank; a++) {
        g[x + a] += 2 * e * theta[y + a];
        g[y + a] += 2 * e * theta[x + a];
      }
      if (fit.model.withBiases()) {
        g[x + rank] += 2 * e;
        g[y + rank] += 2 * e;
      }
      for (int a = 0; a < d; a++) {
        g[x + a] += 2 * lambda * theta[x + a];
        g[y + a] += 2 * lambda * theta[y + a];
      }
    }
    return g;
  }
}
