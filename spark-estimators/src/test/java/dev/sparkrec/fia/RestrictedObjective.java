package dev.sparkrec.fia;

import dev.sparkrec.linalg.Cholesky;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;

/**
 * The training objective restricted to {@code θ_t = [x_u; y_i]}, written independently of
 * {@link InfluenceCalculator}: {@code J_R(θ_t) = Σ_{z∈R} w_z·[loss(f_z, r_z) + λ(‖x_u‖²·[z is u's] + ‖y_i‖²·[z is
 * i's])]} over the related ratings {@code R}, each with a weight {@code w_z} (0 leaves it out), and exact
 * re-optimisation of it by Newton's method in double with a Hessian from central differences of the analytic
 * gradient.
 */
final class RestrictedObjective {

  /** A prediction in double with its gradients (either may be null). */
  interface Model {
    double predict(double[] user, double[] item, double[] dUser, double[] dItem);
  }

  /** Whose rating a term is: the user's (other = the item's vector), the item's, or the pair's own. */
  enum Side { USER, ITEM, OWN }

  /** One related rating; {@code other} is the fixed vector of the other side (null for the pair's own). */
  record Term(Side side, int otherId, double[] other, float rating) {}

  final Model model;
  final FactorizedPredictor predictor;
  final DoubleBinaryOperator loss;
  final int user;
  final int item;
  final int du;
  final int di;
  final List<Term> terms = new ArrayList<>();

  RestrictedObjective(Model model, FactorizedPredictor predictor, DoubleBinaryOperator loss, int user, int item) {
    this.model = model;
    this.predictor = predictor;
    this.loss = loss;
    this.user = user;
    this.item = item;
    this.du = predictor.userDim();
    this.di = predictor.itemDim();
  }

  void add(Side side, int otherId, double[] other, float rating) {
    terms.add(new Term(side, otherId, other, rating));
  }

  /** MF in double: {@code μ + p·q (+ b_u + b_i)}. */
  static Model factorization(FactorPredictor mf) {
    int rank = mf.rank();
    return (x, y, dx, dy) -> {
      double f = mf.globalMean();
      for (int a = 0; a < rank; a++) {
        f += x[a] * y[a];
        if (dx != null) {
          dx[a] = y[a];
        }
        if (dy != null) {
          dy[a] = x[a];
        }
      }
      if (mf.withBiases()) {
        f += x[rank] + y[rank];
        if (dx != null) {
          dx[rank] = 1;
        }
        if (dy != null) {
          dy[rank] = 1;
        }
      }
      return f;
    };
  }

  static double squaredError(double f, double r) {
    return (f - r) * (f - r);
  }

  static double binaryCrossEntropy(double f, double r) {
    return Math.max(f, 0) + Math.log1p(Math.exp(-Math.abs(f))) - r * f; // log(1 + e^f) − r·f
  }

  double[] unitWeights() {
    double[] w = new double[terms.size()];
    java.util.Arrays.fill(w, 1);
    return w;
  }

  double[] x(double[] theta) {
    return java.util.Arrays.copyOfRange(theta, 0, du);
  }

  double[] y(double[] theta) {
    return java.util.Arrays.copyOfRange(theta, du, du + di);
  }

  /** f(x_u, y_i). */
  double predict(double[] theta) {
    return model.predict(x(theta), y(theta), null, null);
  }

  /** v = ∂f(x_u, y_i)/∂θ_t. */
  double[] predictionGradient(double[] theta) {
    double[] dx = new double[du];
    double[] dy = new double[di];
    model.predict(x(theta), y(theta), dx, dy);
    return concat(dx, dy);
  }

  double value(double[] theta, double[] weights) {
    double[] x = x(theta);
    double[] y = y(theta);
    double lambda = predictor.regParam();
    double sum = 0;
    for (int t = 0; t < terms.size(); t++) {
      Term term = terms.get(t);
      double f = prediction(term, x, y, null, null);
      double reg = (term.side() != Side.ITEM ? squaredNorm(x) : 0) + (term.side() != Side.USER ? squaredNorm(y) : 0);
      sum += weights[t] * (loss.applyAsDouble(f, term.rating()) + lambda * reg);
    }
    return sum;
  }

  /** ∇ℓ_z in θ_t for term {@code t}, unweighted. */
  double[] termGradient(int t, double[] theta) {
    double[] x = x(theta);
    double[] y = y(theta);
    Term term = terms.get(t);
    double[] dx = new double[du];
    double[] dy = new double[di];
    double f = prediction(term, x, y, dx, dy);
    double g = predictor.lossGradient(f, term.rating());
    double lambda = predictor.regParam();
    double[] grad = new double[du + di];
    if (term.side() != Side.ITEM) {
      for (int a = 0; a < du; a++) {
        grad[a] = g * dx[a] + 2 * lambda * x[a];
      }
    }
    if (term.side() != Side.USER) {
      for (int b = 0; b < di; b++) {
        grad[du + b] = g * dy[b] + 2 * lambda * y[b];
      }
    }
    return grad;
  }

  double[] gradient(double[] theta, double[] weights) {
    double[] grad = new double[du + di];
    for (int t = 0; t < terms.size(); t++) {
      if (weights[t] != 0) {
        double[] gt = termGradient(t, theta);
        for (int c = 0; c < grad.length; c++) {
          grad[c] += weights[t] * gt[c];
        }
      }
    }
    return grad;
  }

