package dev.sparkrec.fia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.linalg.Cholesky;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The leverage of every explaining rating and the leave-one-out form of the influence
 * ({@code InfluenceCalculator(predictor, damping, true)}), against exact re-fitting on {@link TinyFactorization}
 * problems.
 *
 * <p>For a pair that is not a training rating and a squared loss, the objective restricted to {@code x_u} (or
 * {@code y_i}) is quadratic, so the leave-one-out form is exact leave-one-out re-fitting of that vector: asserted to
 * float precision on the 8 × 10 problem, whose leverages reach 0.88 (where the first-order form is off by up to
 * {@code h/(1 − h)}). On sparse ratings (11 users × 10 items, every user rating 4 items, every item 4–5 raters) it
 * is compared with full leave-one-out re-optimisation of every vector (alternating exact ridge solves to a gradient
 * below 1e-10). Measured over the 100 related ratings of 12 pairs, first-order → leave-one-out: Pearson r 0.856 →
 * 0.906 (MF) and 0.878 → 0.948 (ALS), median |actual / predicted| 3.94 → 1.64 and 2.73 → 1.62; for each pair's
 * top-ranked rating r 0.960 → 0.993 and 0.956 → 0.970, median ratio 3.86 → 1.48 and 3.00 → 1.55. What is left is
 * the response of the other vectors, which a restricted estimate leaves out: with 4–5 ratings each, removing a
 * rating also moves the vectors it pairs with, and they move {@code x_u} and {@code y_i} again. {@link NeighbourRefit}
 * (the explainer's {@code refitNeighbours} form: the explained vector re-fitted with the vectors its ratings pair it
 * with) equals exact re-fitting of that star and tracks full re-fitting: r 0.950 and 0.968, median ratio 1.13 and
 * 1.11.
 */
class InfluenceLeverageTest {

  @ParameterizedTest(name = "withBiases = {0}")
  @ValueSource(booleans = {true, false})
  void leaveOneOutFormIsExactRestrictedRefittingAndLeverageIsItsDenominator(boolean withBiases) {
    TinyFactorization fit = TinyFactorization.fit(withBiases, 8, 10, 6, 5);
    TinyFactorization rounded = fit.rounded();
    InfluenceCalculator firstOrder = new InfluenceCalculator(fit.model, 0, false);
    InfluenceCalculator loo = new InfluenceCalculator(fit.model, 0, true);
    double lambda = fit.model.regParam();
    int d = fit.dim;
    double largestLeverage = 0;
    int compared = 0;
    for (int[] pair : fit.unratedPairs(5)) {
      int u = pair[0];
      int i = pair[1];
      InfluenceExplanation plain = fit.explain(firstOrder, u, i);
      InfluenceExplanation corrected = fit.explain(loo, u, i);
      for (int k = 0; k < fit.users.length; k++) {
        boolean userSide = fit.users[k] == u;
        if (!userSide && fit.items[k] != i) {
          continue;
        }
        double exact = rounded.restrictedChange(u, i, k);
        int at = indexOf(corrected, fit.users[k], fit.items[k]);
        double influence = corrected.influences()[at];
        assertEquals(exact, influence, 1e-5 * (1 + Math.abs(exact)), "pair (" + u + ", " + i + "), rating ("
            + fit.users[k] + ", " + fit.items[k] + ")");

        // h = c·Jᵀ·(H − 2λI)⁻¹·J with c = 2 (squared loss), H the side's block over all its ratings.
        List<double[]> rows = userSide ? rounded.userRows(u, -1) : rounded.itemRows(i, -1);
        double[] a = new double[d * d];
        for (double[] row : rows) {
          double[] f = rounded.feature(row);
          for (int p = 0; p < d; p++) {
            for (int q = 0; q < d; q++) {
              a[p * d + q] += 2 * f[p] * f[q];
            }
          }
        }
        for (int p = 0; p < d; p++) {
          a[p * d + p] += 2 * lambda * (rows.size() - 1);
        }
        double[] jz = rounded.feature(userSide ? rounded.y[fit.items[k]] : rounded.x[fit.users[k]]);
        Cholesky cholesky = new Cholesky();
        cholesky.factor(a, d);
        double[] solved = jz.clone();
        cholesky.solve(solved);
        double h = 0;
        for (int p = 0; p < d; p++) {
          h += 2 * jz[p] * solved[p];
        }
        assertEquals(h, corrected.leverages()[at], 1e-5, "leverage of (" + fit.users[k] + ", " + fit.items[k] + ")");
        int plainAt = indexOf(plain, fit.users[k], fit.items[k]);
        assertEquals(corrected.leverages()[at], plain.leverages()[plainAt], 1e-12, "the leverage is reported either way");
        assertTrue(h >= 0 && h < 1, "leverage " + h);
        assertFalse(corrected.orphaned()[at]);
        largestLeverage = Math.max(largestLeverage, h);
        compared++;
      }
    }
    assertTrue(compared >= 50, "only " + compared + " ratings");
    assertTrue(largestLeverage > 0.5, "the problem should hold high-leverage ratings, largest " + largestLeverage);
  }

