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
import org.junit.jupiter.api.Test;

/** BatchNormOp: statistics per index of the chosen axis, training and inference values, full gradients. */
class BatchNormOpTest {

  private static final float EPS = 1e-3f;

  /** [[[1,2],[3,2]], [[5,2],[7,2]]]. */
  private static Tensor x() {
    return Tensor.constant(new float[] {1, 2, 3, 2, 5, 2, 7, 2}, 2, 2, 2);
  }

  @Test
  void trainingNormalisesPerIndexOfTheLastAxis() {
    float[] mean = new float[2];
    float[] variance = new float[2];
    Tensor gamma = Tensor.constant(new float[] {2, 1}, 2);
    Tensor beta = Tensor.constant(new float[] {0.5f, -1}, 2);
    Tensor y = BatchNormOp.applyTraining(new Tape(), x(), 2, gamma, beta, EPS, mean, variance);
    // channel 0 holds {1,3,5,7}: μ = 4, σ² = 5; channel 1 holds {2,2,2,2}: μ = 2, σ² = 0
    assertArrayEquals(new float[] {4, 2}, mean);
    assertArrayEquals(new float[] {5, 0}, variance);
    float s = (float) (2 / Math.sqrt(5 + EPS));
    assertArrayEquals(new float[] {-3 * s + 0.5f, -1, -s + 0.5f, -1, s + 0.5f, -1, 3 * s + 0.5f, -1}, y.toArray(),
        1e-6f);
  }

  @Test
  void trainingNormalisesPerIndexOfAMiddleAxis() {
    float[] mean = new float[2];
    float[] variance = new float[2];
    Tensor y = BatchNormOp.applyTraining(new Tape(), x(), 1, null, null, EPS, mean, variance);
    // channel 0 holds {1,2,5,2}: μ = 2.5, σ² = 2.25; channel 1 holds {3,2,7,2}: μ = 3.5, σ² = 4.25
    assertArrayEquals(new float[] {2.5f, 3.5f}, mean);
    assertArrayEquals(new float[] {2.25f, 4.25f}, variance);
    float s0 = (float) (1 / Math.sqrt(2.25 + EPS));
    float s1 = (float) (1 / Math.sqrt(4.25 + EPS));
    assertArrayEquals(new float[] {-1.5f * s0, -0.5f * s0, -0.5f * s1, -1.5f * s1, 2.5f * s0, -0.5f * s0,
        3.5f * s1, -1.5f * s1}, y.toArray(), 1e-6f);
  }

  @Test
  void aVarianceBeyondTheFloatRangeIsHandedOutSaturated() {
    float[] mean = new float[1];
    float[] variance = new float[1];
    Tensor x = Tensor.constant(new float[] {-3e19f, 3e19f}, 2, 1); // σ² = 9e38 > Float.MAX_VALUE ≈ 3.4e38
    Tensor y = BatchNormOp.applyTraining(new Tape(), x, 1, null, null, EPS, mean, variance);
    assertArrayEquals(new float[] {0}, mean);
    assertArrayEquals(new float[] {Float.MAX_VALUE}, variance);
    assertArrayEquals(new float[] {-1, 1}, y.toArray(), 1e-6f, "normalised with the variance in double");
    assertEquals(Float.MAX_VALUE, BatchNormOp.saturatedFloat(1e50));
    assertEquals(-Float.MAX_VALUE, BatchNormOp.saturatedFloat(-1e50));
    assertEquals(0.25f, BatchNormOp.saturatedFloat(0.25));
    assertTrue(Float.isNaN(BatchNormOp.saturatedFloat(Double.NaN)), "NaN stays NaN");
  }

  @Test
  void inferenceUsesTheGivenStatistics() {
    Tensor x = Tensor.constant(new float[] {3, 0, -1, -2}, 2, 2);
    Tensor y = BatchNormOp.applyInference(new Tape(), x, -1, Tensor.constant(new float[] {1, 2}, 2),
        Tensor.constant(new float[] {0, 1}, 2), EPS, new float[] {1, -1}, new float[] {4, 0.25f});
    float s0 = (float) (1 / Math.sqrt(4 + EPS));
    float s1 = (float) (2 / Math.sqrt(0.25 + EPS));
    assertArrayEquals(new float[] {2 * s0, s1 + 1, -2 * s0, -s1 + 1}, y.toArray(), 1e-6f);
  }

  @Test
  void rejectsMismatchedParameters() {
    Tensor gamma = Tensor.constant(new float[] {1, 1, 1}, 3);
    assertThrows(IllegalArgumentException.class,
        () -> BatchNormOp.applyTraining(new Tape(), x(), 2, gamma, null, EPS, null, null));
    assertThrows(IllegalArgumentException.class,
        () -> BatchNormOp.applyTraining(new Tape(), x(), 3, null, null, EPS, null, null));
    assertThrows(IllegalArgumentException.class,
        () -> BatchNormOp.applyTraining(new Tape(), x(), 2, null, null, 0f, null, null));
  }

  @Test
  void trainingGradientsThroughTheBatchStatistics() {
    Tensor x = randomVariable(1, -1, 1, 3, 2, 4);
    Tensor gamma = randomVariable(2, 0.5, 1.5, 4);
    Tensor beta = randomVariable(3, -1, 1, 4);
    assertGradients(t -> BatchNormOp.applyTraining(t, x, 2, gamma, beta, EPS, null, null), Input.of("x", x),
        Input.of("gamma", gamma), Input.of("beta", beta));
    Tensor gammaMid = randomVariable(4, 0.5, 1.5, 2);
    Tensor betaMid = randomVariable(5, -1, 1, 2);
    assertGradients(t -> BatchNormOp.applyTraining(t, x, 1, gammaMid, betaMid, EPS, null, null), Input.of("x", x),
        Input.of("gamma", gammaMid), Input.of("beta", betaMid));
    assertGradients(t -> BatchNormOp.applyTraining(t, x, 0, null, null, EPS, null, null), Input.of("x", x));
    Tensor h = randomVariable(6, -1, 1, 5, 3);
    Tensor g3 = randomVariable(7, 0.5, 1.5, 3);
    Tensor b3 = randomVariable(8, -1, 1, 3);
    assertGradients(t -> BatchNormOp.applyTraining(t, h, -1, g3, b3, EPS, null, null), Input.of("h", h),
        Input.of("gamma", g3), Input.of("beta", b3));
  }

  @Test
  void inferenceGradients() {
    Tensor x = randomVariable(9, -1, 1, 4, 3);
    Tensor gamma = randomVariable(10, 0.5, 1.5, 3);
    Tensor beta = randomVariable(11, -1, 1, 3);
    float[] mean = {0.1f, -0.2f, 0.3f};
    float[] variance = {0.5f, 1f, 2f};
    assertGradients(t -> BatchNormOp.applyInference(t, x, 1, gamma, beta, EPS, mean, variance), Input.of("x", x),
        Input.of("gamma", gamma), Input.of("beta", beta));
  }
}
