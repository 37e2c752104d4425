package dev.sparkrec.fia;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.SplittableRandom;
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

  /** Equal |influence| is ordered by user, then item: identical raters (same vector and rating) tie exactly. */
  @Test
  void tiesAreOrderedByUserThenItem() {
    InfluenceCalculator calculator = new InfluenceCalculator(new FactorPredictor(1, false, 0, LAMBDA));
    float[] rater = {1.5f};
    InfluenceExplanation explanation = calculator.explain(9, new float[] {1f}, 3, new float[] {0.5f},
        new int[] {6, 2}, new float[] {3f, 3f}, new float[][] {{2f}, {2f}},
        new int[] {8, 4, 6}, new float[] {0.5f, 0.5f, 0.5f}, new float[][] {rater, rater, rater}, 10);
    assertArrayEquals(new int[] {9, 9, 4, 6, 8}, explanation.users());
    assertArrayEquals(new int[] {2, 6, 3, 3, 3}, explanation.items());
    assertEquals(explanation.influences()[0], explanation.influences()[1], 0);
    assertEquals(explanation.influences()[2], explanation.influences()[4], 0);
  }

  /** The pair's own training rating is in both lists, scored once, and the related count counts it once. */
  @Test
  void ownRatingIsListedOnce() {
    InfluenceCalculator calculator = new InfluenceCalculator(new FactorPredictor(2, true, 3, LAMBDA));
    float[] user = {0.3f, -0.2f, 0.1f};
    float[] item = {0.5f, 0.4f, -0.1f};
    InfluenceExplanation explanation = calculator.explain(1, user, 2, item,
        new int[] {2, 5}, new float[] {3f, 2f}, new float[][] {item, {0.2f, 0.1f, 0f}},
        new int[] {7, 1}, new float[] {3f, 3f}, new float[][] {{-0.4f, 0.3f, 0.2f}, user}, 10);
    assertEquals(3, explanation.relatedCount());
    assertEquals(3, explanation.size());
    int own = 0;
    for (int c = 0; c < 3; c++) {
      own += explanation.users()[c] == 1 && explanation.items()[c] == 2 ? 1 : 0;
    }
    assertEquals(1, own);
    IllegalArgumentException inOneListOnly = assertThrows(IllegalArgumentException.class,
        () -> calculator.explain(1, user, 2, item, new int[] {2}, new float[] {4f}, new float[][] {item},
            new int[0], new float[0], new float[0][], 10));
    assertTrue(inOneListOnly.getMessage().contains("user 1, item 2"), inOneListOnly.getMessage());
  }

  /**
   * A user without training ratings is explained by the item's ratings alone, and vice versa; an item's only rating
   * is flagged: removing it would leave the item without ratings.
   */
  @Test
  void coldSidesContributeNothing() {
    InfluenceCalculator calculator = new InfluenceCalculator(new FactorPredictor(1, false, 0, LAMBDA), 0);
    InfluenceExplanation coldUser = calculator.explain(7, new float[] {1f}, 3, new float[] {0.5f},
        new int[0], new float[0], new float[0][], new int[] {4, 5}, new float[] {0.5f, 1f},
        new float[][] {{1.5f}, {0.75f}}, 5);
    double hItem = 2 * (1.5 * 1.5 + 0.75 * 0.75) + 2 * LAMBDA * 2;
    assertEquals(2, coldUser.size());
    int rater4 = coldUser.users()[0] == 4 ? 0 : 1;
    assertEquals(4, coldUser.users()[rater4]);
    assertEquals(1 / hItem * (2 * (1.5 * 0.5 - 0.5) * 1.5 + 2 * LAMBDA * 0.5), coldUser.influences()[rater4],
        1e-12);
    InfluenceExplanation onlyRating = calculator.explain(7, new float[] {1f}, 3, new float[] {0.5f},
        new int[0], new float[0], new float[0][], new int[] {4}, new float[] {0.5f}, new float[][] {{1.5f}}, 5);
    assertEquals(1, onlyRating.size());
    assertTrue(onlyRating.orphaned()[0] && Double.isNaN(onlyRating.influences()[0]));
    InfluenceExplanation bothCold = calculator.explain(7, new float[] {1f}, 3, new float[] {0.5f},
        new int[0], new float[0], new float[0][], new int[0], new float[0], new float[0][], 5);
    assertEquals(0, bothCold.size());
    assertEquals(0, bothCold.relatedCount());
    assertEquals(0.5, bothCold.prediction(), 1e-15);
  }

  /** One calculator explaining pairs of changing sizes gives what fresh calculators give, also after serialization. */
  @Test
  void reusedAndDeserializedCalculatorsAgreeWithFreshOnes() throws Exception {
    FactorPredictor model = new FactorPredictor(3, true, 3.5, LAMBDA);
    InfluenceCalculator reused = new InfluenceCalculator(model);
    SplittableRandom random = new SplittableRandom(4);
    for (int trial = 0; trial < 6; trial++) {
      int nu = random.nextInt(0, 40);
      int ni = random.nextInt(0, 40);
      Object[] input = randomInput(random, nu, ni, 4);
      InfluenceExplanation expected = explain(new InfluenceCalculator(model), input, 1 + trial * 3);
      InfluenceExplanation actual = explain(reused, input, 1 + trial * 3);
      assertArrayEquals(expected.users(), actual.users());
      assertArrayEquals(expected.items(), actual.items());
      assertArrayEquals(expected.influences(), actual.influences(), 0);
      assertEquals(Math.min(1 + trial * 3, nu + ni), actual.size());
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(reused);
    }
    InfluenceCalculator copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (InfluenceCalculator) in.readObject();
    }
    Object[] input = randomInput(random, 12, 9, 4);
    assertArrayEquals(explain(reused, input, 5).influences(), explain(copy, input, 5).influences(), 0);
    assertEquals(reused.damping(), copy.damping(), 0);
  }

  @Test
  void rejectsInconsistentInputNamingIt() {
    InfluenceCalculator calculator = new InfluenceCalculator(new FactorPredictor(2, true, 0, LAMBDA));
    float[] v = new float[3];
    IllegalArgumentException shortVector = assertThrows(IllegalArgumentException.class,
        () -> calculator.explain(1, v, 2, v, new int[] {5}, new float[] {1f}, new float[][] {new float[2]},
            new int[0], new float[0], new float[0][], 3));
    assertTrue(shortVector.getMessage().contains("item 5") && shortVector.getMessage().contains("expected 3"),
        shortVector.getMessage());
    IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
        () -> calculator.explain(1, v, 2, v, new int[] {5, 6}, new float[] {1f}, new float[][] {v, v},
            new int[0], new float[0], new float[0][], 3));
    assertTrue(lengths.getMessage().contains("user 1"), lengths.getMessage());
    assertThrows(IllegalArgumentException.class, () -> calculator.explain(1, v, 2, v, new int[0], new float[0],
        new float[0][], new int[0], new float[0], new float[0][], 0));
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> calculator.explain(1, v, 2, v, new int[] {5}, new float[] {1f}, new float[][] {{Float.NaN, 0, 0}},
            new int[0], new float[0], new float[0][], 3));
    assertTrue(nan.getMessage().contains("user 1 on item 5"), nan.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new InfluenceCalculator(null));
    assertThrows(IllegalArgumentException.class,
        () -> new InfluenceCalculator(new FactorPredictor(2, true, 0, LAMBDA), -1e-6));
  }

  /**
   * Far from a minimum the joint Hessian can be indefinite: the cross block's {@code g·I} term with a residual of
   * −100 outweighs the blocks, and the error names the pair and suggests damping.
   */
  @Test
  void indefiniteJointHessianIsReported() {
    InfluenceCalculator calculator = new InfluenceCalculator(new FactorPredictor(1, false, 0, 0.01), 0);
    float[] user = {0.1f};
    float[] item = {0.1f};
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> calculator.explain(4, user, 6, item, new int[] {6}, new float[] {100f}, new float[][] {item},
            new int[] {4}, new float[] {100f}, new float[][] {user}, 1));
    assertTrue(error.getMessage().contains("user 4, item 6") && error.getMessage().contains("damping"),
        error.getMessage());
  }

  private static Object[] randomInput(SplittableRandom random, int nu, int ni, int dim) {
    int[] ratedItems = new int[nu];
    float[] userRatings = new float[nu];
    float[][] itemVectors = new float[nu][];
    for (int c = 0; c < nu; c++) {
      ratedItems[c] = 100 + c;
      userRatings[c] = 1 + random.nextInt(5);
      itemVectors[c] = randomVector(random, dim);
    }
    int[] raters = new int[ni];
    float[] itemRatings = new float[ni];
    float[][] userVectors = new float[ni][];
    for (int c = 0; c < ni; c++) {
      raters[c] = 200 + c;
      itemRatings[c] = 1 + random.nextInt(5);
      userVectors[c] = randomVector(random, dim);
    }
    return new Object[] {randomVector(random, dim), randomVector(random, dim), ratedItems, userRatings,
        itemVectors, raters, itemRatings, userVectors};
  }

  private static InfluenceExplanation explain(InfluenceCalculator calculator, Object[] in, int topK) {
    return calculator.explain(1, (float[]) in[0], 2, (float[]) in[1], (int[]) in[2], (float[]) in[3],
        (float[][]) in[4], (int[]) in[5], (float[]) in[6], (float[][]) in[7], topK);
  }

  private static float[] randomVector(SplittableRandom random, int dim) {
    float[] v = new float[dim];
    for (int c = 0; c < dim; c++) {
      v[c] = (float) random.nextGaussian(0, 0.5);
    }
    return v;
  }
}
