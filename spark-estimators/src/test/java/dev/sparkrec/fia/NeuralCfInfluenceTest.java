package dev.sparkrec.fia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.fia.RestrictedObjective.Side;
import dev.sparkrec.linalg.Cholesky;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * FIA for NeuMF against the restricted objective written independently ({@link RestrictedObjective}): the
 * influences equal {@code vᵀ·H⁻¹·∇ℓ_z} with {@code H} from differences of the gradient, and they track exact
 * re-optimisation of {@code θ_t} (Newton in double) after leaving each related rating out.
 */
class NeuralCfInfluenceTest {

  static final int K = 3;
  static final double LAMBDA = 0.02;

  /**
   * A user and an item with {@code n} related ratings each (other vectors random and fixed), their vectors at the
   * minimum of the restricted objective; {@code joint}: (user 0, item 0) is itself a training rating.
   */
  static RestrictedObjective scenario(String loss, boolean joint, int n, long seed, boolean fixedReluPattern) {
    NeuralCfWeights weights = NeuralCfPredictorTest.randomWeights(K, 2, seed);
    if (fixedReluPattern) {
      // Biases ±3 and weights scaled by 0.2: pre-activations keep their sign for vectors of norm ≈ √(2k), so the
      // ReLU pattern is the same for every rating near the minimum and J_R is smooth there.
      for (int l = 0; l < weights.hiddenLayers(); l++) {
        float[] w = weights.hiddenWeights(l);
        for (int c = 0; c < w.length; c++) {
          w[c] *= 0.2f;
        }
        float[] b = weights.hiddenBiases(l);
        for (int c = 0; c < b.length; c++) {
          b[c] = c % 3 == 2 ? -3f : 3f;
        }
      }
    }
    NeuralCfPredictor predictor = new NeuralCfPredictor(weights, LAMBDA, loss);
    RestrictedObjective objective = new RestrictedObjective(predictor::predictWithGradients, predictor,
        NeuralCfPredictor.BCE.equals(loss) ? RestrictedObjective::binaryCrossEntropy
            : RestrictedObjective::squaredError, 0, 0);
    SplittableRandom random = new SplittableRandom(seed);
    double[] trueUser = NeuralCfPredictorTest.gaussian(random, 2 * K);
    double[] trueItem = NeuralCfPredictorTest.gaussian(random, 2 * K);
    for (int c = 0; c < n; c++) {
      double[] item = RestrictedObjective.roundToFloat(NeuralCfPredictorTest.gaussian(random, 2 * K));
      objective.add(Side.USER, 1 + c, item, label(predictor.predict(trueUser, item), loss, random));
      double[] user = RestrictedObjective.roundToFloat(NeuralCfPredictorTest.gaussian(random, 2 * K));
      objective.add(Side.ITEM, 1 + c, user, label(predictor.predict(user, trueItem), loss, random));
    }
    if (joint) {
      objective.add(Side.OWN, -1, null, label(predictor.predict(trueUser, trueItem), loss, random));
    }
    return objective;
  }

  private static float label(double f, String loss, SplittableRandom random) {
    if (NeuralCfPredictor.BCE.equals(loss)) {
      return random.nextDouble() < 1 / (1 + Math.exp(-f)) ? 1f : 0f; // r ~ Bernoulli(σ(f))
    }
    return (float) (f + 0.3 * random.nextGaussian());
  }

  static double[] minimum(RestrictedObjective objective, long seed) {
    SplittableRandom random = new SplittableRandom(seed + 1);
    double[] start = NeuralCfPredictorTest.gaussian(random, objective.du + objective.di);
    for (int c = 0; c < start.length; c++) {
      start[c] *= 0.3;
    }
    return objective.minimize(start, objective.unitWeights(), 1e-12);
  }

  /**
   * The calculator's Hessian blocks, cross blocks and gradients: its influences equal
   * {@code vᵀ·(H + damping·I)⁻¹·∇ℓ_z}, with {@code H} from central differences (step 1e-6) of the independently
   * written gradient at the same float point, which need not be a minimum. NeuMF's {@code f} is piecewise linear
   * in each vector, so the differences are exact up to rounding (≈1e-9 relative) away from ReLU kinks.
   */
  @ParameterizedTest(name = "{0}, joint = {1}")
  @CsvSource({"mse, false", "bce, false", "mse, true", "bce, true"})
  void influencesEqualTheHessianSolveOfTheObjective(String loss, boolean joint) {
    RestrictedObjective objective = scenario(loss, joint, 12, 7, false);
    SplittableRandom random = new SplittableRandom(9);
    double[] theta = RestrictedObjective.roundToFloat(NeuralCfPredictorTest.gaussian(random, 4 * K));
    InfluenceCalculator calculator = new InfluenceCalculator(objective.predictor);
    InfluenceExplanation explanation = objective.explain(calculator, theta);
    assertEquals(objective.predict(theta), explanation.prediction(), 1e-12);
    assertEquals(objective.terms.size(), explanation.relatedCount());
    double[] expected = hessianSolveInfluences(objective, theta, calculator.damping());
    double largest = 0;
    for (double value : expected) {
      largest = Math.max(largest, Math.abs(value));
    }
    for (int t = 0; t < expected.length; t++) {
      int[] pair = objective.pairOf(t);
      assertEquals(expected[t], TinyFactorization.influenceOf(explanation, pair[0], pair[1]), 1e-6 * largest,
          "rating (" + pair[0] + ", " + pair[1] + ")");
    }
  }

