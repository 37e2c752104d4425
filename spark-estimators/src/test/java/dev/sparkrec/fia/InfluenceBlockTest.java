package dev.sparkrec.fia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link InfluenceBlock} (one user's or item's block, factored once, scoring many pairs with one solve and one
 * GEMM) against {@link InfluenceCalculator} pair by pair: every rating's influence and leverage agree, for MF with
 * biases, ALS and NCF, first-order and leave-one-out.
 */
class InfluenceBlockTest {

  private static final double DAMPING = 1e-6;

  /** One side's training ratings: counterpart ids from {@code firstId}, ratings and counterpart vectors. */
  private record Ratings(int[] ids, float[] ratings, float[][] vectors) {
    static Ratings random(SplittableRandom random, int count, int firstId, int dim) {
      int[] ids = new int[count];
      float[] ratings = new float[count];
      float[][] vectors = new float[count][];
      for (int j = 0; j < count; j++) {
        ids[j] = firstId + j;
        ratings[j] = 1 + random.nextInt(5);
        vectors[j] = vector(random, dim);
      }
      return new Ratings(ids, ratings, vectors);
    }
  }

  @ParameterizedTest(name = "{0}, leaveOneOut = {1}")
  @CsvSource({"mf, false", "mf, true", "als, false", "als, true", "ncf, false", "ncf, true"})
  void aBlockScoresEveryPairAsTheCalculatorDoes(String kind, boolean leaveOneOut) {
    SplittableRandom random = new SplittableRandom(11);
    FactorizedPredictor predictor = predictor(kind);
    int du = predictor.userDim();
    int di = predictor.itemDim();
    int pairs = 6;
    float[] user = vector(random, du);
    Ratings rated = Ratings.random(random, 9, 100, di); // user 1's ratings of items 100..108
    // pairs (user 1, item 200 + p), each item with its own raters 300..306
    float[][] pairItems = new float[pairs][];
    Ratings[] raters = new Ratings[pairs];
    double[] gradients = new double[pairs * du];
    double[] dUser = new double[du];
    double[] dItem = new double[di];
    for (int p = 0; p < pairs; p++) {
      pairItems[p] = vector(random, di);
      raters[p] = Ratings.random(random, 7, 300, du);
      predictor.predictWithGradients(user, pairItems[p], dUser, dItem);
      System.arraycopy(dUser, 0, gradients, p * du, du);
    }
    InfluenceBlock block = new InfluenceBlock(predictor, DAMPING, leaveOneOut, true, 1, user, rated.ids(),
        rated.ratings(), rated.vectors());
    double[] influences = new double[rated.ids().length * pairs];
    block.influences(gradients.clone(), pairs, influences);

    InfluenceCalculator calculator = new InfluenceCalculator(predictor, DAMPING, leaveOneOut);
    for (int p = 0; p < pairs; p++) {
      InfluenceExplanation e = calculator.explain(1, user, 200 + p, pairItems[p], rated.ids(), rated.ratings(),
          rated.vectors(), raters[p].ids(), raters[p].ratings(), raters[p].vectors(), Integer.MAX_VALUE);
      // the user side against the user's block, scored for all pairs at once
      assertSide(e, 1, -1, block, 100, p, pairs, influences);
      // the item side against the item's own block
      InfluenceBlock itemBlock = new InfluenceBlock(predictor, DAMPING, leaveOneOut, false, 200 + p, pairItems[p],
          raters[p].ids(), raters[p].ratings(), raters[p].vectors());
      predictor.predictWithGradients(user, pairItems[p], dUser, dItem);
      double[] itemInfluences = new double[raters[p].ids().length];
      itemBlock.influences(dItem.clone(), 1, itemInfluences);
      assertSide(e, -1, 200 + p, itemBlock, 300, 0, 1, itemInfluences);
      assertTrue(!itemBlock.orphaning());
    }
  }

  @ParameterizedTest(name = "{0}, leaveOneOut = {1}")
  @CsvSource({"mf, false", "mf, true", "ncf, false", "ncf, true"})
  void projectionsScaleAndJacobianRowsRecomposeTheInfluences(String kind, boolean leaveOneOut) {
    // The form the SQL scoring path evaluates: influence(j, p) = scale(j)·(J_j·S_p) + offset_p.
    SplittableRandom random = new SplittableRandom(5);
    FactorizedPredictor predictor = predictor(kind);
    int di = predictor.itemDim();
    int pairs = 4;
    float[] item = vector(random, di);
    Ratings raters = Ratings.random(random, 6, 10, predictor.userDim());
    InfluenceBlock block = new InfluenceBlock(predictor, DAMPING, leaveOneOut, false, 7, item, raters.ids(),
        raters.ratings(), raters.vectors());
    double[] gradients = new double[pairs * di];
    double[] dUser = new double[predictor.userDim()];
    double[] dItem = new double[di];
    for (int p = 0; p < pairs; p++) {
      predictor.predictWithGradients(vector(random, predictor.userDim()), item, dUser, dItem);
      System.arraycopy(dItem, 0, gradients, p * di, di);
    }
    double[] influences = new double[pairs * 6];
    block.influences(gradients.clone(), pairs, influences);
    double[] projections = gradients.clone();
    double[] offsets = new double[pairs];
    block.project(projections, pairs, offsets);
    for (int p = 0; p < pairs; p++) {
      for (int j = 0; j < 6; j++) {
        float[] row = block.jacobianRow(j);
        double dot = 0;
        for (int a = 0; a < di; a++) {
          dot += row[a] * projections[p * di + a];
        }
        double expected = influences[p * 6 + j];
        // J_j is rounded to floats
        assertEquals(expected, block.scale(j) * dot + offsets[p], 1e-6 * Math.max(1, Math.abs(expected)),
            "rating " + j + ", pair " + p);
      }
    }
  }

  /**
   * Every listed rating of {@code e} on the user side (user {@code user}) or the item side (item {@code item})
   * equals the block's influence for pair {@code column} of {@code influences} ({@code columns} pairs) and its
   * leverage; counterpart ids start at {@code firstId}.
   */
  private static void assertSide(InfluenceExplanation e, int user, int item, InfluenceBlock block, int firstId,
      int column, int columns, double[] influences) {
    int matched = 0;
    for (int k = 0; k < e.size(); k++) {
      boolean userSide = e.users()[k] == user;
      if (!userSide && e.items()[k] != item) {
        continue;
      }
      int j = (userSide ? e.items()[k] : e.users()[k]) - firstId;
      double expected = e.influences()[k];
      assertEquals(expected, influences[column * block.size() + j], 1e-9 * (1 + Math.abs(expected)), "rating " + j);
      assertEquals(e.leverages()[k], block.leverages()[j], 1e-9, "leverage of rating " + j);
      matched++;
    }
    assertEquals(block.size(), matched);
  }

  private static FactorizedPredictor predictor(String kind) {
    switch (kind) {
      case "mf":
        return new FactorPredictor(3, true, 3.5, 0.1);
      case "als":
        return new FactorPredictor(3, false, 0, 0.1);
      default:
        return new NeuralCfPredictor(NeuralCfPredictorTest.randomWeights(3, 2, 5), 0.01, NeuralCfPredictor.MSE);
    }
  }

  private static float[] vector(SplittableRandom random, int dim) {
    float[] v = new float[dim];
    for (int c = 0; c < dim; c++) {
      v[c] = (float) random.nextGaussian(0, 0.5);
    }
    return v;
  }
}