  @ParameterizedTest(name = "withBiases = {0}")
  @ValueSource(booleans = {true, false})
  void onSparseRatingsTheLeaveOneOutFormTracksFullRefitting(boolean withBiases) {
    TinyFactorization fit = TinyFactorization.fit(withBiases, 11, 10, 4, 7);
    int[] perUser = new int[fit.numUsers];
    int[] perItem = new int[fit.numItems];
    for (int k = 0; k < fit.users.length; k++) {
      perUser[fit.users[k]]++;
      perItem[fit.items[k]]++;
    }
    assertTrue(Arrays.stream(perUser).allMatch(n -> n >= 3 && n <= 5), Arrays.toString(perUser));
    assertTrue(Arrays.stream(perItem).allMatch(n -> n >= 3 && n <= 5), Arrays.toString(perItem));
    InfluenceCalculator firstOrder = new InfluenceCalculator(fit.model);
    InfluenceCalculator loo = new InfluenceCalculator(fit.model, InfluenceCalculator.DEFAULT_DAMPING, true);
    TinyFactorization[] retrained = new TinyFactorization[fit.users.length];
    List<Double> plain = new ArrayList<>();
    List<Double> corrected = new ArrayList<>();
    List<Double> actual = new ArrayList<>();
    List<Double> plainTop = new ArrayList<>();
    List<Double> correctedTop = new ArrayList<>();
    List<Double> actualTop = new ArrayList<>();
    List<Double> neighbours = new ArrayList<>();
    NeighbourRefit refit = new NeighbourRefit(fit.model);
    for (int[] pair : fit.unratedPairs(12)) {
      int u = pair[0];
      int i = pair[1];
      InfluenceExplanation p = fit.explain(firstOrder, u, i);
      InfluenceExplanation c = fit.explain(loo, u, i);
      double before = fit.predict(fit.x[u], fit.y[i]);
      double[] neighbourChanges = fit.neighbourRefitChanges(refit, u, i);
      for (int k = 0; k < fit.users.length; k++) {
        if (fit.users[k] != u && fit.items[k] != i) {
          continue;
        }
        if (retrained[k] == null) {
          retrained[k] = fit.withoutRow(k);
        }
        double change = retrained[k].predict(retrained[k].x[u], retrained[k].y[i]) - before;
        TinyFactorization star = fit.withoutRowRefittingStar(k, u, i);
        double starChange = star.predict(star.x[u], star.y[i]) - before;
        double refitted = neighbourChanges[k];
        assertEquals(starChange, refitted, 1e-6 * (1 + Math.abs(starChange)), "NeighbourRefit against exact"
            + " re-fitting of the star, pair (" + u + ", " + i + "), rating " + k);
        neighbours.add(refitted);
        double a = TinyFactorization.influenceOf(p, fit.users[k], fit.items[k]);
        double b = TinyFactorization.influenceOf(c, fit.users[k], fit.items[k]);
        actual.add(change);
        plain.add(a);
        corrected.add(b);
        if (p.users()[0] == fit.users[k] && p.items()[0] == fit.items[k]) {
          plainTop.add(a);
          actualTop.add(change);
          correctedTop.add(b);
        }
      }
    }
    double rPlain = TinyFactorization.pearson(plain, actual);
    double rCorrected = TinyFactorization.pearson(corrected, actual);
    double ratioPlain = medianRatio(actual, plain);
    double ratioCorrected = medianRatio(actual, corrected);
    System.out.printf("sparse ratings (withBiases=%s): %d related ratings; Pearson r first-order %.4f, leave-one-out"
        + " %.4f; median |actual/predicted| %.3f and %.3f; top-1 of %d pairs: r %.4f and %.4f, median ratio %.3f and"
        + " %.3f%n", withBiases, actual.size(), rPlain, rCorrected, ratioPlain, ratioCorrected, actualTop.size(),
        TinyFactorization.pearson(plainTop, actualTop), TinyFactorization.pearson(correctedTop, actualTop),
        medianRatio(actualTop, plainTop), medianRatio(actualTop, correctedTop));
    assertTrue(actual.size() >= 80, "only " + actual.size() + " related ratings");
    assertTrue(rCorrected >= 0.9 && rCorrected > rPlain, "leave-one-out form vs refitting: Pearson r " + rCorrected
        + " (first-order " + rPlain + ")");
    assertTrue(Math.abs(Math.log(ratioCorrected)) < Math.abs(Math.log(ratioPlain)) && ratioCorrected <= 1.7,
        "median |actual/predicted| " + ratioCorrected + " (first-order " + ratioPlain + ")");
    assertTrue(TinyFactorization.pearson(correctedTop, actualTop) >= 0.96, "top-1 Pearson r");

    // What the restricted forms leave out is the neighbours' response: re-fitting the explained vector together with
    // the vectors its ratings pair it with (NeighbourRefit, the explainer's refitNeighbours form) tracks full
    // re-fitting.
    double rNeighbours = TinyFactorization.pearson(neighbours, actual);
    double ratioNeighbours = medianRatio(actual, neighbours);
    System.out.printf("sparse ratings (withBiases=%s): neighbours re-fitted: r %.4f, median ratio %.3f%n",
        withBiases, rNeighbours, ratioNeighbours);
    assertTrue(rNeighbours >= 0.95 && rNeighbours > rCorrected, "neighbours re-fitted: Pearson r " + rNeighbours);
    assertTrue(ratioNeighbours >= 0.8 && ratioNeighbours <= 1.25 && ratioCorrected > 1.4,
        "median |actual/predicted|: neighbours re-fitted " + ratioNeighbours + ", leave-one-out form "
        + ratioCorrected);
  }

