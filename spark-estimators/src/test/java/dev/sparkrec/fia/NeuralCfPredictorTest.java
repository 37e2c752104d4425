package dev.sparkrec.fia;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NeuralCfPredictorTest {

  /**
   * k = 1, one hidden layer 2 → 2: h_0 = [1, −0.5], h_1 = ReLU([0.1, −2.2]) = [0.1, 0], g = 2·3 = 6,
   * f = 0.1·2 + 0·5 + 6·0.5 + 0.25 = 3.45. Backward: δ_1 = [2, 5] ⊙ [1, 0] = [2, 0], δ_0 = W·δ_1 = [0.5·2, 1·2].
   */
  @Test
  void forwardAndGradientsMatchHandValues() {
    NeuralCfWeights weights = new NeuralCfWeights(1, new float[][] {{0.5f, -1f, 1f, 2f}},
        new float[][] {{0.1f, -0.2f}}, new float[] {2f, 5f, 0.5f}, 0.25f);
    NeuralCfPredictor predictor = new NeuralCfPredictor(weights, 0.01, NeuralCfPredictor.MSE);
    float[] user = {1f, 2f}; // [pMLP; pGMF]
    float[] item = {-0.5f, 3f}; // [qMLP; qGMF]
    double[] dUser = new double[2];
    double[] dItem = new double[2];
    assertEquals(3.45, predictor.predictWithGradients(user, item, dUser, dItem), 1e-6);
    assertEquals(3.45, predictor.predict(user, item), 1e-6);
    assertArrayEquals(new double[] {1.0, 0.5 * 3}, dUser, 1e-7); // [δ_0[0]; w_gmf·qGMF]
    assertArrayEquals(new double[] {2.0, 0.5 * 2}, dItem, 1e-7); // [δ_0[1]; w_gmf·pGMF]
    double[] cross = new double[4];
    cross[0] = 7; // addCrossHessian adds
    predictor.addCrossHessian(user, item, 2, cross);
    assertArrayEquals(new double[] {7, 0, 0, 2 * 0.5}, cross, 1e-7);
    assertEquals(2, predictor.userDim());
    assertEquals(2, predictor.itemDim());
  }

  /** Analytic gradients against central differences in double (step 1e-6, error O(step²) away from ReLU kinks). */
  @ParameterizedTest(name = "hidden layers {0}")
  @ValueSource(ints = {0, 1, 2, 3})
  void gradientsMatchCentralDifferences(int layers) {
    int k = 3;
    NeuralCfPredictor predictor = new NeuralCfPredictor(randomWeights(k, layers, 11 + layers), 0.01, "mse");
    SplittableRandom random = new SplittableRandom(5);
    for (int trial = 0; trial < 5; trial++) {
      double[] user = gaussian(random, 2 * k);
      double[] item = gaussian(random, 2 * k);
      double[] dUser = new double[2 * k];
      double[] dItem = new double[2 * k];
      double f = predictor.predictWithGradients(user, item, dUser, dItem);
      assertEquals(predictor.predict(user, item), f, 0);
      double eps = 1e-6;
      for (int a = 0; a < 2 * k; a++) {
        double[] plus = user.clone();
        double[] minus = user.clone();
        plus[a] += eps;
        minus[a] -= eps;
        double numeric = (predictor.predict(plus, item) - predictor.predict(minus, item)) / (2 * eps);
        assertEquals(numeric, dUser[a], 1e-7 * (1 + Math.abs(numeric)), "∂f/∂x_u[" + a + "]");
        plus = item.clone();
        minus = item.clone();
        plus[a] += eps;
        minus[a] -= eps;
        numeric = (predictor.predict(user, plus) - predictor.predict(user, minus)) / (2 * eps);
        assertEquals(numeric, dItem[a], 1e-7 * (1 + Math.abs(numeric)), "∂f/∂y_i[" + a + "]");
      }
    }
  }

  /** {@code ∂²f/∂x_u∂y_i} against central differences of {@code ∂f/∂x_u} in {@code y_i}. */
  @Test
  void crossHessianMatchesDifferencesOfTheUserGradient() {
    int k = 3;
    NeuralCfPredictor predictor = new NeuralCfPredictor(randomWeights(k, 2, 3), 0.01, "bce");
    SplittableRandom random = new SplittableRandom(8);
    float[] user = toFloat(gaussian(random, 2 * k));
    float[] item = toFloat(gaussian(random, 2 * k));
    double[] cross = new double[4 * k * k];
    predictor.addCrossHessian(user, item, 1, cross);
    double eps = 1e-3;
    for (int b = 0; b < 2 * k; b++) {
      double[] plus = TinyFactorization.toDouble(item);
      double[] minus = TinyFactorization.toDouble(item);
      plus[b] += eps;
      minus[b] -= eps;
      double[] gPlus = new double[2 * k];
      double[] gMinus = new double[2 * k];
      predictor.predictWithGradients(TinyFactorization.toDouble(user), plus, gPlus, null);
      predictor.predictWithGradients(TinyFactorization.toDouble(user), minus, gMinus, null);
      for (int a = 0; a < 2 * k; a++) {
        assertEquals((gPlus[a] - gMinus[a]) / (2 * eps), cross[a * 2 * k + b], 1e-9, "entry " + a + ", " + b);
      }
    }
  }

  @Test
  void floatAndDoubleEntryPointsAgree() {
    NeuralCfPredictor predictor = new NeuralCfPredictor(randomWeights(4, 2, 1), 0, "bce");
    SplittableRandom random = new SplittableRandom(2);
    float[] user = toFloat(gaussian(random, 8));
    float[] item = toFloat(gaussian(random, 8));
    double[] dUserF = new double[8];
    double[] dItemF = new double[8];
    double[] dUserD = new double[8];
    double[] dItemD = new double[8];
    double f = predictor.predictWithGradients(user, item, dUserF, dItemF);
    assertEquals(f, predictor.predictWithGradients(TinyFactorization.toDouble(user), TinyFactorization.toDouble(item),
        dUserD, dItemD), 0);
    assertArrayEquals(dUserD, dUserF, 0);
    assertArrayEquals(dItemD, dItemF, 0);
  }

  /** The loss derivatives against central differences of the losses themselves. */
  @Test
  void lossDerivativesMatchDifferences() {
    NeuralCfPredictor mse = new NeuralCfPredictor(randomWeights(2, 1, 1), 0, NeuralCfPredictor.MSE);
    NeuralCfPredictor bce = new NeuralCfPredictor(randomWeights(2, 1, 1), 0, NeuralCfPredictor.BCE);
    double eps = 1e-5;
    for (double f : new double[] {-30, -2.5, -0.3, 0, 0.7, 4, 30}) {
      for (double r : new double[] {0, 0.25, 1}) {
        double numeric = (bceLoss(f + eps, r) - bceLoss(f - eps, r)) / (2 * eps);
        assertEquals(numeric, bce.lossGradient(f, r), 1e-8, "bce gradient at " + f + ", " + r);
        numeric = (bce.lossGradient(f + eps, r) - bce.lossGradient(f - eps, r)) / (2 * eps);
        assertEquals(numeric, bce.lossCurvature(f, r), 1e-8, "bce curvature at " + f + ", " + r);
        assertEquals(2 * (f - r), mse.lossGradient(f, r), 1e-12);
        assertEquals(2, mse.lossCurvature(f, r), 0);
      }
    }
    assertEquals(0.5 - 1, bce.lossGradient(0, 1), 1e-15); // σ(0) − 1
    assertEquals(0.25, bce.lossCurvature(0, 1), 1e-15); // σ(0)·(1 − σ(0))
  }

  @Test
  void rejectsUnknownLossAndNegativeRegParam() {
    NeuralCfWeights weights = randomWeights(2, 1, 1);
    assertThrows(IllegalArgumentException.class, () -> new NeuralCfPredictor(weights, 0.1, "hinge"));
    assertThrows(IllegalArgumentException.class, () -> new NeuralCfPredictor(weights, -0.1, "mse"));
    assertThrows(IllegalArgumentException.class, () -> new NeuralCfPredictor(null, 0.1, "mse"));
  }

  /** {@code log(1 + e^f) − r·f}, the binary cross-entropy of label {@code r} on logit {@code f}. */
  private static double bceLoss(double f, double r) {
    return Math.max(f, 0) + Math.log1p(Math.exp(-Math.abs(f))) - r * f;
  }

  /** NeuMF weights with {@code layers} hidden layers of widths 2k, 2k−1, … (He-style scale), seeded. */
  static NeuralCfWeights randomWeights(int k, int layers, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] w = new float[layers][];
    float[][] b = new float[layers][];
    int in = 2 * k;
    for (int l = 0; l < layers; l++) {
      int out = 2 * k - l;
      w[l] = toFloat(gaussian(random, in * out));
      for (int c = 0; c < w[l].length; c++) {
        w[l][c] *= (float) Math.sqrt(2.0 / in);
      }
      b[l] = toFloat(gaussian(random, out));
      for (int c = 0; c < out; c++) {
        b[l][c] *= 0.1f;
      }
      in = out;
    }
    float[] output = toFloat(gaussian(random, in + k));
    return new NeuralCfWeights(k, w, b, output, 0.1f);
  }

  static double[] gaussian(SplittableRandom random, int n) {
    double[] v = new double[n];
    for (int c = 0; c < n; c++) {
      v[c] = random.nextGaussian();
    }
    return v;
  }

  static float[] toFloat(double[] v) {
    return TinyFactorization.toFloat(v);
  }
}