  /** The Hessian by central differences of {@link #gradient}, symmetrised. */
  double[] hessian(double[] theta, double[] weights, double step) {
    int n = du + di;
    double[] h = new double[n * n];
    for (int c = 0; c < n; c++) {
      double[] plus = theta.clone();
      double[] minus = theta.clone();
      plus[c] += step;
      minus[c] -= step;
      double[] gp = gradient(plus, weights);
      double[] gm = gradient(minus, weights);
      for (int r = 0; r < n; r++) {
        h[r * n + c] = (gp[r] - gm[r]) / (2 * step);
      }
    }
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < r; c++) {
        double mean = (h[r * n + c] + h[c * n + r]) / 2;
        h[r * n + c] = mean;
        h[c * n + r] = mean;
      }
    }
    return h;
  }

  /** Newton's method with backtracking from {@code start} until ‖∇J_R‖ < {@code tolerance}. */
  double[] minimize(double[] start, double[] weights, double tolerance) {
    double[] theta = start.clone();
    int n = du + di;
    Cholesky cholesky = new Cholesky();
    for (int iteration = 0; iteration < 200; iteration++) {
      double[] g = gradient(theta, weights);
      if (norm(g) < tolerance) {
        return theta;
      }
      double[] h = hessian(theta, weights, 1e-6);
      double[] step = g.clone();
      cholesky.factor(h, n);
      cholesky.solve(step); // H·p = ∇J_R; θ ← θ − t·p
      double t = 1;
      double before = value(theta, weights);
      double slope = dot(g, step);
      double[] next = axpy(theta, -t, step);
      while (norm(g) > 1e-6 && value(next, weights) > before - 1e-4 * t * slope && t > 1e-10) {
        t /= 2;
        next = axpy(theta, -t, step);
      }
      theta = next;
    }
    throw new AssertionError("Newton did not reach ‖∇‖ < " + tolerance + ": " + norm(gradient(theta, weights)));
  }

  /** FIA for this objective's pair through {@code calculator}, on float copies of θ and the terms' vectors. */
  InfluenceExplanation explain(InfluenceCalculator calculator, double[] theta) {
    List<Integer> userSide = new ArrayList<>();
    List<Integer> itemSide = new ArrayList<>();
    for (int t = 0; t < terms.size(); t++) {
      if (terms.get(t).side() != Side.ITEM) {
        userSide.add(t);
      }
      if (terms.get(t).side() != Side.USER) {
        itemSide.add(t);
      }
    }
    float[] xu = TinyFactorization.toFloat(x(theta));
    float[] yi = TinyFactorization.toFloat(y(theta));
    int[] ratedItems = new int[userSide.size()];
    float[] userRatings = new float[userSide.size()];
    float[][] itemVectors = new float[userSide.size()][];
    for (int c = 0; c < ratedItems.length; c++) {
      Term term = terms.get(userSide.get(c));
      ratedItems[c] = term.side() == Side.OWN ? item : term.otherId();
      userRatings[c] = term.rating();
      itemVectors[c] = term.side() == Side.OWN ? yi : TinyFactorization.toFloat(term.other());
    }
    int[] raters = new int[itemSide.size()];
    float[] itemRatings = new float[itemSide.size()];
    float[][] userVectors = new float[itemSide.size()][];
    for (int c = 0; c < raters.length; c++) {
      Term term = terms.get(itemSide.get(c));
      raters[c] = term.side() == Side.OWN ? user : term.otherId();
      itemRatings[c] = term.rating();
      userVectors[c] = term.side() == Side.OWN ? xu : TinyFactorization.toFloat(term.other());
    }
    return calculator.explain(user, xu, item, yi, ratedItems, userRatings, itemVectors, raters, itemRatings,
        userVectors, Integer.MAX_VALUE);
  }

  /** The (user, item) of term {@code t}. */
  int[] pairOf(int t) {
    Term term = terms.get(t);
    return switch (term.side()) {
      case USER -> new int[] {user, term.otherId()};
      case ITEM -> new int[] {term.otherId(), item};
      case OWN -> new int[] {user, item};
    };
  }

  /** Rounds θ to float and back, as FIA reads it. */
  static double[] roundToFloat(double[] theta) {
    return TinyFactorization.toDouble(TinyFactorization.toFloat(theta));
  }

  private double prediction(Term term, double[] x, double[] y, double[] dx, double[] dy) {
    return switch (term.side()) {
      case USER -> model.predict(x, term.other(), dx, null);
      case ITEM -> model.predict(term.other(), y, null, dy);
      case OWN -> model.predict(x, y, dx, dy);
    };
  }

  static double[] concat(double[] a, double[] b) {
    double[] c = new double[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int c = 0; c < a.length; c++) {
      s += a[c] * b[c];
    }
    return s;
  }

  static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  private static double squaredNorm(double[] a) {
    return dot(a, a);
  }

  private static double[] axpy(double[] theta, double t, double[] p) {
    double[] r = theta.clone();
    for (int c = 0; c < r.length; c++) {
      r[c] += t * p[c];
    }
    return r;
  }
}