  @ParameterizedTest(name = "withBiases = {0}")
  @ValueSource(booleans = {true, false})
  void neighbourRefitsNewtonStepsSettleWhereAlternatingSweepsDo(boolean withBiases) {
    TinyFactorization fit = TinyFactorization.fit(withBiases, 20, 30, 6, 11);
    NeighbourRefit newton = new NeighbourRefit(fit.model);
    NeighbourRefit sweeps = new NeighbourRefit(fit.model, false);
    int compared = 0;
    for (int[] pair : fit.unratedPairs(6)) {
      double[] a = fit.neighbourRefitChanges(newton, pair[0], pair[1]);
      double[] b = fit.neighbourRefitChanges(sweeps, pair[0], pair[1]);
      for (int k = 0; k < a.length; k++) {
        if (!Double.isNaN(b[k])) {
          assertEquals(b[k], a[k], 1e-9 * (1 + Math.abs(b[k])), "rating " + k + " of pair " + pair[0] + "-" + pair[1]);
          compared++;
        }
      }
    }
    assertTrue(compared >= 60, "compared " + compared);
    assertTrue(newton.removalsByNewton() > 0 && newton.removalsBySweeps() * 10 <= newton.removalsByNewton(),
        "Newton steps settled " + newton.removalsByNewton() + " removals, sweeps " + newton.removalsBySweeps());
    assertEquals(0, sweeps.removalsByNewton());
  }

