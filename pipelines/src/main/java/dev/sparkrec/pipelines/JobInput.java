package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import dev.sparkrec.data.LibFmReader;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A job's input table as read: its path, format, the Delta version read (pinned, also when none was asked for, so
 * the version recorded is the one the job saw; null for other formats) and its row count.
 *
 * <p>Formats: {@code delta} (at {@code --input-version N}, at the latest version at or before
 * {@code --input-timestamp T}, or at the latest), {@code parquet}, {@code csv} (header, inferred types) and
 * {@code libfm} (SparkRec's {@code featureIds}, {@code featureValues}, {@code label}). Every problem with the input
 * — a path with nothing there, a folder that is not a Delta table, a version the table does not have, files that
 * are not in the format given — is a {@link JobFailure} of one line naming it.
 */
record JobInput(String path, String format, Long version, long rows) {

  static final List<String> FORMATS = List.of("delta", "parquet", "csv", "libfm");

  /** The table and what was read. */
  record Read(Dataset<Row> data, JobInput input) {}

  /**
   * Reads {@code path}; {@code version} and {@code timestamp} (at most one, Delta only) choose a table version.
   */
  static Read read(SparkSession spark, String path, String format, Long version, String timestamp) {
    if (!FORMATS.contains(format)) {
      throw new UsageException("Unknown input format '" + format + "'; formats: "
          + String.join(", ", FORMATS) + ".");
    }
    if ((version != null || timestamp != null) && !"delta".equals(format)) {
      throw new UsageException("--input-version and --input-timestamp need --format delta (the input "
          + "is read as " + format + ").");
    }
    if (version != null && timestamp != null) {
      throw new UsageException("Give --input-version or --input-timestamp, not both.");
    }
    requireExists(spark, path);
    Dataset<Row> data;
    Long read = null;
    if ("delta".equals(format)) {
      if (!DeltaTable.isDeltaTable(spark, path)) {
        throw new JobFailure("input " + path + " is not a Delta table (it has no _delta_log); for Parquet, CSV or "
            + "libFM files pass --format parquet, csv or libfm.");
      }
      read = deltaVersion(spark, path, version, timestamp);
      data = spark.read().format("delta").option("versionAsOf", read).load(path);
    } else {
      try {
        data = switch (format) {
          case "parquet" -> spark.read().parquet(path);
          case "csv" -> spark.read().option("header", "true").option("inferSchema", "true").csv(path);
          default -> new LibFmReader().read(spark, path);
        };
      } catch (Exception e) { // Spark's AnalysisException is not a RuntimeException
        throw new JobFailure("input " + path + " cannot be read as " + format + ": " + JobFailure.firstLine(e));
      }
    }
    long rows;
    try {
      rows = data.count();
    } catch (Exception e) {
      throw new JobFailure("input " + path + " cannot be read as " + format + ": " + JobFailure.firstLine(e));
    }
    if (rows == 0) {
      throw new JobFailure("input " + path + (read != null ? " (version " + read + ")" : "") + " has no rows.");
    }
    return new Read(data, new JobInput(path, format, read, rows));
  }

  private static void requireExists(SparkSession spark, String path) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        throw new JobFailure("input " + path + " does not exist.");
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new JobFailure("input " + path + " cannot be opened: " + JobFailure.firstLine(e));
    }
  }

  /** The version to read: the one asked for (which must exist), the latest at or before a timestamp, or the latest. */
  private static long deltaVersion(SparkSession spark, String path, Long version, String timestamp) {
    Row range = DeltaTable.forPath(spark, path).history().agg(min("version"), max("version")).first();
    long earliest = range.getLong(0);
    long latest = range.getLong(1);
    if (version != null) {
      if (version < earliest || version > latest) {
        throw new JobFailure("input " + path + " has versions " + earliest + " to " + latest + "; version "
            + version + " does not exist.");
      }
      return version;
    }
    if (timestamp != null) {
      Timestamp at;
      try {
        at = Timestamp.valueOf(timestamp);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--input-timestamp '" + timestamp + "' is not a timestamp "
            + "(yyyy-MM-dd HH:mm:ss[.fff], in the driver's time zone).");
      }
      Row before = DeltaTable.forPath(spark, path).history().where(col("timestamp").leq(at)).agg(max("version"))
          .first();
      if (before.isNullAt(0)) {
        throw new JobFailure("input " + path + " has no version at or before " + timestamp + ".");
      }
      return before.getLong(0);
    }
    return latest;
  }

  /** As JSON-ready fields. */
  Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("path", path);
    map.put("format", format);
    map.put("version", version);
    map.put("rows", rows);
    return map;
  }

  static JobInput fromMap(Map<?, ?> map) {
    Object version = map.get("version");
    return new JobInput((String) map.get("path"), (String) map.get("format"),
        version == null ? null : ((Number) version).longValue(), ((Number) map.get("rows")).longValue());
  }

  /** "PATH (delta version 3, 5000 rows)". */
  String describe() {
    return path + " (" + format + (version != null ? " version " + version : "") + ", " + rows + " rows)";
  }
}
