package dev.sparkrec.pipelines.bench.fia;

import dev.sparkrec.linalg.Cholesky;
import java.util.Arrays;

/**
 * Warm-started retraining of a factor model on the weighted-λ objective
 * {@code Σ_z w_z [(f_z − r_z)² + λ(‖x_u‖² + ‖y_i‖²)]} by alternating exact ridge solves (ALS's own algorithm):
 * every user's vector given the items, then every item's given the users. With biases ({@code x_u = [p_u; b_u]},
 * {@code y_i = [q_i; b_i]}, {@code f = μ + p·q + b_u + b_i}) the user solve regresses {@code r − μ − b_i} on
 * {@code [q_i; 1]}; without ({@code f = p·q}, MLlib ALS) it regresses {@code r} on {@code q_i}. A weight of 0
 * removes a rating and its share of the regulariser. Double precision, deterministic.
 */
final class AlternatingRefit {

  private final RatingArrays data;
  private final boolean withBiases;
  private final double globalMean;
  private final double regParam;
  private final int[][] ratingsOfUser;
  private final int[][] ratingsOfItem;
  private final Cholesky cholesky = new Cholesky();

  AlternatingRefit(RatingArrays data, boolean withBiases, double globalMean, double regParam) {
    this.data = data;
    this.withBiases = withBiases;
    this.globalMean = globalMean;
    this.regParam = regParam;
    ratingsOfUser = group(data.user, data.userIds.length);
    ratingsOfItem = group(data.item, data.itemIds.length);
  }

  /** Each owner's rating indices, ascending. */
  static int[][] group(int[] owner, int owners) {
    int[] counts = new int[owners];
    for (int o : owner) {
      counts[o]++;
    }
    int[][] groups = new int[owners][];
    for (int o = 0; o < owners; o++) {
      groups[o] = new int[counts[o]];
    }
    int[] filled = new int[owners];
    for (int z = 0; z < owner.length; z++) {
      groups[owner[z]][filled[owner[z]]++] = z;
    }
    return groups;
  }

  /**
   * The model's vectors after {@code sweeps} user-then-item sweeps from the fitted ones, with training rating
   * {@code removed} (or none, -1) left out.
   */
  Vectors refit(int sweeps, int removed) {
    Vectors v = new Vectors(toDouble(data.userVectors), toDouble(data.itemVectors), data.userDim);
    int d = data.userDim;
    double[] a = new double[d * d];
    double[] b = new double[d];
    double[] features = new double[d];
    for (int s = 0; s < sweeps; s++) {
      for (int u = 0; u < data.userIds.length; u++) {
        solve(ratingsOfUser[u], removed, v.items, data.item, v.users, u, a, b, features);
      }
      for (int i = 0; i < data.itemIds.length; i++) {
        solve(ratingsOfItem[i], removed, v.users, data.user, v.items, i, a, b, features);
      }
    }
    return v;
  }

  /** Re-solves {@code own[owner]} given the counterparts' vectors {@code other} over the owner's ratings. */
  private void solve(int[] ratings, int removed, double[] other, int[] counterpartOf, double[] own, int owner,
      double[] a, double[] b, double[] features) {
    int d = data.userDim;
    int k = withBiases ? d - 1 : d;
    Arrays.fill(a, 0);
    Arrays.fill(b, 0);
    int n = 0;
    for (int z : ratings) {
      if (z == removed) {
        continue;
      }
      n++;
      int c = counterpartOf[z];
      double target = data.rating[z];
      for (int j = 0; j < k; j++) {
        features[j] = other[c * d + j];
      }
      if (withBiases) {
        features[k] = 1.0;
        target -= globalMean + other[c * d + k];
      }
      // Normal equations of the ridge: (Σ a aᵀ + λ n I) x = Σ a t
      for (int r = 0; r < d; r++) {
        b[r] += features[r] * target;
        for (int col = 0; col <= r; col++) {
          a[r * d + col] += features[r] * features[col];
        }
      }
    }
    if (n == 0) {
      return;
    }
    for (int r = 0; r < d; r++) {
      a[r * d + r] += regParam * n;
      for (int col = 0; col < r; col++) {
        a[col * d + r] = a[r * d + col];
      }
    }
    cholesky.factor(a, d);
    cholesky.solve(b);
    System.arraycopy(b, 0, own, owner * d, d);
  }

  /** The prediction of (user index u, item index i) under {@code v}. */
  double predict(Vectors v, int u, int i) {
    int d = data.userDim;
    double f = withBiases ? globalMean : 0;
    int k = withBiases ? d - 1 : d;
    for (int j = 0; j < k; j++) {
      f += v.users[u * d + j] * v.items[i * d + j];
    }
    if (withBiases) {
      f += v.users[u * d + k] + v.items[i * d + k];
    }
    return f;
  }

  private static double[] toDouble(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /** User and item vectors, row-major. */
  static final class Vectors {
    final double[] users;
    final double[] items;
    final int dim;

    Vectors(double[] users, double[] items, int dim) {
      this.users = users;
      this.items = items;
      this.dim = dim;
    }
  }
}
