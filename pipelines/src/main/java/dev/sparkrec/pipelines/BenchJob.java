package dev.sparkrec.pipelines;

import dev.sparkrec.pipelines.bench.BenchReport;
import dev.sparkrec.pipelines.bench.BenchRunner;
import dev.sparkrec.pipelines.bench.BenchSuite;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bin/sparkrec bench SUITE [--data DIR] --out FILE.json [--quick] [--sweep]}. */
@Command(name = "bench", sortOptions = false,
    header = "Run a benchmark suite; write its JSON report and its page; exits 1 if a system fails.",
    description = {"Run a benchmark suite, write its JSON report to --out FILE.json and a self-contained page",
        "(the rows as a table, a bar chart per metric) to FILE.html beside it; exits 1 if a system fails."})
final class BenchJob implements Job {

  /** Bar charts on a benchmark's page at most, one per measured metric in the rows' key order. */
  static final int MAX_CHARTS = 12;
  /**
   * What a row measured, as opposed to the configuration it ran: keys naming a quality, a time, a rate or a size
   * (test_auc, train_seconds, gflops, speedup_ratio, embedding_params...).
   */
  static final java.util.regex.Pattern MEASURED = java.util.regex.Pattern.compile(
      "(^|_)(auc|rmse|mae|logloss|ndcg|recall|precision|hit|seconds|ms|gflops|ratio|efficiency|speedup|params|"
          + "parameters|throughput|per_s|per_second)(_|$)");

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
    Path json = ProjectPaths.resolve(outPath);
    BenchReport report = BenchRunner.run(suite, spark, dataDir, quick, sweep, json, out);
    Path html = htmlPath(json);
    page(report).writeHtml(spark, new org.apache.hadoop.fs.Path(html.toUri()));
    out.println("page: " + html);
    return report.failed() ? 1 : 0;
  }

  /** {@code FILE.json}'s page: {@code FILE.html} beside it. */
  static Path htmlPath(Path json) {
    String name = json.getFileName().toString();
    return json.resolveSibling((name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".html");
  }

  /**
   * The report's page: the run's setting, every row as a table (numbered) and a bar chart per measured metric
   * ({@link #MEASURED}) that two or more rows have, bars labelled with the rows' numbers.
   */
  static TrainingReport page(BenchReport report) {
    Map<String, Object> json = report.toJsonObject();
    List<Map<String, Object>> rows = report.rows();
    Map<String, Object> setting = new LinkedHashMap<>();
    setting.put("suite", json.get("suite"));
    setting.put("data", json.get("data"));
    setting.put("blas", json.get("blas"));
    setting.put("rows", rows.size());
    setting.put("failed", rows.stream().filter(r -> r.containsKey("error")).map(r -> r.get("system")).toList());
    Set<String> keys = new LinkedHashSet<>();
    rows.forEach(r -> keys.addAll(r.keySet()));
    List<String> columns = new ArrayList<>(List.of("#"));
    columns.addAll(keys);
    List<List<Object>> table = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      List<Object> line = new ArrayList<>(List.of(i + 1));
      for (String key : keys) {
        line.add(rows.get(i).get(key));
      }
      table.add(line);
    }
    TrainingReport page = new TrainingReport("SparkRec bench " + json.get("suite"), setting, null)
        .withTable("rows", "Rows", columns, table);
    int charts = 0;
    for (String key : keys) {
      if (!MEASURED.matcher(key).find()) {
        continue;
      }
      List<String> labels = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        if (rows.get(i).get(key) instanceof Number n && Double.isFinite(n.doubleValue())) {
          labels.add(String.valueOf(i + 1));
          values.add(n.doubleValue());
        }
      }
      if (values.size() >= 2 && charts++ < MAX_CHARTS) {
        page.withBars("bars_" + key, key + " by row", labels.toArray(new String[0]),
            values.stream().mapToDouble(Double::doubleValue).toArray());
      }
    }
    return page;
  }
}
