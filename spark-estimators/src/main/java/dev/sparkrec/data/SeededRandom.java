package dev.sparkrec.data;

/**
 * A small, fully specified pseudo-random generator (SplitMix64) plus the hash that derives
 * seeds from a base seed and indices.
 *
 * <p>Java's own generators are not used because their algorithms are not part of the API
 * contract across versions; this one is defined here, and every transcendental function goes
 * through {@link StrictMath}, so a seed gives bit-identical draws on every JVM and machine.
 * Not thread-safe; create one per row, user or partition.
 */
final class SeededRandom {

  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

  private long state;

  SeededRandom(long seed) {
    this.state = seed;
  }

  /** SplitMix64's finaliser (Steele, Lea and Flood, 2014): a bijective 64-bit mixer. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A seed derived from {@code seed} and the indices {@code parts}, in order. */
  static long hash(long seed, long... parts) {
    long h = mix64(seed + GOLDEN_GAMMA);
    for (long part : parts) {
      h = mix64(h ^ mix64(part + GOLDEN_GAMMA));
    }
    return h;
  }

  /** A standard normal draw that depends only on {@code seed} and {@code parts}. */
  static double gaussianAt(long seed, long... parts) {
    return new SeededRandom(hash(seed, parts)).nextGaussian();
  }

  /** A uniform draw in [0, 1) that depends only on {@code seed} and {@code parts}. */
  static double uniformAt(long seed, long... parts) {
    return new SeededRandom(hash(seed, parts)).nextDouble();
  }

  long nextLong() {
    state += GOLDEN_GAMMA;
    return mix64(state);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound) by multiply-shift (bias below 2^-32 per value); {@code bound > 0}. */
  int nextInt(int bound) {
    return (int) (((nextLong() >>> 32) * bound) >>> 32);
  }

  /** Standard normal by Box-Muller: sqrt(-2 ln u1) cos(2 pi u2), u1 in (0, 1]. */
  double nextGaussian() {
    double u1 = 1.0 - nextDouble();
    double u2 = nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
  }

  /** The logistic function 1 / (1 + e^-x). */
  static double sigmoid(double x) {
    return 1.0 / (1.0 + StrictMath.exp(-x));
  }
}
