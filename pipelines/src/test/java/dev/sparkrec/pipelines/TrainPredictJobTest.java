package dev.sparkrec.pipelines;

import static dev.sparkrec.pipelines.CommandRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.data.SampleData;
import dev.sparkrec.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} and {@code predict} on Delta tables: time travel reproduces a model bit for bit and the model records
 * the version it saw; predict merges, so reruns keep one row per key; bad input fails with one line and status 1.
 */
class TrainPredictJobTest {

  private static final String FIELDS = "--categorical=C0,C1,C2,C3,C4,C5,C6,C7";
  private static final String SMALL_AFN = "embeddingDim=4 logNeurons=8 hiddenLayers=[16] batchSize=256 stepSize=0.01";

  @TempDir
  static Path dir;

  private static SparkSession spark;
  private static String table;
  private static Dataset<Row> test;
  /** Trained at version 1, for the predict tests. */
  private static String modelV1;

  @BeforeAll
  static void data() {
    spark = SparkTestSession.get();
    Dataset<Row> train = SampleData.ctrTrain(spark, ProjectPaths.sampleData());
    table = dir.resolve("clicks").toString();
    train.where("rowId < 3000").write().format("delta").save(table); // version 0
    train.where("rowId >= 3000 AND rowId < 4000").write().format("delta").mode("append").save(table); // version 1
    test = SampleData.ctrTest(spark, ProjectPaths.sampleData()).limit(1000);
    modelV1 = dir.resolve("model-v1").toString();
    CommandRun trained = run(train(modelV1, "--input-version", "1"));
    assertEquals(0, trained.status(), trained.printed());
  }

