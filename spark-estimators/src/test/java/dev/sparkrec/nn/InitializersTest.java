package dev.sparkrec.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Seeded initialisers: reproducible, and with the moments and bounds their formulas promise (100k draws). */
class InitializersTest {

  private static final int DRAWS = 100_000;

  private static Parameter drawn() {
    return Parameter.dense("w", DRAWS);
  }

  private static double mean(float[] x) {
    double sum = 0;
    for (float v : x) {
      sum += v;
    }
    return sum / x.length;
  }

  private static double std(float[] x) {
    double m = mean(x);
    double sum = 0;
    for (float v : x) {
      sum += (v - m) * (v - m);
    }
    return Math.sqrt(sum / (x.length - 1));
  }

  @Test
  void sameSeedSameValuesOtherSeedOtherValues() {
    Parameter a = Parameter.dense("a", 64);
    Parameter b = Parameter.dense("b", 64);
    Parameter c = Parameter.dense("c", 64);
    Initializers.normal(a, 0, 1, 42);
    Initializers.normal(b, 0, 1, 42);
    Initializers.normal(c, 0, 1, 43);
    assertArrayEquals(a.data(), b.data());
    assertFalse(Arrays.equals(a.data(), c.data()));
    Initializers.xavierUniform(a, 8, 8, 7);
    Initializers.xavierUniform(b, 8, 8, 7);
    Initializers.xavierUniform(c, 8, 8, 8);
    assertArrayEquals(a.data(), b.data());
    assertFalse(Arrays.equals(a.data(), c.data()));
  }

  @Test
  void normalHasTheRequestedMeanAndStdAndGaussianShape() {
    Parameter p = drawn();
    Initializers.normal(p, 0.5, 2.0, 1);
    float[] x = p.data();
    // standard errors: mean 2/√1e5 ≈ 0.0063, std ≈ 2/√(2·1e5) ≈ 0.0045
    assertEquals(0.5, mean(x), 0.03);
    assertEquals(2.0, std(x), 0.025);
    int withinOneStd = 0;
    for (float v : x) {
      if (Math.abs(v - 0.5) <= 2.0) {
        withinOneStd++;
      }
    }
    // P(|Z| ≤ 1) = 0.6827 for a normal (0.577 for a uniform of the same std); standard error ≈ 0.0015
    assertEquals(0.6827, withinOneStd / (double) DRAWS, 0.006);
  }

  @Test
  void xavierUniformStaysWithinItsBoundAndHasStdSqrtTwoOverFanSum() {
    Parameter p = drawn();
    Initializers.xavierUniform(p, 300, 100, 2);
    double limit = Math.sqrt(6.0 / 400); // 0.1224745
    float[] x = p.data();
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (float v : x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertTrue(max <= limit && min >= -limit, "range [" + min + ", " + max + "]");
    assertTrue(max > 0.999 * limit && min < -0.999 * limit, "fills the range: [" + min + ", " + max + "]");
    // U(±a) has std a/√3 = √(2/(fanIn+fanOut)) = 0.0707107
    assertEquals(0.0707107, std(x), 0.0707107 * 0.01);
    assertEquals(0, mean(x), 0.001);
  }

  @Test
  void xavierNormalAndHeHaveTheirStds() {
    Parameter p = drawn();
    Initializers.xavierNormal(p, 300, 100, 3);
    assertEquals(Math.sqrt(2.0 / 400), std(p.data()), Math.sqrt(2.0 / 400) * 0.01);
    Initializers.heNormal(p, 50, 4);
    assertEquals(0.2, std(p.data()), 0.2 * 0.01); // √(2/50)
    assertEquals(0, mean(p.data()), 0.003);
    Initializers.heUniform(p, 50, 5);
    double bound = Math.sqrt(6.0 / 50); // 0.3464102, std bound/√3 = 0.2
    for (float v : p.data()) {
      assertTrue(Math.abs(v) <= bound, "He uniform value " + v);
    }
    assertEquals(0.2, std(p.data()), 0.2 * 0.01);
  }

  @Test
  void constantFillsEveryElement() {
    Parameter p = Parameter.dense("gamma", 5);
    Initializers.constant(p, 1f);
    assertArrayEquals(new float[] {1f, 1f, 1f, 1f, 1f}, p.data());
  }

  @Test
  void rejectsInvalidArguments() {
    Parameter p = Parameter.dense("w", 4);
    assertThrows(IllegalArgumentException.class, () -> Initializers.uniform(p, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Initializers.normal(p, 0, -1, 1));
    assertThrows(IllegalArgumentException.class, () -> Initializers.xavierUniform(p, 0, 4, 1));
    assertThrows(IllegalArgumentException.class, () -> Initializers.heNormal(p, -3, 1));
  }
}
