package dev.sparkrec.afn;

import java.util.Arrays;

/**
 * One logarithmic neuron of a trained {@link AfnNetwork} read as a cross feature
 * {@code y_j ∝ Π_i |e_i|^{order_i}}: its index, its influence on the AFN logit, and its most important fields
 * with their (real-valued) orders, sorted by |order| descending. Produced by {@link CrossFeatureRanking}.
 */
public final class CrossFeature {

  private final int neuron;
  private final double influence;
  private final int[] fields;
  private final double[] orders;

  CrossFeature(int neuron, double influence, int[] fields, double[] orders) {
    if (fields.length != orders.length) {
      throw new IllegalArgumentException("a cross feature needs one order per field, got " + fields.length
          + " fields and " + orders.length + " orders");
    }
    this.neuron = neuron;
    this.influence = influence;
    this.fields = fields.clone();
    this.orders = orders.clone();
  }

  /** Index of the logarithmic neuron, in [0, logNeurons). */
  public int neuron() {
    return neuron;
  }

  /** The neuron's influence on the AFN logit (&ge; 0; see {@link CrossFeatureRanking} for its definition). */
  public double influence() {
    return influence;
  }

  /** The fields of the cross, most important first (by |order|). */
  public int[] fields() {
    return fields.clone();
  }

  /** The order (effective exponent) of each field of {@link #fields()}, in the same order. */
  public double[] orders() {
    return orders.clone();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("CrossFeature(neuron=").append(neuron).append(", influence=")
        .append(influence).append(", ");
    for (int i = 0; i < fields.length; i++) {
      s.append(i == 0 ? "" : " · ").append("field").append(fields[i]).append('^').append(orders[i]);
    }
    return s.append(')').toString();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CrossFeature)) {
      return false;
    }
    CrossFeature c = (CrossFeature) o;
    return neuron == c.neuron && Double.compare(influence, c.influence) == 0 && Arrays.equals(fields, c.fields)
        && Arrays.equals(orders, c.orders);
  }

  @Override
  public int hashCode() {
    int h = 31 * Integer.hashCode(neuron) + Double.hashCode(influence);
    h = 31 * h + Arrays.hashCode(fields);
    return 31 * h + Arrays.hashCode(orders);
  }
}
