package dev.sparkrec.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sparkrec.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Element-wise and global-norm clipping over dense parameters and touched sparse rows. */
class GradientClippingTest {

  private static Parameter dense(float... grad) {
    Parameter p = Parameter.dense("lin.weight", grad.length);
    System.arraycopy(grad, 0, p.grad(), 0, grad.length);
    return p;
  }

  /** A 3 × 2 table with row 2 touched (gradient {@code touched}) and junk in untouched row 0. */
  private static Parameter table(float untouchedJunk, float... touched) {
    Parameter p = Parameter.sparseRows("emb", 3, 2);
    p.grad()[0] = untouchedJunk;
    p.grad()[1] = untouchedJunk;
    p.grad()[4] = touched[0];
    p.grad()[5] = touched[1];
    p.touchRow(2);
    return p;
  }

  private static Parameter state(float grad) {
    Parameter p = Parameter.state("bn.runningVar", 2);
    p.grad()[0] = grad;
    p.grad()[1] = -grad;
    return p;
  }

  @Test
  void clipByValueClampsDenseAndTouchedRowsOnly() {
    Parameter w = dense(3f, -0.5f, -4f, 0.25f, Float.NaN);
    Parameter emb = table(7f, -2f, 0.5f);
    Parameter bn = state(9f);
    GradientClipping.clipByValue(List.of(w, emb, bn), 1.0);
    assertArrayEquals(new float[] {1f, -0.5f, -1f, 0.25f, Float.NaN}, w.grad());
    assertArrayEquals(new float[] {7f, 7f, 0f, 0f, -1f, 0.5f}, emb.grad(), "untouched row 0 is not read or written");
    assertArrayEquals(new float[] {9f, -9f}, bn.grad());
  }

  @Test
  void clipByGlobalNormScalesEverythingByMaxNormOverNorm() {
    Parameter w = dense(3f, 0f, -4f, 0f);
    Parameter emb = table(100f, 0f, 12f);
    Parameter bn = state(100f);
    List<Parameter> params = List.of(w, emb, bn);
    // ‖g‖ = √(3² + 4² + 12²) = √169 = 13 (untouched row and state excluded)
    assertEquals(13.0, GradientClipping.globalNorm(params), 1e-12);
    // maxNorm 6.5 → scale 6.5/13 = 0.5
    assertEquals(13.0, GradientClipping.clipByGlobalNorm(params, 6.5), 1e-12);
    assertArrayEquals(new float[] {1.5f, 0f, -2f, 0f}, w.grad());
    assertArrayEquals(new float[] {100f, 100f, 0f, 0f, 0f, 6f}, emb.grad());
    assertArrayEquals(new float[] {100f, -100f}, bn.grad());
    assertEquals(6.5, GradientClipping.globalNorm(params), 1e-6);
  }

  @Test
  void clipByGlobalNormLeavesSmallOrNonFiniteGradientsAlone() {
    Parameter w = dense(3f, 4f);
    assertEquals(5.0, GradientClipping.clipByGlobalNorm(List.of(w), 5.0), 1e-12);
    assertEquals(5.0, GradientClipping.clipByGlobalNorm(List.of(w), 20.0), 1e-12);
    assertArrayEquals(new float[] {3f, 4f}, w.grad());
    Parameter inf = dense(Float.POSITIVE_INFINITY, 1f);
    assertEquals(Double.POSITIVE_INFINITY, GradientClipping.clipByGlobalNorm(List.of(inf), 1.0));
    assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 1f}, inf.grad());
  }

  @Test
  void rejectsNonPositiveLimits() {
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipByValue(List.of(), 0));
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipByGlobalNorm(List.of(), -1));
  }
}
