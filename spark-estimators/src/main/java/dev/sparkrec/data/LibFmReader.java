package dev.sparkrec.data;

import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads libFM / libSVM text files ({@code label id:value id:value ...}, one instance per line),
 * such as the Frappe files of the NFM split, into a DataFrame of {@link #SCHEMA}:
 * <ul>
 *   <li>{@code label} double, not null: 0.0 or 1.0. File labels may be -1/1 or 0/1 (also
 *       written as {@code +1} or {@code 1.0}); -1 and 0 become 0.0, 1 becomes 1.0, and any
 *       other label fails naming the file and line;</li>
 *   <li>{@code featureIds} array&lt;int&gt;, not null: the feature ids in file order, always
 *       0-based (ids of a 1-based file are shifted down by one, see {@link #setOneBased});</li>
 *   <li>{@code featureValues} array&lt;float&gt;, not null: the value of each id, same length.</li>
 * </ul>
 *
 * <p>Tokens are separated by spaces or tabs; CRLF line ends and gzip files ({@code .gz}) are
 * read as they are; blank lines are skipped. A line whose label or any {@code id:value} token
 * does not parse fails the job with a message quoting the file, the line and the bad token.
 * Parsing runs on the executors. Usage:
 * <pre>{@code
 * Dataset<Row> test = new LibFmReader().read(spark, "data/frappe/frappe.test.libfm");
 * }</pre>
 */
public final class LibFmReader {

  /** The columns every read returns: label, featureIds, featureValues. */
  public static final StructType SCHEMA = new StructType()
      .add("label", DataTypes.DoubleType, false)
      .add("featureIds", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add("featureValues", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  private boolean oneBased = false;

  /** A reader for 0-based feature ids. */
  public LibFmReader() {}

  /**
   * Whether the file numbers feature ids from 1 (libSVM convention) rather than from 0; the
   * output ids are 0-based either way, and an id below the first valid one is an error.
   * Default: false.
   */
  public LibFmReader setOneBased(boolean value) {
    this.oneBased = value;
    return this;
  }

  /** Whether file ids are 1-based; see {@link #setOneBased}. */
  public boolean getOneBased() {
    return oneBased;
  }

  /**
   * Reads {@code path} (a file, a folder, a glob or a comma-separated list, local or on any
   * Hadoop file system) into a DataFrame of {@link #SCHEMA}. Lazy: malformed lines are found
   * when the result is computed.
   */
  public Dataset<Row> read(SparkSession spark, String path) {
    return TextLineSource.parse(spark, path, StandardCharsets.UTF_8, new LibFmLineParser(oneBased), SCHEMA);
  }

  /** Parses one libFM line; package-private for unit tests. */
  static final class LibFmLineParser implements LineParser {

    private final int idOffset;

    LibFmLineParser(boolean oneBased) {
      this.idOffset = oneBased ? 1 : 0;
    }

    @Override
    public Row parse(String line) {
      String[] tokens = line.trim().split("[ \\t]+");
      double label = parseLabel(tokens[0]);
      int n = tokens.length - 1;
      int[] ids = new int[n];
      float[] values = new float[n];
      for (int i = 0; i < n; i++) {
        String token = tokens[i + 1];
        int colon = token.indexOf(':');
        if (colon <= 0 || colon == token.length() - 1 || token.indexOf(':', colon + 1) >= 0) {
          throw new IllegalArgumentException("Token '" + token + "' is not of the form id:value.");
        }
        int fileId;
        try {
          fileId = Integer.parseInt(token.substring(0, colon));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("Token '" + token + "' has a feature id that is not an integer.");
        }
        if (fileId < idOffset) {
          throw new IllegalArgumentException("Token '" + token + "' has feature id " + fileId + " but ids are "
              + (idOffset == 1 ? "1-based (oneBased = true), so the smallest id is 1."
                  : "0-based (oneBased = false), so the smallest id is 0."));
        }
        float value;
        try {
          value = Float.parseFloat(token.substring(colon + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("Token '" + token + "' has a value that is not a number.");
        }
        if (!Float.isFinite(value)) {
          throw new IllegalArgumentException("Token '" + token + "' has a value that is not finite.");
        }
        ids[i] = fileId - idOffset;
        values[i] = value;
      }
      return RowFactory.create(label, ids, values);
    }

    private static double parseLabel(String token) {
      double value;
      try {
        value = Double.parseDouble(token);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("The label '" + token + "' is not a number; expected -1, 0 or 1.");
      }
      if (value == 1.0) {
        return 1.0;
      }
      if (value == 0.0 || value == -1.0) {
        return 0.0;
      }
      throw new IllegalArgumentException("The label '" + token + "' is not one of -1, 0 or 1.");
    }
  }
}
