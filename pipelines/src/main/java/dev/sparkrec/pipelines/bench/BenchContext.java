package dev.sparkrec.pipelines.bench;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * What a suite runs with: the session, the real-data folder (null when absent), quick mode for smoke runs, and
 * sweep mode for suites that can rerun the search behind their configuration ({@link BenchSuite#hasSweep()}).
 */
public final class BenchContext {

  private final SparkSession spark;
  private final Path dataDir;
  private final boolean quick;
  private final boolean sweep;

  public BenchContext(SparkSession spark, Path dataDir, boolean quick) {
    this(spark, dataDir, quick, false);
  }

  public BenchContext(SparkSession spark, Path dataDir, boolean quick, boolean sweep) {
    this.spark = spark;
    this.dataDir = dataDir;
    this.quick = quick;
    this.sweep = sweep;
  }

  public SparkSession spark() {
    return spark;
  }

  /** The real-data folder; fails naming the option when the suite needs data and none was found. */
  public Path dataDir() {
    if (dataDir == null) {
      throw new IllegalStateException("This suite reads real datasets: pass --data DIR "
          + "(a folder laid out like ../shared/data; sample-data/fetch.sh downloads them).");
    }
    return dataDir;
  }

  /** Smaller sizes and fewer repetitions, for smoke tests; figures from quick runs are not to be quoted. */
  public boolean quick() {
    return quick;
  }

  /** Whether to run the suite's configuration sweep instead of its comparison ({@code --sweep}). */
  public boolean sweep() {
    return sweep;
  }
}