  @Test
  void neighbourRefitGivesNoChangeForAnOrphaningRatingAndNeedsAModelQuadraticInEachVector() {
    FactorPredictor model = new FactorPredictor(2, false, 0, 0.1);
    NeighbourRefit refit = new NeighbourRefit(model);
    float[] x = {0.5f, -0.3f};
    float[][] items = {{0.9f, -0.1f}};
    NeighbourRefit.NormalEquations[] systems = {refit.normalEquations(true, items[0],
        new float[][] {x, {0.2f, 0.4f}}, new float[] {4f, 3f})};
    double[] changes = refit.vectorChanges(true, x, items, new float[] {4f}, systems);
    assertTrue(Double.isNaN(changes[0]) && Double.isNaN(changes[1]), java.util.Arrays.toString(changes));
    assertEquals(0, refit.vectorChanges(true, x, new float[0][], new float[0],
        new NeighbourRefit.NormalEquations[0]).length);
    IllegalArgumentException mismatch = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> refit.vectorChanges(true, x, items, new float[] {4f, 5f}, systems));
    assertTrue(mismatch.getMessage().contains("one rating and one counterpart system per counterpart"),
        mismatch.getMessage());
    IllegalArgumentException ncf = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new NeighbourRefit(new NeuralCfPredictor(NeuralCfPredictorTest.randomWeights(3, 2, 5), 0.01,
            NeuralCfPredictor.MSE)));
    assertTrue(ncf.getMessage().contains("quadratic in each vector"), ncf.getMessage());
  }

  @Test
  void aRatingWhoseRemovalLeavesTheUserWithoutRatingsIsFlaggedAndListedFirst() {
    FactorPredictor model = new FactorPredictor(2, false, 0, 0.1);
    float[] x = {0.5f, -0.3f};
    float[] y = {0.4f, 0.2f};
    float[][] otherUsers = {{0.1f, 0.7f}, {-0.6f, 0.2f}, {0.3f, 0.3f}};
    for (boolean leaveOneOut : new boolean[] {false, true}) {
      InfluenceCalculator calculator = new InfluenceCalculator(model, InfluenceCalculator.DEFAULT_DAMPING,
          leaveOneOut);
      // user 1 has one rating (on item 9); item 2 has three raters
      InfluenceExplanation e = calculator.explain(1, x, 2, y, new int[] {9}, new float[] {4f},
          new float[][] {{0.9f, -0.1f}}, new int[] {5, 6, 7}, new float[] {3f, 5f, 2f}, otherUsers, 10);
      assertEquals(4, e.size());
      assertEquals(1, e.users()[0]);
      assertEquals(9, e.items()[0]);
      assertTrue(e.orphaned()[0], "user 1's only rating orphans the user");
      assertTrue(Double.isNaN(e.influences()[0]) && Double.isNaN(e.leverages()[0]));
      for (int k = 1; k < 4; k++) {
        assertFalse(e.orphaned()[k]);
        assertTrue(Double.isFinite(e.influences()[k]) && e.leverages()[k] >= 0 && e.leverages()[k] < 1,
            "rating " + k + ": influence " + e.influences()[k] + ", leverage " + e.leverages()[k]);
      }
    }
  }

  @Test
  void aPairThatIsATrainingRatingGetsLeveragesAndTheOwnRatingsLeaveOneOutInfluence() {
    TinyFactorization fit = TinyFactorization.fit(true, 8, 10, 6, 5);
    int u = 0;
    int i = 0;
    while (!fit.rated(u, i)) {
      i++;
    }
    InfluenceExplanation plain = fit.explain(new InfluenceCalculator(fit.model), u, i);
    InfluenceExplanation loo = fit.explain(new InfluenceCalculator(fit.model, InfluenceCalculator.DEFAULT_DAMPING,
        true), u, i);
    assertEquals(plain.size(), loo.size());
    for (int k = 0; k < loo.size(); k++) {
      assertTrue(loo.leverages()[k] >= 0 && loo.leverages()[k] < 1, "leverage " + loo.leverages()[k]);
      assertTrue(Double.isFinite(loo.influences()[k]));
    }
    // Without its own rating the objective restricted to (x_u, y_i) separates into two ridge problems, so its
    // Newton step is exact: the leave-one-out influence is the linear part of the change of f.
    InfluenceExplanation exactLoo = fit.explain(new InfluenceCalculator(fit.model, 0, true), u, i);
    TinyFactorization rounded = fit.rounded();
    int own = fit.row(u, i);
    double[] x0 = rounded.ridge(rounded.userRows(u, -1), null);
    double[] y0 = rounded.ridge(rounded.itemRows(i, -1), null);
    double[] x1 = rounded.ridge(rounded.userRows(u, own), null);
    double[] y1 = rounded.ridge(rounded.itemRows(i, own), null);
    double[] fx = rounded.feature(y0);
    double[] fy = rounded.feature(x0);
    double linear = 0;
    for (int c = 0; c < fit.dim; c++) {
      linear += fx[c] * (x1[c] - x0[c]) + fy[c] * (y1[c] - y0[c]);
    }
    double predicted = TinyFactorization.influenceOf(exactLoo, u, i);
    double first = TinyFactorization.influenceOf(plain, u, i);
    System.out.printf("own rating of (%d, %d): leave-one-out %.6f, first-order %.6f, linear part of re-fitting %.6f,"
        + " re-fitting %.6f%n", u, i, predicted, first, linear, rounded.predict(x1, y1) - rounded.predict(x0, y0));
    assertEquals(linear, predicted, 1e-5 * (1 + Math.abs(linear)));
  }

  private static int indexOf(InfluenceExplanation e, int user, int item) {
    for (int c = 0; c < e.size(); c++) {
      if (e.users()[c] == user && e.items()[c] == item) {
        return c;
      }
    }
    throw new AssertionError("(" + user + ", " + item + ") is not listed");
  }

  private static double medianRatio(List<Double> actual, List<Double> predicted) {
    double[] ratios = new double[actual.size()];
    for (int c = 0; c < ratios.length; c++) {
      ratios[c] = Math.abs(actual.get(c) / predicted.get(c));
    }
    Arrays.sort(ratios);
    int n = ratios.length;
    return n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
  }
}
