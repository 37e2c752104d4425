package dev.sparkrec.pipelines;

import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** The table a job reads, declared once for every command that reads one: path, format and Delta version. */
final class InputOptions {

  @Option(names = "--input", required = true, paramLabel = "PATH",
      description = "The table to read: a Delta table folder, or Parquet/CSV/libFM files (see --format).")
  String path;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "delta",
      description = "delta, parquet, csv (with a header row) or libfm (SparkRec's featureIds, featureValues, "
          + "label); default: ${DEFAULT-VALUE}.")
  String format;

  @Option(names = "--input-version", paramLabel = "N",
      description = "Delta time travel: read version N of the table (default: the latest).")
  Long version;

  @Option(names = "--input-timestamp", paramLabel = "'yyyy-MM-dd HH:mm:ss'",
      description = "Delta time travel: read the latest version at or before this time, in the driver's time zone.")
  String timestamp;

  /** Reads the table; every problem with it is one line ({@link JobFailure} or {@link UsageException}). */
  JobInput.Read read(SparkSession spark) {
    return JobInput.read(spark, path, format, version, timestamp);
  }
}
