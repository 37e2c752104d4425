package dev.sparkrec.afn;

import java.util.Arrays;

/**
 * One logarithmic neuron of a trained {@link AfnNetwork} read as a cross feature
 * {@code y_j ∝ Π_i |e_i|^{order_i}}, measured on data: its index, its importance (the increase of the mean log
 * loss when the neuron is mean-ablated), and the fields that carry its variation, with their (real-valued) orders
 * and their shares of the neuron's field contributions, sorted by share descending. Produced by
 * {@link CrossFeatureRanking}, which defines each quantity.
 */
public final class CrossFeature {

  private final int neuron;
  private final double importance;
  private final int[] fields;
  private final double[] orders;
  private final double[] shares;

  CrossFeature(int neuron, double importance, int[] fields, double[] orders, double[] shares) {
    if (fields.length != orders.length || fields.length != shares.length) {
      throw new IllegalArgumentException("a cross feature needs one order and one share per field, got "
          + fields.length + " fields, " + orders.length + " orders and " + shares.length + " shares");
    }
    this.neuron = neuron;
    this.importance = importance;
    this.fields = fields.clone();
    this.orders = orders.clone();
    this.shares = shares.clone();
  }

  /** Index of the logarithmic neuron, in [0, logNeurons). */
  public int neuron() {
    return neuron;
  }

  /**
   * Increase of the mean log loss over the measured rows when the neuron's output is replaced by its mean over
   * them; near 0 for a neuron the prediction does not use, negative when the neuron hurts on these rows.
   */
  public double importance() {
    return importance;
  }

  /** The fields of the cross (those above the share threshold), largest share first. */
  public int[] fields() {
    return fields.clone();
  }

  /** The order (effective exponent) of each field of {@link #fields()}, in the same order. */
  public double[] orders() {
    return orders.clone();
  }

  /** Each field's share of the neuron's total field contribution, in (0, 1], in the order of {@link #fields()}. */
  public double[] shares() {
    return shares.clone();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("CrossFeature(neuron=").append(neuron).append(", importance=")
        .append(importance).append(", ");
    for (int i = 0; i < fields.length; i++) {
      s.append(i == 0 ? "" : " · ").append("field").append(fields[i]).append('^').append(orders[i])
          .append(" [share ").append(shares[i]).append(']');
    }
    return s.append(')').toString();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CrossFeature)) {
      return false;
    }
    CrossFeature c = (CrossFeature) o;
    return neuron == c.neuron && Double.compare(importance, c.importance) == 0 && Arrays.equals(fields, c.fields)
        && Arrays.equals(orders, c.orders) && Arrays.equals(shares, c.shares);
  }

  @Override
  public int hashCode() {
    int h = 31 * Integer.hashCode(neuron) + Double.hashCode(importance);
    h = 31 * h + Arrays.hashCode(fields);
    h = 31 * h + Arrays.hashCode(orders);
    return 31 * h + Arrays.hashCode(shares);
  }
}