  private static String[] train(String modelOut, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--model", "afn", "--input", table, FIELDS,
        "--numeric", "I0,I1", "--max-iter", "2", "--seed", "5", "--params", SMALL_AFN, "--model-out", modelOut));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  @Test
  void trainingAtAVersionReproducesTheModelAndRecordsTheVersion() throws Exception {
    String first = dir.resolve("model-v0").toString();
    CommandRun result = run(train(first, "--input-version", "0"));
    assertEquals(0, result.status(), result.printed());
    assertTrue((result.out()).contains("afn on " + table + " (delta version 0, 3000 rows)"), result.out());
    Path report = Path.of(first, TrainingReport.HTML_FILE);
    assertTrue(result.out().contains("  report          " + new org.apache.hadoop.fs.Path(first,
        TrainingReport.HTML_FILE)), result.out());
    org.w3c.dom.Document page = TrainingReportTest.parse(Files.readString(report));
    assertEquals(2, TrainingReportTest.byId(page, "svg", "train_loss").getElementsByTagName("circle").getLength(),
        "one point per epoch of the AFN's summary");
    com.fasterxml.jackson.databind.JsonNode metrics = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(Path.of(first, TrainingReport.METRICS_FILE).toFile());
    assertEquals(0, metrics.get("input_version").asLong());
    assertEquals(3000, metrics.get("input_rows").asLong());
    assertEquals(2, metrics.get("history").get("train_loss").size());
    assertTrue(metrics.get("embedding_parameters").asLong() > 0, metrics.toString());

    // The table moves on; retraining at version 0 gives the same model, bit for bit, here from a YAML job file
    // holding the same options (lists, a params mapping) with the model's folder given on the command line.
    spark.read().format("delta").load(table).where("rowId < 500").write().format("delta").mode("append").save(table);
    String again = dir.resolve("model-v0-again").toString();
    Path job = dir.resolve("train-afn.yaml");
    Files.writeString(job, String.join("\n",
        "model: afn",
        "input: " + table,
        "input-version: 0",
        "categorical: [C0, C1, C2, C3, C4, C5, C6, C7]",
        "numeric: [I0, I1]",
        "max-iter: 2",
        "seed: 5",
        "params: {embeddingDim: 4, logNeurons: 8, hiddenLayers: [16], batchSize: 256, stepSize: 0.01}",
        "model-out: " + dir.resolve("overridden-by-the-command-line"),
        ""));
    CommandRun fromJob = run("train", "--job", job.toString(), "--model-out", again);
    assertEquals(0, fromJob.status(), fromJob.printed());
    assertFalse(Files.exists(dir.resolve("overridden-by-the-command-line")), "the command line wins over the file");
    TrainingRecord a = TrainingRecord.read(spark, first);
    TrainingRecord b = TrainingRecord.read(spark, again);
    assertEquals(new JobInput(table, "delta", 0L, 3000), a.input());
    assertEquals(a.input(), b.input());
    assertEquals("afn", a.model());
    assertEquals(stageData(first), stageData(again), "the saved parameter tables are identical");
    List<Row> scoresA = PipelineModel.load(first).transform(test).select("rowId", "probability").orderBy("rowId")
        .collectAsList();
    List<Row> scoresB = PipelineModel.load(again).transform(test).select("rowId", "probability").orderBy("rowId")
        .collectAsList();
    assertEquals(scoresA, scoresB);

    // Without a version the latest is read, and recorded.
    String latest = dir.resolve("model-latest").toString();
    assertEquals(0, run(train(latest)).status());
    assertEquals(new JobInput(table, "delta", 2L, 4500), TrainingRecord.read(spark, latest).input());
    assertTrue(!stageData(first).equals(stageData(latest)), "more rows, another model");
  }

  /**
   * Every Parquet table the saved pipeline's stages wrote, as sorted row strings per table, but the training
   * summary (it records wall-clock seconds).
   */
  private static List<List<String>> stageData(String modelDir) throws Exception {
    List<List<String>> tables = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    Path stages = Path.of(modelDir, "stages");
    try (Stream<Path> files = Files.walk(stages)) {
      for (Path folder : files.filter(f -> f.getFileName().toString().endsWith(".parquet")).map(Path::getParent)
          .distinct().sorted().toList()) {
        if (stages.relativize(folder).toString().toLowerCase(java.util.Locale.ROOT).contains("summary")) {
          skipped.add(stages.relativize(folder).toString());
          continue;
        }
        tables.add(spark.read().parquet(folder.toString()).collectAsList().stream().map(Row::toString).sorted()
            .toList());
      }
    }
    assertEquals(1, skipped.size(), "one summary table: " + skipped);
    assertTrue(tables.size() >= 4, "the encoder's and the model's tables under " + modelDir);
    return tables;
  }

  @Test
  void lightningSeqTrainsOnEncodedOrRawRowsWithHistoriesAndPredicts() {
    String histories = dir.resolve("histories").toString();
    DemoSequences.histories(spark, ProjectPaths.sampleData()).where("user < 60").write().format("delta")
        .save(histories);
    String model = dir.resolve("lightningseq").toString();
    CommandRun noHistory = run("train", "--model", "lightningseq", "--input", histories, "--model-out", model);
    assertEquals(2, noHistory.status(), noHistory.printed());
    assertTrue(noHistory.err().contains("train --model lightningseq needs --history COL"), noHistory.err());

    CommandRun trained = run("train", "--model", "lightningseq", "--input", histories, "--history", "history",
        "--max-iter", "1", "--seed", "3", "--params", "embeddingDim=4 numLayers=1 numHeads=2 numExperts=2 "
            + "expertHiddenDim=8 blockSize=8 hiddenLayers=[8] validationIndicatorCol=isValidation",
        "--model-out", model);
    assertEquals(0, trained.status(), trained.printed());
    String scores = dir.resolve("sequence-scores").toString();
    CommandRun predicted = run("predict", "--model", model, "--input", histories, "--output", scores,
        "--id-col", "user,position");
    assertEquals(0, predicted.status(), predicted.printed());
    Dataset<Row> written = spark.read().format("delta").load(scores);
    long rows = spark.read().format("delta").load(histories).count();
    assertEquals(rows, written.count());
    assertEquals(0, written.where("probability < 0 OR probability > 1 OR model_uid NOT LIKE 'lightningseq%'")
        .count());

    // Raw fields: the history holds item values, encoded with the item field's vocabulary.
    String raw = dir.resolve("raw-histories").toString();
    spark.range(2000).selectExpr("id", "cast(id % 50 AS string) AS user", "cast(id * 7 % 30 AS string) AS item",
        "transform(sequence(0, cast(id % 5 AS int)), k -> cast((id + k) % 30 AS string)) AS visited",
        "cast(id * 7 % 30 % 2 AS double) AS label").write().format("delta").save(raw);
    String rawModel = dir.resolve("lightningseq-raw").toString();
    String[] rawTrain = {"train", "--model", "lightningseq", "--input", raw, "--categorical", "user,item",
        "--history", "visited", "--max-iter", "1", "--seed", "3", "--params",
        "embeddingDim=4 numLayers=1 numHeads=2 numExperts=2 expertHiddenDim=8 blockSize=8 hiddenLayers=[8]",
        "--model-out", rawModel};
    CommandRun noField = run(rawTrain);
    assertEquals(2, noField.status(), noField.printed());
    assertTrue(noField.err().contains("needs --history-field FIELD"), noField.err());
    List<String> withField = new ArrayList<>(List.of(rawTrain));
    withField.addAll(List.of("--history-field", "item"));
    CommandRun rawTrained = run(withField.toArray(new String[0]));
    assertEquals(0, rawTrained.status(), rawTrained.printed());
    String rawScores = dir.resolve("raw-sequence-scores").toString();
    CommandRun rawPredicted = run("predict", "--model", rawModel, "--input", raw, "--output", rawScores,
        "--id-col", "id");
    assertEquals(0, rawPredicted.status(), rawPredicted.printed());
    assertEquals(2000, spark.read().format("delta").load(rawScores).where("probability BETWEEN 0 AND 1").count());
  }

  @Test
  void predictMergesSoRerunsKeepOneRowPerKey() {
    String model = modelV1;
    String output = dir.resolve("scores").toString();
    String[] predict = {"predict", "--model", model, "--input", table, "--input-version", "1", "--output", output,
        "--id-col", "rowId"};
    CommandRun first = run(predict);
    assertEquals(0, first.status(), first.printed());
    assertTrue((first.out()).contains("Delta table, version 0, merged on rowId"), first.out());
    CommandRun second = run(predict);
    assertEquals(0, second.status(), second.err());
    assertTrue((second.out()).contains("Delta table, version 1, merged on rowId"), second.out());

    Dataset<Row> scores = spark.read().format("delta").load(output);
    assertEquals(List.of("rowId", "probability", "prediction", "model_uid", "model_input_version", "input_version"),
        List.of(scores.columns()));
    assertEquals(4000, scores.count());
    assertEquals(4000, scores.select("rowId").distinct().count());
    Row row = scores.where("rowId = 7").first();
    assertEquals(TrainingRecord.read(spark, model).modelUid(), row.getString(3));
    assertEquals(1L, row.getLong(4));
    assertEquals(1L, row.getLong(5));
    double p = row.getDouble(1);
    assertTrue(p > 0 && p < 1, "probability " + p);

    // Scoring version 0 merges into the same rows: still one per key, now from version 0.
    predict[6] = "0";
    assertEquals(0, run(predict).status());
    assertEquals(4000, scores.count());
    assertEquals(3000, spark.read().format("delta").load(output).where("input_version = 0").count());
  }

  @Test
  void badInputFailsWithOneLineAndStatusOne() {
    String out = dir.resolve("unused-model").toString();
    assertFailure(run(train(out, "--input-version", "99")),
        "sparkrec train: input " + table + " has versions 0 to ");
    assertFailure(run("train", "--model", "fm", "--input", dir.resolve("nothing-here").toString(), FIELDS,
        "--model-out", out), "sparkrec train: input " + dir.resolve("nothing-here") + " does not exist.");
    String csv = dir.resolve("clicks-csv").toString();
    spark.read().format("delta").load(table).limit(50).write().option("header", "true").csv(csv);
    assertFailure(run("train", "--model", "fm", "--input", csv, FIELDS, "--model-out", out),
        "sparkrec train: input " + csv + " is not a Delta table (it has no _delta_log)");
    assertFailure(run("train", "--model", "fm", "--input", csv, "--format", "parquet", FIELDS, "--model-out", out),
        "sparkrec train: input " + csv + " cannot be read as parquet: ");
    assertFailure(run("train", "--model", "fm", "--input", table, "--categorical", "C0,nope", "--model-out", out),
        "sparkrec train: fm cannot train on " + table + ": Column 'nope' does not exist.");
    assertNull(TrainingRecord.read(spark, out), "no model was written");
    assertFailure(run("predict", "--model", dir.resolve("no-model").toString(), "--input", table, "--output", out,
        "--id-col", "rowId"), "sparkrec predict: model " + dir.resolve("no-model") + " cannot be loaded");
    assertFailure(run("train", "--job", dir.resolve("no-job.yaml").toString()),
        "sparkrec train: job file " + dir.resolve("no-job.yaml") + " does not exist.");
  }

  @Test
  void aTimestampReadsTheLatestVersionAtOrBeforeIt() {
    List<Row> history = io.delta.tables.DeltaTable.forPath(spark, table).history().where("version <= 1")
        .orderBy("version").select("timestamp").collectAsList();
    String atVersion0 = history.get(0).getTimestamp(0).toString();
    String atVersion1 = history.get(1).getTimestamp(0).toString();
    JobInput.Read read = JobInput.read(spark, table, "delta", null, atVersion0);
    assertEquals(new JobInput(table, "delta", 0L, 3000), read.input());
    assertEquals(3000, read.data().count(), "the rows of version 0");
    assertEquals(1L, JobInput.read(spark, table, "delta", null, atVersion1).input().version());

    String out = dir.resolve("unused-model-timestamp").toString();
    assertFailure(run(train(out, "--input-timestamp", "2000-01-01 00:00:00")),
        "sparkrec train: input " + table + " has no version at or before 2000-01-01 00:00:00.");
    CommandRun notATime = run(train(out, "--input-timestamp", "yesterday"));
    assertEquals(2, notATime.status(), notATime.printed());
    assertTrue(notATime.err().contains("--input-timestamp 'yesterday' is not a timestamp"), notATime.err());
    assertNull(TrainingRecord.read(spark, out), "no model was written");
  }

  @Test
  void predictRefusesRepeatedOrMissingKeys() {
    String model = modelV1;
    String output = dir.resolve("scores-keys").toString();
    assertFailure(run("predict", "--model", model, "--input", table, "--output", output, "--id-col", "C0"),
        "sparkrec predict: input " + table + " has ");
    assertFailure(run("predict", "--model", model, "--input", table, "--output", output, "--id-col", "id"),
        "sparkrec predict: input " + table + " has no column 'id' (--id-col); its columns: rowId, label, C0");
    assertTrue(!Files.exists(Path.of(output)), "nothing was written");
  }

  private static void assertFailure(CommandRun result, String expectedStart) {
    String err = result.err();
    assertEquals(1, result.status(), result.printed());
    assertTrue(err.startsWith(expectedStart), "expected a line starting with\n  " + expectedStart + "\ngot\n  " + err);
    assertEquals(1, err.strip().lines().count(), "one line: " + err);
  }
}
