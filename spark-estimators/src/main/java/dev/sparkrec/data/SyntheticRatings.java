package dev.sparkrec.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Seeded synthetic explicit ratings from planted latent factors, for testing rating models
 * against a known truth. Immutable; build with {@link #builder()}.
 *
 * <p>User u has n_u ratings, n_u = clamp(floor(minRatingsPerUser * U^(-1/activityExponent)),
 * minRatingsPerUser, maxRatingsPerUser) with U uniform in (0, 1] (a Pareto law: most users rate
 * few items, a few rate many). Its items are drawn with Zipf popularity, P(item i) proportional
 * to (i + 1)^-itemPopularityExponent (item 0 most popular), <b>without replacement</b>: a drawn
 * item the user already has is rejected and drawn again, and if a rare user exhausts a budget of
 * 20 n_u + 100 draws, the remaining items are the next unrated ids after a random start. So no
 * (user, item) pair occurs twice. Each rating is
 * <pre>
 *   rating = clip(round(globalMean + b_u + b_i + p_u . q_i + noiseStd * e), 1, 5),  e ~ N(0, 1)
 * </pre>
 * with biases b_u ~ N(0, userBiasStd^2), b_i ~ N(0, itemBiasStd^2) and factors p_u, q_i of
 * {@code rank} entries ~ N(0, interactionStd / sqrt(rank)), so that p_u . q_i has standard
 * deviation interactionStd. The ground truth comes from the seed alone
 * ({@link #userBias}, {@link #itemFactors}, {@link #expectedRating}, ...); executors recompute it.
 *
 * <p>Rows are generated per user from {@code spark.range(0, numUsers)}, each user's draws from a
 * generator seeded by (seed, user): the output is identical for the same configuration on any
 * machine and for any {@code numPartitions}. Schema ({@link #SCHEMA}): {@code user} int,
 * {@code item} int, {@code rating} float; none nullable. Rows come ordered by user.
 *
 * <p>The getters return the settings documented on the {@link Builder}'s setters.
 */
public final class SyntheticRatings implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The output columns: user int, item int, rating float. */
  public static final StructType SCHEMA = new StructType()
      .add("user", DataTypes.IntegerType, false)
      .add("item", DataTypes.IntegerType, false)
      .add("rating", DataTypes.FloatType, false);

  /** How ratings are rounded before clipping to [1, 5]. */
  public enum Rounding {
    /** Keep the continuous value. */
    NONE,
    /** Round to the nearest half star (1, 1.5, ..., 5). */
    HALF_STARS,
    /** Round to the nearest whole star (1, 2, ..., 5). */
    WHOLE_STARS
  }

  private static final long USER_STREAM = 1;
  private static final long USER_BIAS_STREAM = 2;
  private static final long ITEM_BIAS_STREAM = 3;
  private static final long USER_FACTOR_STREAM = 4;
  private static final long ITEM_FACTOR_STREAM = 5;

  private final int numUsers;
  private final int numItems;
  private final int rank;
  private final long seed;
  private final int numPartitions;
  private final int minRatingsPerUser;
  private final int maxRatingsPerUser;
  private final double activityExponent;
  private final double itemPopularityExponent;
  private final double globalMean;
  private final double userBiasStd;
  private final double itemBiasStd;
  private final double interactionStd;
  private final double noiseStd;
  private final Rounding rounding;

  private SyntheticRatings(Builder b) {
    numUsers = b.numUsers;
    numItems = b.numItems;
    rank = b.rank;
    seed = b.seed;
    numPartitions = b.numPartitions;
    minRatingsPerUser = b.minRatingsPerUser;
    maxRatingsPerUser = b.maxRatingsPerUser;
    activityExponent = b.activityExponent;
    itemPopularityExponent = b.itemPopularityExponent;
    globalMean = b.globalMean;
    userBiasStd = b.userBiasStd;
    itemBiasStd = b.itemBiasStd;
    interactionStd = b.interactionStd;
    noiseStd = b.noiseStd;
    rounding = b.rounding;
  }

  /** A builder with the defaults documented on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration. */
  public Builder toBuilder() {
    return new Builder().numUsers(numUsers).numItems(numItems).rank(rank).seed(seed).numPartitions(numPartitions)
        .minRatingsPerUser(minRatingsPerUser).maxRatingsPerUser(maxRatingsPerUser)
        .activityExponent(activityExponent).itemPopularityExponent(itemPopularityExponent)
        .globalMean(globalMean).userBiasStd(userBiasStd).itemBiasStd(itemBiasStd)
        .interactionStd(interactionStd).noiseStd(noiseStd).rounding(rounding);
  }

  public int numUsers() {
    return numUsers;
  }

  public int numItems() {
    return numItems;
  }

  public int rank() {
    return rank;
  }

  public long seed() {
    return seed;
  }

  public int numPartitions() {
    return numPartitions;
  }

  public int minRatingsPerUser() {
    return minRatingsPerUser;
  }

  public int maxRatingsPerUser() {
    return maxRatingsPerUser;
  }

  public double activityExponent() {
    return activityExponent;
  }

  public double itemPopularityExponent() {
    return itemPopularityExponent;
  }

  public double globalMean() {
    return globalMean;
  }

  public double userBiasStd() {
    return userBiasStd;
  }

  public double itemBiasStd() {
    return itemBiasStd;
  }

  public double interactionStd() {
    return interactionStd;
  }

  public double noiseStd() {
    return noiseStd;
  }

  public Rounding rounding() {
    return rounding;
  }

  // ---- ground truth, derived from the seed alone ----

  /** Standard deviation of each factor entry: sqrt(interactionStd / sqrt(rank)), so Var(p.q) = interactionStd^2. */
  private double factorStd() {
    return Math.sqrt(interactionStd / Math.sqrt(rank));
  }

  /** The bias b_u of user {@code user}. */
  public double userBias(int user) {
    return userBiasStd * SeededRandom.gaussianAt(seed, USER_BIAS_STREAM, user);
  }

  /** The bias b_i of item {@code item}. */
  public double itemBias(int item) {
    return itemBiasStd * SeededRandom.gaussianAt(seed, ITEM_BIAS_STREAM, item);
  }

  /** The latent factors p_u of user {@code user} ({@code rank} entries). */
  public double[] userFactors(int user) {
    double[] p = new double[rank];
    double std = factorStd();
    for (int k = 0; k < rank; k++) {
      p[k] = std * SeededRandom.gaussianAt(seed, USER_FACTOR_STREAM, user, k);
    }
    return p;
  }

  /** The latent factors q_i of item {@code item} ({@code rank} entries). */
  public double[] itemFactors(int item) {
    double[] q = new double[rank];
    double std = factorStd();
    for (int k = 0; k < rank; k++) {
      q[k] = std * SeededRandom.gaussianAt(seed, ITEM_FACTOR_STREAM, item, k);
    }
    return q;
  }

  /** The noise-free, unrounded, unclipped rating globalMean + b_u + b_i + p_u . q_i. */
  public double expectedRating(int user, int item) {
    return globalMean + userBias(user) + itemBias(item) + dot(userFactors(user), itemFactors(item));
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int k = 0; k < a.length; k++) {
      sum += a[k] * b[k];
    }
    return sum;
  }

  /** The rows; lazy, computed on the executors. */
  public Dataset<Row> generate(SparkSession spark) {
    int partitions = numPartitions > 0 ? numPartitions : spark.sparkContext().defaultParallelism();
    return spark.range(0, numUsers, 1, partitions)
        .mapPartitions(new PartitionGenerator(this), Encoders.row(SCHEMA));
  }

  private static final class PartitionGenerator implements MapPartitionsFunction<Long, Row> {

    private static final long serialVersionUID = 1L;
    private final SyntheticRatings config;

    PartitionGenerator(SyntheticRatings config) {
      this.config = config;
    }

    @Override
    public Iterator<Row> call(Iterator<Long> users) {
      ZipfSampler popularity = new ZipfSampler(config.numItems, config.itemPopularityExponent);
      return new Iterator<>() {
        private Iterator<Row> current = java.util.Collections.emptyIterator();

        @Override
        public boolean hasNext() {
          while (!current.hasNext() && users.hasNext()) {
            current = config.ratingsOf(Math.toIntExact(users.next()), popularity).iterator();
          }
          return current.hasNext();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          return current.next();
        }
      };
    }
  }

  /** All ratings of one user, from a generator seeded by (seed, user). */
  private List<Row> ratingsOf(int user, ZipfSampler popularity) {
    SeededRandom random = new SeededRandom(SeededRandom.hash(seed, USER_STREAM, user));
    // Pareto activity: n = floor(min * U^(-1/alpha)), U in (0, 1].
    double u = 1.0 - random.nextDouble();
    double pareto = Math.floor(minRatingsPerUser * StrictMath.pow(u, -1.0 / activityExponent));
    int n = (int) Math.max(minRatingsPerUser, Math.min(maxRatingsPerUser, pareto));

    Set<Integer> rated = new HashSet<>();
    List<Integer> items = new ArrayList<>(n);
    long budget = 20L * n + 100;
    while (items.size() < n && budget-- > 0) {
      int item = popularity.sample(random.nextDouble());
      if (rated.add(item)) {
        items.add(item);
      }
    }
    int next = random.nextInt(numItems);
    while (items.size() < n) {
      if (rated.add(next)) {
        items.add(next);
      }
      next = (next + 1) % numItems;
    }

    double bu = userBias(user);
    double[] p = userFactors(user);
    List<Row> rows = new ArrayList<>(n);
    for (int item : items) {
      double value = globalMean + bu + itemBias(item) + dot(p, itemFactors(item)) + noiseStd * random.nextGaussian();
      rows.add(RowFactory.create(user, item, (float) finish(value)));
    }
    return rows;
  }

  /** Rounds as configured, then clips to [1, 5]. */
  private double finish(double value) {
    double rounded;
    switch (rounding) {
      case WHOLE_STARS:
        rounded = Math.rint(value);
        break;
      case HALF_STARS:
        rounded = Math.rint(value * 2.0) / 2.0;
        break;
      default:
        rounded = value;
    }
    return Math.max(1.0, Math.min(5.0, rounded));
  }

  /** Configures a {@link SyntheticRatings}; every setter states its default. */
  public static final class Builder {

    private int numUsers = 1_000;
    private int numItems = 500;
    private int rank = 8;
    private long seed = 42;
    private int numPartitions = 0;
    private int minRatingsPerUser = 20;
    private int maxRatingsPerUser = 300;
    private double activityExponent = 1.3;
    private double itemPopularityExponent = 0.8;
    private double globalMean = 3.5;
    private double userBiasStd = 0.35;
    private double itemBiasStd = 0.45;
    private double interactionStd = 0.8;
    private double noiseStd = 0.4;
    private Rounding rounding = Rounding.WHOLE_STARS;

    private Builder() {}

    /** Number of users, ids 0..numUsers-1 (>= 1). Default: 1000. */
    public Builder numUsers(int value) {
      numUsers = value;
      return this;
    }

    /** Number of items, ids 0..numItems-1 (>= 1). Default: 500. */
    public Builder numItems(int value) {
      numItems = value;
      return this;
    }

    /** Number of latent factors (>= 1). Default: 8. */
    public Builder rank(int value) {
      rank = value;
      return this;
    }

    /** Seed of every draw and of the ground truth. Default: 42. */
    public Builder seed(long value) {
      seed = value;
      return this;
    }

    /** Number of partitions (>= 0; 0 = the session's default parallelism); does not change the rows. Default: 0. */
    public Builder numPartitions(int value) {
      numPartitions = value;
      return this;
    }

    /** Fewest ratings of a user (>= 1; MovieLens also keeps users with at least 20). Default: 20. */
    public Builder minRatingsPerUser(int value) {
      minRatingsPerUser = value;
      return this;
    }

    /** Most ratings of a user (>= minRatingsPerUser, <= numItems). Default: 300. */
    public Builder maxRatingsPerUser(int value) {
      maxRatingsPerUser = value;
      return this;
    }

    /**
     * Pareto shape alpha of user activity (> 0; smaller = heavier tail; mean min * alpha / (alpha - 1)
     * before the cap). Default: 1.3.
     */
    public Builder activityExponent(double value) {
      activityExponent = value;
      return this;
    }

    /** Zipf exponent of item popularity (>= 0; 0 = uniform). Default: 0.8. */
    public Builder itemPopularityExponent(double value) {
      itemPopularityExponent = value;
      return this;
    }

    /** Mean rating before biases, factors and noise. Default: 3.5. */
    public Builder globalMean(double value) {
      globalMean = value;
      return this;
    }

    /** Standard deviation of user biases (>= 0). Default: 0.35. */
    public Builder userBiasStd(double value) {
      userBiasStd = value;
      return this;
    }

    /** Standard deviation of item biases (>= 0). Default: 0.45. */
    public Builder itemBiasStd(double value) {
      itemBiasStd = value;
      return this;
    }

    /** Standard deviation of the interaction p_u . q_i (>= 0). Default: 0.8. */
    public Builder interactionStd(double value) {
      interactionStd = value;
      return this;
    }

    /** Standard deviation of the Gaussian rating noise (>= 0). Default: 0.4. */
    public Builder noiseStd(double value) {
      noiseStd = value;
      return this;
    }

    /** Rounding of ratings before clipping to [1, 5]. Default: WHOLE_STARS. */
    public Builder rounding(Rounding value) {
      rounding = value;
      return this;
    }

    /** The configuration; fails naming the first invalid setting. */
    public SyntheticRatings build() {
      ConfigCheck.require(numUsers >= 1, "numUsers must be >= 1 but is " + numUsers);
      ConfigCheck.require(numItems >= 1, "numItems must be >= 1 but is " + numItems);
      ConfigCheck.require(rank >= 1, "rank must be >= 1 but is " + rank);
      ConfigCheck.require(numPartitions >= 0, "numPartitions must be >= 0 but is " + numPartitions);
      ConfigCheck.require(minRatingsPerUser >= 1, "minRatingsPerUser must be >= 1 but is " + minRatingsPerUser);
      ConfigCheck.require(maxRatingsPerUser >= minRatingsPerUser && maxRatingsPerUser <= numItems,
          "maxRatingsPerUser must be within minRatingsPerUser.." + "numItems (" + minRatingsPerUser + ".."
              + numItems + ") but is " + maxRatingsPerUser);
      ConfigCheck.require(activityExponent > 0 && Double.isFinite(activityExponent),
          "activityExponent must be finite and > 0 but is " + activityExponent);
      ConfigCheck.require(itemPopularityExponent >= 0 && Double.isFinite(itemPopularityExponent),
          "itemPopularityExponent must be finite and >= 0 but is " + itemPopularityExponent);
      ConfigCheck.require(Double.isFinite(globalMean), "globalMean must be finite but is " + globalMean);
      for (double std : new double[] {userBiasStd, itemBiasStd, interactionStd, noiseStd}) {
        ConfigCheck.require(std >= 0 && Double.isFinite(std),
            "standard deviations must be finite and >= 0 but one is " + std);
      }
      ConfigCheck.require(rounding != null, "rounding must be set");
      return new SyntheticRatings(this);
    }
  }
}
