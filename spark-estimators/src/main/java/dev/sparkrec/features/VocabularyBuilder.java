package dev.sparkrec.features;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.sketch.BloomFilter;
import org.apache.spark.util.sketch.IncompatibleMergeException;

/**
 * Fits the per-field vocabularies of a {@link FieldEncoder}: a plain function over a DataFrame.
 *
 * <p>Everything is computed with DataFrame aggregations; only bounded results reach the driver (at most
 * {@code numBuckets - 1} splits and 2 bounds per numeric field, at most {@code maxCategoriesPerField} values
 * per categorical field, one Bloom filter per field of the values left out). The data is read at most
 * twice: once for the quantile splits (bucketize) or bounds (value) of numeric fields, once for the counts.
 */
final class VocabularyBuilder {

  /**
   * False-positive rate of the Bloom filter of values seen at fit but left out of a field's vocabulary: an
   * unseen value is taken for such a value (and mapped to the OOV id instead of being reported as unseen)
   * with this probability.
   */
  static final double EXCLUDED_VALUES_FPP = 0.001;

  /** Key counted for a present value of a value-mode field. */
  private static final String VALUE_KEY = "value";

  private VocabularyBuilder() {}

  /**
   * The fitted fields, in order, with consecutive id blocks starting at 0.
   *
   * @param columns the input columns, one per field
   * @param encodings the encoding of each field
   * @param numBuckets the number of quantile buckets of a bucketized field (fewer when splits coincide)
   * @param minCount the smallest count a categorical value needs to get its own id
   * @param maxCategoriesPerField the most values a categorical field keeps (most frequent first)
   */
  static FieldVocabulary[] build(Dataset<Row> data, String[] columns, FieldEncoding[] encodings, int numBuckets,
      int minCount, int maxCategoriesPerField) {
    int fields = columns.length;
    double[][] splits = quantileSplits(data, columns, encodings, numBuckets);
    double[][] bounds = valueBounds(data, columns, encodings);

    Column[] entries = new Column[fields];
    List<Integer> categorical = new ArrayList<>();
    for (int f = 0; f < fields; f++) {
      entries[f] = struct(lit(f).as("field"), key(data.col(columns[f]), encodings[f], splits[f]).as("key"));
      if (encodings[f] == FieldEncoding.CATEGORICAL) {
        categorical.add(f);
      }
    }
    Dataset<Row> counts = data.select(explode(array(entries)).as("entry"))
        .select(col("entry.field").as("field"), col("entry.key").as("key"))
        .groupBy("field", "key")
        .count();
    // Ids within a field: descending count, then ascending value; the null key (missing) sorts last.
    WindowSpec byFrequency = Window.partitionBy("field")
        .orderBy(col("key").isNull(), col("count").desc(), col("key").asc());
    Column inVocabulary = col("key").isNotNull().and(not(col("field").isin(categorical.toArray()))
        .or(col("count").geq(minCount).and(col("rank").leq(maxCategoriesPerField))));
    Dataset<Row> ranked = counts.withColumn("rank", row_number().over(byFrequency))
        .withColumn("inVocabulary", inVocabulary)
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long[] rows = new long[fields];
      long[] distinctValues = new long[fields];
      for (Row r : ranked.groupBy("field").agg(sum("count"), count("key")).collectAsList()) {
        rows[r.getInt(0)] = r.getLong(1);
        distinctValues[r.getInt(0)] = r.getLong(2);
      }
      if (fields > 0 && rows[0] == 0) { // every row counts once per field, a missing value included
        throw new IllegalArgumentException("FieldEncoder cannot fit on an empty DataFrame: it has no rows to "
            + "learn the vocabularies of input columns " + java.util.Arrays.toString(columns) + " from. Fit on "
            + "data with at least one row (check the filters, joins or path that produced it).");
      }
      List<List<Row>> kept = new ArrayList<>();
      for (int f = 0; f < fields; f++) {
        kept.add(new ArrayList<>());
      }
      for (Row r : ranked.where(col("inVocabulary")).select("field", "key", "count", "rank").collectAsList()) {
        kept.get(r.getInt(0)).add(r);
      }
      long[] excluded = new long[fields];
      for (int f : categorical) {
        excluded[f] = distinctValues[f] - kept.get(f).size();
      }
      BloomFilter[] excludedValues = excludedValueFilters(ranked, excluded);

      FieldVocabulary[] result = new FieldVocabulary[fields];
      long offset = 0;
      for (int f = 0; f < fields; f++) {
        if (offset > Integer.MAX_VALUE) {
          throw new IllegalStateException("The encoded fields need more than " + Integer.MAX_VALUE + " ids; "
              + "raise minCount or lower maxCategoriesPerField.");
        }
        result[f] = field(columns[f], encodings[f], (int) offset, kept.get(f), rows[f], splits[f], bounds[f],
            excludedValues[f]);
        offset += result[f].size();
      }
      if (offset > Integer.MAX_VALUE) {
        throw new IllegalStateException("The encoded fields need " + offset + " ids, more than "
            + Integer.MAX_VALUE + "; raise minCount or lower maxCategoriesPerField.");
      }
      return result;
    } finally {
      ranked.unpersist();
    }
  }

  /** The counted key of one field: the value as a string, the bucket index, or a constant; null if missing. */
  private static Column key(Column column, FieldEncoding encoding, double[] splits) {
    switch (encoding) {
      case CATEGORICAL:
        return column.cast(DataTypes.StringType);
      case BUCKETIZED:
        return udf(new BucketIndex(splits), DataTypes.IntegerType)
            .apply(column.cast(DataTypes.DoubleType)).cast(DataTypes.StringType);
      default:
        return when(column.isNotNull().and(not(isnan(column))), lit(VALUE_KEY));
    }
  }

  /** Assembles one field from its kept (field, key, count, rank) rows and its total row count. */
  private static FieldVocabulary field(String name, FieldEncoding encoding, int offset, List<Row> kept, long rows,
      double[] splits, double[] bounds, BloomFilter excludedValues) {
    int size = encoding == FieldEncoding.CATEGORICAL ? kept.size() + 1
        : encoding == FieldEncoding.BUCKETIZED ? splits.length : 2;
    long[] counts = new long[size];
    String[] values = new String[encoding == FieldEncoding.CATEGORICAL ? kept.size() : 0];
    long inVocabulary = 0;
    for (Row r : kept) {
      String key = r.getString(1);
      long count = r.getLong(2);
      int local;
      if (encoding == FieldEncoding.CATEGORICAL) {
        local = r.getInt(3); // ranks of kept values are exactly 1..kept.size()
        values[local - 1] = key;
      } else if (encoding == FieldEncoding.BUCKETIZED) {
        local = 1 + Integer.parseInt(key);
      } else {
        local = 1;
      }
      counts[local] = count;
      inVocabulary += count;
    }
    counts[FieldVocabulary.OOV] = rows - inVocabulary; // missing, rare and overflow values
    switch (encoding) {
      case CATEGORICAL:
        return FieldVocabulary.categorical(name, offset, values, counts, excludedValues);
      case BUCKETIZED:
        return FieldVocabulary.bucketized(name, offset, splits, counts);
      default:
        return FieldVocabulary.value(name, offset, bounds[0], bounds[1], counts);
    }
  }

  /**
   * Exact quantile splits of each bucketized field, as Spark's QuantileDiscretizer defines them but without
   * approximation, so they do not depend on partitioning: with n present (non-null, non-NaN) values, the j-th
   * split (j = 1..numBuckets-1) is the smallest value v with #{x <= v} >= ceil(j * n / numBuckets) (the rank
   * approxQuantile targets); equal splits collapse, infinite ones are dropped, and -Infinity and +Infinity
   * close the ends. Null for fields that are not bucketized.
   */
  static double[][] quantileSplits(Dataset<Row> data, String[] columns, FieldEncoding[] encodings,
      int numBuckets) {
    double[][] splits = new double[columns.length][];
    List<Column> entries = new ArrayList<>();
    List<TreeSet<Double>> interior = new ArrayList<>();
    for (int f = 0; f < columns.length; f++) {
      interior.add(new TreeSet<>());
      if (encodings[f] == FieldEncoding.BUCKETIZED) {
        entries.add(struct(lit(f).as("field"), data.col(columns[f]).cast(DataTypes.DoubleType).as("value")));
      }
    }
    if (entries.isEmpty()) {
      return splits;
    }
    Dataset<Row> counts = data.select(explode(array(entries.toArray(new Column[0]))).as("entry"))
        .select(col("entry.field").as("field"), col("entry.value").as("value"))
        .where(col("value").isNotNull().and(not(isnan(col("value")))))
        .groupBy("field", "value")
        .count();
    WindowSpec byField = Window.partitionBy("field");
    WindowSpec upToValue = byField.orderBy("value").rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    // v is split j iff below(v) < ceil(j n / k) <= atOrBelow(v), i.e. j in
    // [floor(below k / n) + 1, min(floor(atOrBelow k / n), k - 1)].
    Dataset<Row> boundaries = counts
        .withColumn("n", sum("count").over(byField))
        .withColumn("atOrBelow", sum("count").over(upToValue))
        .withColumn("below", col("atOrBelow").minus(col("count")))
        .withColumn("firstSplit", expr("below * " + numBuckets + " div n + 1"))
        .withColumn("lastSplit", least(expr("atOrBelow * " + numBuckets + " div n"), lit(numBuckets - 1)))
        .where(col("firstSplit").leq(col("lastSplit")))
        .select("field", "value");
    for (Row r : boundaries.collectAsList()) {
      double value = r.getDouble(1);
      if (!Double.isInfinite(value)) {
        interior.get(r.getInt(0)).add(value);
      }
    }
    for (int f = 0; f < columns.length; f++) {
      if (encodings[f] == FieldEncoding.BUCKETIZED) {
        double[] s = new double[interior.get(f).size() + 2];
        s[0] = Double.NEGATIVE_INFINITY;
        int i = 1;
        for (double value : interior.get(f)) {
          s[i++] = value;
        }
        s[i] = Double.POSITIVE_INFINITY;
        splits[f] = s;
      }
    }
    return splits;
  }

  /**
   * The finite minimum and maximum of each value-mode field, {@code {0, 0}} when it has no finite value;
   * null for other fields.
   */
  static double[][] valueBounds(Dataset<Row> data, String[] columns, FieldEncoding[] encodings) {
    double[][] bounds = new double[columns.length][];
    List<Column> aggregates = new ArrayList<>();
    List<Integer> valueFields = new ArrayList<>();
    for (int f = 0; f < columns.length; f++) {
      if (encodings[f] == FieldEncoding.VALUE) {
        Column x = data.col(columns[f]).cast(DataTypes.DoubleType);
        Column finite = when(x.gt(Double.NEGATIVE_INFINITY).and(x.lt(Double.POSITIVE_INFINITY)), x);
        aggregates.add(min(finite));
        aggregates.add(max(finite));
        valueFields.add(f);
      }
    }
    if (valueFields.isEmpty()) {
      return bounds;
    }
    Row r = data.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(new Column[0])).first();
    for (int i = 0; i < valueFields.size(); i++) {
      boolean present = !r.isNullAt(2 * i);
      bounds[valueFields.get(i)] = present ? new double[] {r.getDouble(2 * i), r.getDouble(2 * i + 1)}
          : new double[] {0.0, 0.0};
    }
    return bounds;
  }

  /** One Bloom filter per field of the values left out of its vocabulary; null where none were. */
  private static BloomFilter[] excludedValueFilters(Dataset<Row> ranked, long[] excluded) {
    BloomFilter[] empty = new BloomFilter[excluded.length];
    boolean any = false;
    for (int f = 0; f < excluded.length; f++) {
      if (excluded[f] > 0) {
        empty[f] = BloomFilter.create(excluded[f], EXCLUDED_VALUES_FPP);
        any = true;
      }
    }
    if (!any) {
      return empty;
    }
    return ranked.where(col("key").isNotNull().and(not(col("inVocabulary"))))
        .select("field", "key")
        .javaRDD()
        .treeAggregate(empty, VocabularyBuilder::addExcluded, VocabularyBuilder::mergeFilters);
  }

  private static BloomFilter[] addExcluded(BloomFilter[] filters, Row fieldAndKey) {
    filters[fieldAndKey.getInt(0)].putString(fieldAndKey.getString(1));
    return filters;
  }

  private static BloomFilter[] mergeFilters(BloomFilter[] left, BloomFilter[] right)
      throws IncompatibleMergeException {
    for (int f = 0; f < left.length; f++) {
      if (left[f] != null) {
        left[f].mergeInPlace(right[f]);
      }
    }
    return left;
  }

  /** The bucket index of a double under fixed splits; null for null and NaN. */
  static final class BucketIndex implements UDF1<Double, Integer> {
    private static final long serialVersionUID = 1L;
    private final double[] splits;

    BucketIndex(double[] splits) {
      this.splits = splits;
    }

    @Override
    public Integer call(Double x) {
      return x == null || x.isNaN() ? null : FieldVocabulary.bucketOf(splits, x);
    }
  }
}
