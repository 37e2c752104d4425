package dev.sparkrec.nn;

import java.util.SplittableRandom;

/**
 * Seeded weight initialisers. Each draws from a {@link SplittableRandom} seeded with the given seed, so
 * the same seed gives the same weights on every machine and JVM. Fans are those of a {@code fanIn × fanOut}
 * weight (Keras/PyTorch's definitions for a dense layer).
 */
public final class Initializers {

  private Initializers() {}

  /** N(mean, std²) for every element ({@code std} &ge; 0). */
  public static void normal(Parameter p, double mean, double std, long seed) {
    if (!Double.isFinite(mean) || !(std >= 0) || Double.isInfinite(std)) {
      throw new IllegalArgumentException("normal initialiser of " + p.name() + " needs a finite mean and std >= 0, got"
          + " mean " + mean + ", std " + std);
    }
    SplittableRandom random = new SplittableRandom(seed);
    float[] d = p.data();
    for (int i = 0; i < p.size(); i++) {
      d[i] = (float) (mean + std * gaussian(random));
    }
    p.setRowInit(new RowInit(mean, std, seed));
  }

  /** U(−limit, limit) for every element ({@code limit} &gt; 0). */
  public static void uniform(Parameter p, double limit, long seed) {
    if (!(limit > 0) || Double.isInfinite(limit)) {
      throw new IllegalArgumentException("uniform initialiser of " + p.name() + " needs a positive finite limit, got "
          + limit);
    }
    SplittableRandom random = new SplittableRandom(seed);
    float[] d = p.data();
    for (int i = 0; i < p.size(); i++) {
      d[i] = (float) random.nextDouble(-limit, limit);
    }
    p.setRowInit(null);
  }

  /** Glorot/Xavier uniform: U(±√(6/(fanIn+fanOut))), for a {@code fanIn × fanOut} weight. */
  public static void xavierUniform(Parameter p, int fanIn, int fanOut, long seed) {
    requireFans(p, fanIn, fanOut);
    uniform(p, Math.sqrt(6.0 / (fanIn + fanOut)), seed);
  }

  /** Glorot/Xavier normal: N(0, 2/(fanIn+fanOut)). */
  public static void xavierNormal(Parameter p, int fanIn, int fanOut, long seed) {
    requireFans(p, fanIn, fanOut);
    normal(p, 0, Math.sqrt(2.0 / (fanIn + fanOut)), seed);
  }

  /** He/Kaiming normal for ReLU layers: N(0, 2/fanIn). */
  public static void heNormal(Parameter p, int fanIn, long seed) {
    requireFans(p, fanIn, 1);
    normal(p, 0, Math.sqrt(2.0 / fanIn), seed);
  }

  /** He/Kaiming uniform for ReLU layers: U(±√(6/fanIn)), whose variance is 2/fanIn. */
  public static void heUniform(Parameter p, int fanIn, long seed) {
    requireFans(p, fanIn, 1);
    uniform(p, Math.sqrt(6.0 / fanIn), seed);
  }

  private static void requireFans(Parameter p, int fanIn, int fanOut) {
    if (fanIn <= 0 || fanOut <= 0) {
      throw new IllegalArgumentException("initialiser of " + p.name() + " needs positive fans, got fanIn " + fanIn
          + ", fanOut " + fanOut);
    }
  }

  /** Every element set to {@code value}. */
  public static void constant(Parameter p, float value) {
    java.util.Arrays.fill(p.data(), 0, p.size(), value);
    p.setRowInit(value == 0 ? RowInit.ZERO : new RowInit(value, 0, 0));
  }

  /** A standard normal draw (Box–Muller; one draw per call keeps the stream position simple). */
  static double gaussian(SplittableRandom random) {
    double u1 = random.nextDouble();
    double u2 = random.nextDouble();
    return boxMuller(u1, u2);
  }

  /** The Box–Muller normal of two uniform doubles in [0, 1). */
  static double boxMuller(double u1, double u2) {
    return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
  }
}
