package dev.sparkrec.pipelines;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkrec.data.SampleData;
import dev.sparkrec.fia.CollaborativeFilteringModel;
import dev.sparkrec.testing.SparkTestSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SparkRec on a real Spark standalone cluster: a master and one worker on 127.0.0.1, started by {@code
 * bin/standalone-cluster} from the Spark and Delta jars the build already has (a {@code SPARK_HOME} whose {@code
 * jars/} links them, with a {@code RELEASE} file), and {@code bin/sparkrec --master spark://127.0.0.1:PORT train
 * ...} then {@code predict ...} on a Delta table, which go through {@code org.apache.spark.deploy.SparkSubmit}. Unlike {@code local[*]}, the executors run in
 * their own JVMs and load only what spark-submit ships, the application jar: SparkRec's UDFs and closures (the
 * field encoder, AFN's distributed trainer with its broadcasts and aggregations and its embedding tables sharded in
 * the executors ({@code embeddingSync=sharded}), loading the saved tables into the executors and scoring by pulling
 * their rows, the MERGE of the scores)
 * must be in it and serialise. (The demo runs the same code; LauncherIT runs it through the launcher locally.)
 */
class StandaloneClusterIT {

  @TempDir
  static Path dir;

  private static Path clusterDir;
  private static String masterUrl;

  private static Path home() {
    return Paths.get(System.getProperty("sparkrec.home", "..")).toAbsolutePath().normalize();
  }

  @BeforeAll
  static void startCluster() throws Exception {
    clusterDir = dir.resolve("cluster");
    // bin/standalone-cluster links the build's Spark, Scala and Delta jars into a SPARK_HOME (refusing SparkRec's
    // own, which reach the executors only in the application jar) and starts a master and a worker on 127.0.0.1
    masterUrl = cluster("start", "--memory", "2g", "--cores", "2").trim();
    assertTrue(masterUrl.startsWith("spark://127.0.0.1:"), masterUrl);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster("stop");
  }

