package dev.sparkrec.data;

import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads raw Criteo display-advertising files (the Kaggle {@code train.txt} layout and Criteo's
 * {@code dac_sample}): tab-separated, no header, 40 fields
 * {@code label I1..I13 C1..C26}, an empty field meaning "missing". Returns {@link #SCHEMA}:
 * <ul>
 *   <li>{@code label} double, not null: 0.0 or 1.0 (clicked);</li>
 *   <li>{@code I1}..{@code I13} int, nullable: the integer (mostly count) features, null when
 *       missing;</li>
 *   <li>{@code C1}..{@code C26} string, nullable: the hashed categorical features as written
 *       (8 hex digits), null when missing.</li>
 * </ul>
 *
 * <p>Every line must have exactly 40 fields (39 tabs), also when its trailing fields are empty.
 * A line with fewer or more fields, a label other than 0 or 1, or an integer feature that is not
 * a 32-bit integer fails the job naming the file, the line number, the line and what is wrong:
 * a short line is not padded with nulls, since a truncated line cannot be told from one whose
 * trailing empty fields were stripped (restore the tabs first if a copy was stripped on
 * purpose). Parsing runs on the executors; gzip files are read as they are.
 */
public final class CriteoReader {

  /** Number of integer features (I1..I13). */
  public static final int NUM_INTEGER_FEATURES = 13;

  /** Number of categorical features (C1..C26). */
  public static final int NUM_CATEGORICAL_FEATURES = 26;

  /** The columns of every read: label, I1..I13, C1..C26. */
  public static final StructType SCHEMA = buildSchema();

  private CriteoReader() {}

  private static StructType buildSchema() {
    StructType schema = new StructType().add("label", DataTypes.DoubleType, false);
    for (int i = 1; i <= NUM_INTEGER_FEATURES; i++) {
      schema = schema.add("I" + i, DataTypes.IntegerType, true);
    }
    for (int i = 1; i <= NUM_CATEGORICAL_FEATURES; i++) {
      schema = schema.add("C" + i, DataTypes.StringType, true);
    }
    return schema;
  }

  /**
   * Reads {@code path} (a file, folder, glob or comma-separated list) into a DataFrame of
   * {@link #SCHEMA}. Lazy: malformed lines are found when the result is computed.
   */
  public static Dataset<Row> read(SparkSession spark, String path) {
    return TextLineSource.parse(spark, path, StandardCharsets.UTF_8, new CriteoLineParser(), SCHEMA);
  }

  /** Parses one Criteo line; package-private for unit tests. */
  static final class CriteoLineParser implements LineParser {

    private static final int NUM_FIELDS = 1 + NUM_INTEGER_FEATURES + NUM_CATEGORICAL_FEATURES;

    @Override
    public Row parse(String line) {
      String[] fields = line.split("\t", -1);
      if (fields.length != NUM_FIELDS) {
        throw new IllegalArgumentException("The line has " + fields.length + " tab-separated fields but a Criteo "
            + "line has exactly " + NUM_FIELDS + " (label, I1..I13, C1..C26; empty fields still need their tabs).");
      }
      Object[] values = new Object[NUM_FIELDS];
      String label = fields[0];
      if (label.equals("1")) {
        values[0] = 1.0;
      } else if (label.equals("0")) {
        values[0] = 0.0;
      } else {
        throw new IllegalArgumentException("Column 'label' has value '" + label + "' but must be 0 or 1.");
      }
      for (int i = 1; i < NUM_FIELDS; i++) {
        String field = fields[i];
        if (field.isEmpty()) {
          values[i] = null;
        } else if (i <= NUM_INTEGER_FEATURES) {
          try {
            values[i] = Integer.parseInt(field);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Column 'I" + i + "' has value '" + field
                + "' but must be a 32-bit integer or empty.");
          }
        } else {
          values[i] = field;
        }
      }
      return RowFactory.create(values);
    }
  }
}
