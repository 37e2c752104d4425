package dev.sparkrec.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkrec.testing.RealData;
import dev.sparkrec.testing.SparkTestSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeAll
  static void shareTheTestSession() {
    SparkTestSession.get();
  }

  private int run(String... args) {
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  /** The tests' data folder, so that {@code -Dsparkrec.data.dir} decides for the benchmarks as for {@link RealData}. */
  private static String dataDir() {
    return SparkTestSession.dataDir().toString();
  }

  @Test
  void localSessionsReplayDeltaLogsOverFewPartitionsAndClustersKeepDeltasDefault() {
    SparkConf local = Main.withDefaults(new SparkConf(false), "t", 2);
    assertEquals("local[*]", local.get("spark.master"));
    assertEquals("4", local.get("spark.sql.shuffle.partitions"));
    assertEquals("4", local.get("spark.databricks.delta.snapshotPartitions"));
    assertEquals("16", Main.withDefaults(new SparkConf(false).setMaster("local[2]"), "t", 8)
        .get("spark.databricks.delta.snapshotPartitions"));
    SparkConf cluster = Main.withDefaults(new SparkConf(false).setMaster("spark://host:7077"), "t", 2);
    assertFalse(cluster.contains("spark.databricks.delta.snapshotPartitions"));
    SparkConf set = Main.withDefaults(new SparkConf(false).set("spark.databricks.delta.snapshotPartitions", "50"),
        "t", 2);
    assertEquals("50", set.get("spark.databricks.delta.snapshotPartitions"), "what the user sets stays");
  }

  @Test
  void helpListsEveryCommandAndEveryCommandDocumentsEachOption() {
    assertEquals(0, run("--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    picocli.CommandLine cli = Main.commandLine();
    for (String command : cli.getSubcommands().keySet()) {
      assertTrue(help.contains("\n  " + command + " "), "help lists " + command + ":\n" + help);
    }
    for (String command : List.of("demo", "train", "predict", "explain", "recommend", "warmup", "bench",
        "generate-sample-data")) {
      out.reset();
      assertEquals(0, run(command, "--help"), command);
      String usage = out.toString(StandardCharsets.UTF_8);
      assertTrue(usage.contains("Usage: bin/sparkrec " + command + " "), usage);
      for (picocli.CommandLine.Model.OptionSpec option : cli.getSubcommands().get(command).getCommandSpec()
          .options()) {
        assertTrue(usage.contains(option.longestName()), command + " --help shows " + option.longestName());
        assertTrue(option.description().length > 0 && !option.description()[0].isBlank(),
            command + " " + option.longestName() + " has a description");
      }
    }
    out.reset();
    assertEquals(0, run("help", "bench"));
    String bench = out.toString(StandardCharsets.UTF_8);
    for (String suite : dev.sparkrec.pipelines.bench.BenchRunner.suiteNames()) {
      assertTrue(bench.contains(suite), "bench --help lists " + suite + ":\n" + bench);
    }
  }

  @Test
  void usageErrorsExitWithTwoAndSayWhatWasWrong() {
    assertEquals(2, run("train-everything"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("Unknown command 'train-everything'"));
    err.reset();
    assertEquals(2, run("bench", "nosuchsuite", "--out", "x.json"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("Unknown benchmark suite 'nosuchsuite'"));
    err.reset();
    assertEquals(2, run("bench", "blas"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("Missing required option: '--out=FILE.json'"));
    err.reset();
    assertEquals(2, run("demo", "--bogus", "1"));
    String bogus = err.toString(StandardCharsets.UTF_8);
    assertTrue(bogus.startsWith("sparkrec demo: Unknown options: '--bogus', '1'"), bogus);
    assertTrue(bogus.contains("Run 'bin/sparkrec demo --help' for its options."), bogus);
    err.reset();
    assertEquals(2, run("train", "--model", "afn", "--model", "fm", "--input", "x", "--model-out", "y"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("should be specified only once"),
        "a repeated option is an error, not a silent override: " + err);
    err.reset();
    assertEquals(2, run("predict", "--model", "m", "--input", "x", "--output", "y", "--id-col", "id",
        "--input-version", "latest"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("'latest' is not a long"), err.toString());
  }

  @Test
  void benchBlasWritesOneRowPerShape() throws Exception {
    Path json = dir.resolve("blas.json");
    assertEquals(0, run("bench", "blas", "--quick", "--out", json.toString()));
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    assertEquals("blas", report.get("suite").asText());
    assertTrue(report.get("blas").asText().startsWith("dev.ludovic.netlib.blas."), report.toString());
    assertEquals(5, report.get("rows").size());
    for (JsonNode row : report.get("rows")) {
      assertTrue(row.get("system").asText().startsWith("sgemm-"));
      assertTrue(row.get("gflops").asDouble() > 0, row.toString());
    }
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("gflops"));
    assertTrue(report.get("data").isNull(), "the blas suite reads no data");

    Path html = dir.resolve("blas.html");
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("page: " + html), out.toString(StandardCharsets.UTF_8));
    org.w3c.dom.Document page = TrainingReportTest.parse(Files.readString(html));
    assertEquals(6, TrainingReportTest.byId(page, "table", "rows").getElementsByTagName("tr").getLength(),
        "a header and one line per row");
    assertEquals(5, TrainingReportTest.byId(page, "svg", "bars_gflops").getElementsByTagName("rect").getLength());
    org.w3c.dom.NodeList charts = page.getElementsByTagName("svg");
    for (int c = 0; c < charts.getLength(); c++) {
      String id = ((org.w3c.dom.Element) charts.item(c)).getAttribute("id");
      assertFalse(List.of("bars_m", "bars_n", "bars_k", "bars_reps").contains(id), "a configuration is not charted");
    }
  }

  @Test
  void benchEngineComparesTrainingWithSgemmOfTheSameShapes() throws Exception {
    Path json = dir.resolve("engine.json");
    assertEquals(0, run("bench", "engine", "--quick", "--out", json.toString()));
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
    assertEquals("sgemm-same-shapes", rows.get(0).get("system").asText());
    assertEquals("sparkrec-train-step", rows.get(1).get("system").asText());
    double sgemm = rows.get(0).get("gflops").asDouble();
    double train = rows.get(1).get("gflops").asDouble();
    assertEquals(train / sgemm, rows.get(1).get("efficiency").asDouble(), 1e-9);
    assertTrue(train > 0 && sgemm > 0, rows.toString());
    assertTrue(Double.isFinite(rows.get(1).get("final_loss").asDouble()), rows.toString());
  }

  @Test
  @RealData
  void benchCtrFrappeQuickWritesOneRowPerSystemWithTheNamedMetrics() throws Exception {
    Path json = dir.resolve("frappe.json");
    assertEquals(0, run("bench", "ctr-frappe", "--quick", "--data", dataDir(), "--out", json.toString()));
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    assertTrue(report.get("data").asText().endsWith("data"), report.get("data").asText());
    JsonNode rows = report.get("rows");
    String[] systems = {"mllib-lr", "mllib-fm", "afn", "afn+"};
    assertEquals(systems.length, rows.size());
    for (int i = 0; i < systems.length; i++) {
      JsonNode row = rows.get(i);
      assertEquals(systems[i], row.get("system").asText());
      for (String key : new String[] {"test_auc", "test_logloss", "train_seconds", "epochs", "examples_per_second"}) {
        assertTrue(row.has(key), systems[i] + " reports " + key + ": " + row);
      }
      double auc = row.get("test_auc").asDouble();
      assertTrue(auc > 0.3 && auc <= 1.0, row.toString());
      assertTrue(row.has("config"), "every row records its configuration: " + row);
    }
    for (int i = 0; i < 2; i++) {
      assertTrue(rows.get(i).get("tried").size() > 1, "peers are tuned on validation: " + rows.get(i));
    }
    for (int i = 2; i < 4; i++) {
      assertTrue(rows.get(i).has("seconds_to_fm_auc") && rows.get(i).has("gflops") && rows.get(i).has("efficiency")
          && rows.get(i).has("sgemm_gflops"), rows.get(i).toString());
    }
  }

  @Test
  @RealData
  void nisMl100kQuickRunWritesUniformSearchAndRetrainRowsWithTheirParameterCounts(@TempDir Path dir)
      throws Exception {
    Path json = dir.resolve("nis.json");
    assertEquals(0, run("bench", "nis-ml100k", "--quick", "--data", dataDir(), "--out", json.toString()));
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
    int uniform = 0;
    int searched = 0;
    for (JsonNode row : rows) {
      assertTrue(!row.has("error"), row.toString());
      assertTrue(row.has("config"), "every row records its configuration: " + row);
      String system = row.get("system").asText();
      if (system.endsWith("-uniform") || system.endsWith("-dnis")) {
        for (String key : new String[] {"base", "dims", "embedding_params", "test_rmse", "train_seconds",
            "search_seconds"}) {
          assertTrue(row.has(key), system + " reports " + key + ": " + row);
        }
        assertTrue(row.get("embedding_params").asLong() > 0, row.toString());
      }
      if (system.endsWith("-dnis")) {
        searched++;
        assertTrue(row.get("embedding_params").asLong() <= row.get("parameter_budget").asLong(),
            "a retrain stays within its budget: " + row);
      } else if (system.endsWith("-uniform")) {
        uniform++;
      }
    }
    assertEquals(4, uniform, "mf and ncf at 2 and 8 dimensions");
    assertEquals(8, searched, "mf and ncf at one budget each (a quick run's), pruned by dimension and by magnitude,"
        + " from random and from searched embeddings");
  }

  @Test
  @RealData
  void nisMl100kQuickSweepComparesTheSearchSettingsOnValidationAndSelectsOne(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("nis-sweep.json");
    assertEquals(0, run("bench", "nis-ml100k", "--sweep", "--quick", "--data", dataDir(), "--out", json.toString()));
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
    for (String base : new String[] {"mf", "ncf"}) {
      List<Double> validation = new ArrayList<>();
      JsonNode selected = null;
      for (JsonNode row : rows) {
        assertTrue(!row.has("error"), row.toString());
        if (row.get("system").asText().equals(base + "-dnis-sweep")) {
          assertEquals(3, row.get("validation_rmse_by_budget").size(), "retrained at three budgets: " + row);
          assertTrue(row.has("config") && row.has("setting"), row.toString());
          validation.add(row.get("validation_rmse").asDouble());
        } else if (row.get("system").asText().equals(base + "-dnis-sweep-selected")) {
          selected = row;
        }
      }
      assertEquals(4, validation.size(), base + ": one row per setting of the grid");
      assertTrue(selected != null, base + " names its selection");
      double lowest = validation.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      assertEquals(lowest, selected.get("validation_rmse").asDouble(), 0.0, "the lowest validation RMSE wins");
    }
  }

  @Test
  void trainerScaleQuickRunTrainsBothEmbeddingSyncsToTheSameModelPerVocabulary(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("scale.json");
    assertEquals(0, run("bench", "trainer-scale", "--quick", "--out", json.toString()));
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
    assertEquals(8, rows.size(), "2 models x 2 paths x 2 vocabularies: " + rows);
    for (int i = 0; i < rows.size(); i += 2) {
      JsonNode broadcast = rows.get(i);
      JsonNode sharded = rows.get(i + 1);
      assertEquals("broadcast", broadcast.get("system").asText());
      assertEquals("sharded", sharded.get("system").asText());
      assertEquals(i % 4 == 0 ? "afn" : "mf", broadcast.get("model").asText());
      assertEquals(broadcast.get("model").asText(), sharded.get("model").asText());
      for (JsonNode row : new JsonNode[] {broadcast, sharded}) {
        assertTrue(row.get("fits").asBoolean() && row.has("config"), row.toString());
        for (String key : new String[] {"epoch_seconds", "driver_peak_heap_mb", "shuffle_bytes"}) {
          assertTrue(row.get(key).asDouble() > 0, row.toString());
        }
        // the garbage-included peak counts the heap just before each collection, so no collection leaves more
        assertTrue(row.get("driver_peak_heap_mb").asDouble() >= row.get("driver_peak_heap_after_gc_mb").asDouble(),
            row.toString());
        assertTrue(row.get("driver_jvm").get("collectors").size() > 0 && row.has("broadcast_block_size"),
            row.toString());
      }
      // both paths train bit-identical models, so their test metrics agree up to summation order in the evaluator
      String metric = broadcast.has("test_auc") ? "test_auc" : "test_rmse";
      assertTrue(Double.isFinite(broadcast.get(metric).asDouble()), broadcast.toString());
      assertEquals(broadcast.get(metric).asDouble(), sharded.get(metric).asDouble(), 1e-9, sharded.toString());
      assertEquals(broadcast.get("features").asInt(), sharded.get("features").asInt());
    }
  }


  @Test
  void trainerScaleRepeatsEachFitAndReportsTheMedians(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("scale-repeats.json");
    Map<String, String> narrowed = Map.of("sparkrec.bench.repeats", "3", "sparkrec.bench.models", "mf",
        "sparkrec.bench.paths", "sharded", "sparkrec.bench.features", "1000");
    narrowed.forEach(System::setProperty);
    try {
      assertEquals(0, run("bench", "trainer-scale", "--quick", "--out", json.toString()));
    } finally {
      narrowed.keySet().forEach(System::clearProperty);
    }
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
    assertEquals(1, rows.size(), rows.toString());
    JsonNode row = rows.get(0);
    assertEquals(3, row.get("repeats").asInt(), row.toString());
    for (String figure : new String[] {"epoch_seconds", "driver_peak_heap_mb", "driver_peak_heap_after_gc_mb",
        "driver_epochs_live_heap_mb"}) {
      JsonNode fits = row.get(figure + "_by_repeat");
      assertEquals(3, fits.size(), figure + ": " + row);
      double[] sorted = {fits.get(0).asDouble(), fits.get(1).asDouble(), fits.get(2).asDouble()};
      java.util.Arrays.sort(sorted);
      assertTrue(sorted[0] > 0, figure + ": " + row);
      assertEquals(sorted[1], row.get(figure).asDouble(), 0.0, figure + " is the median of the fits: " + row);
    }
  }

  @Test
  void seqScalingQuickRunTimesLightningAndSoftmaxAttention(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("seq.json");
    assertEquals(0, run("bench", "seq-scaling", "--quick", "--out", json.toString()));
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
    assertEquals(8, rows.size(), "4 systems x n in {512, 1024}");
    for (JsonNode row : rows) {
      assertTrue(!row.has("error"), row.toString());
      assertTrue(row.get("seconds").asDouble() > 0, row.toString());
      assertTrue(row.has("config"), row.toString());
      if (row.get("n").asInt() == 1024) {
        assertEquals(1.0, row.get("seconds_over_1k").asDouble(), 1e-12, row.toString());
      }
    }
    assertEquals("lightning-b64", rows.get(0).get("system").asText());
    assertEquals("softmax", rows.get(7).get("system").asText());
  }

  @Test
  @RealData
  void resusMl100kQuickRunReportsEverySystemByColdStartGroupAndSupportSize(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("resus.json");
    assertEquals(0, run("bench", "resus-ml100k", "--quick", "--data", dataDir(), "--out", json.toString()));
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
    String[] systems = {"base", "finetune", "resus-nn", "resus-rr"};
    assertEquals(systems.length, rows.size());
    for (int s = 0; s < systems.length; s++) {
      JsonNode row = rows.get(s);
      assertEquals(systems[s], row.get("system").asText());
      assertTrue(!row.has("error"), row.toString());
      assertTrue(row.has("config"), "every row records its configuration: " + row);
      for (String key : new String[] {"auc_cold_1", "auc_cold_2", "auc_cold_3", "logloss_cold_1", "logloss_cold_2",
          "logloss_cold_3", "adapt_ms_per_user"}) {
        assertTrue(row.has(key), systems[s] + " reports " + key + ": " + row);
      }
      for (int g = 1; g <= 3; g++) {
        double auc = row.get("auc_cold_" + g).asDouble();
        assertTrue(auc > 0 && auc < 1, row.toString());
        assertTrue(row.get("logloss_cold_" + g).asDouble() > 0, row.toString());
      }
      assertEquals(15, row.get("auc_by_support").size(), row.toString());
      assertEquals(15, row.get("logloss_by_support").size(), row.toString());
      for (JsonNode auc : row.get("auc_by_support")) {
        assertTrue(auc.asDouble() > 0 && auc.asDouble() < 1, row.toString());
      }
      assertTrue(row.get("adapt_ms_per_user").asDouble() >= 0, row.toString());
    }
    assertEquals(0.0, rows.get(0).get("adapt_ms_per_user").asDouble(), "the base model does not adapt");
    assertEquals(20, rows.get(1).get("tried").size(), "fine-tuning is tuned on validation over 5 rates x 4 steps");
    assertEquals(1, rows.get(2).get("tried").size(), "a quick run meta-trains one initial scale");
  }

  @Test
  @RealData
  void seqMl100kQuickRunScoresLightningSeqMeanPoolingAndDeepFmOnTheTestTargets(@TempDir Path dir)
      throws Exception {
    Path json = dir.resolve("seq-ml100k.json");
    assertEquals(0, run("bench", "seq-ml100k", "--quick", "--data", dataDir(), "--out", json.toString()));
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
    String[] systems = {"lightningseq", "meanpool", "deepfm"};
    assertEquals(systems.length, rows.size());
    for (int s = 0; s < systems.length; s++) {
      JsonNode row = rows.get(s);
      assertEquals(systems[s], row.get("system").asText());
      assertTrue(!row.has("error"), row.toString());
      assertTrue(row.get("config").isObject(), "every row records its configuration: " + row);
      double auc = row.get("test_auc").asDouble();
      assertTrue(auc > 0 && auc < 1, row.toString());
      assertTrue(row.get("train_seconds").asDouble() > 0, row.toString());
      assertEquals(600, row.get("test_rows").asLong(), "60 users x 10 test targets: " + row);
    }
  }

  @Test
  @RealData
  void nisFrappeQuickRunComparesTheEngineFmWithMllibAndSearchesFmAndAfn(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("nis-frappe.json");
    assertEquals(0, run("bench", "nis-frappe", "--quick", "--data", dataDir(), "--out", json.toString()));
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
    assertEquals("mllib-fm", rows.get(0).get("system").asText());
    assertEquals("fm", rows.get(1).get("system").asText());
    for (int i = 0; i < 2; i++) {
      assertTrue(rows.get(i).has("test_auc") && rows.get(i).has("train_seconds"), rows.get(i).toString());
    }
    List<String> systems = new ArrayList<>();
    for (JsonNode row : rows) {
      assertTrue(!row.has("error"), row.toString());
      assertTrue(row.has("config"), "every row records its configuration: " + row);
      systems.add(row.get("system").asText());
      if (row.get("system").asText().endsWith("-dnis")) {
        assertTrue(row.has("test_auc") && row.has("embedding_params") && row.has("search_seconds"), row.toString());
      }
    }
    for (String system : new String[] {"fm-uniform", "fm-dnis-search", "fm-dnis", "afn-uniform", "afn-dnis"}) {
      assertTrue(systems.contains(system), system + " in " + systems);
    }
  }

  @Test
  void fiaScaleQuickRunRecommendsExplainsAndTimesTheTasks(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("fia-scale.json");
    assertEquals(0, run("bench", "fia-scale", "--quick", "--out", json.toString()));
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
    String[] systems = {"data", "mf", "als", "mf-epochs-1", "mf-epochs-2", "explainer", "per-pair-calculator"};
    assertEquals(systems.length, rows.size());
    for (int i = 0; i < systems.length; i++) {
      assertEquals(systems[i], rows.get(i).get("system").asText());
      assertTrue(!rows.get(i).has("error"), rows.get(i).toString());
    }
    JsonNode explainer = rows.get(5);
    assertTrue(explainer.has("config"), explainer.toString());
    assertEquals(2_000 * 10, explainer.get("pairs").asLong(), "every user's top 10: " + explainer);
    for (String key : new String[] {"seconds", "pairs_per_second", "median_task_seconds", "max_task_seconds"}) {
      assertTrue(explainer.get(key).asDouble() > 0, key + " in " + explainer);
    }
    assertTrue(explainer.get("shuffle_bytes").asLong() > 0, explainer.toString());
    assertTrue(explainer.get("max_task_seconds").asDouble() >= explainer.get("median_task_seconds").asDouble());
    // the garbage-included peak counts the heap just before each collection, so no collection leaves more
    long peak = explainer.get("driver_heap_peak_bytes").asLong();
    long afterGc = explainer.get("driver_heap_peak_after_gc_bytes").asLong();
    assertTrue(peak >= afterGc && afterGc > 0 && explainer.get("driver_heap_before_bytes").asLong() > 0
        && peak <= explainer.get("driver_max_heap_bytes").asLong(), explainer.toString());
    assertEquals(100, rows.get(6).get("pairs").asLong(), rows.get(6).toString());
    for (int i : new int[] {1, 2, 3, 4}) {
      double rmse = rows.get(i).get("test_rmse").asDouble();
      assertTrue(rmse > 0.3 && rmse < 2, rows.get(i).toString());
    }
  }

  @Test
  @RealData
  void fiaBenchQuickSweepComparesRetrainingLengthsAndSelectsOne(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("fia-sweep.json");
    assertEquals(0, run("bench", "fia-ml100k", "--sweep", "--quick", "--data", dataDir(), "--out", json.toString()));
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
    assertEquals(3, rows.size(), rows.toString());
    double lowest = Double.POSITIVE_INFINITY;
    for (int i = 0; i < 2; i++) {
      JsonNode row = rows.get(i);
      assertEquals("ncf-retrain-sweep", row.get("system").asText());
      assertTrue(row.has("config") && row.get("gradient_norm").asDouble() > 0, row.toString());
      lowest = Math.min(lowest, row.get("gradient_norm").asDouble());
    }
    JsonNode selected = rows.get(2);
    assertEquals("ncf-retrain-sweep-selected", selected.get("system").asText());
    assertEquals(lowest, selected.get("lowest_gradient_norm").asDouble(), 0.0);
    assertTrue(selected.get("gradient_norm").asDouble() <= 1.1 * lowest, selected.toString());
  }

  @Test
  @RealData
  void fiaBenchQuickRunWritesEveryModelsRow(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("fia.json");
    assertEquals(0, run("bench", "fia-ml100k", "--quick", "--data", dataDir(), "--out", json.toString()));
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("rows");
    String[] systems = {"mllib-als", "mf", "full-influence-mf", "als", "ncf", "ncf-embeddings-retrained",
        "fia-mf-explain-test", "fia-mf-explain-test-array-functions", "fia-mf-explain-test-refit-neighbours"};
    assertEquals(systems.length, rows.size());
    for (int i = 0; i < systems.length; i++) {
      assertEquals(systems[i], rows.get(i).get("system").asText());
      assertTrue(!rows.get(i).has("error"), rows.get(i).toString());
      assertTrue(rows.get(i).has("config"), "every row records its configuration: " + rows.get(i));
    }
    JsonNode tuned = rows.get(0);
    assertTrue(tuned.get("tried").size() > 1 && tuned.has("validation_rmse"), tuned.toString());
    for (int i : new int[] {1, 3, 4}) {
      JsonNode row = rows.get(i);
      for (String key : new String[] {"test_rmse", "train_seconds", "pearson_r", "ms_per_explanation"}) {
        assertTrue(row.has(key), row.toString());
      }
      double rmse = row.get("test_rmse").asDouble();
      assertTrue(rmse > 0.5 && rmse < 1.6, row.toString());
    }
    for (int i : new int[] {1, 3, 4}) { // r as FIA's reference correlates: predictions beyond ±1 set to 0
      JsonNode row = rows.get(i);
      String predicted = row.get("predicted").asText();
      long beyond = Arrays.stream(predicted.substring(1, predicted.length() - 1).split(","))
          .mapToDouble(v -> Double.parseDouble(v.trim())).filter(v -> Math.abs(v) > 1).count();
      assertEquals(beyond, row.get("pairs_reference_clipped").asLong(), row.toString());
      assertEquals(2, row.get("pearson_r_reference_clipped_ci95").size(), row.toString());
      if (beyond == 0) {
        assertEquals(row.get("pearson_r").asDouble(), row.get("pearson_r_reference_clipped").asDouble(), 0.0);
      }
    }
    for (int i : new int[] {1, 3}) {
      JsonNode row = rows.get(i);
      assertTrue(Double.isFinite(row.get("pearson_r_refit_neighbours").asDouble())
          && row.get("pearson_r_refit_neighbours_ci95").size() == 2
          && row.get("predicted_refit_neighbours").asText().startsWith("[")
          && row.get("ms_per_refit_neighbours_explanation").asDouble() > 0, row.toString());
    }
    assertTrue(rows.get(2).get("ms_per_explanation").asDouble() > 0, rows.get(2).toString());
    JsonNode ncf = rows.get(4);
    assertTrue(!ncf.has("pearson_r_refit_neighbours"), "NCF has no refitNeighbours arm: " + ncf);
    assertEquals(2, ncf.get("pearson_r_by_seed").size(), "the quick run retrains NCF with two seeds: " + ncf);
    assertTrue(ncf.has("actual_between_seeds_pearson_r") && ncf.get("gradient_norm_fitted").asDouble() > 0,
        ncf.toString());
    for (JsonNode norm : ncf.get("gradient_norm_after_retrain_by_seed")) {
      assertTrue(norm.asDouble() > 0 && Double.isFinite(norm.asDouble()), ncf.toString());
    }
    assertTrue(rows.get(5).has("pearson_r") && rows.get(5).has("gradient_norm_after_retrain"), rows.get(5).toString());
    JsonNode explain = rows.get(6);
    assertEquals(2000, explain.get("pairs").asLong(), explain.toString());
    assertTrue(explain.get("warm_noop_seconds_median").asDouble() > 0
        && explain.get("warm_seconds_median").asDouble() > 0, explain.toString());
    JsonNode throughSql = rows.get(7);
    assertEquals(2000, throughSql.get("pairs").asLong(), throughSql.toString());
    assertTrue(throughSql.get("related_rating_rows").asLong() > 2000 && throughSql.get("ratio_to_blocks").asDouble() > 0
        && "arrayFunctions".equals(throughSql.get("config").get("influenceScoring").asText()), throughSql.toString());
    JsonNode refitted = rows.get(8);
    assertTrue(refitted.get("pairs").asLong() == 2000 && refitted.get("pairs_per_second").asDouble() > 0
        && "refitNeighbours".equals(refitted.get("config").get("influenceForm").asText()), refitted.toString());
  }
}
