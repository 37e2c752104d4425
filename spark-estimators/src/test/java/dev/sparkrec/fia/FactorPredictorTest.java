package dev.sparkrec.fia;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FactorPredictorTest {

  @Test
  void biasedFactorisationPredictsAndDifferentiatesByHand() {
    FactorPredictor mf = new FactorPredictor(2, true, 3.5, 0.1);
    float[] user = {1f, -2f, 0.25f}; // [p_u; b_u]
    float[] item = {0.5f, 1.5f, -0.5f}; // [q_i; b_i]
    double[] dUser = new double[3];
    double[] dItem = new double[3];
    double expected = 3.5 + (1 * 0.5 - 2 * 1.5) + 0.25 - 0.5; // μ + p·q + b_u + b_i
    assertEquals(expected, mf.predictWithGradients(user, item, dUser, dItem), 1e-12);
    assertEquals(expected, mf.predict(user, item), 1e-12);
    assertArrayEquals(new double[] {0.5, 1.5, 1}, dUser, 0); // [q_i; 1]
    assertArrayEquals(new double[] {1, -2, 1}, dItem, 0); // [p_u; 1]
    double[] cross = new double[9];
    mf.addCrossHessian(user, item, 2, cross);
    assertArrayEquals(new double[] {2, 0, 0, 0, 2, 0, 0, 0, 0}, cross, 0); // 2·[[I, 0], [0, 0]]
    assertEquals(3, mf.userDim());
    assertEquals(3, mf.itemDim());
    assertEquals(2 * (4.0 - 5.0), mf.lossGradient(4, 5), 0);
    assertEquals(2, mf.lossCurvature(4, 5), 0);
    assertEquals(0.1, mf.regParam(), 0);
  }

  @Test
  void alsFactorisationIsTheDotProduct() {
    FactorPredictor als = new FactorPredictor(2, false, 0, 0.05);
    float[] user = {1f, -2f};
    float[] item = {0.5f, 1.5f};
    double[] dUser = new double[2];
    double[] dItem = new double[2];
    assertEquals(0.5 - 3, als.predictWithGradients(user, item, dUser, dItem), 1e-12);
    assertArrayEquals(new double[] {0.5, 1.5}, dUser, 0);
    assertArrayEquals(new double[] {1, -2}, dItem, 0);
    double[] cross = new double[4];
    als.addCrossHessian(user, item, -1, cross);
    assertArrayEquals(new double[] {-1, 0, 0, -1}, cross, 0);
    assertEquals(2, als.userDim());
  }

  @Test
  void rejectsInvalidSettings() {
    assertThrows(IllegalArgumentException.class, () -> new FactorPredictor(0, true, 0, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new FactorPredictor(2, true, 0, -0.1));
    assertThrows(IllegalArgumentException.class, () -> new FactorPredictor(2, true, Double.NaN, 0.1));
  }
}
