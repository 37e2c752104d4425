package dev.sparkrec.fia;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Influences computed by hand on tiny models, the listing order, and input checks. */
class InfluenceCalculatorTest {

  private static final double LAMBDA = 0.1;

  /**
   * ALS, rank 1, λ = 0.1, no damping: x_u = 1 explains y_i = 0.5. H_u = 2·Σ_j y_j² + 2λ·n_u, v_u = y_i;
   * H_i = 2·Σ_v x_v² + 2λ·n_i, v_i = x_u; influence = v·H⁻¹·(2·e_z·J_z + 2λ·θ).
   */
  @Test
  void rankOneAlsInfluencesMatchHandValues() {
    InfluenceCalculator calculator = new InfluenceCalculator(new FactorPredictor(1, false, 0, LAMBDA), 0);
    InfluenceExplanation explanation = calculator.explain(7, new float[] {1f}, 3, new float[] {0.5f},
        new int[] {1, 2}, new float[] {1f, 2f}, new float[][] {{2f}, {1f}},
        new int[] {4, 5}, new float[] {0.5f, 0f}, new float[][] {{1.5f}, {-1f}}, 10);
    double hUser = 2 * (2 * 2 + 1 * 1) + 2 * LAMBDA * 2;
    double hItem = 2 * (1.5 * 1.5 + 1 * 1) + 2 * LAMBDA * 2;
    double user7Item1 = 0.5 / hUser * (2 * (1 * 2 - 1) * 2 + 2 * LAMBDA * 1); // e = 1·2 − 1
    double user7Item2 = 0.5 / hUser * (2 * (1 * 1 - 2) * 1 + 2 * LAMBDA * 1); // e = 1·1 − 2
    double user4Item3 = 1 / hItem * (2 * (1.5 * 0.5 - 0.5) * 1.5 + 2 * LAMBDA * 0.5); // e = 1.5·0.5 − 0.5
    double user5Item3 = 1 / hItem * (2 * (-1 * 0.5 - 0) * -1 + 2 * LAMBDA * 0.5); // e = −1·0.5 − 0
    assertEquals(0.5, explanation.prediction(), 1e-15);
    assertEquals(4, explanation.relatedCount());
    assertEquals(4, explanation.size());
    assertArrayEquals(new int[] {7, 5, 4, 7}, explanation.users());
    assertArrayEquals(new int[] {1, 3, 3, 2}, explanation.items());
    assertArrayEquals(new float[] {1f, 0f, 0.5f, 2f}, explanation.ratings());
    assertArrayEquals(new double[] {user7Item1, user5Item3, user4Item3, user7Item2}, explanation.influences(),
        1e-12);
    assertEquals(0.2019230769230769, user7Item1, 1e-15); // 2.1 / 10.4, checking the formula above
  }

  /**
   * Biased MF, rank 1, μ = 3, a cold item (no ratings, so only the user block is solved):
   * H_u = 2·Σ_j [q_j; 1][q_j; 1]ᵀ + 2λ·2·I = [[10.4, 6], [6, 4.4]], det 9.76, v_u = [q_i; 1] = [0.5; 1].
   */
  @Test
  void biasedMfInfluencesMatchHandValues() {
    InfluenceCalculator calculator = new InfluenceCalculator(new FactorPredictor(1, true, 3, LAMBDA), 0);
    InfluenceExplanation explanation = calculator.explain(0, new float[] {1f, 0.5f}, 9, new float[] {0.5f, -0.25f},
        new int[] {1, 2}, new float[] {4f, 5f}, new float[][] {{2f, 0.1f}, {1f, -0.2f}},
        new int[0], new float[0], new float[0][], 1);
    double[] s = {(4.4 * 0.5 - 6 * 1) / 9.76, (-6 * 0.5 + 10.4 * 1) / 9.76}; // s_u = H_u⁻¹·v_u
    double e1 = 3 + 1 * 2 + 0.5 + 0.1 - 4; // f − r for item 1
    double e2 = 3 + 1 * 1 + 0.5 - 0.2 - 5; // f − r for item 2
    double item1 = s[0] * (2 * e1 * 2 + 2 * LAMBDA * 1) + s[1] * (2 * e1 * 1 + 2 * LAMBDA * 0.5);
    double item2 = s[0] * (2 * e2 * 1 + 2 * LAMBDA * 1) + s[1] * (2 * e2 * 1 + 2 * LAMBDA * 0.5);
    assertEquals(3 + 0.5 + 0.5 - 0.25, explanation.prediction(), 1e-7);
    assertEquals(2, explanation.relatedCount());
    // By hand: s_u = [−3.8, 7.4] / 9.76; ∇ℓ = [6.6, 3.3] for item 1 (e = 1.6), [−1.2, −1.3] for item 2 (e = −0.7).
    assertEquals((-3.8 * 6.6 + 7.4 * 3.3) / 9.76, item1, 1e-12);
    assertEquals((-3.8 * -1.2 + 7.4 * -1.3) / 9.76, item2, 1e-12);
    assertEquals(1, explanation.size()); // topK = 1: item 2, |−0.518| > |−0.068|
    assertEquals(2, explanation.items()[0]);
    assertEquals(item2, explanation.influences()[0], 1e-7); // float inputs: 0.1 and 0.2 are not exact
  }
}
