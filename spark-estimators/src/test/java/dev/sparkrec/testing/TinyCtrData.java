package dev.sparkrec.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Seeded click data for the trainer tests, with a planted logistic model: 4 fields of 25 values each (global
 * ids {@code field·25 + value}), feature values 1 except field 3's in [0.5, 1.5), and
 * {@code label ~ Bernoulli(σ(−0.5 + Σ_f t(id_f)·x_f))} with true weights {@code t(id) ~ N(0, 1)} from the
 * seed. Row {@code r} depends only on (seed, r), so a range of rows is the same in any partitioning.
 */
public final class TinyCtrData {

  public static final int FIELDS = 4;
  public static final int CARDINALITY = 25;
  public static final int VOCABULARY = FIELDS * CARDINALITY;

  public static final StructType SCHEMA = new StructType()
      .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add("featureValues", DataTypes.createArrayType(DataTypes.FloatType, false), false)
      .add("label", DataTypes.DoubleType, false)
      .add("weight", DataTypes.DoubleType, false);

  private TinyCtrData() {}

  /** The true weight of id {@code id}. */
  public static double trueWeight(long seed, int id) {
    return new SplittableRandom(seed * 7919 + id).nextGaussian();
  }

  /** Row {@code r}: ids, values, label and a weight in {1, 2}. */
  public static Row row(long seed, long r) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + r * 31 + 17);
    Integer[] ids = new Integer[FIELDS];
    Float[] values = new Float[FIELDS];
    double logit = -0.5;
    for (int f = 0; f < FIELDS; f++) {
      ids[f] = f * CARDINALITY + random.nextInt(CARDINALITY);
      values[f] = f == 3 ? (float) random.nextDouble(0.5, 1.5) : 1f;
      logit += trueWeight(seed, ids[f]) * values[f];
    }
    double label = random.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1.0 : 0.0;
    double weight = 1 + random.nextInt(2);
    return RowFactory.create(ids, values, label, weight);
  }

  /** Rows {@code [first, first + rows)} in {@code partitions} contiguous, equal (±1) ranges. */
  public static Dataset<Row> generate(SparkSession spark, long seed, long first, long rows, int partitions) {
    long[] bounds = new long[partitions + 1];
    for (int p = 0; p <= partitions; p++) {
      bounds[p] = first + rows * p / partitions;
    }
    return generate(spark, seed, bounds);
  }

  /** Partition {@code p} holds rows {@code [bounds[p], bounds[p + 1])}, generated on the executors. */
  public static Dataset<Row> generate(SparkSession spark, long seed, long... bounds) {
    int partitions = bounds.length - 1;
    List<Integer> indices = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      indices.add(p);
    }
    long[] b = bounds.clone();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // parallelize slices k items into k partitions of one item each.
    JavaRDD<Row> rows = jsc.parallelize(indices, partitions).flatMap(p -> {
      List<Row> out = new ArrayList<>();
      for (long r = b[p]; r < b[p + 1]; r++) {
        out.add(row(seed, r));
      }
      return out.iterator();
    });
    return spark.createDataFrame(rows, SCHEMA);
  }
}
