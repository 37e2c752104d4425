package dev.sparkrec.fia;

import java.io.Serializable;

/**
 * The prediction for one (user, item) pair and the training ratings whose removal would change it most: rating
 * {@code r} of {@code (users[k], items[k])} would move the prediction by about {@code influences[k]} if it were
 * left out of training (positive: the prediction would rise). Listed with orphaning ratings first (see
 * {@link #orphaned()}), then by {@code |influence|} descending, then user, then item ascending.
 */
public final class InfluenceExplanation implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int user;
  private final int item;
  private final double prediction;
  private final int relatedCount;
  private final int[] users;
  private final int[] items;
  private final float[] ratings;
  private final double[] influences;
  private final double[] leverages;
  private final boolean[] orphaned;

  /** An explanation without leverages (NaN) and with no orphaning rating. */
  public InfluenceExplanation(int user, int item, double prediction, int relatedCount, int[] users, int[] items,
      float[] ratings, double[] influences) {
    this(user, item, prediction, relatedCount, users, items, ratings, influences, nans(users.length),
        new boolean[users.length]);
  }

  public InfluenceExplanation(int user, int item, double prediction, int relatedCount, int[] users, int[] items,
      float[] ratings, double[] influences, double[] leverages, boolean[] orphaned) {
    if (items.length != users.length || ratings.length != users.length || influences.length != users.length
        || leverages.length != users.length || orphaned.length != users.length) {
      throw new IllegalArgumentException("users, items, ratings, influences, leverages and orphan flags must have"
          + " one entry per listed rating; got " + users.length + ", " + items.length + ", " + ratings.length
          + ", " + influences.length + ", " + leverages.length + ", " + orphaned.length);
    }
    this.user = user;
    this.item = item;
    this.prediction = prediction;
    this.relatedCount = relatedCount;
    this.users = users;
    this.items = items;
    this.ratings = ratings;
    this.influences = influences;
    this.leverages = leverages;
    this.orphaned = orphaned;
  }

  private static double[] nans(int n) {
    double[] out = new double[n];
    java.util.Arrays.fill(out, Double.NaN);
    return out;
  }

  /** The explained pair's user. */
  public int user() {
    return user;
  }

  /** The explained pair's item. */
  public int item() {
    return item;
  }

  /** The model's output {@code f(x_u, y_i)} for the pair (the logit for a model trained with bce). */
  public double prediction() {
    return prediction;
  }

  /** Number of related training ratings scored (the user's and the item's, the pair's own counted once). */
  public int relatedCount() {
    return relatedCount;
  }

  /** Number of listed ratings: {@code min(topK, relatedCount())}. */
  public int size() {
    return users.length;
  }

  /** User of each listed rating; not copied. */
  public int[] users() {
    return users;
  }

  /** Item of each listed rating; not copied. */
  public int[] items() {
    return items;
  }

  /** Value of each listed rating; not copied. */
  public float[] ratings() {
    return ratings;
  }

  /**
   * Predicted change of {@link #prediction()} when each listed rating is removed (NaN for an orphaning one); not
   * copied.
   */
  public double[] influences() {
    return influences;
  }

  /**
   * Each listed rating's leverage {@code h_z = c_z·J̃_zᵀ·A_z⁻¹·J̃_z} in its user's or item's block (in [0, 1); near
   * 1 the first-order influence understates the effect by {@code 1/(1 − h_z)}); NaN for an orphaning rating; not
   * copied.
   */
  public double[] leverages() {
    return leverages;
  }

  /**
   * Whether removing each listed rating would leave the explained user or item without training ratings (the pair
   * would become a cold start; its influence is NaN); not copied.
   */
  public boolean[] orphaned() {
    return orphaned;
  }
}
