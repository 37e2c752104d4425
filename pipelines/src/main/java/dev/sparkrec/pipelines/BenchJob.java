package dev.sparkrec.pipelines;

import dev.sparkrec.pipelines.bench.BenchReport;
import dev.sparkrec.pipelines.bench.BenchRunner;
import dev.sparkrec.pipelines.bench.BenchSuite;
import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bin/sparkrec bench SUITE [--data DIR] --out FILE.json [--quick] [--sweep]}. */
@Command(name = "bench", sortOptions = false,
    description = "Run a benchmark suite and write its JSON report; exits 1 if a "
        + "system fails.")
final class BenchJob implements Job {

  @Parameters(index = "0", paramLabel = "SUITE", description = "The suite to run (listed below).")
  String name;

  @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "Where to write the report.")
  String outPath;

  @Option(names = "--data", paramLabel = "DIR",
      description = "The real datasets' folder; default: SPARKREC_DATA, else ../shared/data next to the project.")
  String data;

  @Option(names = "--quick", description = "A smaller run of the suite (the tests' size).")
  boolean quick;

  @Option(names = "--sweep",
      description = "ctr-frappe, nis-ml100k, nis-frappe, fia-ml100k: rerun the search that chose the suite's "
          + "configuration (AFN's; the searches' l1; NCF's retraining length).")
  boolean sweep;

  @Mixin
  StandardOptions standard;

  @Override
  public int run(PrintStream out) {
    BenchSuite suite = BenchRunner.suite(name);
    if (suite == null) {
      throw new UsageException("Unknown benchmark suite '" + name + "'; suites: "
          + String.join(", ", BenchRunner.suiteNames()) + ".");
    }
    if (sweep && !suite.hasSweep()) {
      throw new UsageException("Suite '" + name + "' has no --sweep.");
    }
    // The real-data folder is resolved (and recorded in the report) only for suites that read it.
    Path dataDir = suite.needsData() || data != null ? ProjectPaths.dataDir(data) : null;
    SparkSession spark = Main.session("sparkrec bench " + name);
    BenchReport report = BenchRunner.run(suite, spark, dataDir, quick, sweep, ProjectPaths.resolve(outPath), out);
    return report.failed() ? 1 : 0;
  }
}
