package dev.sparkrec.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession a test JVM uses: local[2], UI off, few shuffle partitions, Delta enabled.
 *
 * <p>Built lazily on first use and never stopped (the JVM's shutdown hook stops it), so every
 * test class in a surefire fork shares it. Like spark-shell, it serves the classes a Scala interpreter
 * compiles into {@code spark.repl.class.outputDir} (a fresh temporary folder) to its executors, so that the
 * notebook tests can run cells against it.
 */
public final class SparkTestSession {

  private static SparkSession session;

  private SparkTestSession() {}

  /** The shared session. */
  public static synchronized SparkSession get() {
    if (session == null) {
      session = SparkSession.builder()
          .appName("sparkrec-tests")
          .master("local[2]")
          .config("spark.ui.enabled", "false")
          .config("spark.ui.showConsoleProgress", "false")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.default.parallelism", "2")
          .config("spark.sql.adaptive.enabled", "false")
          .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
          .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
          .config("spark.databricks.delta.snapshotPartitions", "2")
          .config("spark.repl.class.outputDir", replClassDir())
          .getOrCreate();
      session.sparkContext().setLogLevel("WARN");
    }
    return session;
  }

  private static String replClassDir() {
    try {
      Path dir = Files.createTempDirectory("sparkrec-repl-classes");
      dir.toFile().deleteOnExit();
      return dir.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a folder for interpreter classes", e);
    }
  }

  /**
   * The folder of real public datasets ({@code -Dsparkrec.data.dir}, else {@code ../shared/data}; see its README).
   * Tests reading it are marked {@link RealData}.
   */
  public static Path dataDir() {
    String configured = System.getProperty("sparkrec.data.dir");
    Path dir = configured != null ? Paths.get(configured) : Paths.get("..", "..", "shared", "data");
    return dir.toAbsolutePath().normalize();
  }

  /**
   * A file under {@link #dataDir()}; fails with the path when the dataset is not staged. A test that calls it
   * is marked {@link RealData}, so that it is skipped, not failed, where the data folder is missing.
   */
  public static Path dataFile(String relative) {
    Path file = dataDir().resolve(relative);
    if (!Files.exists(file)) {
      throw new IllegalStateException("Real dataset file " + file + " is missing. Tests read the public "
          + "datasets from -Dsparkrec.data.dir (default ../shared/data); sample-data/fetch.sh downloads them. "
          + "A test reading them is marked @RealData.");
    }
    return file;
  }
}
