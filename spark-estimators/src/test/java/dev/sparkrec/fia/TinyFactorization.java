package dev.sparkrec.fia;

import dev.sparkrec.linalg.Cholesky;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tiny explicit-rating problem (8 users, 10 items, 48 ratings; every user rates 6 items, every item has 4–6
 * raters) and a matrix factorisation fitted to it in double by alternating exact ridge solves until the gradient
 * of {@code J = Σ_z [(f_z − r_z)² + λ(‖x_u‖² + ‖y_j‖²)]} is below {@link #GRADIENT_TOLERANCE}.
 */
final class TinyFactorization {

  static final double GRADIENT_TOLERANCE = 1e-10;

  final FactorPredictor model;
  final int numUsers;
  final int numItems;
  final int rank;
  final int dim;
  final int[] users;
  final int[] items;
  final float[] ratings;
  final double[][] x;
  final double[][] y;
  private final int[][] rowsOfUser;
  private final int[][] rowsOfItem;

  private TinyFactorization(FactorPredictor model, int[] users, int[] items, float[] ratings, double[][] x,
      double[][] y) {
    this.model = model;
    this.numUsers = x.length;
    this.numItems = y.length;
    this.rank = model.rank();
    this.dim = model.userDim();
    this.users = users;
    this.items = items;
    this.ratings = ratings;
    this.x = x;
    this.y = y;
    this.rowsOfUser = rowsOf(users, numUsers);
    this.rowsOfItem = rowsOf(items, numItems);
  }

  private static int[][] rowsOf(int[] ids, int count) {
    int[][] rows = new int[count][];
    for (int id = 0; id < count; id++) {
      int n = 0;
      for (int k = 0; k < ids.length; k++) {
        n += ids[k] == id ? 1 : 0;
      }
      rows[id] = new int[n];
      n = 0;
      for (int k = 0; k < ids.length; k++) {
        if (ids[k] == id) {
          rows[id][n++] = k;
        }
      }
    }
    return rows;
  }

  /** Fits rank 2 with λ = 0.1; with biases {@code μ} is the mean rating, without (ALS) it is 0. */
  static TinyFactorization fit(boolean withBiases, long seed) {
    return fit(withBiases, 8, 10, 6, seed);
  }

  static TinyFactorization fit(boolean withBiases, int numUsers, int numItems, int ratedOutOfTen, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<int[]> pairs = new ArrayList<>();
    for (int u = 0; u < numUsers; u++) {
      for (int j = 0; j < numItems; j++) {
        if ((3 * u + 7 * j) % 10 < ratedOutOfTen) { // (3u + 7j) mod 10 runs through all residues every 10 ids
          pairs.add(new int[] {u, j});
        }
      }
    }
    int n = pairs.size();
    int[] users = new int[n];
    int[] items = new int[n];
    float[] ratings = new float[n];
    double[][] trueUser = gaussian(random, numUsers, 2, 0.8);
    double[][] trueItem = gaussian(random, numItems, 2, 0.8);
    double sum = 0;
    for (int k = 0; k < n; k++) {
      users[k] = pairs.get(k)[0];
      items[k] = pairs.get(k)[1];
      double r = 3.5 + trueUser[users[k]][0] * trueItem[items[k]][0] + trueUser[users[k]][1] * trueItem[items[k]][1]
          + 0.3 * (users[k] % 3 - 1) + 0.4 * random.nextGaussian();
      ratings[k] = (float) Math.round(r * 4) / 4; // quarter stars
      sum += ratings[k];
    }
    double mu = withBiases ? sum / n : 0;
    FactorPredictor model = new FactorPredictor(2, withBiases, mu, 0.1);
    int dim = model.userDim();
    double[][] x = gaussian(random, numUsers, dim, withBiases ? 0.5 : 1.2);
    double[][] y = gaussian(random, numItems, dim, withBiases ? 0.5 : 1.2);
    TinyFactorization fitted = new TinyFactorization(model, users, items, ratings, x, y);
    fitted.optimize(fitted.unitWeightsBut(-1));
    return fitted;
  }

  /** Full leave-one-out retraining: all vectors re-fitted without training row {@code row}, warm-started. */
  TinyFactorization withoutRow(int row) {
    return reweighted(row, 0);
  }

  /**
   * Leave-one-out re-fitting of one side's star only: without training row {@code row}, a rating of {@code u}
   * (else of {@code i}), the vector of {@code u} and of every item it rated (else of {@code i} and every user who
   * rated it) are re-fitted by alternating exact ridge solves (warm-started, until no vector moves by more than
   * 1e-13), every other vector fixed: what {@link NeighbourRefit} computes, here in double from the exact optimum.
   */
  TinyFactorization withoutRowRefittingStar(int row, int u, int i) {
    TinyFactorization copy = new TinyFactorization(model, users, items, ratings, copy(x), copy(y));
    double[] weights = unitWeightsBut(row);
    boolean[] refitUser = new boolean[numUsers];
    boolean[] refitItem = new boolean[numItems];
    boolean userSide = users[row] == u;
    if (userSide) {
      refitUser[u] = true;
    } else {
      refitItem[i] = true;
    }
    for (int k = 0; k < users.length; k++) {
      if (userSide && k != row && users[k] == u) {
        refitItem[items[k]] = true;
      }
      if (!userSide && k != row && items[k] == i) {
        refitUser[users[k]] = true;
      }
    }
    for (int sweep = 0; sweep < 100_000; sweep++) {
      double moved = 0;
      for (int v = 0; v < numUsers; v++) {
        if (refitUser[v]) {
          double[] next = copy.ridge(copy.userRows(v, weights), copy.x[v]);
          moved = Math.max(moved, maxDifference(next, copy.x[v]));
          copy.x[v] = next;
        }
      }
      for (int j = 0; j < numItems; j++) {
        if (refitItem[j]) {
          double[] next = copy.ridge(copy.itemRows(j, weights), copy.y[j]);
          moved = Math.max(moved, maxDifference(next, copy.y[j]));
          copy.y[j] = next;
        }
      }
      if (moved < 1e-13) {
        return copy;
      }
    }
    throw new AssertionError("star re-fitting did not settle");
  }

  private static double maxDifference(double[] a, double[] b) {
    double max = 0;
    for (int c = 0; c < a.length; c++) {
      max = Math.max(max, Math.abs(a[c] - b[c]));
    }
    return max;
  }

  /** All vectors re-fitted with training row {@code row} weighted by {@code weight} (1 elsewhere), warm-started. */
  TinyFactorization reweighted(int row, double weight) {
    TinyFactorization copy = new TinyFactorization(model, users, items, ratings, copy(x), copy(y));
    double[] weights = new double[users.length];
    java.util.Arrays.fill(weights, 1);
    weights[row] = weight;
    copy.optimize(weights);
    return copy;
  }

  /** The same model with every vector rounded to float, as influence analysis reads it. */
  TinyFactorization rounded() {
    double[][] rx = new double[numUsers][];
    double[][] ry = new double[numItems][];
    for (int u = 0; u < numUsers; u++) {
      rx[u] = toDouble(toFloat(x[u]));
    }
    for (int j = 0; j < numItems; j++) {
      ry[j] = toDouble(toFloat(y[j]));
    }
    return new TinyFactorization(model, users, items, ratings, rx, ry);
  }

  /**
   * Alternating exact ridge solves of all users, then all items, until ‖∇J‖ < the tolerance, for
   * {@code J = Σ_z w_z·[(f_z − r_z)² + λ(‖x_u‖² + ‖y_j‖²)]} ({@code weights} null: all 1).
   */
  private void optimize(double[] weights) {
    for (int sweep = 0; sweep < 100_000; sweep++) {
      for (int u = 0; u < numUsers; u++) {
        x[u] = ridge(userRows(u, weights), x[u]);
      }
      for (int j = 0; j < numItems; j++) {
        y[j] = ridge(itemRows(j, weights), y[j]);
      }
      if (sweep % 5 == 0 && gradientNorm(weights) < GRADIENT_TOLERANCE) {
        return;
      }
    }
    throw new AssertionError("alternating ridge did not reach ‖∇J‖ < " + GRADIENT_TOLERANCE + ": "
        + gradientNorm(weights));
  }

  /**
   * The minimiser over one vector {@code θ} of {@code Σ_rows w·[(a·θ + offset − r)² + λ·‖θ‖²]}, where for a user
   * {@code a = [q_j; 1]}, {@code offset = μ + b_j} (without biases {@code a = q_j}, {@code offset = μ}), and
   * symmetrically for an item: the solution of {@code (Σ w·a·aᵀ + λ·Σw·I)·θ = Σ w·a·(r − offset)}. Each row is
   * {@code [other vector; rating; weight]}; with no rows {@code current} is kept.
   */
  double[] ridge(List<double[]> rows, double[] current) {
    if (rows.isEmpty()) {
      return current;
    }
    double[] a = new double[dim * dim];
    double[] b = new double[dim];
    double weightSum = 0;
    for (double[] row : rows) {
      double weight = row[dim + 1];
      double offset = model.globalMean() + (model.withBiases() ? row[rank] : 0);
      double[] feature = feature(row);
      double target = row[dim] - offset;
      for (int c = 0; c < dim; c++) {
        b[c] += weight * feature[c] * target;
        for (int d = 0; d < dim; d++) {
          a[c * dim + d] += weight * feature[c] * feature[d];
        }
      }
      weightSum += weight;
    }
    for (int c = 0; c < dim; c++) {
      a[c * dim + c] += model.regParam() * weightSum;
    }
    Cholesky cholesky = new Cholesky();
    cholesky.factor(a, dim);
    cholesky.solve(b);
    return b;
  }

  /** {@code [y_j; r; 1]} for every training row of user {@code u} but {@code excludedRow} (−1: none). */
  List<double[]> userRows(int u, int excludedRow) {
    return userRows(u, unitWeightsBut(excludedRow));
  }

  /** {@code [x_v; r; 1]} for every training row of item {@code j} but {@code excludedRow} (−1: none). */
  List<double[]> itemRows(int j, int excludedRow) {
    return itemRows(j, unitWeightsBut(excludedRow));
  }

  private List<double[]> userRows(int u, double[] weights) {
    List<double[]> rows = new ArrayList<>();
    for (int k : rowsOfUser[u]) {
      if (weights[k] != 0) {
        rows.add(row(y[items[k]], ratings[k], weights[k]));
      }
    }
    return rows;
  }

  private List<double[]> itemRows(int j, double[] weights) {
    List<double[]> rows = new ArrayList<>();
    for (int k : rowsOfItem[j]) {
      if (weights[k] != 0) {
        rows.add(row(x[users[k]], ratings[k], weights[k]));
      }
    }
    return rows;
  }

  private double[] unitWeightsBut(int excludedRow) {
    double[] weights = new double[users.length];
    java.util.Arrays.fill(weights, 1);
    if (excludedRow >= 0) {
      weights[excludedRow] = 0;
    }
    return weights;
  }

  /** ∂f/∂(this side's vector) given the other side's vector: {@code [other_p; 1]}, or {@code other_p} for ALS. */
  double[] feature(double[] other) {
    double[] a = new double[dim];
    System.arraycopy(other, 0, a, 0, rank);
    if (model.withBiases()) {
      a[rank] = 1;
    }
    return a;
  }

  double predict(double[] user, double[] item) {
    double f = model.globalMean();
    for (int c = 0; c < rank; c++) {
      f += user[c] * item[c];
    }
    return model.withBiases() ? f + user[rank] + item[rank] : f;
  }

  /** ‖∇J‖ over all vectors with every rating weighted 1. */
  double gradientNorm() {
    return gradientNorm(unitWeightsBut(-1));
  }

  /** ‖∇J‖ over all vectors, rating {@code z} weighted by {@code weights[z]}. */
  double gradientNorm(double[] weights) {
    double[][] gx = new double[numUsers][dim];
    double[][] gy = new double[numItems][dim];
    for (int k = 0; k < users.length; k++) {
      double w = weights[k];
      double[] p = x[users[k]];
      double[] q = y[items[k]];
      double e = predict(p, q) - ratings[k];
      for (int c = 0; c < rank; c++) {
        gx[users[k]][c] += w * 2 * e * q[c];
        gy[items[k]][c] += w * 2 * e * p[c];
      }
      if (model.withBiases()) {
        gx[users[k]][rank] += w * 2 * e;
        gy[items[k]][rank] += w * 2 * e;
      }
      for (int c = 0; c < dim; c++) {
        gx[users[k]][c] += w * 2 * model.regParam() * p[c];
        gy[items[k]][c] += w * 2 * model.regParam() * q[c];
      }
    }
    double sum = 0;
    for (double[] g : gx) {
      for (double v : g) {
        sum += v * v;
      }
    }
    for (double[] g : gy) {
      for (double v : g) {
        sum += v * v;
      }
    }
    return Math.sqrt(sum);
  }

  /**
   * The exact change of {@code f_ui} when training row {@code k} (a rating of {@code u} or of {@code i}) is left
   * out and only the vector it regularises, {@code x_u} or {@code y_i}, is re-fitted; both start re-optimised with
   * every rating, so float rounding of the fitted vectors does not enter.
   */
  double restrictedChange(int u, int i, int k) {
    double[] xStar = ridge(userRows(u, -1), null);
    double[] yStar = ridge(itemRows(i, -1), null);
    double base = predict(xStar, yStar);
    return users[k] == u
        ? predict(ridge(userRows(u, k), null), yStar) - base
        : predict(xStar, ridge(itemRows(i, k), null)) - base;
  }

  /** {@code count} pairs (u, i) that are not training ratings, spread over users and items. */
  int[][] unratedPairs(int count) {
    int[][] pairs = new int[count][];
    for (int p = 0; p < count; p++) {
      int u = (p * 3) % numUsers;
      int i = (u * 7 + p) % numItems;
      while (rated(u, i)) {
        i = (i + 1) % numItems;
      }
      pairs[p] = new int[] {u, i};
    }
    return pairs;
  }

  /** Whether (u, i) is a training rating. */
  boolean rated(int u, int i) {
    for (int k = 0; k < users.length; k++) {
      if (users[k] == u && items[k] == i) {
        return true;
      }
    }
    return false;
  }

  /** The training row of (u, i). */
  int row(int u, int i) {
    for (int k = 0; k < users.length; k++) {
      if (users[k] == u && items[k] == i) {
        return k;
      }
    }
    throw new IllegalArgumentException("(" + u + ", " + i + ") is not a training rating");
  }

  /** FIA for (u, i) on the float-rounded vectors, every related rating listed. */
  /**
   * The change of {@code f(x_u, y_i)} that {@link NeighbourRefit} predicts for removing each training row related
   * to the pair (indexed by row; NaN for the others), from float vectors as the explainer reads them: a user-side
   * row moves {@code x_u} ({@code ∂f/∂x_u · Δx_u}), an item-side row {@code y_i}.
   */
  double[] neighbourRefitChanges(NeighbourRefit refit, int u, int i) {
    double[] out = new double[users.length];
    java.util.Arrays.fill(out, Double.NaN);
    double[] dUser = new double[dim];
    double[] dItem = new double[dim];
    model.predictWithGradients(toFloat(x[u]), toFloat(y[i]), dUser, dItem);
    for (boolean userSide : new boolean[] {true, false}) {
      int[] rows = userSide ? rowsOfUser[u] : rowsOfItem[i];
      float[][] others = new float[rows.length][];
      float[] rowRatings = new float[rows.length];
      NeighbourRefit.NormalEquations[] systems = new NeighbourRefit.NormalEquations[rows.length];
      for (int c = 0; c < rows.length; c++) {
        int k = rows[c];
        int other = userSide ? items[k] : users[k];
        others[c] = toFloat(userSide ? y[other] : x[other]);
        rowRatings[c] = ratings[k];
        int[] otherRows = userSide ? rowsOfItem[other] : rowsOfUser[other];
        float[][] second = new float[otherRows.length][];
        float[] secondRatings = new float[otherRows.length];
        for (int e = 0; e < otherRows.length; e++) {
          second[e] = toFloat(userSide ? x[users[otherRows[e]]] : y[items[otherRows[e]]]);
          secondRatings[e] = ratings[otherRows[e]];
        }
        systems[c] = refit.normalEquations(userSide, others[c], second, secondRatings);
      }
      double[] changes = refit.vectorChanges(userSide, toFloat(userSide ? x[u] : y[i]), others, rowRatings,
          systems);
      double[] gradient = userSide ? dUser : dItem;
      for (int c = 0; c < rows.length; c++) {
        double change = 0;
        for (int s = 0; s < dim; s++) {
          change += gradient[s] * changes[c * dim + s];
        }
        out[rows[c]] = change;
      }
    }
    return out;
  }

  InfluenceExplanation explain(InfluenceCalculator calculator, int u, int i) {
    List<Integer> userSide = new ArrayList<>();
    List<Integer> itemSide = new ArrayList<>();
    for (int k = 0; k < users.length; k++) {
      if (users[k] == u) {
        userSide.add(k);
      }
      if (items[k] == i) {
        itemSide.add(k);
      }
    }
    int[] ratedItems = new int[userSide.size()];
    float[] userRatings = new float[userSide.size()];
    float[][] itemVectors = new float[userSide.size()][];
    for (int c = 0; c < ratedItems.length; c++) {
      int k = userSide.get(c);
      ratedItems[c] = items[k];
      userRatings[c] = ratings[k];
      itemVectors[c] = toFloat(y[items[k]]);
    }
    int[] raters = new int[itemSide.size()];
    float[] itemRatings = new float[itemSide.size()];
    float[][] userVectors = new float[itemSide.size()][];
    for (int c = 0; c < raters.length; c++) {
      int k = itemSide.get(c);
      raters[c] = users[k];
      itemRatings[c] = ratings[k];
      userVectors[c] = toFloat(x[users[k]]);
    }
    return calculator.explain(u, toFloat(x[u]), i, toFloat(y[i]), ratedItems, userRatings, itemVectors, raters,
        itemRatings, userVectors, Integer.MAX_VALUE);
  }

  /** Row-major float table of the user vectors. */
  float[] userTable() {
    return table(x);
  }

  /** Row-major float table of the item vectors. */
  float[] itemTable() {
    return table(y);
  }

  private static float[] table(double[][] vectors) {
    int dim = vectors[0].length;
    float[] table = new float[vectors.length * dim];
    for (int r = 0; r < vectors.length; r++) {
      for (int c = 0; c < dim; c++) {
        table[r * dim + c] = (float) vectors[r][c];
      }
    }
    return table;
  }

  static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int c = 0; c < v.length; c++) {
      f[c] = (float) v[c];
    }
    return f;
  }

  static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int c = 0; c < v.length; c++) {
      d[c] = v[c];
    }
    return d;
  }

  /** The influence listed for rating (u, j) in {@code explanation}. */
  static double influenceOf(InfluenceExplanation explanation, int u, int j) {
    for (int c = 0; c < explanation.size(); c++) {
      if (explanation.users()[c] == u && explanation.items()[c] == j) {
        return explanation.influences()[c];
      }
    }
    throw new AssertionError("(" + u + ", " + j + ") is not listed");
  }

  static double pearson(List<Double> a, List<Double> b) {
    int n = a.size();
    double meanA = 0;
    double meanB = 0;
    for (int k = 0; k < n; k++) {
      meanA += a.get(k) / n;
      meanB += b.get(k) / n;
    }
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int k = 0; k < n; k++) {
      double da = a.get(k) - meanA;
      double db = b.get(k) - meanB;
      ab += da * db;
      aa += da * da;
      bb += db * db;
    }
    return ab / Math.sqrt(aa * bb);
  }

  private static double[] row(double[] vector, float rating, double weight) {
    double[] row = new double[vector.length + 2];
    System.arraycopy(vector, 0, row, 0, vector.length);
    row[vector.length] = rating;
    row[vector.length + 1] = weight;
    return row;
  }

  private static double[][] gaussian(SplittableRandom random, int rows, int cols, double scale) {
    double[][] m = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        m[r][c] = scale * random.nextGaussian();
      }
    }
    return m;
  }

  private static double[][] copy(double[][] m) {
    double[][] c = new double[m.length][];
    for (int r = 0; r < m.length; r++) {
      c[r] = m[r].clone();
    }
    return c;
  }
}