  /**
   * (d) At the minimum of the restricted objective, FIA against exact re-optimisation of {@code θ_t} without
   * each related rating (Newton to ‖∇‖ < 1e-12, relative to re-optimising with every rating from the same float
   * point). The ReLU pattern is held fixed near the minimum (see {@link #scenario}); where a minimum sits on a
   * ReLU kink, J_R is not differentiable there and neither FIA nor Newton applies. 60 ratings per side keep the
   * leverage ({@code ≈ (2k + 1)/n}) near 0.12, so the Newton step errs by about {@code h/(1 − h) ≈ 0.13} of a
   * change. Measured: Pearson r 0.9996 (mse) and 0.9994 (bce), largest deviation 0.07 and 0.13 of the largest
   * change; asserted r ≥ 0.99 and deviations ≤ 0.2 of the largest change.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"mse", "bce"})
  void influencesTrackExactRestrictedRetraining(String loss) {
    RestrictedObjective objective = scenario(loss, false, 60, 21, true);
    double[] theta = RestrictedObjective.roundToFloat(minimum(objective, 21));
    List<Double> predicted = new ArrayList<>();
    List<Double> actual = new ArrayList<>();
    compareWithRetraining(objective, theta, predicted, actual);
    double r = TinyFactorization.pearson(predicted, actual);
    double largest = 0;
    double worst = 0;
    for (int c = 0; c < actual.size(); c++) {
      largest = Math.max(largest, Math.abs(actual.get(c)));
      worst = Math.max(worst, Math.abs(predicted.get(c) - actual.get(c)));
    }
    System.out.printf("NeuMF (%s): %d ratings, Pearson r FIA vs restricted retraining %.4f, largest deviation"
        + " %.3f of the largest change%n", loss, predicted.size(), r, worst / largest);
    assertTrue(r >= 0.99, "Pearson r " + r);
    assertTrue(worst <= 0.2 * largest, "largest deviation " + worst + " vs largest change " + largest);
  }

  /**
   * Appends FIA's influence and the exact restricted change for every term of {@code objective}; the changes are
   * relative to re-optimising from {@code theta} with every rating, so FIA's float rounding does not enter.
   */
  static void compareWithRetraining(RestrictedObjective objective, double[] theta, List<Double> predicted,
      List<Double> actual) {
    InfluenceExplanation explanation = objective.explain(new InfluenceCalculator(objective.predictor), theta);
    double[] weights = objective.unitWeights();
    double base = objective.predict(objective.minimize(theta, weights, 1e-12));
    for (int t = 0; t < objective.terms.size(); t++) {
      weights[t] = 0;
      double without = objective.predict(objective.minimize(theta, weights, 1e-12));
      weights[t] = 1;
      int[] pair = objective.pairOf(t);
      predicted.add(TinyFactorization.influenceOf(explanation, pair[0], pair[1]));
      actual.add(without - base);
    }
  }

  /** {@code vᵀ·(H + damping·I)⁻¹·∇ℓ_z} per term, with {@code H} from differences of the gradient. */
  static double[] hessianSolveInfluences(RestrictedObjective objective, double[] theta, double damping) {
    int n = objective.du + objective.di;
    double[] h = objective.hessian(theta, objective.unitWeights(), 1e-6);
    for (int c = 0; c < n; c++) {
      h[c * n + c] += damping;
    }
    boolean ownRating = objective.terms.stream().anyMatch(t -> t.side() == Side.OWN);
    double[] s = objective.predictionGradient(theta);
    Cholesky cholesky = new Cholesky();
    if (ownRating) {
      cholesky.factor(h, n);
      cholesky.solve(s);
    } else {
      // Without the pair's own rating the cross blocks are 0 (differences leave ~1e-10 there): solve the blocks.
      for (int[] block : new int[][] {{0, objective.du}, {objective.du, objective.di}}) {
        double[] sub = new double[block[1] * block[1]];
        for (int r = 0; r < block[1]; r++) {
          for (int c = 0; c < block[1]; c++) {
            sub[r * block[1] + c] = h[(block[0] + r) * n + block[0] + c];
          }
        }
        cholesky.factor(sub, block[1]);
        cholesky.solve(s, block[0]);
      }
    }
    double[] influences = new double[objective.terms.size()];
    for (int t = 0; t < influences.length; t++) {
      influences[t] = RestrictedObjective.dot(s, objective.termGradient(t, theta));
    }
    return influences;
  }
}