  /** Runs {@code bin/standalone-cluster COMMAND ... --dir clusterDir}; returns its output after requiring status 0. */
  private static String cluster(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", home().resolve("bin/standalone-cluster").toString()));
    command.addAll(Arrays.asList(args));
    command.addAll(List.of("--dir", clusterDir.toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(2, TimeUnit.MINUTES), "bin/standalone-cluster " + args[0] + " did not finish");
    assertEquals(0, process.exitValue(), "bin/standalone-cluster " + args[0] + ":\n" + text);
    return text;
  }

  /** Runs {@code bin/sparkrec} against the cluster; returns its output after requiring exit status 0. */
  private static String submit(String name, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", home().resolve("bin/sparkrec").toString(),
        "--master", masterUrl,
        "--conf", "spark.executor.memory=1g",
        "--conf", "spark.cores.max=2",
        "--conf", "spark.ui.enabled=false"));
    command.addAll(Arrays.asList(args));
    Path log = dir.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().remove("SPARKREC_MASTER");
    builder.environment().put("SPARKREC_DRIVER_MEMORY", "2g");
    Process process = builder.start();
    assertTrue(process.waitFor(10, TimeUnit.MINUTES), "bin/sparkrec " + name + " did not finish in 10 minutes");
    String text = Files.readString(log);
    assertEquals(0, process.exitValue(), text + executorLogs());
    return text;
  }

  @Test
  void trainThenPredictOnADeltaTable() throws Exception {
    SparkSession spark = SparkTestSession.get();
    String clicks = dir.resolve("clicks").toString();
    SampleData.ctrTrain(spark, ProjectPaths.sampleData()).where("rowId < 6000").write().format("delta").save(clicks);
    String model = dir.resolve("afn-model").toString();
    String trained = submit("train", "train", "--model", "afn", "--input", clicks, "--input-version", "0",
        "--categorical", "C0,C1,C2,C3,C4,C5,C6,C7", "--numeric", "I0,I1", "--max-iter", "2", "--seed", "3",
        "--params", "embeddingDim=4 logNeurons=8 hiddenLayers=[16] batchSize=256 syncEveryBatches=8 "
            + "embeddingSync=sharded", "--model-out", model);
    assertTrue(trained.contains("afn on " + clicks + " (delta version 0, 6000 rows)"), trained);
    // The embedding tables lived in the executors as shards, pulled and pushed through shuffles each round.
    assertTrue(trained.contains("Embedding tables sharded over"), trained);

    String scores = dir.resolve("scores").toString();
    // with no table broadcast, the executors load the saved tables as shards and each task pulls the rows it reads
    String predicted = submit("predict", "--conf", "spark.sparkrec.scoring.maxBroadcastTableBytes=0", "predict",
        "--model", model, "--input", clicks, "--output", scores, "--id-col", "rowId");
    assertTrue(predicted.contains("Delta table, version 0, merged on rowId"), predicted);
    assertTrue(predicted.contains("loaded into the cluster in"), predicted);
    assertTrue(predicted.contains("Scoring pulls the rows each partition reads"), predicted);
    Dataset<Row> rows = spark.read().format("delta").load(scores);
    assertEquals(6000, rows.count());
    assertEquals(6000, rows.select("rowId").distinct().count());
    assertEquals(0, rows.where("probability < 0 OR probability > 1 OR probability IS NULL").count());
    // The tasks ran in the worker's executor JVMs, not in the driver.
    String executors = executorLogs();
    assertTrue(executors.contains("Finished task"), "no executor log shows a finished task:\n" + executors);
    // The launcher gave the executors the Vector API module, so their BLAS did not fall back to Java11BLAS.
    assertFalse(executors.contains("Failed to load implementation from:dev.ludovic.netlib.blas.VectorBLAS"),
        "an executor's BLAS fell back from VectorBLAS:\n" + executors);
    String modelUid = TrainingRecord.read(spark, model).modelUid();
    assertEquals(6000, rows.where(col("model_uid").equalTo(modelUid).and(col("model_input_version").equalTo(0))
        .and(col("input_version").equalTo(0))).count());
  }

  /**
   * MF trained on the cluster, then every user's top 3 recommended and explained there: the explainer's broadcast
   * plan (the ratings and item vectors are under the broadcast threshold); with the threshold -1, its grouped plan
   * with the recommendations scored in blocks of users and items; and, with the model's tables also loaded into the
   * executors as shards, the vectors read from them. Each ships its closures and broadcasts to the executor JVMs, and
   * all three write the same recommendations and explanations. Then {@code recommend} on the shards ranks every
   * user's items in blocks on the executors, as the model ranks them in the test's JVM.
   */
  @Test
  void trainMfThenRecommendAndExplainUnderEveryPlan() throws Exception {
    SparkSession spark = SparkTestSession.get();
    String ratings = dir.resolve("ratings").toString();
    SampleData.ratings(spark, ProjectPaths.sampleData()).where("user < 120").write().format("delta").save(ratings);
    String model = dir.resolve("mf-model").toString();
    submit("train-mf", "train", "--model", "mf", "--input", ratings, "--max-iter", "3", "--seed", "1",
        "--params", "rank=4", "--model-out", model);
    String broadcast = dir.resolve("explained-broadcast").toString();
    String grouped = dir.resolve("explained-grouped").toString();
    submit("explain-broadcast", "explain", "--model", model, "--recommend", "3", "--top-k", "4",
        "--output", broadcast);
    submit("explain-grouped", "--conf", "spark.sql.autoBroadcastJoinThreshold=-1", "explain", "--model", model,
        "--recommend", "3", "--top-k", "4", "--output", grouped);
    String sharded = dir.resolve("explained-sharded").toString();
    String loaded = submit("explain-sharded", "--conf", "spark.sql.autoBroadcastJoinThreshold=-1",
        "--conf", "spark.sparkrec.scoring.maxBroadcastTableBytes=0", "explain", "--model", model,
        "--recommend", "3", "--top-k", "4", "--output", sharded);
    assertTrue(loaded.contains("loaded into the cluster in"), loaded);
    Dataset<Row> a = spark.read().format("delta").load(broadcast);
    assertEquals(120 * 3, a.count());
    assertEquals(0, a.where("size(explanations) <> 4").count());
    assertSameExplanations(a, spark.read().format("delta").load(grouped));
    assertSameExplanations(a, spark.read().format("delta").load(sharded));

    // recommend on the shards: users and items meet in blocks read from the executors' shards (ShardedTopK), and
    // give the lists the model ranks here, on the driver's tables
    String recommended = dir.resolve("recommended-sharded").toString();
    String ranked = submit("recommend-sharded", "--conf", "spark.sparkrec.scoring.maxBroadcastTableBytes=0",
        "recommend", "--model", model, "--k", "3", "--output", recommended);
    assertTrue(ranked.contains("loaded into the cluster in"), ranked);
    Transformer[] stages = PipelineModel.load(model).stages();
    Dataset<Row> expected = ((CollaborativeFilteringModel<?>) stages[stages.length - 1]).recommendForAllUsers(3)
        .selectExpr("user", "posexplode(recommendations) AS (pos, r)")
        .selectExpr("user", "r.item AS item", "pos + 1 AS rank", "r.rating AS prediction");
    Dataset<Row> onShards = spark.read().format("delta").load(recommended)
        .select("user", "item", "rank", "prediction");
    assertEquals(120 * 3, onShards.count());
    assertEquals(0, expected.exceptAll(onShards).count());
    String executors = executorLogs();
    assertTrue(executors.contains("Finished task"), "no executor log shows a finished task:\n" + executors);
  }

  /** The same recommendations and explaining ratings in {@code a} and {@code b}, influences within 1e-9. */
  private static void assertSameExplanations(Dataset<Row> a, Dataset<Row> b) {
    Dataset<Row> ids = a.selectExpr("user", "rank", "item", "transform(explanations, e -> (e.user, e.item)) AS why");
    assertEquals(0, ids.exceptAll(b.selectExpr("user", "rank", "item",
        "transform(explanations, e -> (e.user, e.item)) AS why")).count());
    assertEquals(a.count(), b.count());
    Dataset<Row> influences = a.selectExpr("user", "rank", "explanations.influence AS x")
        .join(b.selectExpr("user", "rank", "explanations.influence AS y"), new String[] {"user", "rank"})
        .selectExpr("zip_with(x, y, (p, q) -> abs(p - q) <= 1e-9 * abs(q)) AS close");
    assertEquals(a.count(), influences.count());
    assertEquals(0, influences.where("NOT aggregate(close, true, (acc, c) -> acc AND c)").count());
  }

  /** The stderr of every executor the worker launched. */
  private static String executorLogs() {
    try (Stream<Path> files = Files.walk(clusterDir.resolve("work"))) {
      return files.filter(f -> f.getFileName().toString().equals("stderr")).map(f -> {
        try {
          return "\n--- " + f + "\n" + Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).collect(Collectors.joining());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
