package dev.sparkrec.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A feature cross planted in {@link SyntheticCtrData}: a set of categorical fields whose joint
 * value adds {@code strength * s_1(v_1) * ... * s_k(v_k)} to the logit, where each
 * {@code s_j(v)} is a fixed, seed-derived sign (+1 or -1) of value {@code v} of the j-th field.
 *
 * <p>A product of independent signs is a pure interaction of order k: no field, and no subset
 * of fewer than k fields, predicts it on its own (up to the imbalance of popular values), so a
 * model finds it only by crossing all k fields.
 */
public final class PlantedCross implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int[] fields;
  private final double strength;

  /**
   * A cross of {@code fields} (distinct categorical field indices, at least two) adding
   * +-{@code strength} (finite) to the logit.
   */
  public PlantedCross(double strength, int... fields) {
    if (fields == null || fields.length < 2) {
      throw new IllegalArgumentException("A planted cross needs at least two fields but got "
          + Arrays.toString(fields) + ".");
    }
    if (Arrays.stream(fields).distinct().count() != fields.length) {
      throw new IllegalArgumentException("A planted cross needs distinct fields but got "
          + Arrays.toString(fields) + ".");
    }
    if (!Double.isFinite(strength)) {
      throw new IllegalArgumentException("A planted cross needs a finite strength but got " + strength + ".");
    }
    this.fields = fields.clone();
    this.strength = strength;
  }

  /** The categorical field indices of the cross, in the order given. */
  public int[] fields() {
    return fields.clone();
  }

  /** The order of the cross: the number of fields it combines. */
  public int order() {
    return fields.length;
  }

  /** The magnitude the cross adds to (or subtracts from) the logit. */
  public double strength() {
    return strength;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PlantedCross)) {
      return false;
    }
    PlantedCross other = (PlantedCross) o;
    return Arrays.equals(fields, other.fields) && Double.compare(strength, other.strength) == 0;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(fields) + Double.hashCode(strength);
  }

  @Override
  public String toString() {
    return "PlantedCross(fields=" + Arrays.toString(fields) + ", order=" + order() + ", strength=" + strength + ")";
  }
}
