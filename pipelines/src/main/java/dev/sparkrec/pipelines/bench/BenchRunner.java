package dev.sparkrec.pipelines.bench;

import dev.sparkrec.pipelines.bench.fia.FiaMl100kBenchmark;
import dev.sparkrec.pipelines.bench.fia.FiaScaleBenchmark;
import dev.sparkrec.pipelines.bench.nis.NisFrappeBenchmark;
import dev.sparkrec.pipelines.bench.nis.NisMl100kBenchmark;
import dev.sparkrec.pipelines.bench.resus.ResusMl100kBenchmark;
import dev.sparkrec.pipelines.bench.seq.SeqMl100kBenchmark;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** The benchmark suites by name, and running one of them into a JSON report and a printed table. */
public final class BenchRunner {

  private static final Map<String, BenchSuite> SUITES = new LinkedHashMap<>();

  static {
    register(new BlasBenchmark());
    register(new EngineBenchmark());
    register(new CtrFrappeBenchmark());
    register(new FiaMl100kBenchmark());
    register(new FiaScaleBenchmark());
    register(new NisMl100kBenchmark());
    register(new NisFrappeBenchmark());
    register(new SeqScalingBenchmark());
    register(new ResusMl100kBenchmark());
    register(new SeqMl100kBenchmark());
    register(new TrainerScaleBenchmark());
  }

  private BenchRunner() {}

  private static void register(BenchSuite suite) {
    SUITES.put(suite.name(), suite);
  }

  public static List<String> suiteNames() {
    return new ArrayList<>(SUITES.keySet());
  }

  /** The suite called {@code name}, or null. */
  public static BenchSuite suite(String name) {
    return SUITES.get(name);
  }

  /**
   * Runs {@code suite} on {@code spark}, writes the JSON to {@code out}, prints the table, and returns
   * the report; the caller turns {@link BenchReport#failed()} into the exit status.
   */
  public static BenchReport run(BenchSuite suite, SparkSession spark, Path dataDir, boolean quick, Path out,
      PrintStream console) {
    return run(suite, spark, dataDir, quick, false, out, console);
  }

  /** As {@link #run(BenchSuite, SparkSession, Path, boolean, Path, PrintStream)}, or the suite's sweep. */
  public static BenchReport run(BenchSuite suite, SparkSession spark, Path dataDir, boolean quick, boolean sweep,
      Path out, PrintStream console) {
    if (suite.needsData() && dataDir == null) {
      throw new IllegalArgumentException("Suite '" + suite.name() + "' reads real datasets: pass --data DIR.");
    }
    if (sweep && !suite.hasSweep()) {
      throw new IllegalArgumentException("Suite '" + suite.name() + "' has no --sweep.");
    }
    BenchReport report = new BenchReport(suite.name() + (sweep ? " --sweep" : ""),
        dataDir == null ? null : dataDir.toString(), SgemmTimer.backendName());
    suite.run(new BenchContext(spark, dataDir, quick, sweep), report);
    try {
      report.writeJson(out);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the benchmark report to " + out, e);
    }
    console.print(report.toTable());
    console.println("report: " + out);
    return report;
  }
}
