package dev.sparkrec.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Seeded synthetic click data for user cold-start: most users have only a few interactions, a
 * warm minority many, and every user has a personal residual in the click logit, so models
 * that personalise from a user's attributes or few interactions beat population models.
 * Immutable; build with {@link #builder()}.
 *
 * <p>User u is cold with probability {@code coldUserFraction} (a seeded coin per user) and then
 * has between {@code coldMinInteractions} and {@code coldMaxInteractions} interactions
 * (uniform); otherwise between {@code warmMinInteractions} and {@code warmMaxInteractions}. Each
 * user belongs to one of {@code numUserGroups} groups (an observed attribute, uniform). Each
 * interaction draws categorical fields {@code C0..C(F-1)} with Zipf popularity as
 * {@link SyntheticCtrData} does; <b>C0 is the item</b>. The click label is
 * <pre>
 *   label ~ Bernoulli(sigmoid(bias + sum_f w_f(v_f) + b_u + p_u . q_{item}))
 *   b_u = userBiasStd * (sqrt(groupShare) g_{group(u)} + sqrt(1 - groupShare) e_u)
 *   p_u = sqrt(groupShare) G_{group(u)} + sqrt(1 - groupShare) E_u
 * </pre>
 * with first-order weights w_f(v) ~ N(0, firstOrderScale^2), standard normal g, e, and factor
 * vectors G, E, q of {@code rank} entries ~ N(0, tasteStd / sqrt(rank)), so p_u . q has standard
 * deviation about tasteStd. The user residual b_u + p_u . q_item is thus partly predictable from
 * the group ({@code groupShare}) and partly individual. All of it derives from the seed
 * ({@link #userResidual}, {@link #populationLogit}, ...).
 *
 * <p>Rows are generated per user from {@code spark.range(0, numUsers)}, each user's draws from a
 * generator seeded by (seed, user): identical output for the same configuration on any machine
 * and for any {@code numPartitions}. Schema ({@link #schema()}): {@code user} int,
 * {@code isColdUser} boolean, {@code interactionIndex} int (0-based order of the interaction
 * within the user's history), {@code label} double (0/1), {@code userGroup} string
 * ({@code "g<group>"}), {@code C0..C(F-1)} string ({@code "f<field>_v<value>"}), and with
 * {@link Builder#includeProbability} a {@code trueProbability} double; none nullable.
 *
 * <p>The getters return the settings documented on the {@link Builder}'s setters.
 */
public final class SyntheticColdStart implements Serializable {

  private static final long serialVersionUID = 1L;

  private static final long USER_STREAM = 1;
  private static final long COLD_STREAM = 2;
  private static final long GROUP_STREAM = 3;
  private static final long FIRST_ORDER_STREAM = 4;
  private static final long GROUP_BIAS_STREAM = 5;
  private static final long USER_BIAS_STREAM = 6;
  private static final long GROUP_TASTE_STREAM = 7;
  private static final long USER_TASTE_STREAM = 8;
  private static final long ITEM_FACTOR_STREAM = 9;

  private final int numUsers;
  private final long seed;
  private final int numPartitions;
  private final double coldUserFraction;
  private final int coldMinInteractions;
  private final int coldMaxInteractions;
  private final int warmMinInteractions;
  private final int warmMaxInteractions;
  private final int numUserGroups;
  private final int[] cardinalities;
  private final double zipfExponent;
  private final double bias;
  private final double firstOrderScale;
  private final double userBiasStd;
  private final double tasteStd;
  private final int rank;
  private final double groupShare;
  private final boolean includeProbability;

  private SyntheticColdStart(Builder b) {
    numUsers = b.numUsers;
    seed = b.seed;
    numPartitions = b.numPartitions;
    coldUserFraction = b.coldUserFraction;
    coldMinInteractions = b.coldMinInteractions;
    coldMaxInteractions = b.coldMaxInteractions;
    warmMinInteractions = b.warmMinInteractions;
    warmMaxInteractions = b.warmMaxInteractions;
    numUserGroups = b.numUserGroups;
    cardinalities = b.cardinalities.clone();
    zipfExponent = b.zipfExponent;
    bias = b.bias;
    firstOrderScale = b.firstOrderScale;
    userBiasStd = b.userBiasStd;
    tasteStd = b.tasteStd;
    rank = b.rank;
    groupShare = b.groupShare;
    includeProbability = b.includeProbability;
  }

  /** A builder with the defaults documented on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration. */
  public Builder toBuilder() {
    return new Builder().numUsers(numUsers).seed(seed).numPartitions(numPartitions)
        .coldUserFraction(coldUserFraction).coldInteractions(coldMinInteractions, coldMaxInteractions)
        .warmInteractions(warmMinInteractions, warmMaxInteractions).numUserGroups(numUserGroups)
        .cardinalities(cardinalities).zipfExponent(zipfExponent).bias(bias).firstOrderScale(firstOrderScale)
        .userBiasStd(userBiasStd).tasteStd(tasteStd).rank(rank).groupShare(groupShare)
        .includeProbability(includeProbability);
  }

  public int numUsers() {
    return numUsers;
  }

  public long seed() {
    return seed;
  }

  public int numPartitions() {
    return numPartitions;
  }

  public double coldUserFraction() {
    return coldUserFraction;
  }

  public int coldMinInteractions() {
    return coldMinInteractions;
  }

  public int coldMaxInteractions() {
    return coldMaxInteractions;
  }

  public int warmMinInteractions() {
    return warmMinInteractions;
  }

  public int warmMaxInteractions() {
    return warmMaxInteractions;
  }

  public int numUserGroups() {
    return numUserGroups;
  }

  /** Number of values of each categorical field; field 0 is the item. */
  public int[] cardinalities() {
    return cardinalities.clone();
  }

  public double zipfExponent() {
    return zipfExponent;
  }

  public double bias() {
    return bias;
  }

  public double firstOrderScale() {
    return firstOrderScale;
  }

  public double userBiasStd() {
    return userBiasStd;
  }

  public double tasteStd() {
    return tasteStd;
  }

  public int rank() {
    return rank;
  }

  public double groupShare() {
    return groupShare;
  }

  public boolean includeProbability() {
    return includeProbability;
  }

  /** The string written for user group {@code group}: {@code g<group>}. */
  public static String groupValue(int group) {
    return "g" + group;
  }

  /** The output columns; see the class documentation. */
  public StructType schema() {
    StructType schema = new StructType()
        .add("user", DataTypes.IntegerType, false)
        .add("isColdUser", DataTypes.BooleanType, false)
        .add("interactionIndex", DataTypes.IntegerType, false)
        .add("label", DataTypes.DoubleType, false)
        .add("userGroup", DataTypes.StringType, false);
    for (int f = 0; f < cardinalities.length; f++) {
      schema = schema.add(SyntheticCtrData.categoricalColumn(f), DataTypes.StringType, false);
    }
    if (includeProbability) {
      schema = schema.add("trueProbability", DataTypes.DoubleType, false);
    }
    return schema;
  }

  // ---- ground truth, derived from the seed alone ----

  /** Whether user {@code user} is cold (has few interactions). */
  public boolean isColdUser(int user) {
    return SeededRandom.uniformAt(seed, COLD_STREAM, user) < coldUserFraction;
  }

  /** The group (observed attribute) of user {@code user}, 0..numUserGroups-1. */
  public int userGroup(int user) {
    return (int) (SeededRandom.uniformAt(seed, GROUP_STREAM, user) * numUserGroups);
  }

  /** The first-order logit weight of value {@code value} of categorical field {@code field}. */
  public double firstOrderWeight(int field, int value) {
    return firstOrderScale * SeededRandom.gaussianAt(seed, FIRST_ORDER_STREAM, field, value);
  }

  /** The user bias b_u of user {@code user}. */
  public double userBias(int user) {
    double group = SeededRandom.gaussianAt(seed, GROUP_BIAS_STREAM, userGroup(user));
    double own = SeededRandom.gaussianAt(seed, USER_BIAS_STREAM, user);
    return userBiasStd * (Math.sqrt(groupShare) * group + Math.sqrt(1 - groupShare) * own);
  }

  private double factorStd() {
    return Math.sqrt(tasteStd / Math.sqrt(rank));
  }

  /** The taste vector p_u of user {@code user} ({@code rank} entries). */
  public double[] userTaste(int user) {
    int group = userGroup(user);
    double std = factorStd();
    double[] p = new double[rank];
    for (int k = 0; k < rank; k++) {
      p[k] = std * (Math.sqrt(groupShare) * SeededRandom.gaussianAt(seed, GROUP_TASTE_STREAM, group, k)
          + Math.sqrt(1 - groupShare) * SeededRandom.gaussianAt(seed, USER_TASTE_STREAM, user, k));
    }
    return p;
  }

  /** The factor vector q of item {@code item} (value index of field C0). */
  public double[] itemFactors(int item) {
    double std = factorStd();
    double[] q = new double[rank];
    for (int k = 0; k < rank; k++) {
      q[k] = std * SeededRandom.gaussianAt(seed, ITEM_FACTOR_STREAM, item, k);
    }
    return q;
  }

  /** The user-dependent part of the logit, b_u + p_u . q_item. */
  public double userResidual(int user, int item) {
    double[] p = userTaste(user);
    double[] q = itemFactors(item);
    double residual = userBias(user);
    for (int k = 0; k < rank; k++) {
      residual += p[k] * q[k];
    }
    return residual;
  }

  /** The logit without the user residual, bias + sum_f w_f(v_f), for categorical value indices {@code values}. */
  public double populationLogit(int[] values) {
    double logit = bias;
    for (int f = 0; f < cardinalities.length; f++) {
      logit += firstOrderWeight(f, values[f]);
    }
    return logit;
  }

  /** The rows; lazy, computed on the executors. */
  public Dataset<Row> generate(SparkSession spark) {
    int partitions = numPartitions > 0 ? numPartitions : spark.sparkContext().defaultParallelism();
    return spark.range(0, numUsers, 1, partitions)
        .mapPartitions(new PartitionGenerator(this), Encoders.row(schema()));
  }

  private static final class PartitionGenerator implements MapPartitionsFunction<Long, Row> {

    private static final long serialVersionUID = 1L;
    private final SyntheticColdStart config;

    PartitionGenerator(SyntheticColdStart config) {
      this.config = config;
    }

    @Override
    public Iterator<Row> call(Iterator<Long> users) {
      UserSampler sampler = new UserSampler(config);
      return new Iterator<>() {
        private Iterator<Row> current = Collections.emptyIterator();

        @Override
        public boolean hasNext() {
          while (!current.hasNext() && users.hasNext()) {
            current = sampler.rowsOf(Math.toIntExact(users.next())).iterator();
          }
          return current.hasNext();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return current.next();
        }
      };
    }
  }

  /** Per-partition tables (Zipf, first-order weights, item factors) and one user's rows. */
  private static final class UserSampler {

    private final SyntheticColdStart config;
    private final ZipfSampler[] zipf;
    private final double[][] firstOrder;
    private final double[][] itemFactors;

    UserSampler(SyntheticColdStart config) {
      this.config = config;
      int numFields = config.cardinalities.length;
      zipf = new ZipfSampler[numFields];
      firstOrder = new double[numFields][];
      for (int f = 0; f < numFields; f++) {
        zipf[f] = new ZipfSampler(config.cardinalities[f], config.zipfExponent);
        firstOrder[f] = new double[config.cardinalities[f]];
        for (int v = 0; v < config.cardinalities[f]; v++) {
          firstOrder[f][v] = config.firstOrderWeight(f, v);
        }
      }
      itemFactors = new double[config.cardinalities[0]][];
      for (int item = 0; item < itemFactors.length; item++) {
        itemFactors[item] = config.itemFactors(item);
      }
    }

    List<Row> rowsOf(int user) {
      SeededRandom random = new SeededRandom(SeededRandom.hash(config.seed, USER_STREAM, user));
      boolean cold = config.isColdUser(user);
      int low = cold ? config.coldMinInteractions : config.warmMinInteractions;
      int high = cold ? config.coldMaxInteractions : config.warmMaxInteractions;
      int n = low + random.nextInt(high - low + 1);
      String group = groupValue(config.userGroup(user));
      double userBias = config.userBias(user);
      double[] taste = config.userTaste(user);
      int numFields = zipf.length;
      List<Row> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        Object[] out = new Object[5 + numFields + (config.includeProbability ? 1 : 0)];
        double logit = config.bias + userBias;
        int item = -1;
        for (int f = 0; f < numFields; f++) {
          int value = zipf[f].sample(random.nextDouble());
          item = f == 0 ? value : item;
          logit += firstOrder[f][value];
          out[5 + f] = SyntheticCtrData.categoryValue(f, value);
        }
        for (int k = 0; k < taste.length; k++) {
          logit += taste[k] * itemFactors[item][k]; // p_u . q_item
        }
        double probability = SeededRandom.sigmoid(logit);
        out[0] = user;
        out[1] = cold;
        out[2] = i;
        out[3] = random.nextDouble() < probability ? 1.0 : 0.0;
        out[4] = group;
        if (config.includeProbability) {
          out[out.length - 1] = probability;
        }
        rows.add(RowFactory.create(out));
      }
      return rows;
    }
  }

  /** Configures a {@link SyntheticColdStart}; every setter states its default. */
  public static final class Builder {

    private int numUsers = 2_000;
    private long seed = 42;
    private int numPartitions = 0;
    private double coldUserFraction = 0.7;
    private int coldMinInteractions = 1;
    private int coldMaxInteractions = 5;
    private int warmMinInteractions = 20;
    private int warmMaxInteractions = 100;
    private int numUserGroups = 8;
    private int[] cardinalities = {200, 10, 5};
    private double zipfExponent = 1.0;
    private double bias = -0.5;
    private double firstOrderScale = 0.5;
    private double userBiasStd = 0.8;
    private double tasteStd = 1.0;
    private int rank = 4;
    private double groupShare = 0.6;
    private boolean includeProbability = false;

    private Builder() {}

    /** Number of users, ids 0..numUsers-1 (>= 1). Default: 2000. */
    public Builder numUsers(int value) {
      numUsers = value;
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

    /** Probability that a user is cold (in [0, 1]). Default: 0.7. */
    public Builder coldUserFraction(double value) {
      coldUserFraction = value;
      return this;
    }

    /** Interactions of a cold user, uniform in [min, max] (1 <= min <= max). Default: 1 to 5. */
    public Builder coldInteractions(int min, int max) {
      coldMinInteractions = min;
      coldMaxInteractions = max;
      return this;
    }

    /** Interactions of a warm user, uniform in [min, max] (1 <= min <= max). Default: 20 to 100. */
    public Builder warmInteractions(int min, int max) {
      warmMinInteractions = min;
      warmMaxInteractions = max;
      return this;
    }

    /** Number of user groups, the observed user attribute (>= 1). Default: 8. */
    public Builder numUserGroups(int value) {
      numUserGroups = value;
      return this;
    }

    /** Number of values of each categorical field, field 0 being the item (each >= 1). Default: {200, 10, 5}. */
    public Builder cardinalities(int... value) {
      cardinalities = value.clone();
      return this;
    }

    /** Zipf exponent of value popularity (>= 0; 0 = uniform). Default: 1.0. */
    public Builder zipfExponent(double value) {
      zipfExponent = value;
      return this;
    }

    /** Logit intercept. Default: -0.5. */
    public Builder bias(double value) {
      bias = value;
      return this;
    }

    /** Standard deviation of the first-order weights of categorical values (>= 0). Default: 0.5. */
    public Builder firstOrderScale(double value) {
      firstOrderScale = value;
      return this;
    }

    /** Standard deviation of the user bias b_u (>= 0). Default: 0.8. */
    public Builder userBiasStd(double value) {
      userBiasStd = value;
      return this;
    }

    /** Approximate standard deviation of the user-item taste term p_u . q_item (>= 0). Default: 1.0. */
    public Builder tasteStd(double value) {
      tasteStd = value;
      return this;
    }

    /** Length of the taste and item factor vectors (>= 1). Default: 4. */
    public Builder rank(int value) {
      rank = value;
      return this;
    }

    /** Share of the user residual's variance explained by the user's group (in [0, 1]). Default: 0.6. */
    public Builder groupShare(double value) {
      groupShare = value;
      return this;
    }

    /** Whether to add the {@code trueProbability} column, sigmoid(logit). Default: false. */
    public Builder includeProbability(boolean value) {
      includeProbability = value;
      return this;
    }

    /** The configuration; fails naming the first invalid setting. */
    public SyntheticColdStart build() {
      ConfigCheck.require(numUsers >= 1, "numUsers must be >= 1 but is " + numUsers);
      ConfigCheck.require(numPartitions >= 0, "numPartitions must be >= 0 but is " + numPartitions);
      ConfigCheck.require(coldUserFraction >= 0 && coldUserFraction <= 1,
          "coldUserFraction must be within [0, 1] but is " + coldUserFraction);
      ConfigCheck.require(coldMinInteractions >= 1 && coldMinInteractions <= coldMaxInteractions,
          "cold interactions must satisfy 1 <= min <= max but are " + coldMinInteractions + ".." + coldMaxInteractions);
      ConfigCheck.require(warmMinInteractions >= 1 && warmMinInteractions <= warmMaxInteractions,
          "warm interactions must satisfy 1 <= min <= max but are " + warmMinInteractions + ".." + warmMaxInteractions);
      ConfigCheck.require(numUserGroups >= 1, "numUserGroups must be >= 1 but is " + numUserGroups);
      ConfigCheck.require(cardinalities.length >= 1, "at least one categorical field (the item) is required");
      for (int f = 0; f < cardinalities.length; f++) {
        ConfigCheck.require(cardinalities[f] >= 1, "cardinality of field " + f + " must be >= 1 but is "
            + cardinalities[f]);
      }
      ConfigCheck.require(zipfExponent >= 0 && Double.isFinite(zipfExponent),
          "zipfExponent must be finite and >= 0 but is " + zipfExponent);
      ConfigCheck.require(Double.isFinite(bias), "bias must be finite but is " + bias);
      for (double std : new double[] {firstOrderScale, userBiasStd, tasteStd}) {
        ConfigCheck.require(std >= 0 && Double.isFinite(std),
            "standard deviations must be finite and >= 0 but one is " + std);
      }
      ConfigCheck.require(rank >= 1, "rank must be >= 1 but is " + rank);
      ConfigCheck.require(groupShare >= 0 && groupShare <= 1, "groupShare must be within [0, 1] but is "
          + groupShare);
      return new SyntheticColdStart(this);
    }
  }
}
