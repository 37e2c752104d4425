package dev.sparkrec.nn.embedding;

import dev.sparkrec.nn.Initializers;
import dev.sparkrec.nn.Parameter;
import java.io.Serializable;

/**
 * How an embedding table's entries start: N(0, std²), or Glorot normal N(0, 2/(rows + dim)) of the logical
 * {@code rows × dim} table. A layout that stores the table in pieces initialises every piece with the logical
 * table's distribution.
 *
 * @param std the standard deviation of {@code normal}; ignored by {@code xavierNormal}
 * @param xavier whether the standard deviation is Glorot's {@code √(2/(rows + dim))}
 */
public record TableInit(double std, boolean xavier) implements Serializable {

  public TableInit {
    if (!xavier && (!(std >= 0) || Double.isInfinite(std))) {
      throw new IllegalArgumentException("an embedding initialiser needs a finite std >= 0, got " + std);
    }
  }

  /** N(0, std²). */
  public static TableInit normal(double std) {
    return new TableInit(std, false);
  }

  /** Glorot normal over the logical table: N(0, 2/(rows + dim)). */
  public static TableInit xavierNormal() {
    return new TableInit(0, true);
  }

  /** The standard deviation for a logical {@code rows × dim} table. */
  public double stdFor(int rows, int dim) {
    return xavier ? Math.sqrt(2.0 / ((double) rows + dim)) : std;
  }

  /** Fills {@code piece} (all or part of a logical {@code rows × dim} table) from {@code seed}. */
  public void initialize(Parameter piece, int rows, int dim, long seed) {
    Initializers.normal(piece, 0, stdFor(rows, dim), seed);
  }
}
