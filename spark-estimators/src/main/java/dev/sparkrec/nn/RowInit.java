package dev.sparkrec.nn;

import java.io.Serializable;

/**
 * How the rows of a sparse-row table start, computed row by row: N(mean, std²) exactly as {@link
 * Initializers#normal} draws it for the whole table from {@code seed} (zero when {@code std} and {@code mean} are 0,
 * a table no initialiser touched). So any part of a table can be initialised where it lives, e.g. a shard of the
 * sharded embedding sync on its executor, with the values building the whole table would give.
 *
 * <p>{@link Initializers#normal} fills element i of a table with a Box–Muller draw from the (2i+1)-th and (2i+2)-th
 * doubles of {@code new SplittableRandom(seed)}, whose k-th long is {@code mix64(seed + k·γ)} (γ its golden gamma)
 * and whose doubles are the top 53 bits of its longs; {@link #fillRow} computes those draws directly.
 */
public record RowInit(double mean, double std, long seed) implements Serializable {

  /** The rows of a table that starts at zero. */
  public static final RowInit ZERO = new RowInit(0, 0, 0);

  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
  private static final double DOUBLE_UNIT = 0x1.0p-53;

  /** Writes row {@code row} of a table of {@code rowSize} columns into {@code dst[at .. at + rowSize)}. */
  public void fillRow(long row, int rowSize, float[] dst, int at) {
    if (std == 0 && mean == 0) {
      java.util.Arrays.fill(dst, at, at + rowSize, 0f);
      return;
    }
    long element = row * rowSize;
    for (int j = 0; j < rowSize; j++) {
      long draw = 2 * (element + j); // draws 2i+1 and 2i+2 of the table's stream
      double u1 = unitDouble(seed + (draw + 1) * GOLDEN_GAMMA);
      double u2 = unitDouble(seed + (draw + 2) * GOLDEN_GAMMA);
      dst[at + j] = (float) (mean + std * Initializers.boxMuller(u1, u2));
    }
  }

  private static double unitDouble(long state) {
    return (mix64(state) >>> 11) * DOUBLE_UNIT;
  }

  /** SplittableRandom's output function (Stafford's variant 13 of the MurmurHash3 finaliser). */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
