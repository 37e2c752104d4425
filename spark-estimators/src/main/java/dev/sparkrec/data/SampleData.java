package dev.sparkrec.data;

import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * The generated samples shipped in {@code sample-data/}: their file names, the generator
 * configurations that make them, their schemas, and readers. {@link SampleDataWriter} writes
 * them; regenerate with {@code bin/sparkrec generate-sample-data --out sample-data}.
 *
 * <p>Files are gzipped CSV with a header:
 * <ul>
 *   <li>{@value #CTR_TRAIN_FILE} and {@value #CTR_TEST_FILE}: {@link #CTR_TRAIN} (rows 0..39999)
 *       and {@link #CTR_TEST} (rows 40000..49999), one ground truth with planted crosses
 *       {0, 1} (order 2) and {2, 3, 4} (order 3); schema {@link #CTR_SCHEMA}: {@code rowId} long,
 *       {@code label} double, {@code C0..C7} string, {@code I0, I1} double (rounded to 4
 *       decimal places);</li>
 *   <li>{@value #RATINGS_FILE}: {@link #RATINGS}; schema {@link #RATINGS_SCHEMA}: {@code user}
 *       int, {@code item} int, {@code rating} float;</li>
 *   <li>{@value #COLD_START_FILE}: {@link #COLD_START}; schema {@link #COLD_START_SCHEMA}:
 *       {@code user} int, {@code isColdUser} boolean, {@code interactionIndex} int,
 *       {@code label} double, {@code userGroup} string, {@code C0..C2} string (C0 is the
 *       item).</li>
 * </ul>
 * Readers check the header against the schema and fail on a malformed row. Spark's file
 * sources report every column as nullable; no value is null.
 */
public final class SampleData {

  /** Seed of every sample. */
  public static final long SEED = 2025;

  public static final String CTR_TRAIN_FILE = "ctr-train.csv.gz";
  public static final String CTR_TEST_FILE = "ctr-test.csv.gz";
  public static final String RATINGS_FILE = "ratings.csv.gz";
  public static final String COLD_START_FILE = "cold-start.csv.gz";

  /** CTR training rows: the {@link SyntheticCtrData} defaults (8 categorical, 2 numeric fields), 40,000 rows. */
  public static final SyntheticCtrData CTR_TRAIN = SyntheticCtrData.builder()
      .seed(SEED).rows(40_000).firstRowId(0).build();

  /** CTR test rows: the same ground truth as {@link #CTR_TRAIN}, rows 40,000..49,999. */
  public static final SyntheticCtrData CTR_TEST = CTR_TRAIN.toBuilder().rows(10_000).firstRowId(40_000).build();

  /** Ratings: the {@link SyntheticRatings} defaults (1,000 users, 500 items, rank 8, whole stars). */
  public static final SyntheticRatings RATINGS = SyntheticRatings.builder().seed(SEED).build();

  /** Cold-start clicks: the {@link SyntheticColdStart} defaults (2,000 users, 70 % cold). */
  public static final SyntheticColdStart COLD_START = SyntheticColdStart.builder().seed(SEED).build();

  /** Columns of the CTR files. */
  public static final StructType CTR_SCHEMA = CTR_TRAIN.schema();

  /** Columns of the ratings file. */
  public static final StructType RATINGS_SCHEMA = SyntheticRatings.SCHEMA;

  /** Columns of the cold-start file. */
  public static final StructType COLD_START_SCHEMA = COLD_START.schema();

  /** Decimal places kept for the CTR numeric columns. */
  static final int NUMERIC_DECIMALS = 4;

  private SampleData() {}

  /** The CTR training sample in {@code dir}. */
  public static Dataset<Row> ctrTrain(SparkSession spark, Path dir) {
    return read(spark, dir.resolve(CTR_TRAIN_FILE).toString(), CTR_SCHEMA);
  }

  /** The CTR training sample in {@code dir} (any Hadoop path). */
  public static Dataset<Row> ctrTrain(SparkSession spark, String dir) {
    return read(spark, dir + "/" + CTR_TRAIN_FILE, CTR_SCHEMA);
  }

  /** The CTR test sample in {@code dir}. */
  public static Dataset<Row> ctrTest(SparkSession spark, Path dir) {
    return read(spark, dir.resolve(CTR_TEST_FILE).toString(), CTR_SCHEMA);
  }

  /** The CTR test sample in {@code dir} (any Hadoop path). */
  public static Dataset<Row> ctrTest(SparkSession spark, String dir) {
    return read(spark, dir + "/" + CTR_TEST_FILE, CTR_SCHEMA);
  }

  /** The ratings sample in {@code dir}. */
  public static Dataset<Row> ratings(SparkSession spark, Path dir) {
    return read(spark, dir.resolve(RATINGS_FILE).toString(), RATINGS_SCHEMA);
  }

  /** The ratings sample in {@code dir} (any Hadoop path). */
  public static Dataset<Row> ratings(SparkSession spark, String dir) {
    return read(spark, dir + "/" + RATINGS_FILE, RATINGS_SCHEMA);
  }

  /** The cold-start sample in {@code dir}. */
  public static Dataset<Row> coldStart(SparkSession spark, Path dir) {
    return read(spark, dir.resolve(COLD_START_FILE).toString(), COLD_START_SCHEMA);
  }

  /** The cold-start sample in {@code dir} (any Hadoop path). */
  public static Dataset<Row> coldStart(SparkSession spark, String dir) {
    return read(spark, dir + "/" + COLD_START_FILE, COLD_START_SCHEMA);
  }

  private static Dataset<Row> read(SparkSession spark, String file, StructType schema) {
    return spark.read()
        .option("header", "true")
        .option("enforceSchema", "false") // check the header's names against the schema
        .option("mode", "FAILFAST")
        .schema(schema)
        .csv(file);
  }
}
