package dev.sparkrec.pipelines;

import dev.sparkrec.pipelines.bench.BenchReport;
import dev.sparkrec.pipelines.bench.BenchRunner;
import dev.sparkrec.pipelines.bench.BenchSuite;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/** {@code bin/sparkrec bench SUITE [--data DIR] --out FILE.json [--quick] [--sweep]}. */
final class BenchJob {

  private BenchJob() {}

  static int main(String[] args, PrintStream out) {
    CommandLine line = CommandLine.parse(args, Set.of("data", "out"), Set.of("quick", "sweep"));
    if (line.positional().size() != 1) {
      throw new CommandLine.UsageException("bench takes one suite name; suites: "
          + String.join(", ", BenchRunner.suiteNames()) + ".");
    }
    String name = line.positional().get(0);
    BenchSuite suite = BenchRunner.suite(name);
    if (suite == null) {
      throw new CommandLine.UsageException("Unknown benchmark suite '" + name + "'; suites: "
          + String.join(", ", BenchRunner.suiteNames()) + ".");
    }
    if (line.flag("sweep") && !suite.hasSweep()) {
      throw new CommandLine.UsageException("Suite '" + name + "' has no --sweep.");
    }
    String outOption = line.option("out", null);
    if (outOption == null) {
      throw new CommandLine.UsageException("bench needs --out FILE.json.");
    }
    // The real-data folder is resolved (and recorded in the report) only for suites that read it.
    String dataOption = line.option("data", null);
    Path dataDir = suite.needsData() || dataOption != null ? ProjectPaths.dataDir(dataOption) : null;
    SparkSession spark = Main.session("sparkrec bench " + name);
    BenchReport report = BenchRunner.run(suite, spark, dataDir, line.flag("quick"),
        line.flag("sweep"), ProjectPaths.resolve(outOption), out);
    return report.failed() ? 1 : 0;
  }
}
