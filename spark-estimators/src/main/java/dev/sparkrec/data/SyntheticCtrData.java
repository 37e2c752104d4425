package dev.sparkrec.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Seeded synthetic click-through data with planted feature crosses, for testing CTR models
 * against a known truth. Immutable; build with {@link #builder()}.
 *
 * <p>Each row has F categorical fields {@code C0..C(F-1)} whose values are strings
 * {@code "f<field>_v<value>"} drawn with Zipf popularity (value 0 most popular), N numeric
 * fields {@code I0..I(N-1)} that are log-normal, {@code I_j = exp(z_j)} with
 * {@code z_j ~ N(0, 1)}, and a click label drawn as
 * <pre>
 *   label ~ Bernoulli(sigmoid(bias + sum_f w_f(v_f) + sum_j u_j z_j + sum_c strength_c prod_{f in c} s_{c,f}(v_f)))
 * </pre>
 * where the first-order weights {@code w_f(v) ~ N(0, firstOrderScale^2)}, the numeric weights
 * {@code u_j ~ N(0, numericScale^2)} and the cross signs {@code s_{c,f}(v)} in {-1, +1} are all
 * derived from the seed (see {@link #firstOrderWeight}, {@link #numericWeight},
 * {@link #crossSign}). Nothing is broadcast: executors recompute these small tables.
 *
 * <p>Rows are {@code spark.range(firstRowId, firstRowId + rows)}; every draw of a row comes from
 * a generator seeded by (seed, rowId), so the output is identical for the same configuration on
 * any machine and for any {@code numPartitions}, and rows [a, b) of a larger configuration
 * equal a configuration with {@code firstRowId = a, rows = b - a}. A train and a test set from
 * the same ground truth are two configurations differing only in {@code firstRowId}.
 *
 * <p>Output schema ({@link #schema()}): {@code rowId} long, {@code label} double (0/1),
 * {@code C0..C(F-1)} string, {@code I0..I(N-1)} double, and with
 * {@link Builder#includeProbability} a {@code trueProbability} double; none nullable.
 *
 * <p>The getters return the settings documented on the {@link Builder}'s setters.
 */
public final class SyntheticCtrData implements Serializable {

  private static final long serialVersionUID = 1L;

  // Independent random streams derived from the seed.
  private static final long ROW_STREAM = 1;
  private static final long FIRST_ORDER_STREAM = 2;
  private static final long NUMERIC_STREAM = 3;
  private static final long CROSS_STREAM = 4;

  private final long rows;
  private final long firstRowId;
  private final long seed;
  private final int numPartitions;
  private final int[] cardinalities;
  private final int numNumeric;
  private final double zipfExponent;
  private final double bias;
  private final double firstOrderScale;
  private final double numericScale;
  private final List<PlantedCross> crosses;
  private final boolean includeProbability;

  private SyntheticCtrData(Builder b) {
    this.rows = b.rows;
    this.firstRowId = b.firstRowId;
    this.seed = b.seed;
    this.numPartitions = b.numPartitions;
    this.cardinalities = b.cardinalities.clone();
    this.numNumeric = b.numNumeric;
    this.zipfExponent = b.zipfExponent;
    this.bias = b.bias;
    this.firstOrderScale = b.firstOrderScale;
    this.numericScale = b.numericScale;
    this.crosses = List.copyOf(b.crosses);
    this.includeProbability = b.includeProbability;
  }

  /** A builder with the defaults documented on each setter. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration, to derive a variant (e.g. a test set). */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.rows = rows;
    b.firstRowId = firstRowId;
    b.seed = seed;
    b.numPartitions = numPartitions;
    b.cardinalities = cardinalities.clone();
    b.numNumeric = numNumeric;
    b.zipfExponent = zipfExponent;
    b.bias = bias;
    b.firstOrderScale = firstOrderScale;
    b.numericScale = numericScale;
    b.crosses = new ArrayList<>(crosses);
    b.includeProbability = includeProbability;
    return b;
  }

  public long rows() {
    return rows;
  }

  public long firstRowId() {
    return firstRowId;
  }

  public long seed() {
    return seed;
  }

  public int numPartitions() {
    return numPartitions;
  }

  /** Number of distinct values of each categorical field. */
  public int[] cardinalities() {
    return cardinalities.clone();
  }

  public int numCategorical() {
    return cardinalities.length;
  }

  public int numNumeric() {
    return numNumeric;
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

  public double numericScale() {
    return numericScale;
  }

  /** The planted crosses, indexed as in {@link #crossSign} and {@link #crossTerm}. */
  public List<PlantedCross> plantedCrosses() {
    return crosses;
  }

  public boolean includeProbability() {
    return includeProbability;
  }

  /** The name of categorical field {@code field}: {@code C<field>}. */
  public static String categoricalColumn(int field) {
    return "C" + field;
  }

  /** The name of numeric field {@code j}: {@code I<j>}. */
  public static String numericColumn(int j) {
    return "I" + j;
  }

  /** The string written for value {@code value} of categorical field {@code field}: {@code f<field>_v<value>}. */
  public static String categoryValue(int field, int value) {
    return "f" + field + "_v" + value;
  }

  /** The value index of a string written by {@link #categoryValue}, e.g. 17 for {@code "f3_v17"}. */
  public static int valueIndex(String categoryValue) {
    int at = categoryValue.indexOf("_v");
    if (!categoryValue.startsWith("f") || at < 0) {
      throw new IllegalArgumentException("Value '" + categoryValue + "' is not of the form f<field>_v<value>.");
    }
    return Integer.parseInt(categoryValue.substring(at + 2));
  }

  /** The output columns; see the class documentation. */
  public StructType schema() {
    StructType schema = new StructType()
        .add("rowId", DataTypes.LongType, false)
        .add("label", DataTypes.DoubleType, false);
    for (int f = 0; f < cardinalities.length; f++) {
      schema = schema.add(categoricalColumn(f), DataTypes.StringType, false);
    }
    for (int j = 0; j < numNumeric; j++) {
      schema = schema.add(numericColumn(j), DataTypes.DoubleType, false);
    }
    if (includeProbability) {
      schema = schema.add("trueProbability", DataTypes.DoubleType, false);
    }
    return schema;
  }

  // ---- ground truth, derived from the seed alone ----

  /** The first-order logit weight w_f(v) of value {@code value} of categorical field {@code field}. */
  public double firstOrderWeight(int field, int value) {
    return firstOrderScale * SeededRandom.gaussianAt(seed, FIRST_ORDER_STREAM, field, value);
  }

  /** The logit weight u_j of the log of numeric field {@code j} (I_j = exp(z_j) adds u_j z_j). */
  public double numericWeight(int j) {
    return numericScale * SeededRandom.gaussianAt(seed, NUMERIC_STREAM, j);
  }

  /** The sign (+1 or -1) of value {@code value} of categorical field {@code field} in planted cross {@code cross}. */
  public int crossSign(int cross, int field, int value) {
    return SeededRandom.uniformAt(seed, CROSS_STREAM, cross, field, value) < 0.5 ? -1 : 1;
  }

  /**
   * The logit term of planted cross {@code cross} for a row whose categorical value indices are
   * {@code values} (one per field): strength times the product of the signs of its fields.
   */
  public double crossTerm(int cross, int[] values) {
    PlantedCross planted = crosses.get(cross);
    int sign = 1;
    for (int field : planted.fields()) {
      sign *= crossSign(cross, field, values[field]);
    }
    return planted.strength() * sign;
  }

  /**
   * The click logit of a row with categorical value indices {@code values} and numeric
   * log-values {@code z} ({@code z_j = ln I_j}); the label is Bernoulli(sigmoid(logit)).
   */
  public double logit(int[] values, double[] z) {
    double logit = bias;
    for (int f = 0; f < cardinalities.length; f++) {
      logit += firstOrderWeight(f, values[f]);
    }
    for (int j = 0; j < numNumeric; j++) {
      logit += numericWeight(j) * z[j];
    }
    for (int c = 0; c < crosses.size(); c++) {
      logit += crossTerm(c, values);
    }
    return logit;
  }

  /** The rows of this configuration; lazy, computed on the executors. */
  public Dataset<Row> generate(SparkSession spark) {
    int partitions = numPartitions > 0 ? numPartitions : spark.sparkContext().defaultParallelism();
    return spark.range(firstRowId, firstRowId + rows, 1, partitions)
        .mapPartitions(new PartitionGenerator(this), Encoders.row(schema()));
  }

  /** Generates the rows of one partition; the weight tables are built once per partition. */
  private static final class PartitionGenerator implements MapPartitionsFunction<Long, Row> {

    private static final long serialVersionUID = 1L;
    private final SyntheticCtrData config;

    PartitionGenerator(SyntheticCtrData config) {
      this.config = config;
    }

    @Override
    public Iterator<Row> call(Iterator<Long> rowIds) {
      RowSampler sampler = new RowSampler(config);
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return rowIds.hasNext();
        }

        @Override
        public Row next() {
          return sampler.row(rowIds.next());
        }
      };
    }
  }

  /** Tables of the ground truth (small: one entry per categorical value) and the per-row draws. */
  private static final class RowSampler {

    private final SyntheticCtrData config;
    private final ZipfSampler[] zipf;
    private final double[][] firstOrder;
    private final double[] numericWeights;
    private final int[][] crossFields;
    private final double[] crossStrengths;
    private final int[][][] crossSigns;

    RowSampler(SyntheticCtrData config) {
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
      numericWeights = new double[config.numNumeric];
      for (int j = 0; j < config.numNumeric; j++) {
        numericWeights[j] = config.numericWeight(j);
      }
      int numCrosses = config.crosses.size();
      crossFields = new int[numCrosses][];
      crossStrengths = new double[numCrosses];
      crossSigns = new int[numCrosses][][];
      for (int c = 0; c < numCrosses; c++) {
        crossFields[c] = config.crosses.get(c).fields();
        crossStrengths[c] = config.crosses.get(c).strength();
        crossSigns[c] = new int[crossFields[c].length][];
        for (int k = 0; k < crossFields[c].length; k++) {
          int field = crossFields[c][k];
          crossSigns[c][k] = new int[config.cardinalities[field]];
          for (int v = 0; v < config.cardinalities[field]; v++) {
            crossSigns[c][k][v] = config.crossSign(c, field, v);
          }
        }
      }
    }

    Row row(long rowId) {
      SeededRandom random = new SeededRandom(SeededRandom.hash(config.seed, ROW_STREAM, rowId));
      int numFields = zipf.length;
      int numNumeric = numericWeights.length;
      Object[] out = new Object[2 + numFields + numNumeric + (config.includeProbability ? 1 : 0)];
      int[] values = new int[numFields];
      double logit = config.bias;
      for (int f = 0; f < numFields; f++) {
        values[f] = zipf[f].sample(random.nextDouble());
        logit += firstOrder[f][values[f]];
        out[2 + f] = categoryValue(f, values[f]);
      }
      for (int j = 0; j < numNumeric; j++) {
        double z = random.nextGaussian();
        logit += numericWeights[j] * z;
        out[2 + numFields + j] = StrictMath.exp(z); // log-normal numeric value I_j = exp(z_j)
      }
      for (int c = 0; c < crossFields.length; c++) {
        int sign = 1;
        for (int k = 0; k < crossFields[c].length; k++) {
          sign *= crossSigns[c][k][values[crossFields[c][k]]];
        }
        logit += crossStrengths[c] * sign; // strength_c * prod_f s_{c,f}(v_f)
      }
      double probability = SeededRandom.sigmoid(logit);
      out[0] = rowId;
      out[1] = random.nextDouble() < probability ? 1.0 : 0.0;
      if (config.includeProbability) {
        out[out.length - 1] = probability;
      }
      return RowFactory.create(out);
    }
  }

  /** Configures a {@link SyntheticCtrData}; every setter states its default. */
  public static final class Builder {

    private long rows = 100_000;
    private long firstRowId = 0;
    private long seed = 42;
    private int numPartitions = 0;
    private int[] cardinalities = {50, 40, 30, 20, 20, 10, 10, 5};
    private int numNumeric = 2;
    private double zipfExponent = 1.0;
    private double bias = -1.0;
    private double firstOrderScale = 0.5;
    private double numericScale = 0.5;
    private List<PlantedCross> crosses = new ArrayList<>(List.of(
        new PlantedCross(1.5, 0, 1), new PlantedCross(1.5, 2, 3, 4)));
    private boolean includeProbability = false;

    private Builder() {}

    /** Number of rows (>= 0). Default: 100000. */
    public Builder rows(long value) {
      rows = value;
      return this;
    }

    /** Id of the first row (>= 0); rows are firstRowId .. firstRowId + rows - 1. Default: 0. */
    public Builder firstRowId(long value) {
      firstRowId = value;
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

    /** Number of values of each categorical field (each >= 1). Default: {50, 40, 30, 20, 20, 10, 10, 5}. */
    public Builder cardinalities(int... value) {
      cardinalities = value.clone();
      return this;
    }

    /** Number of numeric fields (>= 0). Default: 2. */
    public Builder numNumeric(int value) {
      numNumeric = value;
      return this;
    }

    /** Zipf exponent s of value popularity, P(v) ~ (v + 1)^-s (>= 0; 0 = uniform). Default: 1.0. */
    public Builder zipfExponent(double value) {
      zipfExponent = value;
      return this;
    }

    /** Logit intercept. Default: -1.0. */
    public Builder bias(double value) {
      bias = value;
      return this;
    }

    /** Standard deviation of the first-order weights of categorical values (>= 0). Default: 0.5. */
    public Builder firstOrderScale(double value) {
      firstOrderScale = value;
      return this;
    }

    /** Standard deviation of the numeric weights (>= 0). Default: 0.5. */
    public Builder numericScale(double value) {
      numericScale = value;
      return this;
    }

    /**
     * The planted crosses (fields within 0..F-1). Default: a 2nd-order cross of fields {0, 1}
     * and a 3rd-order cross of fields {2, 3, 4}, both of strength 1.5.
     */
    public Builder plantedCrosses(List<PlantedCross> value) {
      crosses = new ArrayList<>(value);
      return this;
    }

    /** Whether to add the {@code trueProbability} column, sigmoid(logit). Default: false. */
    public Builder includeProbability(boolean value) {
      includeProbability = value;
      return this;
    }

    /** The configuration; fails naming the first invalid setting. */
    public SyntheticCtrData build() {
      ConfigCheck.require(rows >= 0, "rows must be >= 0 but is " + rows);
      ConfigCheck.require(firstRowId >= 0 && firstRowId + rows >= firstRowId,
          "firstRowId must be >= 0 and firstRowId + rows must not overflow but firstRowId is " + firstRowId);
      ConfigCheck.require(numPartitions >= 0, "numPartitions must be >= 0 but is " + numPartitions);
      ConfigCheck.require(cardinalities.length >= 1, "at least one categorical field is required");
      for (int f = 0; f < cardinalities.length; f++) {
        ConfigCheck.require(cardinalities[f] >= 1,
            "cardinality of field " + f + " must be >= 1 but is " + cardinalities[f]);
      }
      ConfigCheck.require(numNumeric >= 0, "numNumeric must be >= 0 but is " + numNumeric);
      ConfigCheck.require(zipfExponent >= 0 && Double.isFinite(zipfExponent),
          "zipfExponent must be finite and >= 0 but is " + zipfExponent);
      ConfigCheck.require(Double.isFinite(bias), "bias must be finite but is " + bias);
      ConfigCheck.require(firstOrderScale >= 0 && Double.isFinite(firstOrderScale),
          "firstOrderScale must be finite and >= 0 but is " + firstOrderScale);
      ConfigCheck.require(numericScale >= 0 && Double.isFinite(numericScale),
          "numericScale must be finite and >= 0 but is " + numericScale);
      for (PlantedCross cross : crosses) {
        for (int field : cross.fields()) {
          ConfigCheck.require(field >= 0 && field < cardinalities.length, cross + " names field " + field
              + " but the categorical fields are 0.." + (cardinalities.length - 1));
        }
      }
      return new SyntheticCtrData(this);
    }
  }

  @Override
  public String toString() {
    return "SyntheticCtrData(rows=" + rows + ", firstRowId=" + firstRowId + ", seed=" + seed + ", cardinalities="
        + Arrays.toString(cardinalities) + ", numNumeric=" + numNumeric + ", zipfExponent=" + zipfExponent
        + ", bias=" + bias + ", firstOrderScale=" + firstOrderScale + ", numericScale=" + numericScale
        + ", plantedCrosses=" + crosses + ")";
  }
}
